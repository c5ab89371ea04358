use super::layer_paths::{Added, AddedBy, StageFiles, consumed_only_by_copy};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Base;

declare_rule! {
    /// ## What it does
    /// Reports an `rm` in a `RUN` that deletes a file or directory an earlier instruction
    /// of the same image added: the destination of a `COPY` or `ADD`, or what an earlier
    /// `RUN` downloaded (`curl -o FILE`, `curl -O`, `wget -O FILE`, `wget URL`,
    /// `git clone URL DIR`, `tar -x -C DIR`, `> FILE`). Deleting the path or any directory
    /// above it counts, globs included (`rm -rf /tmp/*`).
    ///
    /// Relative paths are resolved against the last `WORKDIR` (and a `cd` earlier in the
    /// same `RUN`); when the directory is not known, the rule stays quiet. So it does for
    /// small text files (scripts, requirement lists, configs — by extension) unless their
    /// name says they hold credentials: removing those saves nothing worth a layer. Files
    /// written by a redirection count only when they are archives or binaries
    /// (`curl … > /tmp/x.tar.gz`). A path written and deleted within one `RUN` never
    /// reaches a layer and is fine. It looks at the stages
    /// that can end up as an image — not at a stage that other stages only `COPY --from` —
    /// and follows additions into stages built `FROM` it.
    ///
    /// ## Why is this bad?
    /// Every instruction adds a layer, and a later layer can only hide a file, not take its
    /// bytes out of the earlier one. The image is as large as if the `rm` were not there,
    /// and a key, token or `.env` "deleted" this way can still be extracted by anyone who
    /// pulls the image (`docker save`, then unpack the earlier layer).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
    /// RUN curl -fsSLo /tmp/tool.deb https://example.com/tool.deb
    /// RUN dpkg -i /tmp/tool.deb && rm /tmp/tool.deb
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN --mount=type=bind,source=app.tar.gz,target=/tmp/app.tar.gz \
    ///     tar -xzf /tmp/app.tar.gz -C /opt
    /// RUN curl -fsSLo /tmp/tool.deb https://example.com/tool.deb && \
    ///     dpkg -i /tmp/tool.deb && rm /tmp/tool.deb
    /// ```
    /// A secret a step needs belongs in `RUN --mount=type=secret`; a build that needs
    /// sources and tools the image does not belongs in its own stage, with only the result
    /// copied on.
    ///
    /// ## References
    /// - [Multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    /// - [RUN --mount](https://docs.docker.com/reference/dockerfile/#run---mount)
    /// - [Build secrets](https://docs.docker.com/build/building/secrets/)
    pub struct FileRemovedInLaterLayer {
        code: "PL306",
        name: "file-removed-in-later-layer",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A RUN deletes a file an earlier layer added: the bytes stay in the image",
    }
}

impl Rule for FileRemovedInLaterLayer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let mut finished: Vec<StageFiles> = Vec::with_capacity(file.stages.len());
        for stage in &file.stages {
            let mut state = match stage.base {
                Base::Stage(parent) if parent < finished.len() => finished[parent].clone(),
                Base::Scratch => StageFiles::at_root(),
                _ => StageFiles::default(),
            };
            let report = !consumed_only_by_copy(file, stage);
            for instruction in file.stage_instructions(stage).iter().skip(1) {
                let removals = state.record(file, instruction);
                if report {
                    for removal in removals {
                        out.push(diagnostic(
                            ctx,
                            &removal.word_text,
                            removal.span,
                            &removal.added,
                        ));
                    }
                }
            }
            finished.push(state);
        }
    }
}

fn diagnostic(
    ctx: &Context<'_>,
    operand: &str,
    span: plimsoll_analyzer::Span,
    added: &[Added],
) -> Diagnostic {
    let first = &added[0];
    let line = |a: &Added| {
        ctx.file
            .line_col(ctx.file.instructions[a.instruction].span.start)
            .line
    };
    let mut origins: Vec<String> = Vec::new();
    for a in added.iter().take(3) {
        let origin = format!("line {} (`{}`)", line(a), a.how);
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    let origins = origins.join(", ");
    let secret = added.iter().find_map(|a| a.secret);
    let consequence = match &secret {
        Some(what) => format!(
            "the bytes stay in that earlier layer, so {what} is still there for anyone who pulls the image to extract"
        ),
        None => "the bytes stay in that earlier layer, so the image is no smaller".to_string(),
    };
    let help = match (&secret, first.by) {
        (Some(_), _) => "never put it in a layer: give the step that needs it a secret mount \
                         (`RUN --mount=type=secret,id=…,target=…`, `docker build --secret`)"
            .to_string(),
        (None, AddedBy::Copy) => "use the file without copying it into a layer \
                                  (`RUN --mount=type=bind,source=…,target=… …`; \
                                  `RUN --mount=type=secret` for a secret), or work in a separate \
                                  stage and copy only the result"
            .to_string(),
        (None, AddedBy::Run) => "fetch, use and delete it in the same RUN, or work in a separate \
                                 stage and copy only the result (`RUN --mount=type=secret` for \
                                 anything secret)"
            .to_string(),
    };
    Diagnostic::new(
        &FileRemovedInLaterLayer::META,
        span,
        format!("`rm {operand}` deletes what {origins} added: {consequence}",),
    )
    .with_help(help)
}
