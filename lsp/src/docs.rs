//! Short reference pages for instructions and their flags, shown on hover and in
//! completion. Written for this project; the full reference is Docker's, linked from each.

use plimsoll_analyzer::Keyword;

pub struct InstructionDoc {
    pub keyword: Keyword,
    pub syntax: &'static str,
    pub summary: &'static str,
}

pub const INSTRUCTIONS: &[InstructionDoc] = &[
    InstructionDoc {
        keyword: Keyword::From,
        syntax: "FROM [--platform=<platform>] <image>[:<tag>][@<digest>] [AS <name>]",
        summary: "Starts a build stage on a base image, an earlier stage or `scratch`. Only \
                  ARGs declared before the first FROM can be used in it. `AS <name>` lets \
                  later stages and `COPY --from` refer to the stage.",
    },
    InstructionDoc {
        keyword: Keyword::Run,
        syntax: "RUN [--mount=…] [--network=…] [--security=…] <command> | [\"exe\", \"arg\"…]",
        summary: "Runs a command in a new layer at build time. The shell form runs through \
                  the stage's SHELL (`/bin/sh -c` by default); the exec form runs the program \
                  directly, without variable expansion. Heredocs (`RUN <<EOF`) pass a script.",
    },
    InstructionDoc {
        keyword: Keyword::Cmd,
        syntax: "CMD [\"exe\", \"arg\"…] | [\"arg\"…] | <command>",
        summary: "The default command of a container, or the default arguments of the \
                  ENTRYPOINT. Only the last CMD of the final stage counts. The exec form \
                  lets the process receive signals directly.",
    },
    InstructionDoc {
        keyword: Keyword::Label,
        syntax: "LABEL <key>=<value> [<key>=<value>…]",
        summary: "Adds metadata to the image (OCI annotations such as \
                  `org.opencontainers.image.source`). Labels are inherited from the base \
                  image.",
    },
    InstructionDoc {
        keyword: Keyword::Maintainer,
        syntax: "MAINTAINER <name>",
        summary: "Deprecated: sets the author field. Use \
                  `LABEL org.opencontainers.image.authors=…` instead.",
    },
    InstructionDoc {
        keyword: Keyword::Expose,
        syntax: "EXPOSE <port>[/<protocol>] [<port>[/<protocol>]…]",
        summary: "Documents the ports the container listens on (TCP unless `/udp`). It \
                  publishes nothing by itself.",
    },
    InstructionDoc {
        keyword: Keyword::Env,
        syntax: "ENV <key>=<value> [<key>=<value>…]",
        summary: "Sets environment variables for the rest of the stage, for child stages and \
                  in the running container. Values are stored in the image: never put \
                  secrets here.",
    },
    InstructionDoc {
        keyword: Keyword::Add,
        syntax: "ADD [--chown=…] [--chmod=…] [--checksum=…] [--link] <src>… <dest>",
        summary: "Copies files, URLs or git repositories into the image and unpacks local \
                  tar archives. Prefer COPY for plain files: ADD's extra behaviour surprises.",
    },
    InstructionDoc {
        keyword: Keyword::Copy,
        syntax: "COPY [--from=<stage|image>] [--chown=…] [--chmod=…] [--link] [--parents] \
                 [--exclude=…] <src>… <dest>",
        summary: "Copies files from the build context, or from another stage or image with \
                  `--from`. Copy what changes least first, so the layer cache survives code \
                  edits.",
    },
    InstructionDoc {
        keyword: Keyword::Entrypoint,
        syntax: "ENTRYPOINT [\"exe\", \"arg\"…] | <command>",
        summary: "The program a container runs; CMD supplies its default arguments. The \
                  shell form wraps it in `/bin/sh -c`, which then receives the signals \
                  instead of your program.",
    },
    InstructionDoc {
        keyword: Keyword::Volume,
        syntax: "VOLUME [\"/path\"…] | /path…",
        summary: "Declares mount points for external volumes. Changes to a volume path in \
                  later build steps are discarded.",
    },
    InstructionDoc {
        keyword: Keyword::User,
        syntax: "USER <user>[:<group>] | <uid>[:<gid>]",
        summary: "The user (and group) for the following RUN, CMD and ENTRYPOINT and for \
                  the container. Without it, containers run as root.",
    },
    InstructionDoc {
        keyword: Keyword::Workdir,
        syntax: "WORKDIR <path>",
        summary: "Sets (and creates) the working directory for the following instructions. \
                  Use it instead of `RUN cd …`.",
    },
    InstructionDoc {
        keyword: Keyword::Arg,
        syntax: "ARG <name>[=<default>] [<name>[=<default>]…]",
        summary: "Declares a build argument, set with `docker build --build-arg`. Before the \
                  first FROM it is visible to FROM lines; inside a stage it must be declared \
                  again to be used there. Values can end up in the image's history.",
    },
    InstructionDoc {
        keyword: Keyword::Onbuild,
        syntax: "ONBUILD <instruction>",
        summary: "Registers an instruction that runs when another image is built FROM this \
                  one.",
    },
    InstructionDoc {
        keyword: Keyword::Stopsignal,
        syntax: "STOPSIGNAL <signal>",
        summary: "The signal `docker stop` sends to the container's main process \
                  (`SIGTERM` by default).",
    },
    InstructionDoc {
        keyword: Keyword::Healthcheck,
        syntax: "HEALTHCHECK [--interval=…] [--timeout=…] [--start-period=…] [--retries=…] \
                 CMD <command> | HEALTHCHECK NONE",
        summary: "How the engine checks that the container still works; `NONE` disables a \
                  check inherited from the base image.",
    },
    InstructionDoc {
        keyword: Keyword::Shell,
        syntax: "SHELL [\"executable\", \"parameters\"…]",
        summary: "The shell used by the shell form of the following RUN, CMD and \
                  ENTRYPOINT (`[\"/bin/sh\", \"-c\"]` by default). Must be written in JSON \
                  form.",
    },
];

