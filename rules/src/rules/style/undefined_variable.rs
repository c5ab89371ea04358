use super::image_env;
use super::variables::{Reference, references_in_line, references_in_span, suggest};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::{Base, Dockerfile, Instruction, Keyword, Span};
use std::collections::{BTreeSet, HashMap};

declare_rule! {
    /// ## What it does
    /// Reports a variable that an instruction expands but that no `ARG` or `ENV` defines
    /// before it: in the stage, or in the stages it is built on (`FROM build`). The
    /// instructions BuildKit expands are checked: `ENV`, `LABEL`, `ARG` defaults, `COPY`
    /// and `ADD` (arguments, `--chown`, `--chmod`, `--checksum`), `WORKDIR`, `USER`,
    /// `VOLUME`, `STOPSIGNAL` and `RUN --mount` options. The body of a `RUN`, `CMD` or
    /// `ENTRYPOINT` is left alone: the shell expands it at run time, with the container's
    /// environment.
    ///
    /// This is BuildKit's `UndefinedVar` check, with its "did you mean" suggestion. It
    /// differs where a static linter has to guess what BuildKit reads from the base image,
    /// whose environment Plimsoll does not download:
    /// - in a stage built on `scratch` (directly or through other stages), every undefined
    ///   variable is reported, as BuildKit does;
    /// - in a stage built on an image, the image may set any variable, so a variable is
    ///   only reported with evidence that the file meant to define it: an `ARG` or `ENV`
    ///   elsewhere in the file defines it (an `ARG` before the first `FROM` that the stage
    ///   did not declare again, an `ENV` in an unrelated stage, a definition after the use),
    ///   or its name is a near miss of a defined one (`$APP_DIRR` for `$APP_DIR`). Names
    ///   that widely used official images set (`JAVA_HOME`, `GOPATH`, `NODE_VERSION`,
    ///   `PHP_INI_DIR`, …) and references with a default (`${VAR:-x}`) are not reported
    ///   there;
    /// - `PATH` always counts as defined, as in every image BuildKit builds;
    /// - heredoc bodies of `COPY <<EOF` are not checked.
    ///
    /// ## Why is this bad?
    /// An undefined variable expands to an empty string without any error:
    /// `COPY $APP_DIR/config /etc/app` copies `/config`, `WORKDIR $HOME/src` is `/src`
    /// (`HOME` is not set while building), `ENV PATH=$PAHT:/opt/bin` throws the search
    /// path away. A typo or an `ARG` declared only before the first `FROM` (it must be
    /// declared again inside the stage) is the usual cause.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG APP_DIR=/srv/app
    /// FROM python:3.12-slim
    /// COPY requirements.txt $APP_DIR/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG APP_DIR=/srv/app
    /// FROM python:3.12-slim
    /// ARG APP_DIR
    /// COPY requirements.txt $APP_DIR/
    /// ```
    ///
    /// ## References
    /// - [BuildKit check UndefinedVar](https://docs.docker.com/reference/build-checks/undefined-var/)
    /// - [Dockerfile reference: environment replacement](https://docs.docker.com/reference/dockerfile/#environment-replacement)
    pub struct UndefinedVariable {
        code: "PL911",
        name: "undefined-variable",
        alias: Some("UndefinedVar"),
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "An instruction expands a variable no ARG or ENV defines",
    }
}

/// Build arguments BuildKit never puts in the environment, so it does not report them.
const NOT_ENV_ARGS: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// What a stage knows about its variables.
struct StageScope {
    /// Names ARG or ENV defines by the end of the stage (its ancestors' included).
    defined: BTreeSet<String>,
    /// The base image, when the stage is built (maybe through other stages) on one.
    image: Option<String>,
}

impl Rule for UndefinedVariable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let mut definitions: HashMap<&str, Vec<usize>> = HashMap::new();
        for instruction in file
            .instructions
            .iter()
            .filter(|i| matches!(i.keyword, Keyword::Env | Keyword::Arg))
        {
            for pair in &instruction.pairs {
                definitions
                    .entry(&pair.key)
                    .or_default()
                    .push(instruction.index);
            }
        }
        let mut scopes: Vec<StageScope> = Vec::with_capacity(file.stages.len());
        for stage in &file.stages {
            let (mut defined, image) = match &stage.base {
                Base::Stage(parent) if *parent < scopes.len() => (
                    scopes[*parent].defined.clone(),
                    scopes[*parent].image.clone(),
                ),
                Base::Image(image) => {
                    let written = stage.image_word.as_ref().map(|w| w.text.clone());
                    let shown = if image.text.is_empty() {
                        written
                    } else {
                        Some(image.text.clone())
                    };
                    (BTreeSet::new(), Some(shown.unwrap_or_default()))
                }
                _ => (BTreeSet::new(), None),
            };
            defined.insert("PATH".to_string());
            for instruction in file.stage_instructions(stage).iter().skip(1) {
                let mut checker = Checker {
                    file,
                    definitions: &definitions,
                    instruction,
                    defined: &defined,
                    image: image.as_deref(),
                    reported: Vec::new(),
                    out: &mut *out,
                };
                checker.check();
                if matches!(instruction.keyword, Keyword::Env | Keyword::Arg) {
                    defined.extend(instruction.pairs.iter().map(|p| p.key.clone()));
                }
            }
            scopes.push(StageScope { defined, image });
        }
    }
}

