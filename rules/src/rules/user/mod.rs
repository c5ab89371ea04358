//! PL6xx: what user the final image runs as.

mod final_stage_runs_as_root;
mod last_user_is_root;
mod runs_as;
#[cfg(test)]
mod tests;

pub use final_stage_runs_as_root::FinalStageRunsAsRoot;
pub use last_user_is_root::LastUserIsRoot;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[&FinalStageRunsAsRoot, &LastUserIsRoot];
