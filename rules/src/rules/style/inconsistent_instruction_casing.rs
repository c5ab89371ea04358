use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::Keyword;

declare_rule! {
    /// ## What it does
    /// Reports an instruction keyword that is not in the casing most keywords of the file
    /// use: `copy` in a file of upper-case keywords, `FROM` in a file of lower-case ones,
    /// and any keyword in mixed case (`Run`, `frOM`).
    ///
    /// This is BuildKit's `ConsistentInstructionCasing` check, with its counting: the
    /// keywords of the stages (each `FROM` and what follows it) that are entirely upper
    /// or entirely lower case are counted, and lower case wins only with a strict
    /// majority. Unlike BuildKit, an `ARG` before the first `FROM` is reported too when
    /// its casing differs, though it does not count towards the majority. BuildKit reports
    /// it as a warning; Plimsoll classes it as style.
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, so the build does not change, but a file that mixes
    /// casings is harder to scan: the eye looks for `RUN` and skips `run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// run apk add --no-cache curl
    /// COPY app /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// COPY app /app
    /// ```
    ///
    /// ## Fix safety
    /// The fix rewrites the keyword in the majority casing. Keywords are case-insensitive,
    /// so it is safe.
    ///
    /// ## References
    /// - [BuildKit check ConsistentInstructionCasing](https://docs.docker.com/reference/build-checks/consistent-instruction-casing/)
    pub struct InconsistentInstructionCasing {
        code: "PL902",
        name: "inconsistent-instruction-casing",
        alias: Some("ConsistentInstructionCasing"),
        severity: Severity::Style,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "An instruction keyword is not in the casing of the file's other keywords",
    }
}

impl Rule for InconsistentInstructionCasing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let text = ctx.text();
        let keywords = || {
            ctx.file
                .instructions
                .iter()
                .filter(|i| i.keyword != Keyword::Unknown)
        };
        let (mut lower, mut upper) = (0usize, 0usize);
        for instruction in keywords().filter(|i| i.stage.is_some()) {
            let written = instruction.keyword_text(text);
            if written == written.to_ascii_lowercase() {
                lower += 1;
            } else if written == written.to_ascii_uppercase() {
                upper += 1;
            }
        }
        let majority_lower = lower > upper;
        let (casing, count) = if majority_lower {
            ("lower case", lower)
        } else {
            ("upper case", upper)
        };
        for instruction in keywords() {
            let written = instruction.keyword_text(text);
            let wanted = if majority_lower {
                written.to_ascii_lowercase()
            } else {
                written.to_ascii_uppercase()
            };
            if written == wanted {
                continue;
            }
            let total = lower + upper;
            let mixed =
                written != written.to_ascii_lowercase() && written != written.to_ascii_uppercase();
            let message = match (mixed, count) {
                (true, 0) => format!("`{written}` mixes upper and lower case"),
                (true, _) => format!(
                    "`{written}` mixes upper and lower case; most instruction keywords of this file are in {casing} ({count} of {total})"
                ),
                (false, _) => format!(
                    "`{written}` is not in {casing}, like most instruction keywords of this file ({count} of {total})"
                ),
            };
            out.push(
                Diagnostic::new(&Self::META, instruction.keyword_span, message)
                    .with_help(format!("write `{wanted}`"))
                    .with_fix(Fix::safe(
                        format!("Write `{wanted}`"),
                        vec![Edit::replace(instruction.keyword_span, wanted)],
                    )),
            );
        }
    }
}
