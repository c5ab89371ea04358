//! What the user configured, as plain data: the options rules read ([`RuleOptions`], via
//! `Context::options`) and everything the checker applies around the rules ([`Settings`]:
//! which rules run, severity overrides, whether pragmas count). The binary builds these
//! from `plimsoll.toml`, `.hadolint.yaml`, the environment and the command line; rules
//! never read configuration files themselves.

use crate::diagnostic::Severity;
use crate::external::{is_shellcheck_selector, matches_external};
use crate::rule::RuleMeta;
use crate::selection::{self, Selection};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Options that rules read as data. Every field defaults to "not configured", and a rule
/// whose option is not configured stays quiet (or keeps its built-in behaviour).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// Registries a FROM (or `COPY --from=IMAGE`, `RUN --mount=from=IMAGE`) may pull from,
    /// hadolint's `trustedRegistries` (DL3026). Empty: every registry is trusted. Entries
    /// are host names with an optional port (`my-company.com:5000`), or patterns with one
    /// `*` at the start or the end (`*.gcr.io`); `*` alone allows everything (matched by
    /// the rule, `rules::instructions::TrustedRegistries`).
    pub trusted_registries: Vec<String>,
    /// Base images a FROM may use. Empty: every image is allowed. Each entry is matched
    /// against the image reference without its digest, with `*` matching any run of
    /// characters (`debian`, `debian:*`, `gcr.io/distroless/*`). See
    /// [`RuleOptions::is_allowed_image`].
    pub allowed_images: Vec<String>,
    /// Labels every image must carry, each with the schema its value must follow
    /// (hadolint's `label-schema`, DL3049–DL3058). Sorted by label name.
    pub required_labels: BTreeMap<String, LabelSchema>,
    /// Report labels that are not in `required_labels` (hadolint's `strict-labels`, DL3050);
    /// with no required labels, every label is reported.
    pub strict_labels: bool,
    /// What registries answered, looked up by the caller before checking (`plimsoll check
    /// --pin-digests` / `--check-digests`): a FROM image reference as written after ARG
    /// expansion, without its digest (`debian:12`, `host:5000/app:1`) → the digest its tag
    /// points at now (`sha256:…`, the manifest or index digest the registry returns).
    /// Empty: nothing was looked up, and what depends on it (PL102's fix, PL111) stays quiet.
    /// [`digest_lookups`](crate::rules::pinning::digest_lookups) lists the references to
    /// look up.
    pub image_digests: BTreeMap<String, String>,
    /// What the caller found in the built image (`plimsoll optimize`, from the original's
    /// file system): a program name the final CMD/ENTRYPOINT starts → the absolute path
    /// the image's `PATH` resolves it to. Empty: nothing was built, and PL501 names the
    /// program's file from the build steps alone.
    pub resolved_programs: BTreeMap<String, String>,
    /// What the caller found about compiled programs in the built image (`plimsoll
    /// optimize`, from the original's file system): a program's absolute path → the files
    /// it needs to start besides itself, its ELF interpreter and every shared library it
    /// loads (those libraries' own needs included). An empty list: statically linked. A
    /// program not in the map was not looked at (or is not an ELF executable), and PL502
    /// then proposes a runtime without a distribution only for what the Dockerfile shows to
    /// be static.
    pub shared_libraries: BTreeMap<String, Vec<LinkedFile>>,
}

/// A file a dynamically linked program needs at start, as found in a built image.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LinkedFile {
    /// The file's real path in the image, every symbolic link resolved: what to copy.
    pub source: String,
    /// Where the dynamic loader opens it: the interpreter's path as the program names it
    /// (`/lib64/ld-linux-x86-64.so.2`), or a library's search directory, its symbolic
    /// links resolved, joined with the name the program asks for
    /// (`/usr/lib/x86_64-linux-gnu/libc.so.6`).
    pub dest: String,
}

/// The value a required label must have (hadolint's label-schema types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelSchema {
    /// Anything, including values filled in from variables.
    Text,
    /// A URI as described in RFC 3986.
    Url,
    /// A short or long Git commit hash.
    Hash,
    /// A date and time formatted according to RFC 3339.
    Rfc3339,
    /// A semantic version.
    Semver,
    /// An SPDX license identifier (or expression).
    Spdx,
    /// An email address (RFC 5322).
    Email,
}

