//! PL4xx: shell form vs exec form of CMD, ENTRYPOINT and the other JSON-array arguments.

mod invalid_json_array;
mod json;
mod process;
mod shell_form_cmd_or_entrypoint;
mod shell_form_entrypoint_ignores_cmd;

pub use invalid_json_array::InvalidJsonArray;
pub use shell_form_cmd_or_entrypoint::ShellFormCmdOrEntrypoint;
pub use shell_form_entrypoint_ignores_cmd::ShellFormEntrypointIgnoresCmd;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &ShellFormCmdOrEntrypoint,
    &ShellFormEntrypointIgnoresCmd,
    &InvalidJsonArray,
];
