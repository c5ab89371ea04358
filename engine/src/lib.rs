//! Plimsoll's build engine: builds OCI images from Dockerfiles (read by
//! `plimsoll_analyzer`, the only crate of ours it depends on) with its own small runtime,
//! and runs them.
//!
//! # Code map
//!
//! - [`build`] — `plimsoll build`: stages needed by the target, one numbered step per
//!   instruction (`build/instructions/`, one operation a file), cache keys chained from
//!   step to step, the build context with `.dockerignore`, progress events; what ADD
//!   fetches (`remote/`: HTTP with checksums, git) and extracts (`archive`), `--chmod`
//!   modes (`chmod`), the ssh-agent proxy of `RUN --mount=type=ssh` (`agent`), stages
//!   for other platforms (`platform`).
//! - [`sandbox`] — running a process in a container: the spec (a builder), the helper
//!   stages (`init`: namespaces, then PID 1), the root file system (`rootfs`, `devices`),
//!   privileges (`security`), mount-point stubs kept out of layers (`stubs`), the
//!   pseudo-terminal of `run -t` (`tty`), and the
//!   [`sandbox::Runner`] trait the builder calls ([`sandbox::Sandbox`] is the real one).
//! - [`container`] — `plimsoll run`: image configuration → sandbox spec; `-p` listeners
//!   that relay connections from threads joined to the container's network namespace.
//! - [`layer`] — directory ⇄ layer tar: reproducible tars with OCI whiteouts from
//!   overlayfs upper directories, safe unpacking into overlayfs lower directories.
//! - [`image`] — configuration (oci-spec plus Docker's Healthcheck/OnBuild/Shell),
//!   manifests, canonical JSON, command-line references.
//! - [`source`] — where base images come from, behind [`source::ImageSource`]: OCI
//!   layouts, docker-archives, root file systems, scratch, local tags; `--base`.
//! - [`registry`] — OCI distribution registries: pull (index → this platform, blobs
//!   verified and stored once), push, tag → digest; bearer-token and basic auth with
//!   Docker's credentials; plain HTTP only for `--insecure-registry` hosts.
//! - [`export`] — OCI layout and docker-archive output.
//! - [`store`] — the content-addressed blob store and the rest of `ROOT/`.
//! - [`analyze`] — `plimsoll analyze`: layer tars streamed from the store (never unpacked)
//!   into per-path sizes, then dive's measures (efficiency, wasted bytes, user-wasted
//!   ratio) computed exactly as dive does, per-layer history and sizes.
//! - [`fs`] — untrusted paths, Go-style globs, and [`fs::View`], a user-space merged view
//!   of layer directories with chroot-like path resolution.
//! - [`syscall`] — every kernel call behind [`syscall::Syscall`]: the nix implementation,
//!   a recording one for tests, a rootless one that remembers what only root may do.
//!
//! # Invariants
//!
//! - Nothing is written outside its directory: archive entries with `..`, entries below
//!   links and outside hard links are refused; paths inside images and the build context
//!   are resolved as a chrooted process would; mount targets are resolved inside the new
//!   root before mounting.
//! - Mounts never reach the host: they are made in the sandbox's private mount namespace,
//!   which dies with its last process (both helper stages have a parent-death signal).
//! - The same inputs give the same image: sorted tar entries, clamped times with
//!   `SOURCE_DATE_EPOCH`, canonical JSON, and history times taken from the cache.
//! - One error enum per module, aggregated in [`error::Error`]; no anyhow.

pub mod analyze;
pub mod build;
pub mod container;
pub mod digest;
pub mod error;
pub mod export;
pub mod fs;
pub mod image;
pub mod interrupt;
pub mod layer;
pub mod registry;
pub mod sandbox;
pub mod source;
pub mod store;
pub mod syscall;

pub use error::{Error, Result};
