//! PL8xx: what RUN commands do — commands that make no sense in a build, habits that
//! make images bigger or builds fragile, and checks a download or package install turns
//! off.

mod apt_instead_of_apt_get;
mod cd_instead_of_workdir;
mod curl_and_wget;
mod go_install_unpinned;
mod package_cache_not_mounted;
mod package_signature_check_disabled;
mod package_upgrade_in_build;
mod password_set_in_image;
mod pipe_without_pipefail;
mod pointless_command_in_run;
mod remote_script_piped_to_shell;
mod shell_replaced_by_symlink;
mod sudo_in_run;
mod support;
mod tls_verification_disabled;
mod useradd_high_uid_without_no_log_init;
mod wget_without_progress_option;
mod yarn_cache_not_cleaned;
mod zypper_dist_upgrade;

pub use apt_instead_of_apt_get::AptInsteadOfAptGet;
pub use cd_instead_of_workdir::CdInsteadOfWorkdir;
pub use curl_and_wget::CurlAndWget;
pub use go_install_unpinned::GoInstallUnpinned;
pub use package_cache_not_mounted::PackageCacheNotMounted;
pub use package_signature_check_disabled::PackageSignatureCheckDisabled;
pub use package_upgrade_in_build::PackageUpgradeInBuild;
pub use password_set_in_image::PasswordSetInImage;
pub use pipe_without_pipefail::PipeWithoutPipefail;
pub use pointless_command_in_run::PointlessCommandInRun;
pub use remote_script_piped_to_shell::RemoteScriptPipedToShell;
pub use shell_replaced_by_symlink::ShellReplacedBySymlink;
pub use sudo_in_run::SudoInRun;
pub use tls_verification_disabled::TlsVerificationDisabled;
pub use useradd_high_uid_without_no_log_init::UseraddHighUidWithoutNoLogInit;
pub use wget_without_progress_option::WgetWithoutProgressOption;
pub use yarn_cache_not_cleaned::YarnCacheNotCleaned;
pub use zypper_dist_upgrade::ZypperDistUpgrade;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &PointlessCommandInRun,
    &CdInsteadOfWorkdir,
    &SudoInRun,
    &AptInsteadOfAptGet,
    &ZypperDistUpgrade,
    &UseraddHighUidWithoutNoLogInit,
    &WgetWithoutProgressOption,
    &YarnCacheNotCleaned,
    &GoInstallUnpinned,
    &CurlAndWget,
    &ShellReplacedBySymlink,
    &PipeWithoutPipefail,
    &TlsVerificationDisabled,
    &PackageSignatureCheckDisabled,
    &RemoteScriptPipedToShell,
    &PackageUpgradeInBuild,
    &PasswordSetInImage,
    &PackageCacheNotMounted,
];
