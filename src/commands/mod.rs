pub mod check;
pub mod lsp;
pub mod rule;
