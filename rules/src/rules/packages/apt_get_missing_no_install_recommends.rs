use super::support::{apt_installs_without, apt_setting_in, head_span, insert_option, option_in};
use crate::{Context, Diagnostic, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` (and `apt install`) without `--no-install-recommends`.
    /// `-o APT::Install-Recommends=false` (or `=0`) is accepted, and so is an earlier RUN
    /// that writes `APT::Install-Recommends` into an apt.conf file.
    ///
    /// A `$VARIABLE` among the arguments is looked up in the Dockerfile's ARG and ENV; an
    /// unknown one whose name says it holds options (`$APT_OPTS`, `$EXTRA_ARGS`) keeps the
    /// rule quiet.
    ///
    /// hadolint's DL3015 covers only `apt-get`; this rule also covers `apt install`.
    ///
    /// ## Why is this bad?
    /// By default apt also installs every package the named ones *recommend*: manuals,
    /// fonts, compilers, whole desktop libraries. They make the image larger, slower to
    /// pull and a wider target for vulnerabilities, and the application rarely needs them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y python3
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends python3
    /// ```
    ///
    /// ## Fix safety
    /// The fix inserts `--no-install-recommends` after `install`. It is unsafe: the
    /// application may rely on a recommended package (`ca-certificates` is a common one),
    /// which then has to be named explicitly.
    ///
    /// ## References
    /// - [hadolint DL3015](https://github.com/hadolint/hadolint/wiki/DL3015)
    /// - [Dockerfile best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
    pub struct AptGetMissingNoInstallRecommends {
        code: "PL204",
        name: "apt-get-missing-no-install-recommends",
        alias: Some("DL3015"),
        severity: Severity::Info,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "Use `--no-install-recommends` with `apt-get install`",
    }
}

impl Rule for AptGetMissingNoInstallRecommends {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let config = ["APT::Install-Recommends", "apt.conf"];
        let given = |_: &_, _: &_, args: &[String]| skips_recommends(args);
        for (instruction, install, word) in apt_installs_without(ctx.file, &config, given) {
            let program = install.command.program().unwrap_or("apt-get");
            out.push(
                Diagnostic::new(
                    &Self::META,
                    head_span(&install),
                    format!(
                        "`{program} install` without `--no-install-recommends` also \
                         installs every recommended package"
                    ),
                )
                .with_help("add `--no-install-recommends` and name the extra packages you need")
                .with_fix(Fix::unsafe_edit(
                    "Add `--no-install-recommends`",
                    vec![insert_option(instruction, word, "--no-install-recommends")],
                )),
            );
        }
    }
}

/// `--no-install-recommends`, or `-o APT::Install-Recommends=false`.
fn skips_recommends(args: &[String]) -> bool {
    option_in(
        args.iter().map(String::as_str),
        None,
        &["no-install-recommends"],
    ) || apt_setting_in(args, "install-recommends", &["false", "0", "no", "off"])
}
