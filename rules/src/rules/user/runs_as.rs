//! Who the final image's process runs as: the last USER along the chain of stages it is
//! built on, else whatever the base image sets; plus the images and tools that make root
//! at start-up harmless.

use plimsoll_analyzer::{Base, Dockerfile, ImageRef, Instruction, Keyword, Stage};

/// `stage`, then the stage it is built on, and so on; the last one is built on an image
/// or on scratch.
pub fn chain<'a>(file: &'a Dockerfile, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut out = vec![stage];
    let mut current = stage;
    while let Base::Stage(p) = current.base {
        // Stage bases always point backwards; the guard keeps a broken model finite.
        let Some(parent) = file.stages.get(p).filter(|s| s.index < current.index) else {
            break;
        };
        out.push(parent);
        current = parent;
    }
    out
}

/// The USER that decides who the image runs as: the last one of the first stage along the
/// chain that has one.
pub fn last_user<'a>(file: &'a Dockerfile, chain: &[&'a Stage]) -> Option<&'a Instruction> {
    chain.iter().find_map(|stage| {
        file.stage_instructions(stage)
            .iter()
            .rev()
            .find(|i| i.keyword == Keyword::User)
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum User {
    /// User `root` or uid 0, with any group.
    Root,
    NonRoot,
    /// A variable without a known value.
    Unknown,
}

/// The user part of a USER argument, after variable expansion.
pub fn classify(file: &Dockerfile, user: &Instruction) -> (User, Option<String>) {
    let Some(word) = user.words.first() else {
        return (User::Unknown, None);
    };
    // The user is what comes before the first `:` outside `${…}`.
    let raw_user = &word.text[..user_part_end(&word.text)];
    let expanded = file.expand(user.index, raw_user);
    if !expanded.unresolved.is_empty() {
        return (User::Unknown, None);
    }
    // A variable may itself hold `user:group`.
    let name = expanded.text.split(':').next().unwrap_or("").to_string();
    let kind = if is_root(&name) {
        User::Root
    } else if name.is_empty() {
        User::Unknown
    } else {
        User::NonRoot
    };
    (kind, Some(name))
}

fn user_part_end(text: &str) -> usize {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => return i,
            _ => {}
        }
    }
    text.len()
}

pub fn is_root(user: &str) -> bool {
    user == "root"
        || (!user.is_empty()
            && user.bytes().all(|b| b.is_ascii_digit())
            && user.parse() == Ok(0u64))
}

/// Programs that start as root and switch to another user (entrypoint scripts use them).
const PRIVILEGE_DROPPERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "s6-setuidgid",
    "chpst",
    "runuser",
    "setuser",
];

/// Whether a word names one of the tools, as a command, a path, a package or an image.
fn names_dropper(word: &str) -> bool {
    if word.contains("tianon/gosu") || word.contains("ncopa/su-exec") {
        return true;
    }
    let base = word.rsplit('/').next().unwrap_or(word);
    let name = base.split(['=', ':', '@']).next().unwrap_or(base);
    PRIVILEGE_DROPPERS.contains(&name)
}

/// Whether the image runs as root on purpose: the chain installs or runs a
/// privilege-dropping tool (see [`privilege_dropper`]), or it is built on a
/// development-container image (see [`is_dev_container`]).
pub fn root_on_purpose(file: &Dockerfile, chain: &[&Stage]) -> bool {
    privilege_dropper(file, chain).is_some()
        || chain
            .last()
            .is_some_and(|root| matches!(&root.base, Base::Image(image) if is_dev_container(image)))
}

/// The privilege-dropping tool the chain installs or runs, if any: its entrypoint then
/// starts as root on purpose and switches user itself.
fn privilege_dropper<'a>(file: &'a Dockerfile, chain: &[&'a Stage]) -> Option<&'a str> {
    for stage in chain {
        for instruction in file.stage_instructions(stage) {
            let words = instruction
                .words
                .iter()
                .chain(instruction.commands().flat_map(|c| c.argv.iter()))
                .map(|w| w.text.as_str())
                .chain(instruction.flags.iter().filter_map(|f| f.value.as_deref()));
            if let Some(found) = words.into_iter().find(|w| names_dropper(w)) {
                return Some(found);
            }
        }
    }
    None
}

/// The repository without Docker Hub's `library/` and with the registry host, as users
/// write it (`postgres`, `bitnami/redis`, `gcr.io/distroless/static`).
fn repository_name(image: &ImageRef) -> String {
    match image.registry.as_deref() {
        None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io") => image
            .repository
            .strip_prefix("library/")
            .unwrap_or(&image.repository)
            .to_string(),
        Some(host) => format!("{host}/{}", image.repository),
    }
}

/// Why an image is known to run as a non-root user, if it is.
pub fn non_root_image(image: &ImageRef) -> Option<&'static str> {
    let name = repository_name(image);
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    if ["nonroot", "non-root", "rootless"]
        .iter()
        .any(|t| tag.contains(t))
    {
        return Some("its tag says it runs as a non-root user");
    }
    if let Some(rest) = name.strip_prefix("cgr.dev/") {
        let image_name = rest.rsplit('/').next().unwrap_or(rest);
        if !matches!(image_name, "wolfi-base" | "chainguard-base") {
            return Some("Chainguard images run as a non-root user");
        }
    }
    if name.ends_with("-unprivileged") {
        return Some("unprivileged images run as a non-root user");
    }
    if name.starts_with("bitnami/") && name != "bitnami/minideb" {
        return Some("Bitnami images run as uid 1001");
    }
    if name.starts_with("mcr.microsoft.com/dotnet/")
        && (tag.contains("chiseled") || tag.contains("distroless"))
    {
        return Some(".NET chiseled and distroless images run as the `app` user");
    }
    const NON_ROOT: &[&str] = &[
        "jenkins/jenkins",
        "grafana/grafana",
        "grafana/grafana-oss",
        "grafana/k6",
        "sonarqube",
        "memcached",
        "mcr.microsoft.com/mssql/server",
        "quay.io/keycloak/keycloak",
        "apache/airflow",
    ];
    const NON_ROOT_PREFIXES: &[&str] = &[
        "prom/",
        "quay.io/prometheus/",
        "jupyter/",
        "quay.io/jupyter/",
        "docker.elastic.co/",
        "selenium/",
    ];
    if NON_ROOT.contains(&name.as_str()) || NON_ROOT_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Some("the image sets a non-root USER");
    }
    None
}

