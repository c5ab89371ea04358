use super::runs_as::{
    chain, display_name, entrypoint_drops_privileges, has_instruction, is_windows, last_user,
    non_root_image, only_opens_a_shell, root_on_purpose,
};
use crate::{
    Context, Diagnostic, Edit, Fix, FixAvailability, Rule, RuleMeta, Severity, declare_rule,
};
use plimsoll_analyzer::{Base, Dockerfile, ImageRef, Keyword, Stage};

declare_rule! {
    /// ## What it does
    /// Reports a final stage (the image `docker build` produces without `--target`) that
    /// never sets `USER`, neither itself nor in the stages it is built on, on a base image
    /// that runs as root.
    ///
    /// ## Why is this bad?
    /// Without `USER` the container's process runs as root (uid 0). A bug in the program
    /// then hands an attacker root inside the container: free to rewrite the image's
    /// files, and one kernel or runtime flaw away from root on the host. Kubernetes'
    /// `runAsNonRoot` refuses such images outright.
    ///
    /// The rule stays quiet when the base is known to run as a non-root user:
    /// - any image whose tag contains `nonroot`, `non-root` or `rootless`
    ///   (`gcr.io/distroless/static-debian12:nonroot`, `docker:dind-rootless`);
    /// - `cgr.dev/*` Chainguard images, except `wolfi-base` and `chainguard-base`;
    /// - `*-unprivileged` images (`nginxinc/nginx-unprivileged`);
    /// - `bitnami/*` images, except `bitnami/minideb`;
    /// - `mcr.microsoft.com/dotnet/*` chiseled and distroless tags;
    /// - `jenkins/jenkins`, `grafana/grafana`, `grafana/grafana-oss`, `grafana/k6`,
    ///   `sonarqube`, `memcached`, `mcr.microsoft.com/mssql/server`,
    ///   `quay.io/keycloak/keycloak`, `apache/airflow`, and `prom/*`,
    ///   `quay.io/prometheus/*`, `jupyter/*`, `quay.io/jupyter/*`, `docker.elastic.co/*`,
    ///   `selenium/*`.
    ///
    /// It also stays quiet when the image starts as root on purpose and switches user
    /// itself: when a stage of the chain installs or runs `gosu`, `su-exec`, `setpriv`,
    /// `s6-setuidgid`, `chpst`, `runuser` or `setuser`, or when the base is an official
    /// image whose entrypoint does so (`postgres`, `redis`, `mysql`, `mariadb`, `percona`,
    /// `mongo`, `rabbitmq`, `cassandra`, `couchdb`, `zookeeper`, `neo4j`, `ghost`,
    /// `elasticsearch`, `consul`, `vault`, linuxserver.io images) and the file does not
    /// replace that entrypoint.
    ///
    /// Images that do not say what they run (no `CMD` or `ENTRYPOINT` in the final stage
    /// or the stages it is built on), or only open a shell or a language REPL
    /// (`CMD ["bash"]`, `CMD ["python3"]`, possibly behind an `…entrypoint…` script), are
    /// not reported: they are bases for other Dockerfiles, which choose the user, or
    /// scratch stages that only collect files for `docker build --output`. Windows bases
    /// (`mcr.microsoft.com/windows/*`, `nanoserver`, `servercore` tags) are not reported:
    /// their accounts are `ContainerAdministrator` and `ContainerUser`, not uid 0. Development containers built on
    /// `mcr.microsoft.com/devcontainers/*` or `mcr.microsoft.com/vscode/devcontainers/*`
    /// are not reported either: `devcontainer.json` picks their user. A base image whose
    /// name is a build argument without a default is unknown and not reported. A final
    /// stage built `FROM scratch` that runs a program runs it as uid 0 and is reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --system --create-home app
    /// COPY . /app
    /// USER app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds `USER 65532:65532` (a numeric id works without an `/etc/passwd`
    /// entry) before the final stage's closing `CMD`/`ENTRYPOINT` block, or at its end.
    /// It is unsafe: the program may need to write to files owned by root, bind a port
    /// below 1024, or expect a home directory.
    ///
    /// ## References
    /// - [Dockerfile reference: USER](https://docs.docker.com/reference/dockerfile/#user)
    /// - [Docker best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
    /// - [CIS Docker Benchmark 4.1: create a user for the container](https://www.cisecurity.org/benchmark/docker)
    pub struct FinalStageRunsAsRoot {
        code: "PL600",
        name: "final-stage-runs-as-root",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::Always,
        default_enabled: true,
        summary: "The final image never sets USER, so its container runs as root",
    }
}

/// The user the fix switches to: distroless's `nonroot`, as a number.
const NON_ROOT_USER: &str = "65532:65532";

