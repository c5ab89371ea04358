//! Shared knowledge rules draw on: package managers, secret-looking names and files.

pub mod build;
pub mod copy;
pub mod edits;
pub mod packages;
pub mod path;
pub mod text;
