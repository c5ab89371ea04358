//! Rule metadata and the trait every rule implements.

use crate::context::Context;
use crate::diagnostic::{Diagnostic, Severity};
use serde::Serialize;

/// Whether a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

/// Everything about a rule but its check: the registry, `plimsoll rule`, the docs, the LSP
/// and SARIF all read this.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleMeta {
    /// Stable code (`PL103`); never renumbered or reused.
    pub code: &'static str,
    /// Kebab-case name (`apt-get-unpinned`).
    pub name: &'static str,
    /// At most one hadolint (`DL3008`) or BuildKit (`SecretsUsedInArgOrEnv`) code.
    pub alias: Option<&'static str>,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// On unless the user opts in.
    pub default_enabled: bool,
    /// One line for listings.
    pub summary: &'static str,
    /// The user page, from the rule's doc comment (Markdown).
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc comment with the one leading space rustdoc leaves on every line removed.
    pub fn docs(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// Whether `code` names this rule (its code or alias, case-insensitive).
    pub fn answers_to(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
            || self.alias.is_some_and(|a| a.eq_ignore_ascii_case(code))
            || self.name.eq_ignore_ascii_case(code)
    }

    /// Whether the alias is one of BuildKit's check names (they are CamelCase words).
    pub fn buildkit_alias(&self) -> Option<&'static str> {
        self.alias.filter(|a| {
            a.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && !a.starts_with("DL")
                && !a.starts_with("SC")
        })
    }
}

pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Declares a rule type whose doc comment becomes its user page.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct AptGetUnpinned {
///         code: "PL103", name: "apt-get-unpinned", alias: Some("DL3008"),
///         severity: Severity::Warning, fix: FixAvailability::None,
///         default_enabled: true, summary: "Pin versions in apt-get install",
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $($field:ident : $value:expr),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                $($field: $value,)*
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
