pub mod analyze;
pub mod build;
pub mod cache;
pub mod check;
pub mod lsp;
pub mod registry;
pub mod rule;
pub mod run;
