use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Base, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports the first `WORKDIR` of a stage when its path is relative and no earlier
    /// `WORKDIR` of the stage (or of the stage it is built on) set an absolute one.
    /// Variables are expanded first; a path whose variables the file does not define (they
    /// may come from the base image) is not reported.
    ///
    /// This is BuildKit's `WorkdirRelativePath` check. It is off by default because the
    /// rule for hadolint's DL3000 reports every relative `WORKDIR` that does not start
    /// with a variable; select `WorkdirRelativePath` (or PL910) for BuildKit's narrower
    /// scope: later relative `WORKDIR`s build on the first one and are fixed with it.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is resolved against the working directory of the base image,
    /// which the Dockerfile does not control: `WORKDIR app` is `/app` on one base image and
    /// `/usr/src/app` or `/home/node/app` on another, and it moves when the base image
    /// changes its own `WORKDIR`. Every `COPY` and `RUN` that follows moves with it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR app
    /// COPY . .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## References
    /// - [BuildKit check WorkdirRelativePath](https://docs.docker.com/reference/build-checks/workdir-relative-path/)
    /// - [hadolint DL3000](https://github.com/hadolint/hadolint/wiki/DL3000)
    pub struct WorkdirRelativePath {
        code: "PL910",
        name: "workdir-relative-path",
        alias: Some("WorkdirRelativePath"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "The first WORKDIR of a stage is a relative path",
    }
}

impl Rule for WorkdirRelativePath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let mut set_by_stage: Vec<bool> = Vec::with_capacity(file.stages.len());
        for stage in &file.stages {
            let mut set = match stage.base {
                Base::Stage(parent) => set_by_stage.get(parent).copied().unwrap_or(false),
                _ => false,
            };
            for instruction in file
                .stage_instructions(stage)
                .iter()
                .filter(|i| i.keyword == Keyword::Workdir)
            {
                if set {
                    break;
                }
                set = true;
                let Some(word) = instruction.words.first() else {
                    continue;
                };
                let expanded = file.expand(instruction.index, &word.text);
                if !expanded.unresolved.is_empty() || is_absolute(&expanded.text) {
                    continue;
                }
                let shown = if expanded.text == word.text {
                    format!("`{}`", word.text)
                } else {
                    format!("`{}` (`{}`)", word.text, expanded.text)
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        word.span,
                        format!(
                            "relative WORKDIR {shown} is resolved against the base image's working directory, which changes with the base image"
                        ),
                    )
                    .with_help(format!(
                        "use an absolute path, e.g. `WORKDIR /{}`",
                        expanded.text.trim_start_matches("./")
                    )),
                );
            }
            set_by_stage.push(set);
        }
    }
}

/// Absolute on Linux (`/app`) or on Windows (`C:\app`, `C:/app`, `\app`).
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'/' | b'\\'))
}
