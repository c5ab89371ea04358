//! Plimsoll's lint rules: one rule a file, stable codes, user docs in the doc comments,
//! fixes with a per-fix applicability. Rules do no I/O; see [`Context`].

pub mod checker;
pub mod context;
pub mod diagnostic;
pub mod docs;
pub mod external;
pub mod fix;
pub mod helpers;
pub mod options;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod selection;
pub mod suppression;

pub use checker::{check, check_with};
pub use context::{BuildContext, Context};
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
pub use docs::docs_url;
pub use options::{LabelSchema, LinkedFile, RuleOptions, Settings, SeverityOverride};
pub use rule::{FixAvailability, Rule, RuleMeta};
pub use selection::Selection;
