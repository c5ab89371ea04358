//! The rewritten Dockerfile: the rewriter's fix loop with the fixes an optimization level
//! allows, by rule code. A *transformation* is one rule's fixes; dropping one means running
//! the loop again without that rule's fixes.

use plimsoll_rewriter::{FixOptions, fix_text};
use plimsoll_rules::{Applicability, Diagnostic};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The safe fixes only (what `check --fix` applies).
    Safe,
    /// Safe fixes plus layer merges and package-cache clean-up, even where the rewriter
    /// calls them unsafe: the build below verifies them.
    Standard,
    /// Every fix that is not display-only: also `--no-install-recommends`, cache-friendly
    /// COPY order, a non-root USER, the multi-stage split and a runtime stage on scratch.
    Aggressive,
}

/// Rules whose unsafe fixes `standard` applies: layer merges and package-manager caches.
const STANDARD_UNSAFE: &[&str] = &[
    "PL200", // apt-get update merged into the install RUN
    "PL202", // apt lists removed
    "PL205", // apk add --no-cache
    "PL206", // yum clean all
    "PL207", // dnf clean all
    "PL208", // zypper clean
    "PL209", // pip --no-cache-dir
    "PL210", // consecutive RUNs merged
    "PL807", // yarn cache clean
];

impl Level {
    /// Whether this level applies `code`'s fix of this applicability.
    pub fn allows(self, code: &str, applicability: Applicability) -> bool {
        match (applicability, self) {
            (Applicability::DisplayOnly, _) => false,
            (Applicability::Safe, _) => true,
            (Applicability::Unsafe, Level::Safe) => false,
            (Applicability::Unsafe, Level::Standard) => STANDARD_UNSAFE.contains(&code),
            (Applicability::Unsafe, Level::Aggressive) => true,
        }
    }
}

