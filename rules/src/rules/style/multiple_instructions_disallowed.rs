use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Instruction, Keyword};

declare_rule! {
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later instruction of the same
    /// kind in the same stage overrides. The overridden one is reported: it is the one
    /// that has no effect.
    ///
    /// This is BuildKit's `MultipleInstructionsDisallowed` check. hadolint's DL4003
    /// (`CMD`) and DL4004 (`ENTRYPOINT`) report the same duplicates, on the later
    /// instruction; this rule also covers `HEALTHCHECK`, so it is on by default.
    ///
    /// ## Why is this bad?
    /// An image has one default command, one entrypoint and one health check: only the
    /// last instruction of each kind in the stage takes effect, and the earlier ones are
    /// silently dropped. Two of them usually mean a leftover from an edit, and the one a
    /// reader notices first may be the one that does nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx", "-g", "daemon off;"]
    /// COPY site /usr/share/nginx/html
    /// CMD ["nginx-debug", "-g", "daemon off;"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site /usr/share/nginx/html
    /// CMD ["nginx-debug", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Default
    /// Off: PL721 (DL4003, several CMD), PL722 (DL4004, several ENTRYPOINT) and PL703
    /// (DL3012, several HEALTHCHECK) report the same instructions by default. Select this
    /// rule (or its BuildKit name) to get BuildKit's single check instead.
    ///
    /// ## References
    /// - [BuildKit check MultipleInstructionsDisallowed](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/)
    /// - [hadolint DL4003](https://github.com/hadolint/hadolint/wiki/DL4003)
    /// - [hadolint DL4004](https://github.com/hadolint/hadolint/wiki/DL4004)
    pub struct MultipleInstructionsDisallowed {
        code: "PL912",
        name: "multiple-instructions-disallowed",
        alias: Some("MultipleInstructionsDisallowed"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "A CMD, ENTRYPOINT or HEALTHCHECK is overridden later in the same stage",
    }
}

impl Rule for MultipleInstructionsDisallowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for stage in &file.stages {
            let instructions = file.stage_instructions(stage);
            for kind in [Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck] {
                let of_kind: Vec<&Instruction> =
                    instructions.iter().filter(|i| i.keyword == kind).collect();
                for pair in of_kind.windows(2) {
                    let (earlier, later) = (pair[0], pair[1]);
                    let keyword = kind.as_str();
                    let line = file.line_col(later.span.start).line;
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            earlier.keyword_span,
                            format!(
                                "this {keyword} has no effect: the {keyword} on line {line} overrides it, and only the last {keyword} of a stage counts"
                            ),
                        )
                        .with_help(format!("remove this {keyword}, or merge it into the one that counts")),
                    );
                }
            }
        }
    }
}
