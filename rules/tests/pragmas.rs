//! Pragmas and settings end to end through `check_with`: every pragma form, the shell
//! pragma, `# check=error=true`, severity overrides, `honour_pragmas` and `unused-pragma`.

use plimsoll_analyzer::Dockerfile;
use plimsoll_rules::{
    Applicability, Diagnostic, Selection, Settings, Severity, SeverityOverride, check_with, fix,
};

fn settings(select: &[&str]) -> Settings {
    Settings::with_selection(Selection {
        select: select.iter().map(|s| s.to_string()).collect(),
        ..Selection::default()
    })
}

fn lint(text: &str, settings: &Settings) -> Vec<Diagnostic> {
    check_with(&Dockerfile::parse(text), None, settings)
}

/// `CODE@line` for each finding, by line then code.
fn found(text: &str, settings: &Settings) -> Vec<String> {
    let file = Dockerfile::parse(text);
    let mut found: Vec<_> = lint(text, settings)
        .iter()
        .map(|d| (file.line_col(d.span.start).line, d.code))
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(line, code)| format!("{code}@{line}"))
        .collect()
}

const APT: &str = "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*";

#[test]
fn instruction_global_and_stage_pragmas() {
    let rules = settings(&["PL103", "PL204"]);
    let bare = format!("FROM debian:12\n{APT}\n");
    assert_eq!(found(&bare, &rules), ["PL103@2", "PL204@2"]);

    let instruction = format!("FROM debian:12\n# hadolint ignore=DL3008\n{APT}\n{APT}\n");
    assert_eq!(
        found(&instruction, &rules),
        ["PL204@3", "PL103@4", "PL204@4"]
    );

    let global = format!("FROM debian:12\n{APT}\n# plimsoll: global ignore=PL204\n{APT}\n");
    assert_eq!(found(&global, &rules), ["PL103@2", "PL103@4"]);

    let stage = format!(
        "FROM debian:12 AS one\n{APT}\n# hadolint stage ignore=DL3008, DL3015\n{APT}\nFROM debian:12\n{APT}\n"
    );
    assert_eq!(
        found(&stage, &rules),
        ["PL103@2", "PL204@2", "PL103@6", "PL204@6"]
    );
}

#[test]
fn disable_ignore_pragma_turns_every_pragma_off() {
    let text = format!(
        "# check=skip=SecretsUsedInArgOrEnv\nFROM debian:12\nENV API_TOKEN=x\n# hadolint global ignore=DL3015\n# hadolint ignore=DL3008\n{APT}\n"
    );
    let mut rules = settings(&["PL103", "PL204", "PL300", "PL001"]);
    assert_eq!(found(&text, &rules), Vec::<String>::new());
    rules.honour_pragmas = false;
    assert_eq!(found(&text, &rules), ["PL300@3", "PL103@6", "PL204@6"]);
}

#[test]
fn shell_pragma_quiets_shell_rules() {
    let text = "# hadolint shell=powershell\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN apt-get install curl\n";
    assert_eq!(
        found(text, &settings(&["PL103", "PL203"])),
        Vec::<String>::new()
    );
    let posix = text.replace("powershell", "bash");
    assert_eq!(
        found(&posix, &settings(&["PL103", "PL203"])),
        ["PL103@3", "PL203@3"]
    );
}

#[test]
fn check_error_true_raises_buildkit_checks() {
    let text = "# check=error=true\nFROM debian:12\nENV API_TOKEN=x\nRUN apt-get install -y curl\n";
    let diagnostics = lint(text, &settings(&["PL300", "PL103"]));
    let severity = |code: &str| {
        diagnostics
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.severity)
    };
    assert_eq!(severity("PL300"), Some(Severity::Error));
    // PL103 has no BuildKit name: it keeps its severity.
    assert_eq!(severity("PL103"), Some(Severity::Warning));
}

#[test]
fn severity_overrides_apply_by_specificity() {
    let text = format!("FROM debian:12\n{APT}\n");
    let mut rules = settings(&["PL103", "PL204"]);
    rules.severity_overrides = vec![
        SeverityOverride {
            selector: "PL2".into(),
            severity: Severity::Style,
        },
        SeverityOverride {
            selector: "DL3008".into(),
            severity: Severity::Error,
        },
    ];
    let mut severities: Vec<_> = lint(&text, &rules)
        .iter()
        .map(|d| (d.code, d.severity))
        .collect();
    severities.sort();
    assert_eq!(
        severities,
        [("PL103", Severity::Error), ("PL204", Severity::Style)]
    );
}

#[test]
fn unused_pragma_reports_and_fixes() {
    let text = format!(
        "FROM debian:12\n# hadolint ignore=DL3008, DL3015 ,DL3009\n{APT}\n# plimsoll: ignore=PL103\nRUN echo pinned\n# hadolint global ignore=PL402\nCMD [\"true\"]\n"
    );
    let rules = settings(&["PL103", "PL204", "PL202", "PL402", "PL001"]);
    let diagnostics = lint(&text, &rules);
    let messages: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code == "PL001")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "Unused pragma: `DL3009` silences nothing here",
            "Unused pragma: `PL103` silences nothing here",
            "Unused pragma: `PL402` silences nothing here",
        ]
    );
    let (fixed, applied) = fix::apply(&text, &diagnostics, Applicability::Safe);
    assert_eq!(applied, 3);
    assert_eq!(
        fixed,
        format!(
            "FROM debian:12\n# hadolint ignore=DL3008, DL3015\n{APT}\nRUN echo pinned\nCMD [\"true\"]\n"
        )
    );
    // Once fixed, nothing is unused.
    assert!(lint(&fixed, &rules).iter().all(|d| d.code != "PL001"));
}

#[test]
fn unused_pragma_judges_only_rules_that_ran() {
    let text = format!("FROM debian:12\n# hadolint ignore=DL3008,DL3015\n{APT}\n");
    // DL3015 (PL204) did not run: its code is not judged; DL3008 silenced PL103.
    assert!(lint(&text, &settings(&["PL103", "PL001"])).is_empty());
    // A global ignore of PL001 silences it.
    let quiet = format!("# plimsoll: global ignore=PL001\n{text}# hadolint ignore=XX1\n");
    assert!(lint(&quiet, &settings(&["PL103", "PL001"])).is_empty());
}

#[test]
fn unused_pragma_keeps_directives_intact() {
    // Deleting the first line would turn `# escape=` into a parser directive.
    let text = "# hadolint ignore=XX1\n# escape=`\nFROM debian:12\n";
    let diagnostics = lint(text, &settings(&["PL001"]));
    let (fixed, _) = fix::apply(text, &diagnostics, Applicability::Safe);
    assert_eq!(fixed, "#\n# escape=`\nFROM debian:12\n");
    let text = "# hadolint ignore=XX1\nFROM debian:12\n";
    let (fixed, _) = fix::apply(
        text,
        &lint(text, &settings(&["PL001"])),
        Applicability::Safe,
    );
    assert_eq!(fixed, "FROM debian:12\n");
}
