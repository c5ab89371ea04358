use super::support::{base_name, runs};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Word;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports a package in `go install`, `go get` or `go run` that is not pinned to a
    /// version: no `@version`, or a query that moves (`@latest`, `@upgrade`, `@patch`,
    /// `@master`, `@main`, `@HEAD`). Local packages (`.`, `./cmd/...`, `/src/x`), Go
    /// files (`go run main.go`) and the patterns `tool`, `all`, `std` and `cmd`
    /// (`go install tool` installs the tools `go.mod` pins) are not reported. A
    /// `$VARIABLE` is looked up in the Dockerfile's ARG and ENV values; one it does not
    /// give is not reported.
    ///
    /// hadolint's DL3062 takes the value of options such as `-o bin/tool` or
    /// `-ldflags "-s -w"` for packages, reports `go run main.go`, accepts `@master`, and
    /// reports `go get pkg@none` (which removes a dependency); this rule does not.
    ///
    /// Inside a module (a `go.mod` in the working directory) `go install pkg` without a
    /// version builds the version `go.mod` requires, which is pinned; the rule can not see
    /// `go.mod` and reports it too — add the version from `go.mod` to make it explicit.
    ///
    /// ## Why is this bad?
    /// Without a version Go resolves the module's latest release on the day you build:
    /// two builds of the same Dockerfile get different code, and a new release (or a
    /// compromised one) enters the image without anyone changing the Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@latest
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@v0.16.2
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3062](https://github.com/hadolint/hadolint/wiki/DL3062)
    /// - [go install](https://go.dev/ref/mod#go-install)
    pub struct GoInstallUnpinned {
        code: "PL808",
        name: "go-install-unpinned",
        alias: Some("DL3062"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "`go install`, `go get` or `go run` without a pinned `@version`",
    }
}

/// Build flags of the go command that take the next word as their value.
const VALUE_FLAGS: &[&str] = &[
    "-C",
    "-o",
    "-p",
    "-tags",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-gccgoflags",
    "-mod",
    "-modfile",
    "-pkgdir",
    "-toolexec",
    "-exec",
    "-overlay",
    "-pgo",
    "-buildmode",
    "-compiler",
    "-installsuffix",
    "-covermode",
    "-coverpkg",
    "-buildvcs",
];

/// Version queries that resolve to something new over time.
const MOVING: &[&str] = &["latest", "upgrade", "patch", "master", "main", "HEAD"];

impl Rule for GoInstallUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                let Some((action, packages)) = go_packages(command) else {
                    continue;
                };
                for word in packages {
                    let expanded = ctx.file.expand(instruction.index, &word.text);
                    if !expanded.unresolved.is_empty() {
                        continue;
                    }
                    let package = expanded.text;
                    if is_local(&package) {
                        continue;
                    }
                    let (path, version) = match package.rsplit_once('@') {
                        Some((path, version)) => (path, Some(version)),
                        None => (package.as_str(), None),
                    };
                    let message = match version {
                        None => format!(
                            "`go {action} {path}` without `@version` builds whatever the \
                             module's latest release is on the day you build"
                        ),
                        Some(v) if MOVING.contains(&v) => format!(
                            "`go {action} {path}@{v}` follows a version that moves: each build \
                             may get different code"
                        ),
                        Some(_) => continue,
                    };
                    out.push(
                        Diagnostic::new(&Self::META, word.span, message).with_help(format!(
                            "pin a release or commit: `go {action} {path}@v1.2.3`"
                        )),
                    );
                }
            }
        }
    }
}

/// `go install|get|run` and the package words it names (for `go run`, only the first).
fn go_packages(command: &Command) -> Option<(&'static str, Vec<&Word>)> {
    if base_name(&command.program_word()?.text) != "go" {
        return None;
    }
    let args = command.program_args();
    let sub = args.iter().position(|w| !w.text.starts_with('-'))?;
    let action = match args[sub].text.as_str() {
        "install" => "install",
        "get" => "get",
        "run" => "run",
        _ => return None,
    };
    let mut packages = Vec::new();
    let mut rest = args[sub + 1..].iter();
    while let Some(word) = rest.next() {
        let t = word.text.as_str();
        if t == "--" {
            continue;
        }
        if t.starts_with('-') {
            let name = t.split('=').next().unwrap_or(t);
            let name = name
                .strip_prefix('-')
                .filter(|n| n.starts_with('-'))
                .unwrap_or(name);
            if !t.contains('=') && VALUE_FLAGS.contains(&name) {
                rest.next();
            }
            continue;
        }
        // Package patterns with a meaning of their own: `go install tool` installs the
        // tools `go.mod` lists, at the versions it pins.
        if action != "run" && matches!(t, "tool" | "all" | "std" | "cmd") {
            continue;
        }
        packages.push(word);
        if action == "run" {
            // Everything after the package is an argument of the program.
            break;
        }
    }
    Some((action, packages))
}

/// `.`, `./x`, `../x`, `/abs/path`, `x.go`: nothing to download.
fn is_local(package: &str) -> bool {
    package == "."
        || package == ".."
        || package.starts_with("./")
        || package.starts_with("../")
        || package.starts_with('/')
        || package.ends_with(".go")
}
