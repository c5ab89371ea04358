//! PL0xx: what BuildKit would reject.

mod parse_error;

pub use parse_error::ParseError;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[&ParseError];
