//! PL0xx: what BuildKit would reject, and the meta rules about the file's pragmas.

mod inline_ignore_pragma;
mod parse_error;
mod unused_pragma;

pub use inline_ignore_pragma::InlineIgnorePragma;
pub use parse_error::ParseError;
pub use unused_pragma::UnusedPragma;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[&ParseError, &UnusedPragma, &InlineIgnorePragma];
