use crate::helpers::copy::CopyArgs;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` with more than one source (heredocs count) whose
    /// destination does not end with `/`.
    ///
    /// Deviations from hadolint: `ADD` is checked too, as the problem is the same; a
    /// destination of `.` or `..` (or ending in `/.` or `/..`) is accepted, since it
    /// always names an existing directory; and a destination given by a variable is judged
    /// by the variable's value, and left alone when that is unknown.
    ///
    /// ## Why is this bad?
    /// The Dockerfile reference requires a destination ending in `/` when there are several
    /// sources. The classic builder refuses the instruction; BuildKit does not check it,
    /// and what lands at the destination then depends on whether a directory of that name
    /// already exists in the image: the line only works by accident.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json package-lock.json /app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Fix safety
    /// The fix appends `/` to the destination. It is unsafe because, where no directory of
    /// that name existed, it changes what the instruction produces.
    ///
    /// ## References
    /// - [Dockerfile reference: COPY](https://docs.docker.com/reference/dockerfile/#copy)
    /// - [hadolint DL3021](https://github.com/hadolint/hadolint/wiki/DL3021)
    pub struct CopySourcesToFile {
        code: "PL705",
        name: "copy-sources-to-file",
        alias: Some("DL3021"),
        severity: Severity::Error,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "COPY or ADD of several sources to a destination without a trailing `/`",
    }
}

fn names_a_directory(dest: &str) -> bool {
    dest.ends_with('/')
        || dest.ends_with('\\')
        || matches!(dest, "." | "..")
        || dest.ends_with("/.")
        || dest.ends_with("/..")
}

impl Rule for CopySourcesToFile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            let Some(copy) = CopyArgs::of(instruction) else {
                continue;
            };
            let count = copy.sources.len() + copy.heredoc_sources;
            if count < 2 {
                continue;
            }
            let dest = &copy.dest.text;
            let resolved = if dest.contains('$') {
                let expanded = file.expand(instruction.index, dest);
                if !expanded.unresolved.is_empty() {
                    continue;
                }
                expanded.text
            } else {
                dest.clone()
            };
            if names_a_directory(&resolved) {
                continue;
            }
            let keyword = instruction.keyword.as_str();
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                copy.dest.span,
                format!(
                    "`{keyword}` of {count} sources to `{dest}`, which does not end with `/`: \
                     the destination must be a directory"
                ),
            )
            .with_help(format!(
                "write `{dest}/` to copy the sources into that directory"
            ));
            // Only a destination written plainly or in plain double quotes is extended.
            let raw = copy.dest.span.text(&file.text);
            let at = if raw == dest.as_str() {
                Some(copy.dest.span.end)
            } else if raw == format!("\"{dest}\"") {
                Some(copy.dest.span.end - 1)
            } else {
                None
            };
            if let Some(at) = at {
                diagnostic = diagnostic.with_fix(Fix::unsafe_edit(
                    "Append `/` to the destination",
                    vec![Edit::insert(at, "/")],
                ));
            }
            out.push(diagnostic);
        }
    }
}
