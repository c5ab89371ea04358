//! PL5xx: instruction order that throws away the build cache.

mod broad_copy_before_dependency_install;
mod dependency_installs;
mod runtime_stage_on_distribution;
mod single_stage_build_toolchain;
#[cfg(test)]
mod tests;

pub use broad_copy_before_dependency_install::BroadCopyBeforeDependencyInstall;
pub use runtime_stage_on_distribution::RuntimeStageOnDistribution;
pub use single_stage_build_toolchain::SingleStageBuildToolchain;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &BroadCopyBeforeDependencyInstall,
    &SingleStageBuildToolchain,
    &RuntimeStageOnDistribution,
];
