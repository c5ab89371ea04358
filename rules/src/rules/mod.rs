//! The rules, one family a folder and one rule a file.

pub mod cache;
pub mod commands;
pub mod exec_form;
pub mod instructions;
pub mod packages;
pub mod pinning;
pub mod secrets;
pub mod style;
pub mod syntax;
pub mod user;
