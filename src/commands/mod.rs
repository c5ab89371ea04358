pub mod analyze;
pub mod build;
pub mod cache;
pub mod check;
pub mod rule;
pub mod run;