impl LabelSchema {
    pub const ALL: [LabelSchema; 7] = [
        LabelSchema::Text,
        LabelSchema::Url,
        LabelSchema::Hash,
        LabelSchema::Rfc3339,
        LabelSchema::Semver,
        LabelSchema::Spdx,
        LabelSchema::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LabelSchema::Text => "text",
            LabelSchema::Url => "url",
            LabelSchema::Hash => "hash",
            LabelSchema::Rfc3339 => "rfc3339",
            LabelSchema::Semver => "semver",
            LabelSchema::Spdx => "spdx",
            LabelSchema::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<LabelSchema> {
        let text = text.trim();
        LabelSchema::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

impl RuleOptions {
    /// Whether `image` (a reference as written after expansion, e.g. `debian:12`, with or
    /// without a digest) is one of the allowed base images. `*` in a pattern matches any
    /// run of characters; a pattern without a tag (`debian`) also allows every tag of that
    /// image. With no allowed images configured, every image is allowed.
    pub fn is_allowed_image(&self, image: &str) -> bool {
        if self.allowed_images.is_empty() {
            return true;
        }
        let without_digest = image.split('@').next().unwrap_or(image);
        let repository = strip_tag(without_digest);
        self.allowed_images.iter().any(|pattern| {
            wildcard_match(pattern, without_digest)
                || (strip_tag(pattern) == pattern && wildcard_match(pattern, repository))
        })
    }
}

/// `name:tag` → `name`, keeping a registry port (`host:5000/name`).
fn strip_tag(reference: &str) -> &str {
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last_slash..].rfind(':') {
        Some(colon) => &reference[..last_slash + colon],
        None => reference,
    }
}

/// `*` matches any run of characters (slashes included); everything else literally.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A severity override: every rule `selector` picks (a code, alias, name or code prefix)
/// reports at `severity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityOverride {
    pub selector: String,
    pub severity: Severity,
}

/// Everything the checker needs besides the file: computed once per configuration (and per
/// file when per-file ignores add to the selection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Which rules run: selections applied in order (the configuration file's, the command
    /// line's, a file's per-file ignores), as Ruff layers them: a layer with `select` starts
    /// over from it, `extend_select` adds, `ignore` removes. One layer means exactly what
    /// [`Selection::is_enabled`] says; none, the default rules.
    pub selections: Vec<Selection>,
    /// Applied in order of specificity: an exact code, alias or name beats a prefix, a
    /// longer prefix beats a shorter one, `ALL` comes last; among equals the later wins.
    pub severity_overrides: Vec<SeverityOverride>,
    pub options: RuleOptions,
    /// Whether ignore pragmas in the file (`# hadolint ignore=`, `# plimsoll: ignore=`,
    /// their `global`/`stage` forms, `# check=skip=`) count. hadolint's
    /// `disable-ignore-pragma` sets this to false.
    pub honour_pragmas: bool,
    /// What the fields above decide for each registry rule, worked out on first use.
    pub resolved: ResolvedRules,
}

/// Per registry rule (in [`registry::all`](crate::registry::all) order): whether it runs
/// and its severity override. Matching selectors against rules is string work that would
/// otherwise repeat for every rule of every file (with `--select` naming all 119 rules it
/// was a sixth of a corpus run).
///
/// The cache belongs to one set of field values: cloning gives an empty cache, so a
/// clone may be changed (a per-file ignore pushed) before its first use. Settings must not
/// be changed in place after they were used to check a file.
#[derive(Default)]
pub struct ResolvedRules(std::sync::OnceLock<Box<[RuleDecision]>>);

/// Whether a rule runs, and the severity it reports at when overridden.
type RuleDecision = (bool, Option<Severity>);

impl Clone for ResolvedRules {
    fn clone(&self) -> ResolvedRules {
        ResolvedRules::default()
    }
}

impl PartialEq for ResolvedRules {
    /// A cache: equal settings are equal whatever each has computed so far.
    fn eq(&self, _: &ResolvedRules) -> bool {
        true
    }
}

impl Eq for ResolvedRules {}

impl std::fmt::Debug for ResolvedRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResolvedRules")
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            selections: Vec::new(),
            severity_overrides: Vec::new(),
            options: RuleOptions::default(),
            honour_pragmas: true,
            resolved: ResolvedRules::default(),
        }
    }
}

impl Settings {
    /// The default settings running `selection`.
    pub fn with_selection(selection: Selection) -> Settings {
        Settings {
            selections: vec![selection],
            ..Settings::default()
        }
    }

