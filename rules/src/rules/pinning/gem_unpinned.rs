use super::install::{Advice, commands, report_unpinned, unpinned_operands};
use crate::helpers::packages::Manager;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports each gem of a `gem install` that has no version: `bundler` instead of
    /// `bundler:2.5.22`. A command with `-v`/`--version` is left alone (the version applies to
    /// the gems it names), and so are local `.gem` files, paths and option values. A
    /// `$VARIABLE` is expanded when the same RUN assigns it (`PKGS="a b"; … $PKGS`) or an ARG
    /// or ENV gives its value, and one finding on the variable names every unpinned package it
    /// holds; when the file does not say what it holds (a loop variable, `$(…)`, an ARG without
    /// a default), nothing is reported for it. Gems of `ONBUILD RUN` are checked too.
    ///
    /// ## Why is this bad?
    /// gem installs the newest release on rubygems.org on the day of the build, so rebuilds
    /// of the same Dockerfile can differ, and a new major release (of bundler, say) can break
    /// the image without any change in your repository.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ruby:3.3-slim
    /// RUN gem install bundler
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ruby:3.3-slim
    /// RUN gem install bundler:2.5.22
    /// ```
    /// For an application's own gems, copy `Gemfile` and `Gemfile.lock` and run
    /// `bundle install`.
    ///
    /// ## References
    /// - [`gem install`](https://guides.rubygems.org/command-reference/#gem-install)
    pub struct GemUnpinned {
        code: "PL107",
        name: "gem-unpinned",
        alias: Some("DL3028"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "gem install without a version",
    }
}

impl Rule for GemUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (instruction, command) in commands(ctx, &[Manager::Gem]) {
            if !command.is_install() || command.has_option(Some('v'), &["version"]) {
                continue;
            }
            let unpinned = unpinned_operands(ctx, instruction, &command, is_unpinned);
            let advice = Advice {
                because: "gem installs the newest release that day",
                example: &|name| format!("`{name}:<version>`"),
                hint: &|name| format!("`gem install {name} -v <version>` works too"),
            };
            report_unpinned(out, &Self::META, &unpinned, &advice);
        }
    }
}

fn is_unpinned(gem: &str) -> bool {
    !(gem.is_empty() || gem.contains([':', '/']) || gem.ends_with(".gem"))
}
