use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`, on the wrapped
    /// keyword.
    ///
    /// Off by default: the syntax check PL000 already reports these, since `docker build`
    /// refuses them. The rule exists so that hadolint's code `DL3043` can be selected.
    ///
    /// ## Why is this bad?
    /// `ONBUILD` registers an instruction to run when another Dockerfile builds `FROM`
    /// this image. Chaining `ONBUILD`, starting a new stage, or setting the deprecated
    /// maintainer field from there is not allowed, and the build stops.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ONBUILD FROM node:22-slim
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// ONBUILD COPY package.json /app/
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: ONBUILD](https://docs.docker.com/reference/dockerfile/#onbuild)
    /// - [hadolint DL3043](https://github.com/hadolint/hadolint/wiki/DL3043)
    pub struct OnbuildForbiddenTrigger {
        code: "PL711",
        name: "onbuild-forbidden-trigger",
        alias: Some("DL3043"),
        severity: Severity::Error,
        fix: FixAvailability::None,
        default_enabled: false,
        summary: "ONBUILD wraps ONBUILD, FROM or MAINTAINER",
    }
}

impl Rule for OnbuildForbiddenTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for instruction in &ctx.file.instructions {
            let Some(inner) = &instruction.onbuild else {
                continue;
            };
            if !matches!(
                inner.keyword,
                Keyword::Onbuild | Keyword::From | Keyword::Maintainer
            ) {
                continue;
            }
            let name = inner.keyword.as_str();
            out.push(
                Diagnostic::new(
                    &Self::META,
                    inner.keyword_span,
                    format!("`ONBUILD {name}` is not allowed: the build stops here"),
                )
                .with_help(match inner.keyword {
                    Keyword::Maintainer => {
                        "use `LABEL org.opencontainers.image.authors=…` outside ONBUILD"
                    }
                    Keyword::From => "start the child image's stage in the child's own Dockerfile",
                    _ => "ONBUILD triggers run one level down only; drop the inner ONBUILD",
                }),
            );
        }
    }
}