/// Which rules' fixes may be applied.
#[derive(Clone, Debug)]
pub enum Enabled {
    All,
    Only(BTreeSet<&'static str>),
}

impl Enabled {
    fn contains(&self, code: &str) -> bool {
        match self {
            Enabled::All => true,
            Enabled::Only(codes) => codes.contains(code),
        }
    }
}

/// A rewritten Dockerfile and the rule codes whose fixes went in, in the order they did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub text: String,
    pub codes: Vec<&'static str>,
    /// The fix messages, per code.
    pub fixes: Vec<(&'static str, String)>,
}

/// Runs the fix loop over `original` with the fixes `level` and `enabled` allow. `lint`
/// gives every finding (with every fix) of a text.
pub fn rewrite(
    original: &str,
    level: Level,
    enabled: &Enabled,
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
) -> Candidate {
    // The findings of a rule whose fixes are withheld are left out altogether: this
    // rewrite chose not to fix them, so they must not stop another fix from passing the
    // loop's validation (a layer merge that gives the merged RUN a PL202 finding while
    // PL202 is off, or turns PL500's fixable finding into one it cannot fix). Findings
    // of rules that never fix keep counting, unless the original has findings of the rule
    // already: a rewrite may repeat a problem the file has (the multi-stage split installs
    // the runtime packages again, as unpinned as the original's), not bring a new kind.
    let original_codes: BTreeSet<&'static str> = lint(original).iter().map(|d| d.code).collect();
    let filtered = |text: &str| {
        let mut diagnostics = lint(text);
        diagnostics.retain(|d| {
            let fixable_rule = plimsoll_rules::registry::meta(d.code)
                .is_some_and(|m| m.fix != plimsoll_rules::FixAvailability::None);
            if !fixable_rule {
                return !original_codes.contains(d.code);
            }
            enabled.contains(d.code)
                && d.fix
                    .as_ref()
                    .is_none_or(|f| level.allows(d.code, f.applicability))
        });
        diagnostics
    };
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let outcome = fix_text(original, options, &filtered);
    let mut codes: Vec<&'static str> = Vec::new();
    let mut fixes = Vec::new();
    for fix in &outcome.applied {
        if !codes.contains(&fix.code) {
            codes.push(fix.code);
        }
        fixes.push((fix.code, fix.message.clone()));
    }
    Candidate {
        text: outcome.text,
        codes,
        fixes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_rules::Settings;

    fn lint(text: &str) -> Vec<Diagnostic> {
        let file = plimsoll_analyzer::Dockerfile::parse(text);
        plimsoll_rules::check_with(&file, None, &Settings::default())
    }

    const TEXT: &str = "FROM debian:12-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD [\"curl\", \"--version\"]\n";

    #[test]
    fn levels_choose_fixes() {
        let safe = rewrite(TEXT, Level::Safe, &Enabled::All, &lint);
        let standard = rewrite(TEXT, Level::Standard, &Enabled::All, &lint);
        let aggressive = rewrite(TEXT, Level::Aggressive, &Enabled::All, &lint);
        assert!(standard.codes.contains(&"PL210") || standard.codes.contains(&"PL200"));
        assert!(
            standard.text.contains("rm -rf /var/lib/apt/lists/*"),
            "{}",
            standard.text
        );
        assert!(!standard.text.contains("--no-install-recommends"));
        assert!(aggressive.text.contains("--no-install-recommends"));
        assert!(aggressive.text.contains("USER "));
        assert!(!safe.text.contains("USER "));
    }

    #[test]
    fn a_disabled_rule_is_left_out() {
        let all = rewrite(TEXT, Level::Aggressive, &Enabled::All, &lint);
        let codes: BTreeSet<&'static str> = all
            .codes
            .iter()
            .copied()
            .filter(|c| *c != "PL600")
            .collect();
        let without = rewrite(TEXT, Level::Aggressive, &Enabled::Only(codes), &lint);
        assert!(!without.text.contains("USER "));
        assert!(without.text.contains("--no-install-recommends"));
        assert!(!without.codes.contains(&"PL600"));
    }

    #[test]
    fn a_merge_goes_in_without_the_rule_it_gives_a_finding() {
        let only_merge = rewrite(
            TEXT,
            Level::Standard,
            &Enabled::Only(["PL200", "PL210"].into_iter().collect()),
            &lint,
        );
        assert!(
            only_merge
                .text
                .contains("apt-get update && apt-get install")
                || only_merge.text.contains("apt-get update \\\n"),
            "{}",
            only_merge.text
        );
        assert!(
            !only_merge.text.contains("/var/lib/apt/lists"),
            "{}",
            only_merge.text
        );
    }

    #[test]
    fn aggressive_splits_a_cd_build_started_by_name() {
        // The split repeats the unpinned runtime install (PL103 has no fix): allowed, as
        // the original has such findings already.
        let text = "FROM debian:12-slim\nRUN apt-get update\n\
                    RUN apt-get install -y gcc make ca-certificates\nCOPY . /src\n\
                    RUN cd /src && make\nRUN cd /src && make install\nCMD tool --version\n";
        let candidate = rewrite(text, Level::Aggressive, &Enabled::All, &lint);
        assert!(candidate.codes.contains(&"PL501"), "{}", candidate.text);
        let runtime = candidate.text.split("\nFROM debian:12-slim\n").nth(1);
        let runtime = runtime.unwrap_or_else(|| panic!("no runtime stage:\n{}", candidate.text));
        assert!(
            runtime.contains("COPY --from=builder /usr/local/bin/tool /usr/local/bin/tool"),
            "{runtime}"
        );
        assert!(runtime.contains("ca-certificates"), "{runtime}");
        assert!(!runtime.contains("gcc"), "{runtime}");
    }

    #[test]
    fn aggressive_runs_a_go_service_from_scratch() {
        // PL501 splits, then PL502 moves the runtime stage off the distribution: cgo off in
        // the builder, the CA bundle copied instead of the package installed again.
        let text = "FROM debian:12-slim\nRUN apt-get update\n\
                    RUN apt-get install -y golang-go git ca-certificates\nENV GOPATH /go\n\
                    WORKDIR /go/src/svc\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\n\
                    EXPOSE 8080\nCMD [\"svc\"]\n";
        let candidate = rewrite(text, Level::Aggressive, &Enabled::All, &lint);
        assert!(candidate.codes.contains(&"PL502"), "{}", candidate.text);
        let (builder, runtime) = candidate
            .text
            .split_once("\nFROM scratch\n")
            .unwrap_or_else(|| panic!("no scratch stage:\n{}", candidate.text));
        assert!(
            builder.contains("ENV CGO_ENABLED=0 GOFLAGS=-ldflags=-s\nRUN go build"),
            "{builder}"
        );
        assert!(
            runtime.contains(
                "COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt"
            ),
            "{runtime}"
        );
        assert!(!runtime.contains("apt-get"), "{runtime}");
        // Without PL502 the split stays on the file's own base.
        let codes = candidate
            .codes
            .iter()
            .copied()
            .filter(|c| *c != "PL502")
            .collect();
        let without = rewrite(text, Level::Aggressive, &Enabled::Only(codes), &lint);
        assert!(!without.text.contains("scratch"), "{}", without.text);
        assert!(without.codes.contains(&"PL501"), "{}", without.text);
    }

    #[test]
    fn aggressive_copies_what_the_built_image_says_a_c_program_loads() {
        let text = "FROM debian:12-slim\nRUN apt-get update\n\
                    RUN apt-get install -y build-essential vim\nCOPY . /src\n\
                    RUN cd /src && make\nRUN cd /src && make install\nCMD tool --self-test\n";
        let mut settings = plimsoll_rules::Settings::default();
        settings
            .options
            .resolved_programs
            .insert("tool".into(), "/usr/local/bin/tool".into());
        let lib = |source: &str, dest: &str| plimsoll_rules::LinkedFile {
            source: source.into(),
            dest: dest.into(),
        };
        settings.options.shared_libraries.insert(
            "/usr/local/bin/tool".into(),
            vec![
                lib(
                    "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                    "/lib64/ld-linux-x86-64.so.2",
                ),
                lib(
                    "/usr/lib/x86_64-linux-gnu/libc.so.6",
                    "/usr/lib/x86_64-linux-gnu/libc.so.6",
                ),
            ],
        );
        let informed = |text: &str| {
            let file = plimsoll_analyzer::Dockerfile::parse(text);
            plimsoll_rules::check_with(&file, None, &settings)
        };
        let candidate = rewrite(text, Level::Aggressive, &Enabled::All, &informed);
        let runtime = candidate
            .text
            .split_once("\nFROM scratch\n")
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("no scratch stage:\n{}", candidate.text));
        assert_eq!(
            runtime,
            "COPY --from=builder /usr/local/bin/tool /usr/local/bin/tool\n\
             COPY --from=builder /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib64/\n\
             COPY --from=builder /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/\n\
             USER 65532:65532\nCMD [\"tool\", \"--self-test\"]\n"
        );
    }
}
