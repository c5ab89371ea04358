//! PL3xx: secrets that end up in the image's layers, config or history.

mod secret_in_arg_or_env_name;

pub use secret_in_arg_or_env_name::SecretInArgOrEnvName;

use crate::rule::Rule;

pub const RULES: &[&dyn Rule] = &[&SecretInArgOrEnvName];