impl Rule for FinalStageRunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        let Some(last) = file.final_stage() else {
            return;
        };
        let chain = chain(file, last);
        if last_user(file, &chain).is_some() {
            return;
        }
        let Some(root) = chain.last().copied() else {
            return;
        };
        // An image that does not say what it runs is a base for other Dockerfiles, which
        // choose the user (and a scratch one may only collect files for `--output`).
        if !has_instruction(file, &chain, &[Keyword::Cmd, Keyword::Entrypoint])
            || only_opens_a_shell(file, &chain)
        {
            return;
        }
        let base = match &root.base {
            Base::Image(image) => {
                if !image_is_known(root, image)
                    || non_root_image(image).is_some()
                    || is_windows(image)
                    || (entrypoint_drops_privileges(image)
                        && !has_instruction(file, &chain, &[Keyword::Entrypoint]))
                {
                    return;
                }
                Some(image)
            }
            Base::Scratch => None,
            Base::Stage(_) => return,
        };
        if root_on_purpose(file, &chain) {
            return;
        }

        // As written when a build argument has no value (`python:${PY}`).
        let shown = |image: &ImageRef| match &root.image_word {
            Some(word) if !root.unresolved_vars.is_empty() => word.text.clone(),
            _ => display_name(image),
        };
        let message = match (base, chain.len()) {
            (Some(image), 1) => format!(
                "the final stage never sets USER, so the container runs as `{}`'s default \
                 user, root",
                shown(image)
            ),
            (Some(image), _) => format!(
                "neither the final stage nor the stages it is built on set USER, so the \
                 container runs as `{}`'s default user, root",
                shown(image)
            ),
            (None, _) => "the final stage is built on scratch and never sets USER, so its \
                          program runs as uid 0, root"
                .to_string(),
        };
        let span = last
            .image_word
            .as_ref()
            .map_or(file.instructions[last.from].keyword_span, |w| w.span);
        let (at, insert, place) = insertion(file, last);
        out.push(
            Diagnostic::new(&Self::META, span, message)
                .with_help(help(file, &chain, base))
                .with_fix(Fix::unsafe_edit(
                    format!("Add `USER {NON_ROOT_USER}` {place}"),
                    vec![Edit::insert(at, insert)],
                )),
        );
    }
}

/// Whether the base image's name is known (a build argument without a default leaves it
/// open; an unknown tag of a distroless image may be its `nonroot` one).
fn image_is_known(root: &Stage, image: &ImageRef) -> bool {
    let Some(word) = &root.image_word else {
        return false;
    };
    if image.text.is_empty() {
        return false;
    }
    if root.unresolved_vars.is_empty() {
        return true;
    }
    let raw = ImageRef::parse(&word.text);
    let name_unknown =
        raw.repository.contains('$') || raw.registry.as_deref().is_some_and(|r| r.contains('$'));
    !name_unknown && !image.text.starts_with("gcr.io/distroless/")
}

fn help(file: &Dockerfile, chain: &[&Stage], base: Option<&ImageRef>) -> String {
    let Some(image) = base else {
        return format!(
            "add `USER {NON_ROOT_USER}` before the CMD/ENTRYPOINT: a numeric id needs no \
             /etc/passwd in a scratch image"
        );
    };
    if image.text.starts_with("gcr.io/distroless/") {
        return format!(
            "use the image's `:nonroot` tag, or add `USER {NON_ROOT_USER}` (distroless's \
             `nonroot` user) before the CMD/ENTRYPOINT"
        );
    }
    if display_name(image).starts_with("node:") || image.text == "node" {
        return "switch to the `node` user the image already has, before the \
                CMD/ENTRYPOINT: `USER node`"
            .to_string();
    }
    if image.text.starts_with("mcr.microsoft.com/dotnet/") {
        return "switch to the `app` user .NET 8+ images already have, before the \
                CMD/ENTRYPOINT: `USER $APP_UID`"
            .to_string();
    }
    let alpine = image.text.contains("alpine")
        || chain.iter().any(|stage| {
            file.stage_instructions(stage)
                .iter()
                .flat_map(|i| i.commands())
                .any(|c| c.program() == Some("apk"))
        });
    if alpine {
        "create a user and switch to it before the CMD/ENTRYPOINT: `RUN addgroup -S app && \
         adduser -S -G app app`, then `USER app`"
            .to_string()
    } else {
        "create a user and switch to it before the CMD/ENTRYPOINT: `RUN useradd --system \
         --create-home app`, then `USER app`"
            .to_string()
    }
}

/// Where `USER` goes: before the block of instructions at the end of the final stage that
/// only describe how to run (CMD, ENTRYPOINT, EXPOSE…), or after its last instruction.
fn insertion(file: &Dockerfile, stage: &Stage) -> (usize, String, &'static str) {
    let instructions = file.stage_instructions(stage);
    let metadata_only = |k: Keyword| {
        matches!(
            k,
            Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Expose
                | Keyword::Healthcheck
                | Keyword::Label
                | Keyword::Stopsignal
                | Keyword::Env
                | Keyword::Arg
                | Keyword::Maintainer
        )
    };
    let tail_start = instructions
        .iter()
        .rposition(|i| !metadata_only(i.keyword))
        .map_or(0, |p| p + 1);
    let tail = &instructions[tail_start..];
    let first_run = tail
        .iter()
        .position(|i| matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint));
    match first_run {
        Some(p) => {
            // Before the first CMD/ENTRYPOINT of the closing block, with the comments
            // directly above it.
            let instruction = &tail[p];
            let start = file
                .comments_above(instruction)
                .next()
                .map_or(instruction.span.start, |c| c.span.start);
            let line = file.lines.line_of(start);
            let at = file.lines.line_start(line);
            let indent: String = file.text[at..start]
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            (
                at,
                format!("{indent}USER {NON_ROOT_USER}\n"),
                "before the CMD/ENTRYPOINT",
            )
        }
        None => {
            let end = instructions.last().map_or(file.text.len(), |i| i.span.end);
            (
                end,
                format!("\nUSER {NON_ROOT_USER}"),
                "at the end of the final stage",
            )
        }
    }
}
