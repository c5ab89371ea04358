use super::support::{RunsAs, base_name, has_mount, runs, runs_as};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Span;
use plimsoll_analyzer::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports a RUN that downloads dependencies with a package manager (`apt-get
    /// install`, `apk add`, `dnf`/`yum install`, `pip install`, `npm install`/`ci`,
    /// `yarn install`, `go mod download`/`go build`, `cargo build`, `mvn`, `gradle`) and
    /// has no `--mount=type=cache`, and says which directory to mount. One finding per
    /// RUN, at its first such command.
    ///
    /// Off by default: it is a build-speed suggestion, cache mounts need BuildKit, and
    /// some need set-up (the official Debian and Ubuntu images delete apt's downloads
    /// unless `/etc/apt/apt.conf.d/docker-clean` is removed).
    ///
    /// ## Why is this bad?
    /// When any file the RUN depends on changes, the RUN starts from nothing and
    /// downloads every package again. A cache mount keeps the package manager's
    /// download cache between builds, outside the image, so a rebuild fetches only what
    /// changed, and the cache never needs cleaning out of the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// COPY requirements.txt .
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12
    /// COPY requirements.txt .
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## References
    /// - [Optimize cache usage: cache mounts](https://docs.docker.com/build/cache/optimize/#use-cache-mounts)
    /// - [Dockerfile reference: RUN --mount=type=cache](https://docs.docker.com/reference/dockerfile/#run---mounttypecache)
    pub struct PackageCacheNotMounted {
        code: "PL817",
        name: "package-cache-not-mounted",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "A RUN downloads packages without a `--mount=type=cache` for their cache",
    }
}

impl Rule for PackageCacheNotMounted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in runs(ctx.file) {
            if has_mount(instruction, "cache") {
                continue;
            }
            let home = match runs_as(ctx.file, instruction) {
                RunsAs::Root | RunsAs::BaseImageUser => "/root",
                _ => "$HOME",
            };
            let Some((command, (span, shown, targets))) = instruction
                .commands()
                .find_map(|c| downloads(c, home).map(|found| (c, found)))
            else {
                continue;
            };
            let mounts = targets
                .iter()
                .map(|t| format!("--mount=type=cache,target={t}"))
                .collect::<Vec<_>>()
                .join(" ");
            let mut help = format!("mount the cache: `RUN {mounts} …`");
            if let Some(option) = ["--no-cache", "--no-cache-dir"]
                .into_iter()
                .find(|o| command.program_args().iter().any(|w| w.text == *o))
            {
                help.push_str(&format!(
                    "; drop `{option}`, which keeps the cache from being used"
                ));
            }
            if shown.starts_with("apt") {
                help.push_str(
                    "; also delete /etc/apt/apt.conf.d/docker-clean, or the official images \
                     throw the downloads away",
                );
            }
            out.push(
                Diagnostic::new(
                    &Self::META,
                    span,
                    format!(
                        "`{shown}` downloads every package again whenever this RUN is rebuilt: \
                         no cache mount keeps its downloads between builds"
                    ),
                )
                .with_help(help),
            );
        }
    }
}

/// A command that fills a package cache: its span, how to show it, and the cache
/// directories to mount.
fn downloads(command: &Command, home: &str) -> Option<(Span, String, Vec<String>)> {
    let program = command.program_word()?;
    let name = base_name(&program.text);
    let args = command.program_args();
    let sub = args.iter().find(|w| !w.text.starts_with('-'));
    let head = |shown: &str| {
        let span = sub.map_or(program.span, |s| program.span.cover(s.span));
        (span, shown.to_string())
    };
    let sub_text = sub.map(|s| s.text.as_str());
    let (span, shown, targets): (Span, String, Vec<String>) =
        if let Some(p) = PackageCommand::from_command(command) {
            let dirs: Vec<String> = match p.manager {
                Manager::AptGet | Manager::Apt if p.is_install() => {
                    vec![
                        "/var/cache/apt,sharing=locked".into(),
                        "/var/lib/apt,sharing=locked".into(),
                    ]
                }
                Manager::Apk if p.is_install() => vec!["/etc/apk/cache".into()],
                Manager::Dnf | Manager::Microdnf if p.is_install() => vec!["/var/cache/dnf".into()],
                Manager::Yum if p.is_install() => vec!["/var/cache/yum".into()],
                Manager::Pip if p.is_install() => vec![format!("{home}/.cache/pip")],
                Manager::Npm if p.is_install() || p.subcommand_is(&["ci"]) => {
                    vec![format!("{home}/.npm")]
                }
                _ => return None,
            };
            let program = match p.manager {
                Manager::Pip => "pip",
                _ => command.program().unwrap_or_default(),
            };
            let sub = p.subcommand.map_or("", |s| s.text.as_str());
            let (span, _) = head("");
            (span, format!("{program} {sub}"), dirs)
        } else {
            match (name, sub_text) {
                ("yarn", Some("install") | None) => {
                    let (span, shown) = head("yarn install");
                    (span, shown, vec!["/usr/local/share/.cache/yarn".into()])
                }
                ("go", Some(action @ ("build" | "install" | "mod")))
                    if action != "mod" || args.iter().any(|w| w.text == "download") =>
                {
                    let (mut span, _) = head("");
                    let shown = if action == "mod" {
                        if let Some(download) = args.iter().find(|w| w.text == "download") {
                            span = span.cover(download.span);
                        }
                        "go mod download".to_string()
                    } else {
                        format!("go {action}")
                    };
                    let cache = vec![format!("{home}/.cache/go-build"), "/go/pkg/mod".into()];
                    (span, shown, cache)
                }
                ("cargo", Some("build" | "install" | "fetch")) => {
                    let (span, shown) = head(&format!("cargo {}", sub_text.unwrap_or_default()));
                    (span, shown, vec!["/usr/local/cargo/registry".into()])
                }
                ("mvn" | "mvnw", _) => {
                    let (span, shown) = head(name);
                    (span, shown, vec![format!("{home}/.m2")])
                }
                ("gradle" | "gradlew", _) => {
                    let (span, shown) = head(name);
                    (span, shown, vec![format!("{home}/.gradle")])
                }
                _ => return None,
            }
        };
    Some((span, shown.trim().to_string(), targets))
}
