//! PL2xx: split or unhygienic package RUNs — a stale apt index, caches left in layers,
//! prompts a build can not answer, layers that could be one.

mod apk_add_missing_no_cache;
mod apt_get_install_without_update;
mod apt_get_missing_no_install_recommends;
mod apt_get_missing_yes;
mod apt_get_update_alone;
mod apt_lists_not_removed;
mod consecutive_run_instructions;
mod dnf_cache_not_cleaned;
mod dnf_missing_yes;
mod pip_missing_no_cache_dir;
mod support;
mod yum_cache_not_cleaned;
mod yum_missing_yes;
mod zypper_cache_not_cleaned;
mod zypper_missing_non_interactive;

pub use apk_add_missing_no_cache::ApkAddMissingNoCache;
pub use apt_get_install_without_update::AptGetInstallWithoutUpdate;
pub use apt_get_missing_no_install_recommends::AptGetMissingNoInstallRecommends;
pub use apt_get_missing_yes::AptGetMissingYes;
pub use apt_get_update_alone::AptGetUpdateAlone;
pub use apt_lists_not_removed::AptListsNotRemoved;
pub use consecutive_run_instructions::ConsecutiveRunInstructions;
pub use dnf_cache_not_cleaned::DnfCacheNotCleaned;
pub use dnf_missing_yes::DnfMissingYes;
pub use pip_missing_no_cache_dir::PipMissingNoCacheDir;
pub use yum_cache_not_cleaned::YumCacheNotCleaned;
pub use yum_missing_yes::YumMissingYes;
pub use zypper_cache_not_cleaned::ZypperCacheNotCleaned;
pub use zypper_missing_non_interactive::ZypperMissingNonInteractive;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &AptGetUpdateAlone,
    &AptGetInstallWithoutUpdate,
    &AptListsNotRemoved,
    &AptGetMissingYes,
    &AptGetMissingNoInstallRecommends,
    &ApkAddMissingNoCache,
    &YumCacheNotCleaned,
    &DnfCacheNotCleaned,
    &ZypperCacheNotCleaned,
    &PipMissingNoCacheDir,
    &ConsecutiveRunInstructions,
    &YumMissingYes,
    &DnfMissingYes,
    &ZypperMissingNonInteractive,
];
