//! PL9xx: style and consistency — BuildKit's build checks, label conventions and
//! deprecated forms.

mod copy_ignored_file;
mod empty_continuation_line;
mod empty_required_label;
mod expose_invalid_format;
mod expose_proto_casing;
mod from_args;
mod from_as_casing;
mod from_platform_flag_const;
mod image_env;
mod inconsistent_instruction_casing;
mod invalid_default_arg_in_from;
mod invalid_label_key;
mod json_args_recommended;
mod label_not_email;
mod label_not_git_hash;
mod label_not_rfc3339;
mod label_not_semver;
mod label_not_spdx;
mod label_not_url;
mod labels;
mod legacy_key_value_format;
mod maintainer;
mod maintainer_deprecated;
mod maintainer_instruction;
mod missing_required_label;
mod multiple_instructions_disallowed;
mod ports;
mod redundant_target_platform;
mod reference;
mod reserved_stage_name;
mod spdx_ids;
mod stage_name_casing;
mod stage_name_not_unique;
mod superfluous_label;
mod undefined_arg_in_from;
mod undefined_variable;
mod variables;
mod workdir_relative_path;

pub use copy_ignored_file::CopyIgnoredFile;
pub use empty_continuation_line::EmptyContinuationLine;
pub use empty_required_label::EmptyRequiredLabel;
pub use expose_invalid_format::ExposeInvalidFormat;
pub use expose_proto_casing::ExposeProtoCasing;
pub use from_as_casing::FromAsCasing;
pub use from_platform_flag_const::FromPlatformFlagConst;
pub use inconsistent_instruction_casing::InconsistentInstructionCasing;
pub use invalid_default_arg_in_from::InvalidDefaultArgInFrom;
pub use invalid_label_key::InvalidLabelKey;
pub use json_args_recommended::JsonArgsRecommended;
pub use label_not_email::LabelNotEmail;
pub use label_not_git_hash::LabelNotGitHash;
pub use label_not_rfc3339::LabelNotRfc3339;
pub use label_not_semver::LabelNotSemver;
pub use label_not_spdx::LabelNotSpdx;
pub use label_not_url::LabelNotUrl;
pub use labels::{LabelFormat, LabelOptions, with_label_options};
pub use legacy_key_value_format::LegacyKeyValueFormat;
pub use maintainer_deprecated::MaintainerDeprecated;
pub use maintainer_instruction::MaintainerInstruction;
pub use missing_required_label::MissingRequiredLabel;
pub use multiple_instructions_disallowed::MultipleInstructionsDisallowed;
pub use redundant_target_platform::RedundantTargetPlatform;
pub use reserved_stage_name::ReservedStageName;
pub use stage_name_casing::StageNameCasing;
pub use stage_name_not_unique::StageNameNotUnique;
pub use superfluous_label::SuperfluousLabel;
pub use undefined_arg_in_from::UndefinedArgInFrom;
pub use undefined_variable::UndefinedVariable;
pub use workdir_relative_path::WorkdirRelativePath;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &StageNameCasing,
    &FromAsCasing,
    &InconsistentInstructionCasing,
    &EmptyContinuationLine,
    &StageNameNotUnique,
    &ReservedStageName,
    &JsonArgsRecommended,
    &MaintainerDeprecated,
    &MaintainerInstruction,
    &UndefinedArgInFrom,
    &WorkdirRelativePath,
    &UndefinedVariable,
    &MultipleInstructionsDisallowed,
    &LegacyKeyValueFormat,
    &RedundantTargetPlatform,
    &InvalidDefaultArgInFrom,
    &FromPlatformFlagConst,
    &CopyIgnoredFile,
    &ExposeProtoCasing,
    &ExposeInvalidFormat,
    &InvalidLabelKey,
    &MissingRequiredLabel,
    &SuperfluousLabel,
    &EmptyRequiredLabel,
    &LabelNotUrl,
    &LabelNotRfc3339,
    &LabelNotSpdx,
    &LabelNotGitHash,
    &LabelNotSemver,
    &LabelNotEmail,
];
