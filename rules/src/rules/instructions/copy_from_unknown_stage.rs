use super::stages::{Target, copy_from, line_of, resolve};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Dockerfile;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY --from` that does not name an earlier stage of the file:
    /// - a name no stage has, without a `:tag` or `@digest` (with one it is plainly an
    ///   image, as hadolint also accepts). BuildKit then pulls an image of that name, or
    ///   uses a build context passed with `--build-context`; usually the stage name is
    ///   misspelt, and the message suggests the closest one;
    /// - a stage defined further down. BuildKit accepts it, but the file no longer reads
    ///   top to bottom;
    /// - a stage index the file does not have (`--from=3` with three stages): BuildKit
    ///   stops with `invalid stage index` (reported as an error);
    /// - a variable (`--from=$BUILDER`): BuildKit does not expand `--from` and stops with
    ///   `variable expansion is not supported for --from` (reported as an error).
    ///
    /// Stage names are compared case-insensitively, as BuildKit does (hadolint does not).
    /// A `--from` naming the stage it is in is rule PL707's.
    ///
    /// ## Why is this bad?
    /// A misspelt stage name does not fail the build where one expects: BuildKit tries to
    /// pull it from Docker Hub and either fails with a confusing "pull access denied" or,
    /// worse, copies files out of somebody else's image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN go build -o /out/app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN go build -o /out/app .
    ///
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=builder /out/app /app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)
    /// - [hadolint DL3022](https://github.com/hadolint/hadolint/wiki/DL3022)
    pub struct CopyFromUnknownStage {
        code: "PL706",
        name: "copy-from-unknown-stage",
        alias: Some("DL3022"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "COPY --from does not name an earlier stage",
    }
}

/// Whether BuildKit would accept `name` as a stage name (a letter, then letters, digits,
/// `-`, `_` and `.`).
fn could_be_stage_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// The earlier stage name closest to `name`, if close enough to be a typo.
fn closest<'a>(file: &'a Dockerfile, name: &str, before: usize) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    file.stages[..before]
        .iter()
        .filter_map(|s| s.name.as_ref().map(|n| n.text.as_str()))
        .map(|n| (distance(&name, &n.to_ascii_lowercase()), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4) && *d < n.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

impl Rule for CopyFromUnknownStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            for instruction in file.stage_instructions(stage) {
                let Some(from) = copy_from(instruction) else {
                    continue;
                };
                let value = from.value.as_str();
                let diagnostic = match resolve(file, value) {
                    Target::Stage(i) if i <= stage.index => continue,
                    Target::Stage(i) => {
                        let later = &file.stages[i];
                        Diagnostic::new(
                            &Self::META,
                            from.span,
                            format!(
                                "`--from={value}` names a stage defined further down (line {}): \
                                 BuildKit accepts it, but stages are expected before their use",
                                line_of(file, file.instructions[later.from].span.start)
                            ),
                        )
                        .with_help("move that stage above this one")
                    }
                    Target::Variable => Diagnostic::new(
                        &Self::META,
                        from.span,
                        format!(
                            "`--from={value}` uses a variable: BuildKit does not expand `--from` \
                             and stops the build"
                        ),
                    )
                    .with_severity(Severity::Error)
                    .with_help(format!(
                        "add a stage `FROM {value} AS source` (a global ARG may appear there) \
                         and copy `--from=source`"
                    )),
                    Target::Outside if value.bytes().all(|b| b.is_ascii_digit()) => {
                        Diagnostic::new(
                            &Self::META,
                            from.span,
                            format!(
                                "`--from={value}`: the file has no stage {value} (stages count \
                                 from 0 and there are {}), so BuildKit stops the build",
                                file.stages.len()
                            ),
                        )
                        .with_severity(Severity::Error)
                        .with_help("name the stage with `FROM … AS name` and copy from that name")
                    }
                    Target::Outside if value.contains([':', '@']) => continue,
                    // Not a possible stage name: an image reference without a tag.
                    Target::Outside if !could_be_stage_name(value) => Diagnostic::new(
                        &Self::META,
                        from.span,
                        format!(
                            "`--from={value}` is no stage of this file but an image without a \
                             tag: BuildKit pulls whatever `{value}:latest` is at build time"
                        ),
                    )
                    .with_help(format!("pin the image: `--from={value}:<tag>`")),
                    Target::Outside => {
                        let diagnostic = Diagnostic::new(
                            &Self::META,
                            from.span,
                            format!(
                                "no stage is named `{value}`, so BuildKit takes it as an image \
                                 (or a `--build-context`) and pulls `{value}`"
                            ),
                        );
                        match closest(file, value, stage.index) {
                            Some(name) => {
                                diagnostic.with_help(format!("did you mean `--from={name}`?"))
                            }
                            None => diagnostic.with_help(format!(
                                "if a stage is meant, name it with `FROM … AS {value}`; if an \
                                 image is meant, give it a tag: `--from={value}:<tag>`"
                            )),
                        }
                    }
                };
                out.push(diagnostic);
            }
        }
    }
}
