use super::labels::{image_stages, options_for};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Base, Keyword};
use std::collections::BTreeSet;

declare_rule! {
    /// ## What it does
    /// Reports an image that lacks a label the label schema requires. The image of a
    /// stage has the labels the stage sets and the ones of the stages it is built on;
    /// stages that only feed others (a base of another stage, a `COPY --from` source) are
    /// not images of their own and are not reported.
    ///
    /// This is hadolint's DL3049, with its severity (info). It only runs when a label
    /// schema is configured (hadolint's `label-schema` or `--require-label`, or a
    /// `# plimsoll: require-label=KEY:FORMAT,…` comment line in the file): every label of
    /// the schema is required.
    ///
    /// ## Why is this bad?
    /// Labels are how registries, scanners and people find out what an image is, who owns
    /// it and where its source lives. A team that agrees on required labels wants every
    /// image to carry them.
    ///
    /// ## Example
    /// With `org.opencontainers.image.source` in the schema:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// COPY . /app
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3049](https://github.com/hadolint/hadolint/wiki/DL3049)
    pub struct MissingRequiredLabel {
        code: "PL931",
        name: "missing-required-label",
        alias: Some("DL3049"),
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "An image lacks a label the label schema requires",
    }
}

impl Rule for MissingRequiredLabel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let options = options_for(ctx.file);
        if options.schema.is_empty() {
            return;
        }
        let file = ctx.file;
        let mut labelled: Vec<BTreeSet<&str>> = Vec::with_capacity(file.stages.len());
        for stage in &file.stages {
            let mut keys = match stage.base {
                Base::Stage(parent) => labelled.get(parent).cloned().unwrap_or_default(),
                _ => BTreeSet::new(),
            };
            for instruction in file
                .stage_instructions(stage)
                .iter()
                .filter(|i| i.keyword == Keyword::Label)
            {
                keys.extend(instruction.pairs.iter().map(|p| p.key.as_str()));
            }
            labelled.push(keys);
        }
        for index in image_stages(file) {
            let stage = &file.stages[index];
            let span = stage
                .image_word
                .as_ref()
                .map_or(file.instructions[stage.from].keyword_span, |w| w.span);
            for key in options.schema.keys() {
                if labelled[index].contains(key.as_str()) {
                    continue;
                }
                let which = match &stage.name {
                    Some(name) => format!("the image of stage `{}`", name.text),
                    None => "this image".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        span,
                        format!("{which} has no `{key}` label, which the label schema requires"),
                    )
                    .with_help(format!("add `LABEL {key}=\"…\"` to the stage")),
                );
            }
        }
    }
}