    /// Whether the registry rule at `index` runs, and its severity override, from the
    /// cache (see [`ResolvedRules`]).
    pub fn resolved(&self, index: usize) -> (bool, Option<Severity>) {
        self.resolved.0.get_or_init(|| {
            crate::registry::all()
                .map(|rule| {
                    let meta = rule.meta();
                    let on = self.is_enabled(meta);
                    (
                        on,
                        if on {
                            self.severity_override(meta)
                        } else {
                            None
                        },
                    )
                })
                .collect()
        })[index]
    }

    /// Whether the rule runs.
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        if let [one] = self.selections.as_slice() {
            return one.is_enabled(meta);
        }
        // Prefixes and ALL pick default rules only; an exact code also enables an opt-in one.
        let explicit = |list: &[String]| {
            list.iter().any(|s| {
                meta.answers_to(s) || (selection::matches(s, meta) && meta.default_enabled)
            })
        };
        let mut on = meta.default_enabled;
        for layer in &self.selections {
            if !layer.select.is_empty() {
                on = explicit(&layer.select);
            }
            if explicit(&layer.extend_select) {
                on = true;
            }
            if layer.ignore.iter().any(|s| selection::matches(s, meta)) {
                on = false;
            }
        }
        on
    }

    /// Whether findings with an external code (ShellCheck's `SC2086`) are reported.
    pub fn is_external_enabled(&self, code: &str) -> bool {
        if let [one] = self.selections.as_slice() {
            return one.is_external_enabled(code);
        }
        let picks = |list: &[String]| list.iter().any(|s| matches_external(s, code));
        let mut on = true;
        for layer in &self.selections {
            if !layer.select.is_empty() {
                on = picks(&layer.select);
            }
            if picks(&layer.extend_select) {
                on = true;
            }
            if picks(&layer.ignore) {
                on = false;
            }
        }
        on
    }

    /// Whether some external (ShellCheck) code may be reported; when not, ShellCheck need
    /// not run. Errs on the side of running.
    pub fn may_enable_external(&self) -> bool {
        if let [one] = self.selections.as_slice() {
            return one.may_enable_shellcheck();
        }
        let names_shellcheck =
            |s: &String| s.trim().eq_ignore_ascii_case("ALL") || is_shellcheck_selector(s);
        let mut possible = true;
        for layer in &self.selections {
            if !layer.select.is_empty() {
                possible = layer.select.iter().any(names_shellcheck);
            }
            if layer.extend_select.iter().any(names_shellcheck) {
                possible = true;
            }
            if layer.ignore.iter().any(|s| {
                s.trim().eq_ignore_ascii_case("ALL") || s.trim().eq_ignore_ascii_case("SC")
            }) {
                possible = false;
            }
        }
        possible
    }

    /// The severity a rule reports at once overrides are applied, or `None` to keep each
    /// diagnostic's own.
    pub fn severity_override(&self, meta: &RuleMeta) -> Option<Severity> {
        self.severity_overrides
            .iter()
            .filter_map(|o| specificity(&o.selector, meta).map(|s| (s, o.severity)))
            // max_by_key keeps the last of equal keys: the later override wins.
            .max_by_key(|(s, _)| *s)
            .map(|(_, severity)| severity)
    }
}