pub fn instruction(keyword: Keyword) -> Option<&'static InstructionDoc> {
    INSTRUCTIONS.iter().find(|d| d.keyword == keyword)
}

/// Docker's reference for an instruction.
pub fn reference_url(keyword: Keyword) -> String {
    format!(
        "https://docs.docker.com/reference/dockerfile/#{}",
        keyword.as_str().to_ascii_lowercase()
    )
}

/// Markdown for hovering an instruction keyword.
pub fn instruction_markdown(keyword: Keyword) -> Option<String> {
    let doc = instruction(keyword)?;
    Some(format!(
        "```dockerfile\n{}\n```\n\n{}\n\n[Dockerfile reference]({})",
        doc.syntax,
        doc.summary,
        reference_url(keyword)
    ))
}

pub struct FlagDoc {
    pub keywords: &'static [Keyword],
    pub name: &'static str,
    pub value: &'static str,
    pub summary: &'static str,
}

const COPY_ADD: &[Keyword] = &[Keyword::Copy, Keyword::Add];

pub const FLAGS: &[FlagDoc] = &[
    FlagDoc {
        keywords: &[Keyword::From],
        name: "platform",
        value: "<os>/<arch>[/<variant>]",
        summary: "Pull the base image for this platform instead of the target platform \
                  (`--platform=$BUILDPLATFORM` builds natively and cross-compiles).",
    },
    FlagDoc {
        keywords: &[Keyword::Run],
        name: "mount",
        value: "type=cache|bind|secret|ssh|tmpfs[,option=value…]",
        summary: "Mounts something for this RUN only: a persistent package cache, files \
                  from the context or a stage (`from=`), a secret or the SSH agent. Nothing \
                  mounted ends up in the layer.",
    },
    FlagDoc {
        keywords: &[Keyword::Run],
        name: "network",
        value: "default|none|host",
        summary: "The network this RUN gets; `none` proves a step needs no downloads.",
    },
    FlagDoc {
        keywords: &[Keyword::Run],
        name: "security",
        value: "sandbox|insecure",
        summary: "`insecure` runs the command with elevated privileges (needs the \
                  `security.insecure` entitlement).",
    },
    FlagDoc {
        keywords: &[Keyword::Run],
        name: "device",
        value: "<name>[,required]",
        summary: "Gives the command access to a CDI device (labs syntax).",
    },
    FlagDoc {
        keywords: &[Keyword::Copy],
        name: "from",
        value: "<stage>|<image>|<context>",
        summary: "Copy from an earlier build stage (by name or index), an image or a named \
                  context instead of the build context.",
    },
    FlagDoc {
        keywords: COPY_ADD,
        name: "chown",
        value: "<user>[:<group>]",
        summary: "Owner of the copied files (default: root). Cheaper than a later \
                  `RUN chown`, which duplicates the files in a new layer.",
    },
    FlagDoc {
        keywords: COPY_ADD,
        name: "chmod",
        value: "<mode>",
        summary: "Permissions of the copied files, octal or symbolic.",
    },
    FlagDoc {
        keywords: COPY_ADD,
        name: "link",
        value: "",
        summary: "Copy into an independent layer, so it stays cached when earlier layers \
                  change.",
    },
    FlagDoc {
        keywords: COPY_ADD,
        name: "parents",
        value: "",
        summary: "Keep the source's parent directories under the destination.",
    },
    FlagDoc {
        keywords: COPY_ADD,
        name: "exclude",
        value: "<pattern>",
        summary: "Leave out files matching the pattern (repeatable).",
    },
    FlagDoc {
        keywords: &[Keyword::Add],
        name: "checksum",
        value: "sha256:<hex>",
        summary: "Verify a downloaded file (or git commit) against this checksum.",
    },
    FlagDoc {
        keywords: &[Keyword::Add],
        name: "keep-git-dir",
        value: "",
        summary: "Keep the `.git` directory when adding a git repository.",
    },
    FlagDoc {
        keywords: &[Keyword::Add],
        name: "unpack",
        value: "true|false",
        summary: "Whether a local or downloaded archive is unpacked.",
    },
    FlagDoc {
        keywords: &[Keyword::Healthcheck],
        name: "interval",
        value: "<duration>",
        summary: "Time between checks (default 30s).",
    },
    FlagDoc {
        keywords: &[Keyword::Healthcheck],
        name: "timeout",
        value: "<duration>",
        summary: "A check taking longer fails (default 30s).",
    },
    FlagDoc {
        keywords: &[Keyword::Healthcheck],
        name: "start-period",
        value: "<duration>",
        summary: "Failures during this start-up time do not count (default 0s).",
    },
    FlagDoc {
        keywords: &[Keyword::Healthcheck],
        name: "start-interval",
        value: "<duration>",
        summary: "Time between checks during the start period (default 5s).",
    },
    FlagDoc {
        keywords: &[Keyword::Healthcheck],
        name: "retries",
        value: "<n>",
        summary: "Consecutive failures before the container is unhealthy (default 3).",
    },
];

