use crate::helpers::build::{STANDARD_PATH, basename, join, outputs};
use crate::helpers::copy::{CopyArgs, Origin};
use crate::helpers::edits::{keyword_as, line_break};
use crate::helpers::path::normalize;
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, LinkedFile, Rule, RuleMeta, Severity,
    declare_rule,
};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Base, Dockerfile, Form, Instruction, Keyword, Span, Stage};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// Reports a final stage that runs a compiled program copied from an earlier stage on
    /// a Linux distribution image (`debian`, `ubuntu`, `alpine`, `fedora`…) when the
    /// program needs nothing of the distribution: a Go program (built with `go build`
    /// in the stage it is copied from, unless that stage turns cgo on), or, when
    /// `plimsoll optimize` has read the built image, any ELF program, whose dynamic loader
    /// and shared libraries are then known.
    ///
    /// The stage must hold only what a stage without a distribution can do: COPY, runtime
    /// configuration (ENV, ARG, LABEL, EXPOSE, VOLUME, STOPSIGNAL, WORKDIR, a numeric
    /// USER), an exec-form CMD/ENTRYPOINT that starts the copied program (and a HEALTHCHECK
    /// that runs the same program, if any), and RUNs that only install packages. Anything else (another RUN, a shell-form command, SHELL, a
    /// user by name) keeps the rule quiet: the stage needs its distribution.
    ///
    /// ## Why is this bad?
    /// A distribution base brings a shell, a package manager, coreutils and their
    /// libraries — tens of megabytes that the program never loads, that every pull
    /// downloads and every scanner reports vulnerabilities in. A program that needs no
    /// shared library, or only a few, runs `FROM scratch` with just those files.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// WORKDIR /src
    /// COPY . .
    /// RUN go build -o /out/server ./cmd/server
    ///
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y ca-certificates && rm -rf /var/lib/apt/lists/*
    /// COPY --from=builder /out/server /usr/local/bin/server
    /// ENTRYPOINT ["server"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// WORKDIR /src
    /// COPY . .
    /// ENV CGO_ENABLED=0 GOFLAGS=-ldflags=-s
    /// RUN go build -o /out/server ./cmd/server
    ///
    /// FROM scratch
    /// COPY --from=builder /out/server /usr/local/bin/server
    /// COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
    /// ENTRYPOINT ["server"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix is unsafe: the runtime image loses everything the distribution had. It
    /// replaces the base with `scratch`, removes the stage's package installs (their
    /// message names the packages that go), and copies from the program's stage:
    /// - for a Go program, nothing more: `ENV CGO_ENABLED=0` goes before the RUN that
    ///   builds it, so the program is linked statically (a program that needs cgo then
    ///   fails to build, which `optimize` reports and undoes), with `GOFLAGS=-ldflags=-s`
    ///   unless the stage sets `GOFLAGS` itself: the linker leaves out the symbol table
    ///   and the DWARF debugging data, a third of the file, which the program never reads
    ///   (panics and profiles use Go's own tables; an `-ldflags` on the command line still
    ///   wins);
    /// - otherwise the dynamic loader and every shared library the built program loads,
    ///   each where the loader looks for it (`/etc/ld.so.cache` too when a library is
    ///   found only through `/etc/ld.so.conf`);
    /// - the CA certificate bundle when the stage installed `ca-certificates`, and
    ///   `/usr/share/zoneinfo` when it installed `tzdata`.
    ///
    /// What the program reads or runs besides these (a helper program, locale data, a
    /// plug-in it opens by name) is not there: build and run the result — `plimsoll
    /// optimize` does both and keeps the change only when the program behaves the same.
    ///
    /// ## References
    /// - [Multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    /// - [Create a minimal base image using scratch](https://docs.docker.com/build/building/base-images/#create-a-minimal-base-image-using-scratch)
    /// - [cgo and static linking (`CGO_ENABLED`)](https://pkg.go.dev/cmd/cgo)
    pub struct RuntimeStageOnDistribution {
        code: "PL502",
        name: "runtime-stage-on-distribution",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes,
        default_enabled: true,
        summary: "A runtime stage runs a self-contained program on a whole distribution",
    }
}

/// Repositories (last path segment) of Linux distribution images.
const DISTRIBUTIONS: &[&str] = &[
    "debian",
    "ubuntu",
    "alpine",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "archlinux",
    "photon",
    "leap",
    "tumbleweed",
    "ubi8",
    "ubi9",
    "ubi8-minimal",
    "ubi9-minimal",
    "ubi-minimal",
];

/// Package managers whose commands a package-install RUN consists of.
const PACKAGE_MANAGERS: &[&str] = &["apt-get", "apt", "apk", "dnf", "yum", "microdnf"];

/// How the copied program will run without a distribution.
enum Needs<'a> {
    /// Statically linked already.
    Nothing,
    /// A Go program built with cgo: it is rebuilt without (the ENV goes before this RUN),
    /// and without its symbol table when the stage sets no `GOFLAGS` of its own.
    StaticRebuild { run: &'a Instruction, strip: bool },
    /// The loader and libraries the built image showed.
    Libraries(&'a [LinkedFile]),
}

/// A COPY of the final stage that brings the started program.
struct ProgramCopy<'a> {
    copy: &'a Instruction,
    /// The `--from` value as written.
    from: &'a str,
    source_stage: &'a Stage,
    /// The program's path in the source stage.
    source: String,
    /// Its path in this stage.
    target: String,
}

impl Rule for RuntimeStageOnDistribution {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let Some(stage) = file.stages.last().filter(|_| file.stages.len() > 1) else {
            return;
        };
        let (Base::Image(image), Some(image_word)) = (&stage.base, &stage.image_word) else {
            return;
        };
        let repository = image.repository.rsplit('/').next().unwrap_or_default();
        if !DISTRIBUTIONS.contains(&repository) || image_word.text.contains('$') {
            return;
        }
        let instructions = file.stage_instructions(stage);
        let mut package_runs: Vec<&Instruction> = Vec::new();
        let mut start: Option<&Instruction> = None;
        let mut healthcheck: Option<&Instruction> = None;
        for instruction in instructions.iter().skip(1) {
            match instruction.keyword {
                Keyword::Copy if !named_chown(instruction) => {}
                Keyword::Run if installs_packages_only(instruction) => {
                    package_runs.push(instruction);
                }
                Keyword::User if numeric_user(instruction) => {}
                Keyword::Healthcheck => healthcheck = Some(instruction),
                Keyword::Cmd | Keyword::Entrypoint => {
                    if instruction.keyword == Keyword::Entrypoint
                        || start.is_none_or(|s| s.keyword == Keyword::Cmd)
                    {
                        start = Some(instruction);
                    }
                }
                Keyword::Env
                | Keyword::Arg
                | Keyword::Label
                | Keyword::Maintainer
                | Keyword::Expose
                | Keyword::Volume
                | Keyword::Stopsignal => {}
                Keyword::Workdir
                    if instruction
                        .words
                        .first()
                        .is_some_and(|w| w.text.starts_with('/') && !w.text.contains('$')) => {}
                _ => return,
            }
        }
        let Some(start) = start.filter(|s| s.is_exec_form()) else {
            return;
        };
        let Some(program) = start.words.first().map(|w| w.text.as_str()) else {
            return;
        };
        if healthcheck.is_some_and(|check| healthcheck_needs_more(check, program)) {
            return;
        }
        let Some(copied) = program_copy(file, stage, instructions, program) else {
            return;
        };
        let Some(needs) = needs(file, &copied, &ctx.options.shared_libraries) else {
            return;
        };
        let kind = match needs {
            Needs::Nothing => "a statically linked program".to_string(),
            Needs::StaticRebuild { .. } => "a Go program".to_string(),
            Needs::Libraries(files) => format!(
                "a program that loads {} file{} besides itself",
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            ),
        };
        let diagnostic = Diagnostic::new(
            &Self::META,
            image_word.span,
            format!(
                "this stage runs only `{program}`, {kind} copied from stage `{}`, but ships \
                 the whole `{}` distribution",
                copied.from, image_word.text
            ),
        )
        .with_help("run it `FROM scratch` with only the files it loads");
        match fix(file, image_word.span, &package_runs, &copied, &needs) {
            Some(fix) => out.push(diagnostic.with_fix(fix)),
            None => out.push(diagnostic.with_help(format!(
                "run it `FROM scratch` with only the files it loads; stage `{}` would have to \
                 install the packages whose files the program reads (CA certificates, time \
                 zones) for a fix to copy them",
                copied.from
            ))),
        }
    }
}

/// `COPY --chown=name`: the name means nothing without the distribution's `/etc/passwd`.
fn named_chown(copy: &Instruction) -> bool {
    copy.flag("chown")
        .and_then(|f| f.value.as_deref())
        .is_some_and(|owner| !owner.split(':').all(is_number))
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn numeric_user(user: &Instruction) -> bool {
    user.words
        .first()
        .is_some_and(|w| w.text.split(':').all(is_number))
}

/// Whether a HEALTHCHECK runs something other than `program` (a shell for `CMD-SHELL`
/// or the shell form, a tool like `curl` from the distribution): `scratch` has neither.
fn healthcheck_needs_more(check: &Instruction, program: &str) -> bool {
    let first = check.words.first().map(|w| w.text.to_ascii_uppercase());
    match first.as_deref() {
        Some("NONE") => false,
        // The exec form's array is the form's, not the words'.
        Some("CMD") => match &check.form {
            Form::Exec(args) => args.first().is_none_or(|w| w.text != program),
            _ => true,
        },
        _ => true,
    }
}

/// A RUN made only of package-manager commands and the clean-up after them.
fn installs_packages_only(run: &Instruction) -> bool {
    run.heredocs.is_empty()
        && run.script.is_some()
        && run.commands().all(|c| match c.program() {
            Some(p) if PACKAGE_MANAGERS.contains(&p) => true,
            Some("rm") => c.program_args().iter().all(|w| {
                w.text.starts_with('-')
                    || w.text.starts_with("/var/lib/apt/lists")
                    || w.text.starts_with("/var/cache/")
            }),
            _ => false,
        })
}

/// Package names a package-install RUN installs.
fn installed_packages(run: &Instruction) -> Vec<String> {
    run.commands()
        .filter(|c| c.program().is_some_and(|p| PACKAGE_MANAGERS.contains(&p)))
        .filter(|c| {
            c.subcommand()
                .is_some_and(|s| matches!(s.text.as_str(), "install" | "add"))
        })
        .flat_map(Command::operands_after_subcommand)
        .map(|w| {
            w.text
                .split(['=', '>', '<', '~'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The COPY that brings the program the stage starts, from an earlier stage.
fn program_copy<'a>(
    file: &'a Dockerfile,
    stage: &Stage,
    instructions: &'a [Instruction],
    program: &str,
) -> Option<ProgramCopy<'a>> {
    if program.contains('$') {
        return None;
    }
    let wanted: Vec<String> = if program.starts_with('/') {
        vec![normalize(program)]
    } else if program.contains('/') {
        return None;
    } else {
        STANDARD_PATH
            .iter()
            .map(|d| format!("{d}/{program}"))
            .collect()
    };
    // The last COPY that writes the path wins, as in the image.
    instructions.iter().rev().find_map(|instruction| {
        let copy = CopyArgs::of(instruction)?;
        let Origin::From(from) = copy.origin else {
            return None;
        };
        let source_stage = file.stages[..stage.index].iter().rev().find(|s| {
            s.key().as_deref() == Some(from.to_ascii_lowercase().as_str())
                || from.parse::<usize>() == Ok(s.index)
        })?;
        let dest = copy.dest.text.as_str();
        if dest.contains('$') || !dest.starts_with('/') {
            return None;
        }
        let into_dir = dest.ends_with('/') || copy.sources.len() > 1;
        copy.sources.iter().find_map(|source| {
            let text = source.text.as_str();
            if text.contains(['$', '*', '?', '[']) || !text.starts_with('/') {
                return None;
            }
            let target = if into_dir {
                join(dest, basename(text))
            } else {
                normalize(dest)
            };
            wanted.contains(&target).then(|| ProgramCopy {
                copy: instruction,
                from,
                source_stage,
                source: normalize(text),
                target,
            })
        })
    })
}

/// What the program needs, when that is known; `None` keeps the rule quiet.
fn needs<'a>(
    file: &'a Dockerfile,
    copied: &ProgramCopy<'a>,
    libraries: &'a BTreeMap<String, Vec<LinkedFile>>,
) -> Option<Needs<'a>> {
    let instructions: Vec<&Instruction> = file
        .stage_instructions(copied.source_stage)
        .iter()
        .collect();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    // The RUN whose `go build -o` makes the copied file, and the cgo setting then.
    for (i, instruction) in instructions.iter().enumerate() {
        if instruction.keyword == Keyword::Env {
            for pair in &instruction.pairs {
                if let Some(value) = &pair.value {
                    env.insert(pair.key.clone(), value.text.clone());
                }
            }
        }
        if instruction.keyword != Keyword::Run {
            continue;
        }
        let made = outputs(&instructions[..=i], &|k| env.get(k).cloned());
        if !made.files.iter().any(|f| f.go && f.path == copied.source) {
            continue;
        }
        let assigned = instruction
            .commands()
            .filter(|c| c.program() == Some("go"))
            .flat_map(|c| c.assignments.iter())
            .find_map(|w| w.text.strip_prefix("CGO_ENABLED=").map(str::to_string));
        return match assigned
            .or_else(|| env.get("CGO_ENABLED").cloned())
            .as_deref()
        {
            Some("0") => Some(Needs::Nothing),
            // The author asked for cgo: what the program loads is known only from the
            // built image.
            Some(_) => facts(copied, libraries),
            None => Some(Needs::StaticRebuild {
                run: instruction,
                strip: !env.contains_key("GOFLAGS")
                    && !instruction
                        .commands()
                        .flat_map(|c| c.assignments.iter())
                        .any(|w| w.text.starts_with("GOFLAGS=")),
            }),
        };
    }
    facts(copied, libraries)
}

/// What the built image showed about the program: looked up where the image has it (the
/// copy's destination) or, for a file the caller looked up in the source stage, there.
fn facts<'a>(
    copied: &ProgramCopy<'_>,
    libraries: &'a BTreeMap<String, Vec<LinkedFile>>,
) -> Option<Needs<'a>> {
    libraries
        .get(&copied.target)
        .or_else(|| libraries.get(&copied.source))
        .map(|files| library_needs(files))
}

fn library_needs(files: &[LinkedFile]) -> Needs<'_> {
    if files.is_empty() {
        Needs::Nothing
    } else {
        Needs::Libraries(files)
    }
}

/// Data files a package provides that programs read without a distribution's help.
fn package_files(package: &str, manager: Option<&str>) -> Option<&'static str> {
    match package {
        "ca-certificates" if matches!(manager, Some("dnf" | "yum" | "microdnf")) => {
            Some("/etc/pki/tls/certs/ca-bundle.crt")
        }
        "ca-certificates" => Some("/etc/ssl/certs/ca-certificates.crt"),
        "tzdata" => Some("/usr/share/zoneinfo"),
        _ => None,
    }
}

/// The span of an instruction with its line break, for deleting it.
fn whole_lines(file: &Dockerfile, instruction: &Instruction) -> Span {
    let text = &file.text;
    let mut end = instruction.span.end;
    if text[end..].starts_with("\r\n") {
        end += 2;
    } else if text[end..].starts_with('\n') {
        end += 1;
    }
    Span::new(instruction.span.start, end)
}

fn fix(
    file: &Dockerfile,
    image: Span,
    package_runs: &[&Instruction],
    copied: &ProgramCopy<'_>,
    needs: &Needs<'_>,
) -> Option<Fix> {
    let newline = line_break(&file.text);
    let mut edits = vec![Edit::replace(image, "scratch")];
    let mut dropped: Vec<String> = Vec::new();
    let mut data: Vec<&str> = Vec::new();
    for run in package_runs {
        edits.push(Edit::delete(whole_lines(file, run)));
        let manager = run
            .commands()
            .find_map(|c| c.program().filter(|p| PACKAGE_MANAGERS.contains(p)));
        for package in installed_packages(run) {
            match package_files(&package, manager) {
                // The files come from the program's stage, which must have them.
                Some(_) if !stage_installs(file, copied.source_stage, &package) => return None,
                Some(path) if !data.contains(&path) => data.push(path),
                Some(_) => {}
                None if !dropped.contains(&package) => dropped.push(package),
                None => {}
            }
        }
    }
    // Each file where the loader looks for it; files whose name is kept share a COPY
    // per directory.
    let mut copies: Vec<(Vec<String>, String)> = Vec::new();
    if let Needs::Libraries(files) = needs {
        let mut by_dir: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for linked in files.iter() {
            match linked.dest.rsplit_once('/') {
                Some((dir, name)) if basename(&linked.source) == name && !dir.is_empty() => {
                    by_dir
                        .entry(format!("{dir}/"))
                        .or_default()
                        .push(linked.source.clone());
                }
                _ => copies.push((vec![linked.source.clone()], linked.dest.clone())),
            }
        }
        copies.extend(by_dir.into_iter().map(|(dir, sources)| (sources, dir)));
    }
    for path in &data {
        copies.push((vec![path.to_string()], path.to_string()));
    }
    let mut added = String::new();
    for (sources, dest) in &copies {
        added.push_str(&format!(
            "{newline}{} --from={} {} {dest}",
            keyword_as(copied.copy, &file.text, "COPY"),
            copied.from,
            sources.join(" ")
        ));
    }
    if !added.is_empty() {
        edits.push(Edit::insert(copied.copy.span.end, added));
    }
    let mut message = String::from("Run from `scratch`");
    match needs {
        Needs::Nothing => {}
        Needs::StaticRebuild { run, strip } => {
            let keyword = keyword_as(run, &file.text, "ENV");
            let flags = if *strip { " GOFLAGS=-ldflags=-s" } else { "" };
            edits.push(Edit::insert(
                run.span.start,
                format!("{keyword} CGO_ENABLED=0{flags}{newline}"),
            ));
            message.push_str(if *strip {
                ", the Go program linked statically and without its symbol table"
            } else {
                ", the Go program linked statically (CGO_ENABLED=0)"
            });
        }
        Needs::Libraries(files) => {
            message.push_str(&format!(
                " with the {} files the program loads",
                files.len()
            ));
        }
    }
    if !data.is_empty() {
        message.push_str(&format!(", and {}", data.join(", ")));
    }
    if !dropped.is_empty() {
        message.push_str(&format!("; no longer installed: {}", dropped.join(" ")));
    }
    Some(Fix::unsafe_edit(message, edits))
}

/// Images that come with CA certificates (the official language images build on
/// `buildpack-deps`, which installs them).
const IMAGES_WITH_CERTIFICATES: &[&str] = &["golang", "rust", "buildpack-deps", "gcc"];

/// Whether `stage` has `package`: one of its RUNs installs it, or (CA certificates) its
/// base image comes with them.
fn stage_installs(file: &Dockerfile, stage: &Stage, package: &str) -> bool {
    if package == "ca-certificates"
        && let Base::Image(image) = &stage.base
        && IMAGES_WITH_CERTIFICATES
            .contains(&image.repository.rsplit('/').next().unwrap_or_default())
    {
        return true;
    }
    file.stage_instructions(stage)
        .iter()
        .filter(|i| i.keyword == Keyword::Run)
        .any(|run| installed_packages(run).iter().any(|p| p == package))
}
