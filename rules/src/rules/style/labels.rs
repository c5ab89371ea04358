//! Label options (hadolint's `label-schema` and `strict-labels`), the value formats labels
//! are checked against, and what the label rules share.
//!
//! The options reach the rules through [`with_label_options`]: the caller (the binary's
//! config layer) wraps the lint of one file in it. A file can add to them with comment
//! lines, after hadolint's command-line flags: `# plimsoll: require-label=KEY:FORMAT,…`
//! and `# plimsoll: strict-labels`. Without either, no label is required and the format
//! rules check the OCI annotation keys whose format the OCI image spec defines.

use super::spdx_ids;
use crate::{Context, Diagnostic, RuleMeta};
use plimsoll_analyzer::{Dockerfile, Instruction, KeyValue, Keyword, Span};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The format a label's value must have (hadolint's label types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelFormat {
    /// Any text (hadolint's `text`).
    Text,
    /// An absolute URI (`url`).
    Url,
    /// An RFC 3339 date and time (`rfc3339`).
    Rfc3339,
    /// An SPDX license identifier or expression (`spdx`).
    Spdx,
    /// A git commit hash, short (7) or full (40 hex digits) (`hash`).
    GitHash,
    /// A semantic version (`semver`).
    SemVer,
    /// An e-mail address (`email`).
    Email,
}

impl LabelFormat {
    /// Reads hadolint's name for a label type (`""` means text, as in hadolint).
    pub fn parse(name: &str) -> Option<LabelFormat> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "" | "text" => LabelFormat::Text,
            "url" => LabelFormat::Url,
            "rfc3339" => LabelFormat::Rfc3339,
            "spdx" => LabelFormat::Spdx,
            "hash" => LabelFormat::GitHash,
            "semver" => LabelFormat::SemVer,
            "email" => LabelFormat::Email,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LabelFormat::Text => "text",
            LabelFormat::Url => "url",
            LabelFormat::Rfc3339 => "rfc3339",
            LabelFormat::Spdx => "spdx",
            LabelFormat::GitHash => "hash",
            LabelFormat::SemVer => "semver",
            LabelFormat::Email => "email",
        }
    }

    /// Whether `value` has this format.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            LabelFormat::Text => true,
            LabelFormat::Url => is_url(value),
            LabelFormat::Rfc3339 => is_rfc3339(value),
            LabelFormat::Spdx => is_spdx_expression(value),
            LabelFormat::GitHash => is_git_hash(value),
            LabelFormat::SemVer => is_semver(value),
            LabelFormat::Email => is_email(value),
        }
    }
}

/// What the label rules check, as the config layer sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelOptions {
    /// Labels every image must have, each with the format its value must have (hadolint's
    /// `label-schema`). Empty: no label is required.
    pub schema: BTreeMap<String, LabelFormat>,
    /// Only the schema's labels are allowed (hadolint's `strict-labels`).
    pub strict: bool,
    /// Check the OCI annotation keys the OCI image spec gives a format
    /// (`org.opencontainers.image.created`, `.url`, `.source`, `.licenses`, …) even when
    /// the schema does not name them. A schema entry for such a key takes precedence.
    pub oci_formats: bool,
}

impl Default for LabelOptions {
    fn default() -> LabelOptions {
        LabelOptions {
            schema: BTreeMap::new(),
            strict: false,
            oci_formats: true,
        }
    }
}

impl LabelOptions {
    /// The format `key`'s value must have, if any.
    pub fn format_of(&self, key: &str) -> Option<LabelFormat> {
        self.schema.get(key).copied().or_else(|| {
            if !self.oci_formats {
                return None;
            }
            OCI_FORMATS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, format)| *format)
        })
    }
}

/// Keys whose value format the OCI image spec (and the older label-schema.org convention)
/// defines.
const OCI_FORMATS: &[(&str, LabelFormat)] = &[
    ("org.opencontainers.image.created", LabelFormat::Rfc3339),
    ("org.opencontainers.image.url", LabelFormat::Url),
    ("org.opencontainers.image.documentation", LabelFormat::Url),
    ("org.opencontainers.image.source", LabelFormat::Url),
    ("org.opencontainers.image.licenses", LabelFormat::Spdx),
    ("org.label-schema.build-date", LabelFormat::Rfc3339),
    ("org.label-schema.url", LabelFormat::Url),
    ("org.label-schema.vcs-url", LabelFormat::Url),
];

