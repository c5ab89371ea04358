//! PL5xx: instruction order that throws away the build cache.

mod broad_copy_before_dependency_install;
mod dependency_installs;

pub use broad_copy_before_dependency_install::BroadCopyBeforeDependencyInstall;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[&BroadCopyBeforeDependencyInstall];