/// Flags an instruction takes.
pub fn flags(keyword: Keyword) -> impl Iterator<Item = &'static FlagDoc> {
    FLAGS.iter().filter(move |f| f.keywords.contains(&keyword))
}

pub fn flag(keyword: Keyword, name: &str) -> Option<&'static FlagDoc> {
    flags(keyword).find(|f| f.name.eq_ignore_ascii_case(name))
}

pub fn flag_markdown(keyword: Keyword, doc: &FlagDoc) -> String {
    let written = if doc.value.is_empty() {
        format!("--{}", doc.name)
    } else {
        format!("--{}={}", doc.name, doc.value)
    };
    format!(
        "```dockerfile\n{} {written}\n```\n\n{}\n\n[Dockerfile reference]({})",
        keyword.as_str(),
        doc.summary,
        reference_url(keyword)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instruction_has_a_page() {
        for doc in INSTRUCTIONS {
            assert!(doc.syntax.starts_with(doc.keyword.as_str()));
        }
        assert_eq!(INSTRUCTIONS.len(), 18);
        assert!(instruction(Keyword::Unknown).is_none());
        assert!(flag(Keyword::Copy, "FROM").is_some());
        assert!(flag(Keyword::Add, "from").is_none());
        assert_eq!(flags(Keyword::Healthcheck).count(), 5);
    }
}
