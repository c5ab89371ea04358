//! Plimsoll's analyzer: parses a Dockerfile into a semantic model — directives, stages,
//! instructions with flags and arguments, ARG/ENV scopes, heredocs and RUN bodies parsed as
//! shell — with an exact byte span for everything a diagnostic can point at.
//!
//! Parsing never fails: [`Dockerfile::parse`] returns the model plus [`ParseError`]s, and
//! every consumer copes with partial models.

mod cache;
pub mod directives;
pub mod dockerfile;
pub mod dockerignore;
pub mod image;
pub mod instruction;
pub mod lexer;
pub mod shell;
pub mod span;
pub mod vars;
pub mod words;

pub use cache::ParseCache;
pub use dockerfile::{Base, Dockerfile, ParseError, ParseOptions, Stage, VarDef, VarKind};
pub use image::ImageRef;
pub use instruction::{Form, Instruction, Keyword};
pub use span::{LineCol, LineIndex, Span};
pub use words::{Flag, KeyValue, Word};