/// The image as users write it, without a digest.
pub fn display_name(image: &ImageRef) -> String {
    image
        .text
        .split('@')
        .next()
        .unwrap_or(&image.text)
        .to_string()
}

/// Windows bases: their users are `ContainerAdministrator` and `ContainerUser`, not uid 0.
pub fn is_windows(image: &ImageRef) -> bool {
    let text = image.text.to_ascii_lowercase();
    text.starts_with("mcr.microsoft.com/windows")
        || text.starts_with("microsoft/windowsservercore")
        || text.starts_with("microsoft/nanoserver")
        || text.starts_with("mcr.microsoft.com/dotnet/framework/")
        || ["nanoserver", "windowsservercore", "servercore"]
            .iter()
            .any(|w| {
                image
                    .tag
                    .as_deref()
                    .is_some_and(|t| t.to_ascii_lowercase().contains(w))
            })
}

/// Shells and language REPLs: a CMD of just one of these marks a base image meant to be
/// built on (`CMD ["python3"]`), not a service.
const INTERACTIVE: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "fish", "python", "pypy", "node", "irb", "ruby", "php",
    "perl", "jshell", "ghci", "iex", "erl", "julia", "R",
];

/// Whether the image only opens a shell or a REPL: its CMD is one such word, with no
/// ENTRYPOINT or an `…entrypoint…` wrapper script in front of it.
pub fn only_opens_a_shell(file: &Dockerfile, chain: &[&Stage]) -> bool {
    let last_of = |keyword: Keyword| {
        chain.iter().find_map(|stage| {
            file.stage_instructions(stage)
                .iter()
                .rev()
                .find(|i| i.keyword == keyword)
        })
    };
    let Some(cmd) = last_of(Keyword::Cmd) else {
        return false;
    };
    // `CMD ["php", "-a"]`, `CMD ["bash", "-l"]`: interactive flags only.
    let word = match cmd.words.as_slice() {
        [word] => word,
        [word, flag] if matches!(flag.text.as_str(), "-a" | "-i" | "-l") => word,
        _ => return false,
    };
    let program = word.text.rsplit('/').next().unwrap_or(&word.text);
    let name = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if !INTERACTIVE.contains(&name) {
        return false;
    }
    match last_of(Keyword::Entrypoint).and_then(|e| e.words.first()) {
        None => true,
        Some(first) => first.text.contains("entrypoint"),
    }
}

