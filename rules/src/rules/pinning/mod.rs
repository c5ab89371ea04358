//! PL1xx: unpinned images and packages. No fixes: only a registry knows the version to pin.

mod image_latest_tag;
mod image_not_pinned_by_digest;
mod image_untagged;
mod images;

pub use image_latest_tag::ImageLatestTag;
pub use image_not_pinned_by_digest::ImageNotPinnedByDigest;
pub use image_untagged::ImageUntagged;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[&ImageUntagged, &ImageLatestTag, &ImageNotPinnedByDigest];
