//! What a rule reports: a message on an exact span, with an optional fix.

use plimsoll_analyzer::Span;
use serde::Serialize;

/// How serious a finding is. Ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "style" => Some(Severity::Style),
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Whether a fix may be applied without review (Ruff's model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown as a suggestion only; never applied automatically.
    DisplayOnly,
    /// May change what the image contains or how it behaves: needs `--unsafe-fixes`.
    Unsafe,
    /// Keeps behaviour, only removes waste or noise: applied by `--fix`.
    Safe,
}

/// Replace `span` of the original text with `content`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit {
            span: Span::empty(at),
            content: content.into(),
        }
    }

    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn delete(span: Span) -> Edit {
        Edit {
            span,
            content: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in a few words ("Add `-y`").
    pub message: String,
    /// Non-overlapping edits, sorted by position.
    pub edits: Vec<Edit>,
    /// A restructuring of the file to review as a whole (such as splitting a build into
    /// stages), rather than a repair of the finding: editors offer it as a refactoring, not
    /// a quick fix. Always unsafe.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub proposal: bool,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        message: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Fix {
            applicability,
            message: message.into(),
            edits,
            proposal: false,
        }
    }

    /// A restructuring proposal (see [`Fix::proposal`](Fix#structfield.proposal)): unsafe,
    /// never applied by `--fix`.
    pub fn proposal(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            proposal: true,
            ..Fix::new(Applicability::Unsafe, message, edits)
        }
    }

    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Safe, message, edits)
    }

    pub fn unsafe_edit(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, message, edits)
    }

    pub fn display_only(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::DisplayOnly, message, edits)
    }

    /// The span covering all edits.
    pub fn span(&self) -> Option<Span> {
        self.edits.iter().map(|e| e.span).reduce(Span::cover)
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule's stable code, e.g. `PL103`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// How to make it right, shown under the snippet.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(meta: &crate::RuleMeta, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: meta.code,
            severity: meta.severity,
            message: message.into(),
            span,
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
}
