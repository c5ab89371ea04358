use crate::helpers::copy::{CopyArgs, normalize_context_path};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` source from the build context that `.dockerignore`
    /// excludes (the path or one of its parent directories matches a pattern). `COPY . .`
    /// is reported only when `.dockerignore` excludes everything (`*`, `**` or `**/*`).
    ///
    /// This is BuildKit's `CopyIgnoredFile` check, with its limits: it needs the build
    /// context, so it is quiet when Plimsoll lints text without one (stdin, an unsaved
    /// editor buffer), and it is quiet when `.dockerignore` has `!` exceptions, whose
    /// effect on a directory can not be decided from the patterns alone. Sources with
    /// variables the file does not define are skipped, and so are `COPY --from` and
    /// remote `ADD` sources, which do not come from the context.
    ///
    /// ## Why is this bad?
    /// The builder never receives an excluded file, so the `COPY` fails with "not found" —
    /// or, for a wildcard source, silently copies fewer files than the Dockerfile says.
    /// Either the pattern or the `COPY` is wrong.
    ///
    /// ## Example
    /// With a `.dockerignore` holding `config/`:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY config/nginx.conf /etc/nginx/nginx.conf
    /// ```
    ///
    /// Use instead: narrow the pattern (`config/secrets/`) so the file is sent, or take
    /// the file from somewhere that is not excluded:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY deploy/nginx.conf /etc/nginx/nginx.conf
    /// ```
    ///
    /// ## References
    /// - [BuildKit check CopyIgnoredFile](https://docs.docker.com/reference/build-checks/copy-ignored-file/)
    /// - [.dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    pub struct CopyIgnoredFile {
        code: "PL917",
        name: "copy-ignored-file",
        alias: Some("CopyIgnoredFile"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "COPY or ADD names a file that .dockerignore excludes",
    }
}

/// Patterns with which BuildKit reports copying the context root itself.
const ROOT_PATTERNS: &[&str] = &["*", "**", "**/*"];

impl Rule for CopyIgnoredFile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(build) = ctx.build_context else {
            return;
        };
        let ignore = &build.dockerignore;
        let patterns = ignore.patterns();
        if patterns.is_empty() || patterns.iter().any(|p| p.exclusion) {
            return;
        }
        let file = ctx.file;
        for instruction in &file.instructions {
            let Some(copy) = CopyArgs::of(instruction) else {
                continue;
            };
            let keyword = instruction.keyword.as_str();
            for source in copy.context_sources() {
                let expanded = file.expand(instruction.index, &source.text);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                let Some(path) = normalize_context_path(&expanded.text) else {
                    continue;
                };
                let pattern = if path.is_empty() {
                    patterns
                        .iter()
                        .find(|p| ROOT_PATTERNS.contains(&p.text.as_str()))
                } else if ignore.is_excluded(&path) {
                    ignore.matching_pattern(&path)
                } else {
                    None
                };
                let Some(pattern) = pattern else {
                    continue;
                };
                let what = if path.is_empty() {
                    "the whole build context".to_string()
                } else {
                    format!("`{path}`")
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        source.span,
                        format!(
                            "{keyword} source {what} is excluded by `.dockerignore` (line {}: `{}`), so the builder never receives it",
                            pattern.line, pattern.text
                        ),
                    )
                    .with_help(format!(
                        "narrow that pattern so the file is sent, or drop `{}` from the {keyword}",
                        source.text
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuildContext;
    use plimsoll_analyzer::Dockerfile;
    use plimsoll_analyzer::dockerignore::DockerIgnore;

    fn findings(dockerfile: &str, dockerignore: &str) -> Vec<String> {
        let file = Dockerfile::parse(dockerfile);
        let build = BuildContext::new(
            vec!["app/main.go".into(), "Dockerfile".into()],
            DockerIgnore::parse(dockerignore),
        );
        let ctx = Context {
            file: &file,
            build_context: Some(&build),
        };
        let mut out = Vec::new();
        CopyIgnoredFile.check(&ctx, &mut out);
        out.into_iter()
            .map(|d| d.span.text(&file.text).to_string())
            .collect()
    }

    #[test]
    fn copying_the_root_is_reported_only_when_everything_is_excluded() {
        assert_eq!(findings("FROM scratch\nCOPY . .\n", "*\n"), ["."]);
        assert_eq!(findings("FROM scratch\nCOPY ./ /\n", "**\n"), ["./"]);
        assert!(findings("FROM scratch\nCOPY . .\n", ".*\n").is_empty());
    }

    #[test]
    fn exceptions_turn_the_check_off() {
        // BuildKit gives up when `.dockerignore` has `!` lines, and so do we.
        assert!(findings("FROM scratch\nCOPY app /app\n", "app\n!app/main.go\n").is_empty());
        assert_eq!(findings("FROM scratch\nCOPY app /app\n", "app\n"), ["app"]);
    }

    #[test]
    fn no_context_no_findings() {
        let file = Dockerfile::parse("FROM scratch\nCOPY app /app\n");
        let mut out = Vec::new();
        CopyIgnoredFile.check(&Context::new(&file), &mut out);
        assert!(out.is_empty());
    }
}
