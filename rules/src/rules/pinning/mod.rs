//! PL1xx: unpinned images and packages. Packages get no fixes: only a registry knows the
//! version to pin. Image digests do, when the caller looked them up
//! (`RuleOptions::image_digests`, see [`digest_lookups`]).

mod apk_unpinned;
mod apt_get_unpinned;
mod dnf_unpinned;
mod gem_unpinned;
mod image_digest_stale;
mod image_latest_tag;
mod image_not_pinned_by_digest;
mod image_untagged;
mod images;
mod install;
mod npm_unpinned;
mod pip_unpinned;
mod rpm;
mod yum_unpinned;
mod zypper_unpinned;

pub use apk_unpinned::ApkUnpinned;
pub use apt_get_unpinned::AptGetUnpinned;
pub use dnf_unpinned::DnfUnpinned;
pub use gem_unpinned::GemUnpinned;
pub use image_digest_stale::ImageDigestStale;
pub use image_latest_tag::ImageLatestTag;
pub use image_not_pinned_by_digest::ImageNotPinnedByDigest;
pub use image_untagged::ImageUntagged;
pub use images::{Lookups, digest_lookups};
pub use npm_unpinned::NpmUnpinned;
pub use pip_unpinned::PipUnpinned;
pub use yum_unpinned::YumUnpinned;
pub use zypper_unpinned::ZypperUnpinned;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &ImageUntagged,
    &ImageLatestTag,
    &ImageNotPinnedByDigest,
    &AptGetUnpinned,
    &ApkUnpinned,
    &PipUnpinned,
    &NpmUnpinned,
    &GemUnpinned,
    &YumUnpinned,
    &DnfUnpinned,
    &ZypperUnpinned,
    &ImageDigestStale,
];