/// How specifically `selector` names the rule: `None` when it does not.
fn specificity(selector: &str, meta: &RuleMeta) -> Option<usize> {
    if meta.answers_to(selector.trim()) {
        Some(usize::MAX)
    } else if selection::matches(selector, meta) {
        // `ALL` counts 0, a prefix its length.
        Some(if selector.trim().eq_ignore_ascii_case("ALL") {
            0
        } else {
            selector.trim().len()
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(registries: &[&str], images: &[&str]) -> RuleOptions {
        RuleOptions {
            trusted_registries: registries.iter().map(|s| s.to_string()).collect(),
            allowed_images: images.iter().map(|s| s.to_string()).collect(),
            ..RuleOptions::default()
        }
    }

    #[test]
    fn allowed_images_match_with_wildcards() {
        assert!(RuleOptions::default().is_allowed_image("whatever:1"));
        let o = options(&[], &["debian", "alpine:3.*", "gcr.io/distroless/*"]);
        assert!(o.is_allowed_image("debian"));
        assert!(o.is_allowed_image("debian:12"));
        assert!(o.is_allowed_image("debian:12@sha256:abc"));
        assert!(!o.is_allowed_image("debian-slim:12"));
        assert!(o.is_allowed_image("alpine:3.20"));
        assert!(!o.is_allowed_image("alpine:edge"));
        assert!(o.is_allowed_image("gcr.io/distroless/static:nonroot"));
        assert!(!o.is_allowed_image("ubuntu:24.04"));
        let port = options(&[], &["host:5000/app"]);
        assert!(port.is_allowed_image("host:5000/app:1"));
        assert!(!port.is_allowed_image("host:5000/other:1"));
    }

    #[test]
    fn label_schemas_parse() {
        for schema in LabelSchema::ALL {
            assert_eq!(LabelSchema::parse(schema.as_str()), Some(schema));
        }
        assert_eq!(LabelSchema::parse("SemVer"), Some(LabelSchema::Semver));
        assert_eq!(LabelSchema::parse("number"), None);
    }

    fn layers(list: &[(&[&str], &[&str], &[&str])]) -> Settings {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Settings {
            selections: list
                .iter()
                .map(|(select, extend, ignore)| Selection {
                    select: own(select),
                    extend_select: own(extend),
                    ignore: own(ignore),
                })
                .collect(),
            ..Settings::default()
        }
    }

    fn enabled(settings: &Settings) -> Vec<&'static str> {
        crate::registry::all()
            .map(|r| r.meta())
            .filter(|m| settings.is_enabled(m))
            .map(|m| m.code)
            .collect()
    }

    #[test]
    fn a_later_selection_layer_wins() {
        let none: &[&str] = &[];
        let defaults = enabled(&Settings::default());
        assert_eq!(enabled(&layers(&[(none, none, none)])), defaults);
        assert_eq!(
            enabled(&layers(&[(none, none, none), (none, none, none)])),
            defaults
        );
        // The command line re-enables what the configuration ignores.
        let on = enabled(&layers(&[
            (none, none, &["PL1"]),
            (none, &["DL3008"], none),
        ]));
        assert!(on.contains(&"PL103") && !on.contains(&"PL100"));
        // A later select starts over.
        assert_eq!(
            enabled(&layers(&[(none, none, &["PL1"]), (&["PL101"], none, none)])),
            ["PL101"]
        );
        // A per-file layer of ignores removes.
        assert!(enabled(&layers(&[(&["PL101"], none, none), (none, none, &["PL1"])])).is_empty());
        // An opt-in rule needs its exact name.
        assert!(
            !enabled(&layers(&[(none, &["PL1"], none), (none, none, &["PL2"])])).contains(&"PL102")
        );
        assert!(
            enabled(&layers(&[(none, &["PL102"], none), (none, none, &["PL2"])]))
                .contains(&"PL102")
        );
    }

    #[test]
    fn external_codes_are_layered_too() {
        let none: &[&str] = &[];
        let s = layers(&[(none, none, &["SC2"]), (none, &["SC2086"], none)]);
        assert!(s.is_external_enabled("SC2086") && !s.is_external_enabled("SC2046"));
        assert!(s.is_external_enabled("SC1090") && s.may_enable_external());
        let s = layers(&[(none, none, &["SC"]), (&["PL1"], none, none)]);
        assert!(!s.is_external_enabled("SC2086") && !s.may_enable_external());
        let s = layers(&[(none, none, &["SC"]), (none, &["SC2"], none)]);
        assert!(s.may_enable_external());
        assert!(!layers(&[(none, none, &["ALL"]), (none, &["PL1"], none)]).may_enable_external());
    }

    #[test]
    fn the_most_specific_override_wins() {
        let meta = crate::registry::meta("PL103").unwrap();
        let settings = |list: &[(&str, Severity)]| Settings {
            severity_overrides: list
                .iter()
                .map(|(s, v)| SeverityOverride {
                    selector: s.to_string(),
                    severity: *v,
                })
                .collect(),
            ..Settings::default()
        };
        assert_eq!(settings(&[]).severity_override(meta), None);
        assert_eq!(
            settings(&[("DL3008", Severity::Error), ("PL1", Severity::Style)])
                .severity_override(meta),
            Some(Severity::Error)
        );
        assert_eq!(
            settings(&[("ALL", Severity::Info), ("PL1", Severity::Style)]).severity_override(meta),
            Some(Severity::Style)
        );
        assert_eq!(
            settings(&[("PL1", Severity::Info), ("PL1", Severity::Error)]).severity_override(meta),
            Some(Severity::Error)
        );
        assert_eq!(
            settings(&[("PL2", Severity::Info)]).severity_override(meta),
            None
        );
    }
}
