//! PL7xx: how instructions and stages are used — WORKDIR, COPY/ADD, EXPOSE, repeated
//! instructions, stage names and the references between stages.

mod accounts;
mod add_instead_of_copy;
mod circular_stage_dependency;
mod copied_archive_extracted;
mod copy_entire_filesystem;
mod copy_from_own_stage;
mod copy_from_unknown_stage;
mod copy_relative_dest_without_workdir;
mod copy_sources_to_file;
mod created_user_never_used;
mod env_uses_same_env;
mod expose_port_out_of_range;
mod from_platform_pinned;
mod instruction_before_from;
mod missing_healthcheck;
mod multiple_cmds;
mod multiple_entrypoints;
mod multiple_healthchecks;
mod onbuild_forbidden_trigger;
mod ports;
mod repeated;
mod run_in_scratch_stage;
mod sensitive_arg_or_env_name;
mod ssh_port_exposed;
mod stage_name_reserved;
mod stage_name_reused;
mod stages;
mod target_platform_redundant;
mod unreachable_stage;
mod untrusted_registry;
mod user_not_numeric;
mod workdir_not_absolute;

pub use add_instead_of_copy::AddInsteadOfCopy;
pub use circular_stage_dependency::CircularStageDependency;
pub use copied_archive_extracted::CopiedArchiveExtracted;
pub use copy_entire_filesystem::CopyEntireFilesystem;
pub use copy_from_own_stage::CopyFromOwnStage;
pub use copy_from_unknown_stage::CopyFromUnknownStage;
pub use copy_relative_dest_without_workdir::CopyRelativeDestWithoutWorkdir;
pub use copy_sources_to_file::CopySourcesToFile;
pub use created_user_never_used::CreatedUserNeverUsed;
pub use env_uses_same_env::EnvUsesSameEnv;
pub use expose_port_out_of_range::ExposePortOutOfRange;
pub use from_platform_pinned::FromPlatformPinned;
pub use instruction_before_from::InstructionBeforeFrom;
pub use missing_healthcheck::MissingHealthcheck;
pub use multiple_cmds::MultipleCmds;
pub use multiple_entrypoints::MultipleEntrypoints;
pub use multiple_healthchecks::MultipleHealthchecks;
pub use onbuild_forbidden_trigger::OnbuildForbiddenTrigger;
pub use run_in_scratch_stage::RunInScratchStage;
pub use sensitive_arg_or_env_name::SensitiveArgOrEnvName;
pub use ssh_port_exposed::SshPortExposed;
pub use stage_name_reserved::StageNameReserved;
pub use stage_name_reused::StageNameReused;
pub use target_platform_redundant::TargetPlatformRedundant;
pub use unreachable_stage::UnreachableStage;
pub use untrusted_registry::{TrustedRegistries, UntrustedRegistry};
pub use user_not_numeric::UserNotNumeric;
pub use workdir_not_absolute::WorkdirNotAbsolute;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &WorkdirNotAbsolute,     // PL700 DL3000
    &CopiedArchiveExtracted, // PL701 DL3010
    &ExposePortOutOfRange,   // PL702 DL3011
    &MultipleHealthchecks,   // PL703 DL3012
    &AddInsteadOfCopy,       // PL704 DL3020
    &CopySourcesToFile,      // PL705 DL3021
    &CopyFromUnknownStage,   // PL706 DL3022
    &CopyFromOwnStage,       // PL707 DL3023
    &StageNameReused,        // PL708 DL3024
    // PL709 DL3026 `UntrustedRegistry` needs its trusted-registry list, a rule option:
    // it is listed here once `Context` carries rule options (see `check_with`).
    &FromPlatformPinned,             // PL710 DL3029
    &OnbuildForbiddenTrigger,        // PL711 DL3043
    &EnvUsesSameEnv,                 // PL712 DL3044
    &CopyRelativeDestWithoutWorkdir, // PL713 DL3045
    &MissingHealthcheck,             // PL714 DL3057
    &InstructionBeforeFrom,          // PL715 DL3061
    &StageNameReserved,              // PL716 DL3063
    &SensitiveArgOrEnvName,          // PL717 DL3064
    &TargetPlatformRedundant,        // PL718 DL3065
    &UserNotNumeric,                 // PL719 DL3066
    &CopyEntireFilesystem,           // PL720 DL3067
    &MultipleCmds,                   // PL721 DL4003
    &MultipleEntrypoints,            // PL722 DL4004
    &UnreachableStage,               // PL723
    &CircularStageDependency,        // PL724
    &RunInScratchStage,              // PL725
    &CreatedUserNeverUsed,           // PL726
    &SshPortExposed,                 // PL727
];
