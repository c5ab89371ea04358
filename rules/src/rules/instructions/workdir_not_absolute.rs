use super::stages::{is_absolute, known_workdir, normalize};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports a `WORKDIR` whose path is relative (`WORKDIR app`). Paths that start with a
    /// variable (`WORKDIR $HOME/app`) are left alone, as hadolint does: the variable
    /// usually holds an absolute path. Windows paths with a drive letter (`C:\app`) count
    /// as absolute.
    ///
    /// BuildKit's `WorkdirRelativePath` check reports the first relative WORKDIR of a
    /// stage that has set none before; this rule reports every relative one, as hadolint
    /// does.
    ///
    /// ## Why is this bad?
    /// A relative WORKDIR is resolved against the WORKDIR already in effect, which for the
    /// first one is whatever the base image sets. The directory the stage works in then
    /// depends on a detail of someone else's image that may change with any new tag, and
    /// every relative `COPY` destination and `RUN` command moves with it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR app
    /// COPY . .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes out the absolute path the relative one resolves to, and is offered
    /// only when this file alone decides it: an earlier absolute `WORKDIR` in the stage (or
    /// a stage it is built on), or a chain of stages that starts from `scratch`, whose
    /// WORKDIR is `/`. It is marked unsafe because the earlier WORKDIRs may later change
    /// on purpose, which the relative path would have followed.
    ///
    /// ## References
    /// - [Dockerfile reference: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    /// - [hadolint DL3000](https://github.com/hadolint/hadolint/wiki/DL3000)
    pub struct WorkdirNotAbsolute {
        code: "PL700",
        name: "workdir-not-absolute",
        alias: Some("DL3000"),
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "WORKDIR with a relative path depends on the base image's WORKDIR",
    }
}

impl Rule for WorkdirNotAbsolute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            for instruction in file.stage_instructions(stage) {
                if instruction.keyword != Keyword::Workdir {
                    continue;
                }
                let Some(word) = instruction.words.first() else {
                    continue;
                };
                let path = word.text.as_str();
                let written = word.span.text(&file.text);
                if path.is_empty() || path.starts_with('$') || is_absolute(path) {
                    continue;
                }
                let known = known_workdir(file, stage, instruction.index);
                let mut diagnostic = Diagnostic::new(
                    &Self::META,
                    word.span,
                    format!(
                        "`WORKDIR {written}` is relative: it resolves against the WORKDIR \
                         already in effect{}",
                        if known.is_some() {
                            ", so moving an earlier WORKDIR silently moves this one"
                        } else {
                            ", which here is the base image's and can change with its next tag"
                        }
                    ),
                );
                match known {
                    Some(dir) if !path.contains('$') => {
                        let absolute = normalize(&format!("{dir}/{path}"));
                        let replacement = if absolute.contains(char::is_whitespace) {
                            format!("\"{absolute}\"")
                        } else {
                            absolute.clone()
                        };
                        diagnostic = diagnostic
                            .with_help(format!(
                                "write the absolute path `{absolute}` (the WORKDIR here is `{dir}`)"
                            ))
                            .with_fix(Fix::unsafe_edit(
                                format!("Replace with `{absolute}`"),
                                vec![Edit::replace(word.span, replacement)],
                            ));
                    }
                    _ => {
                        diagnostic = diagnostic.with_help(format!(
                            "write an absolute path, e.g. `WORKDIR /{}`",
                            path.trim_start_matches("./")
                        ));
                    }
                }
                out.push(diagnostic);
            }
        }
    }
}