thread_local! {
    static CURRENT: RefCell<Option<LabelOptions>> = const { RefCell::new(None) };
}

/// Runs `lint` (the lint of one file) with `options` in force for the label rules on this
/// thread; the previous options come back afterwards, even if `lint` panics.
pub fn with_label_options<R>(options: &LabelOptions, lint: impl FnOnce() -> R) -> R {
    struct Restore(Option<LabelOptions>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(options.clone()));
    let _restore = Restore(previous);
    lint()
}

/// The options in force (the defaults outside [`with_label_options`]).
pub fn current() -> LabelOptions {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_default()
}

/// The options for `file`: those in force, plus the file's own `# plimsoll: require-label=`
/// and `# plimsoll: strict-labels` comment lines.
pub fn options_for(file: &Dockerfile) -> LabelOptions {
    let mut options = current();
    for comment in file.comments.iter().filter(|c| !c.inside_instruction) {
        let Some(rest) = comment.text.strip_prefix("plimsoll:").map(str::trim) else {
            continue;
        };
        if rest == "strict-labels" {
            options.strict = true;
            continue;
        }
        let Some(list) = rest
            .strip_prefix("require-label")
            .and_then(|r| r.trim_start().strip_prefix('='))
        else {
            continue;
        };
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (key, format) = entry.split_once(':').unwrap_or((entry, ""));
            if let Some(format) = LabelFormat::parse(format) {
                options.schema.insert(key.trim().to_string(), format);
            }
        }
    }
    options
}

/// A LABEL pair with its value as the builder stores it.
pub struct Label<'a> {
    pub instruction: &'a Instruction,
    pub pair: &'a KeyValue,
    /// The value after quote removal and variable expansion; `None` when it uses a
    /// variable the file does not define (a build argument without default, say).
    pub value: Option<String>,
}

impl Label<'_> {
    /// The value's span, or the pair's when there is no value.
    pub fn value_span(&self) -> Span {
        self.pair.value.as_ref().map_or(self.pair.span, |v| v.span)
    }
}

/// Every LABEL pair of the file (ONBUILD ones excluded: they label another image).
pub fn labels(file: &Dockerfile) -> impl Iterator<Item = Label<'_>> {
    file.instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Label)
        .flat_map(move |instruction| {
            instruction.pairs.iter().map(move |pair| {
                let raw = pair.value.as_ref().map_or("", |v| v.text.as_str());
                let value = if raw.contains('$') {
                    let expanded = file.expand(instruction.index, raw);
                    expanded.unresolved.is_empty().then_some(expanded.text)
                } else {
                    Some(raw.to_string())
                };
                Label {
                    instruction,
                    pair,
                    value,
                }
            })
        })
}

/// The body of the format rules: every label whose key has `format` and whose value does
/// not have it.
pub fn check_format(
    ctx: &Context<'_>,
    meta: &RuleMeta,
    format: LabelFormat,
    expected: &str,
    example: &str,
    out: &mut Vec<Diagnostic>,
) {
    let options = options_for(ctx.file);
    for label in labels(ctx.file) {
        if options.format_of(&label.pair.key) != Some(format) {
            continue;
        }
        let Some(value) = &label.value else {
            continue;
        };
        if value.is_empty() || format.accepts(value) {
            continue;
        }
        let source = if options.schema.contains_key(&label.pair.key) {
            "the label schema"
        } else {
            "the OCI image spec"
        };
        out.push(
            Diagnostic::new(
                meta,
                label.value_span(),
                format!(
                    "label `{}` is `{value}`, which is not {expected} as {source} requires",
                    label.pair.key
                ),
            )
            .with_help(format!("write {expected}, e.g. `{example}`")),
        );
    }
}