struct Checker<'a> {
    file: &'a Dockerfile,
    /// For each name, the ARG and ENV instructions anywhere in the file that define it.
    definitions: &'a HashMap<&'a str, Vec<usize>>,
    instruction: &'a Instruction,
    defined: &'a BTreeSet<String>,
    image: Option<&'a str>,
    reported: Vec<String>,
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn check(&mut self) {
        let instruction = self.instruction;
        let escape = self.file.escape();
        let whole =
            || references_in_line(&instruction.args, 0, instruction.args.text.len(), escape);
        match instruction.keyword {
            Keyword::Env
            | Keyword::Label
            | Keyword::Workdir
            | Keyword::User
            | Keyword::Volume
            | Keyword::Stopsignal => {
                for (reference, span) in whole() {
                    self.report(&reference, span, &[]);
                }
            }
            Keyword::Copy | Keyword::Add => {
                self.flags(&["chown", "chmod", "checksum"]);
                for (reference, span) in whole() {
                    self.report(&reference, span, &[]);
                }
            }
            Keyword::Run => self.flags(&["mount"]),
            Keyword::Arg => {
                // Each ARG of the line sees the ones before it.
                let mut earlier: Vec<&str> = Vec::new();
                for pair in &instruction.pairs {
                    if let Some(value) = &pair.value {
                        let from = instruction.args.logical(value.span.start);
                        let to = instruction.args.logical(value.span.end);
                        for (reference, span) in
                            references_in_line(&instruction.args, from, to, escape)
                        {
                            self.report(&reference, span, &earlier);
                        }
                    }
                    earlier.push(&pair.key);
                }
            }
            _ => {}
        }
    }

    fn flags(&mut self, names: &[&str]) {
        let instruction = self.instruction;
        for flag in &instruction.flags {
            if !names.iter().any(|n| flag.name.eq_ignore_ascii_case(n)) {
                continue;
            }
            let Some(span) = flag.value_span else {
                continue;
            };
            if span.text(&self.file.text).contains('\n') {
                continue;
            }
            for (reference, at) in references_in_span(self.file, span) {
                self.report(&reference, at, &[]);
            }
        }
    }

    fn report(&mut self, reference: &Reference, span: Span, also_defined: &[&str]) {
        let name = reference.name.as_str();
        if self.defined.contains(name)
            || also_defined.contains(&name)
            || NOT_ENV_ARGS.contains(&name)
            || self.reported.iter().any(|r| r == name)
        {
            return;
        }
        let suggestion = suggest(name, self.defined.iter().map(String::as_str));
        if self.image.is_some() {
            // The base image may set it: report only with evidence of a slip.
            let defined_elsewhere = self
                .definitions
                .get(name)
                .is_some_and(|at| at.iter().any(|&i| i != self.instruction.index));
            if reference.has_default
                || image_env::is_common(name)
                || !(defined_elsewhere || suggestion.is_some())
            {
                return;
            }
        }
        self.reported.push(name.to_string());
        let keyword = self.instruction.keyword.as_str();
        let instruction = self.instruction;
        // A definition later in the same stage: the use comes too early.
        let later = self.definitions.get(name).and_then(|at| {
            at.iter().copied().find(|&i| {
                i > instruction.index && self.file.instructions[i].stage == instruction.stage
            })
        });
        let result = if reference.has_default {
            "so it always takes its default"
        } else {
            "so it expands to an empty string"
        };
        let message = match (later, self.image) {
            (Some(at), _) => {
                let definer = &self.file.instructions[at];
                format!(
                    "`${name}` is used before the {} on line {} defines it: this {keyword} does not see it, {result}",
                    definer.keyword.as_str(),
                    self.file.line_col(definer.span.start).line
                )
            }
            (None, Some(image)) => format!(
                "`${name}` is not defined: no ARG or ENV sets it before this {keyword}, {result} unless the base image `{image}` sets it"
            ),
            (None, None) => format!(
                "`${name}` is not defined: no ARG or ENV sets it before this {keyword}, {result}"
            ),
        };
        let global = self
            .file
            .global_args()
            .any(|i| i.pairs.iter().any(|p| p.key == name));
        let help = match (suggestion, later) {
            (Some(close), _) => format!("did you mean `${close}`?"),
            (None, Some(_)) => "move the definition above this instruction".to_string(),
            (None, None) if global => format!(
                "`{name}` is declared before the first FROM, which only FROM lines see: declare it again inside the stage with `ARG {name}`"
            ),
            (None, None) => {
                format!("define it first: `ARG {name}` (set with `--build-arg`) or `ENV {name}=…`")
            }
        };
        self.out
            .push(Diagnostic::new(&UndefinedVariable::META, span, message).with_help(help));
    }
}
