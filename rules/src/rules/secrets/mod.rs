//! PL3xx: secrets that end up in the image's layers, config or history.

mod context_sensitive_files_included;
mod credential_in_arg_or_env_value;
mod credentials;
mod credentials_in_url;
mod file_removed_in_later_layer;
mod layer_paths;
mod options;
mod password_on_command_line;
mod secret_in_arg_or_env_name;
mod sensitive_file_copied;
pub(crate) mod sensitive_files;

pub use context_sensitive_files_included::ContextSensitiveFilesIncluded;
pub use credential_in_arg_or_env_value::CredentialInArgOrEnvValue;
pub use credentials_in_url::CredentialsInUrl;
pub use file_removed_in_later_layer::FileRemovedInLaterLayer;
pub use password_on_command_line::PasswordOnCommandLine;
pub use secret_in_arg_or_env_name::SecretInArgOrEnvName;
pub use sensitive_file_copied::SensitiveFileCopied;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[
    &SecretInArgOrEnvName,
    &CredentialInArgOrEnvValue,
    &SensitiveFileCopied,
    &ContextSensitiveFilesIncluded,
    &CredentialsInUrl,
    &PasswordOnCommandLine,
    &FileRemovedInLaterLayer,
];