/// Development-container bases: `devcontainer.json` chooses the user, not the image.
fn is_dev_container(image: &ImageRef) -> bool {
    let name = repository_name(image);
    name.starts_with("mcr.microsoft.com/devcontainers/")
        || name.starts_with("mcr.microsoft.com/vscode/devcontainers/")
}

/// Whether an image's own entrypoint starts as root and switches to a service user
/// (official database images with `gosu`/`su-exec`, linuxserver.io images with s6).
pub fn entrypoint_drops_privileges(image: &ImageRef) -> bool {
    const DROPPING: &[&str] = &[
        "postgres",
        "redis",
        "mysql",
        "mariadb",
        "percona",
        "mongo",
        "rabbitmq",
        "cassandra",
        "couchdb",
        "zookeeper",
        "neo4j",
        "ghost",
        "elasticsearch",
        "consul",
        "vault",
        "hashicorp/consul",
        "hashicorp/vault",
    ];
    const DROPPING_PREFIXES: &[&str] = &[
        "linuxserver/",
        "lscr.io/linuxserver/",
        "ghcr.io/linuxserver/",
    ];
    let name = repository_name(image);
    DROPPING.contains(&name.as_str()) || DROPPING_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Whether any stage of the chain has one of the instructions.
pub fn has_instruction(file: &Dockerfile, chain: &[&Stage], keywords: &[Keyword]) -> bool {
    chain.iter().any(|stage| {
        file.stage_instructions(stage)
            .iter()
            .any(|i| keywords.contains(&i.keyword))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        for user in ["root", "0", "00"] {
            assert!(is_root(user), "{user}");
        }
        for user in ["", "app", "1000", "Root", "root2", "65532"] {
            assert!(!is_root(user), "{user}");
        }
    }

    #[test]
    fn user_part_stops_at_the_group() {
        assert_eq!(user_part_end("root:root"), 4);
        assert_eq!(user_part_end("${U:-root}:${G:-0}"), 10);
        assert_eq!(user_part_end("app"), 3);
    }

    #[test]
    fn known_images() {
        let yes = [
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/base:debug-nonroot",
            "cgr.dev/chainguard/python:latest-dev",
            "nginxinc/nginx-unprivileged:1.27-alpine",
            "docker:27-dind-rootless",
            "bitnami/redis:7.2",
            "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled",
            "docker.io/jenkins/jenkins:lts",
        ];
        for image in yes {
            assert!(non_root_image(&ImageRef::parse(image)).is_some(), "{image}");
        }
        let no = [
            "gcr.io/distroless/static-debian12",
            "cgr.dev/chainguard/wolfi-base",
            "bitnami/minideb:bookworm",
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            "python:3.12-slim",
            "nginx:1.27",
        ];
        for image in no {
            assert!(non_root_image(&ImageRef::parse(image)).is_none(), "{image}");
        }
        assert!(entrypoint_drops_privileges(&ImageRef::parse("postgres:16")));
        assert!(entrypoint_drops_privileges(&ImageRef::parse(
            "docker.io/library/redis:7"
        )));
        assert!(entrypoint_drops_privileges(&ImageRef::parse(
            "lscr.io/linuxserver/nginx:latest"
        )));
        assert!(!entrypoint_drops_privileges(&ImageRef::parse("nginx")));
    }
}
