use super::stages::{dependencies, line_of};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports stages that need each other: stage `a` copies from (or mounts) stage `b`
    /// while `b` needs `a`, directly or through other stages, by `FROM`, `COPY --from` or
    /// `RUN --mount=from=`. The reference that closes the cycle (the one naming a stage
    /// further down) is reported. A stage that copies from itself is PL707's.
    ///
    /// ## Why is this bad?
    /// Neither stage can be built before the other, and BuildKit stops with
    /// `circular dependency detected on stage`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY --from=assets /dist ./web/dist
    /// RUN go build -o /out/app .
    /// FROM node:22 AS assets
    /// COPY --from=build /src/web ./
    /// RUN npm run build
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS assets
    /// COPY web/ ./
    /// RUN npm run build
    /// FROM golang:1.23 AS build
    /// COPY --from=assets /dist ./web/dist
    /// RUN go build -o /out/app .
    /// ```
    ///
    /// ## References
    /// - [Multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct CircularStageDependency {
        code: "PL724",
        name: "circular-stage-dependency",
        alias: None,
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "Stages copy from each other: neither can be built first",
    }
}

/// Whether `to` is reachable from `from` in the dependency graph.
fn needs(deps: &[Vec<(usize, plimsoll_analyzer::Span)>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; deps.len()];
    let mut todo = vec![from];
    while let Some(i) = todo.pop() {
        if i == to {
            return true;
        }
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        todo.extend(deps[i].iter().map(|&(d, _)| d));
    }
    false
}

impl Rule for CircularStageDependency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let deps = dependencies(file);
        for (i, stage_deps) in deps.iter().enumerate() {
            for &(target, span) in stage_deps {
                // A cycle needs a reference forward; self-references are PL707's.
                if target <= i || !needs(&deps, target, i) {
                    continue;
                }
                let name = |s: usize| {
                    file.stages[s]
                        .name
                        .as_ref()
                        .map_or_else(|| format!("stage {s}"), |n| format!("`{}`", n.text))
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        span,
                        format!(
                            "stage {} (line {}) in turn needs this stage, {}: neither can be \
                             built before the other",
                            name(target),
                            line_of(file, file.instructions[file.stages[target].from].span.start),
                            name(i)
                        ),
                    )
                    .with_help(
                        "move what both stages need into a stage of its own that comes first",
                    ),
                );
            }
        }
    }
}