/// An absolute URI (RFC 3986): a scheme, `:`, then only characters a URI may hold.
pub fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_hexdigit);
            if !hex(i + 1) || !hex(i + 2) {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b':'
                    | b'/'
                    | b'?'
                    | b'#'
                    | b'['
                    | b']'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            );
        if !allowed {
            return false;
        }
        i += 1;
    }
    true
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` with real dates and times.
pub fn is_rfc3339(value: &str) -> bool {
    fn number(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    }
    let b = value.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    if b[13] != b':' || b[16] != b':' {
        return false;
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(value, 0..4),
        number(value, 5..7),
        number(value, 8..10),
        number(value, 11..13),
        number(value, 14..16),
        number(value, 17..19),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            matches!((number(rest, 1..3), number(rest, 4..6)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

/// 7 or 40 lower-case hex digits.
pub fn is_git_hash(value: &str) -> bool {
    matches!(value.len(), 7 | 40)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `MAJOR.MINOR.PATCH[-pre.release][+build]` (semver.org 2.0).
pub fn is_semver(value: &str) -> bool {
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let identifier =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let (rest, build) = match value.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (value, None),
    };
    if let Some(build) = build
        && !build.split('.').all(identifier)
    {
        return false;
    }
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    if let Some(pre) = pre
        && !pre
            .split('.')
            .all(|id| identifier(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id)))
    {
        return false;
    }
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| numeric(p))
}

/// An RFC 5322 address: `local@domain`, the local part a dot-atom or a quoted string, the
/// domain a dot-atom or a bracketed literal. Display names (`Jane <jane@x.org>`) are not
/// addresses.
pub fn is_email(value: &str) -> bool {
    let Some(at) = value.rfind('@') else {
        return false;
    };
    let (local, domain) = (&value[..at], &value[at + 1..]);
    let atext = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
            )
    };
    let dot_atom =
        |s: &str| !s.is_empty() && s.split('.').all(|a| !a.is_empty() && a.bytes().all(atext));
    let local_ok = dot_atom(local)
        || (local.len() >= 2
            && local.starts_with('"')
            && local.ends_with('"')
            && local[1..local.len() - 1]
                .bytes()
                .all(|b| b != b'"' && (b == b' ' || b.is_ascii_graphic())));
    let domain_ok = dot_atom(domain)
        || (domain.starts_with('[')
            && domain.ends_with(']')
            && domain.len() > 2
            && domain[1..domain.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'[' | b']' | b'\\')));
    local_ok && domain_ok
}

/// An SPDX license expression: identifiers from the SPDX license list (`MIT`,
/// `Apache-2.0`, an optional `+`), `LicenseRef-…`, combined with `AND`, `OR`, `WITH`
/// (an exception from the SPDX exception list) and parentheses.
pub fn is_spdx_expression(value: &str) -> bool {
    let spaced = value.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut parser = Spdx {
        tokens: &tokens,
        at: 0,
    };
    parser.expression() && parser.at == tokens.len()
}

struct Spdx<'a> {
    tokens: &'a [&'a str],
    at: usize,
}

impl Spdx<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).copied()
    }

    fn operator(&self, name: &str) -> bool {
        self.peek()
            .is_some_and(|t| t == name || t == name.to_ascii_lowercase())
    }

    /// expression := term (("AND" | "OR") term)*
    fn expression(&mut self) -> bool {
        if !self.term() {
            return false;
        }
        while self.operator("AND") || self.operator("OR") {
            self.at += 1;
            if !self.term() {
                return false;
            }
        }
        true
    }

    /// term := "(" expression ")" | license ["WITH" exception]
    fn term(&mut self) -> bool {
        match self.peek() {
            Some("(") => {
                self.at += 1;
                if !self.expression() || self.peek() != Some(")") {
                    return false;
                }
                self.at += 1;
                true
            }
            Some(token) if is_license(token) => {
                self.at += 1;
                if self.operator("WITH") {
                    self.at += 1;
                    let exception = self.peek().is_some_and(|t| {
                        spdx_ids::EXCEPTIONS
                            .binary_search(&t.to_ascii_lowercase().as_str())
                            .is_ok()
                            || is_ref(t, "AdditionRef-")
                    });
                    if !exception {
                        return false;
                    }
                    self.at += 1;
                }
                true
            }
            _ => false,
        }
    }
}

fn is_idstring(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
}

/// `LicenseRef-x` or `DocumentRef-y:LicenseRef-x` (with `prefix` for the last part).
fn is_ref(token: &str, prefix: &str) -> bool {
    let last = match token.split_once(':') {
        Some((document, last)) => {
            if !document
                .strip_prefix("DocumentRef-")
                .is_some_and(is_idstring)
            {
                return false;
            }
            last
        }
        None => token,
    };
    last.strip_prefix(prefix).is_some_and(is_idstring)
}

fn is_license(token: &str) -> bool {
    let id = token.strip_suffix('+').unwrap_or(token);
    spdx_ids::LICENSES
        .binary_search(&id.to_ascii_lowercase().as_str())
        .is_ok()
        || is_ref(token, "LicenseRef-")
}

/// Stages whose result is an image somebody uses: not a base of another stage, not read
/// by `COPY --from` or `RUN --mount=from=`; the last stage always.
pub fn image_stages(file: &Dockerfile) -> Vec<usize> {
    let mut used = vec![false; file.stages.len()];
    for stage in &file.stages {
        if let plimsoll_analyzer::Base::Stage(parent) = stage.base
            && let Some(u) = used.get_mut(parent)
        {
            *u = true;
        }
    }
    for instruction in &file.instructions {
        let mut references: Vec<&str> = Vec::new();
        if instruction.keyword == Keyword::Copy
            && let Some(from) = instruction.flag("from").and_then(|f| f.value.as_deref())
        {
            references.push(from);
        }
        if instruction.keyword == Keyword::Run {
            for flag in instruction
                .flags
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case("mount"))
            {
                if let Some(value) = &flag.value {
                    references.extend(value.split(',').filter_map(|kv| kv.strip_prefix("from=")));
                }
            }
        }
        for reference in references {
            if let Some(stage) = file.stage_by_ref(reference)
                && let Some(u) = used.get_mut(stage.index)
            {
                *u = true;
            }
        }
    }
    let last = file.stages.len().saturating_sub(1);
    (0..file.stages.len())
        .filter(|&i| !used[i] || i == last)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_url("https://github.com/acme/app"));
        assert!(is_url("https://example.com/a%20b?x=1#top"));
        assert!(!is_url("github.com/acme/app"));
        assert!(!is_url("https://example.com/a b"));
        assert!(!is_url("https://example.com/%zz"));
    }

    #[test]
    fn times() {
        assert!(is_rfc3339("2024-02-29T13:45:00Z"));
        assert!(is_rfc3339("2024-02-29T13:45:00.123+02:00"));
        assert!(!is_rfc3339("2023-02-29T13:45:00Z"));
        assert!(!is_rfc3339("2024-01-01"));
        assert!(!is_rfc3339("2024-01-01T10:00:00"));
        assert!(!is_rfc3339("2024-13-01T10:00:00Z"));
    }

    #[test]
    fn licenses() {
        for ok in [
            "MIT",
            "apache-2.0",
            "GPL-2.0+",
            "MIT OR Apache-2.0",
            "(MIT AND BSD-3-Clause) OR GPL-3.0-only WITH Classpath-exception-2.0",
            "LicenseRef-acme-internal",
        ] {
            assert!(is_spdx_expression(ok), "{ok}");
        }
        for bad in [
            "Apache License 2.0",
            "GPLv2",
            "MIT OR",
            "(MIT",
            "MIT WITH Foo",
            "",
        ] {
            assert!(!is_spdx_expression(bad), "{bad}");
        }
    }

    #[test]
    fn hashes_versions_and_emails() {
        assert!(is_git_hash("3f2a9c1"));
        assert!(!is_git_hash("3F2A9C1"));
        assert!(!is_git_hash("3f2a9c1d"));
        assert!(is_semver("1.2.3"));
        assert!(is_semver("1.0.0-rc.1+build.5"));
        assert!(!is_semver("v1.2.3"));
        assert!(!is_semver("1.2"));
        assert!(!is_semver("01.2.3"));
        assert!(is_email("jane.doe@example.com"));
        assert!(!is_email("Jane Doe <jane@example.com>"));
        assert!(!is_email("jane@"));
    }

    #[test]
    fn files_add_required_labels() {
        let file = Dockerfile::parse(
            "# plimsoll: require-label=org.opencontainers.image.version:semver, team\n# plimsoll: strict-labels\nFROM scratch\n",
        );
        let options = options_for(&file);
        assert!(options.strict);
        assert_eq!(
            options.schema.get("org.opencontainers.image.version"),
            Some(&LabelFormat::SemVer)
        );
        assert_eq!(options.schema.get("team"), Some(&LabelFormat::Text));
    }

    #[test]
    fn options_are_scoped() {
        assert!(current().schema.is_empty());
        let mut options = LabelOptions::default();
        options
            .schema
            .insert("maintainer".into(), LabelFormat::Email);
        with_label_options(&options, || {
            assert_eq!(current().format_of("maintainer"), Some(LabelFormat::Email));
        });
        assert!(current().schema.is_empty());
        assert_eq!(
            current().format_of("org.opencontainers.image.source"),
            Some(LabelFormat::Url)
        );
    }
}
