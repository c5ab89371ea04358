//! Command-line arguments (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "plimsoll",
    version,
    about = "The load line for container images: a fast Dockerfile linter and optimizer.",
    long_about = "Plimsoll lints Dockerfiles: unpinned images and packages, package-manager \
hygiene, secrets baked into layers, shell-form commands, cache-busting COPY order and \
images that run as root — each finding with its exact span, a rule code and, often, a fix.\n\n\
Start with `plimsoll check` in a repository, and `plimsoll rule CODE` to learn about a rule.",
    after_help = "Examples:\n  plimsoll check                       lint every Dockerfile under the current directory\n  plimsoll check Dockerfile --format concise\n  cat Dockerfile | plimsoll check - --stdin-filename Dockerfile\n  plimsoll rule DL3008                 explain a rule (Plimsoll or hadolint code)\n  plimsoll rule --all                  list every rule"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles and report findings.
    Check(CheckArgs),
    /// Explain a rule, or list them all.
    Rule(RuleArgs),
    /// Build an image from a Dockerfile (needs root for RUN).
    Build(BuildArgs),
    /// Run a command in an image (needs root).
    Run(RunArgs),
    /// Manage the build cache and the local image store.
    Cache(CacheArgs),
    /// Run the language server for editors (LSP over standard input and output).
    #[command(
        long_about = "Runs Plimsoll's language server: the editor starts it and talks LSP over \
standard input and output; logs go to standard error. It lints as you type (the same rules \
as `plimsoll check`), offers fixes and `# plimsoll: ignore=` pragmas as code actions, shows \
rule and instruction docs on hover, navigates and renames stages and ARG/ENV variables, and \
formats what can not change the build (keyword casing, whitespace on blank and comment lines).\n\n\
Settings come from the editor (initialization options or workspace configuration, section \
`plimsoll`): `select`, `extendSelect`, `ignore` (rule selectors as for `check`), `failLevel` \
(findings below it are shown as hints), `buildArgs` (an object of NAME: value) and \
`ruleDocsUrl` (a URL template with {code} and {name})."
    )]
    Lsp(LspArgs),
    /// Show where an image's bytes go: per-layer sizes and dive's waste measures.
    Analyze(AnalyzeArgs),
    /// Pull an image from a registry into the local store.
    Pull(PullArgs),
    /// Push an image to a registry.
    Push(PushArgs),
    /// Inspect and manage the images in the local store.
    Image(ImageArgs),
    /// Rewrite a Dockerfile for a smaller image, build before and after, verify that the
    /// image still works, report the bytes saved (needs root).
    Optimize(crate::optimize::OptimizeArgs),
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    #[command(subcommand)]
    pub command: ImageCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// List the images in the local store: name, image ID, layers, size, creation time.
    Ls {
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnalyzeFormat::Table)]
        format: AnalyzeFormat,
        /// The store directory.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Print an image's manifest digest, configuration and layers as JSON.
    #[command(after_help = "IMAGE is a name in the local store, oci:DIR[:TAG], \
docker-archive:FILE or rootfs:PATH (names not in the store are pulled).")]
    Inspect(ImageRefArgs),
    /// One row a layer: the instruction that made it, compressed and uncompressed size,
    /// files added, modified and removed (layers are streamed, not unpacked).
    Layers {
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnalyzeFormat::Table)]
        format: AnalyzeFormat,
        #[command(flatten)]
        image: ImageRefArgs,
    },
    /// Remove names from the local store (`plimsoll cache prune` then frees the blobs no
    /// name uses).
    Rm {
        /// Image names, as given to --tag or pull.
        #[arg(value_name = "NAME", required = true)]
        names: Vec<String>,
        /// The store directory.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ImageRefArgs {
    /// The image.
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// Map an image name to a local image, as for build (repeatable).
    #[arg(long = "base", value_name = "NAME=REF")]
    pub bases: Vec<String>,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// The store directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// How to reach registries (build, run, analyze, pull, push, check --pin-digests).
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// Talk plain HTTP to this registry (HOST or HOST:PORT, as in image names; repeatable).
    /// Every other registry is reached over HTTPS.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    pub insecure_registries: Vec<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "REF is an image name: `nginx` is docker.io/library/nginx:latest, `ghcr.io/o/app:1`, `registry.example:5000/app@sha256:…`. A multi-platform image gives the manifest of this machine's platform. Credentials come from Docker's configuration ($DOCKER_CONFIG/config.json or ~/.docker/config.json: auths, credHelpers, credsStore). The image is tagged in the store under its full name; the digest the reference resolved to is printed on stdout.

Examples:
  plimsoll pull debian:12
  plimsoll pull --insecure-registry localhost:5000 localhost:5000/app:1"
)]
pub struct PullArgs {
    /// The image to pull.
    #[arg(value_name = "REF")]
    pub reference: String,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// The store directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "IMAGE is a name in the local store (plimsoll build --tag, plimsoll pull), oci:DIR[:TAG], docker-archive:FILE or rootfs:PATH. REF is where it goes: a registry name with a tag (default latest). Images from the store are pushed byte for byte; others as Plimsoll stores them. The digest of the pushed manifest is printed on stdout.

Examples:
  plimsoll push app:dev registry.example/team/app:1.0
  plimsoll push --insecure-registry localhost:5000 oci:./layout:v1 localhost:5000/app:v1"
)]
pub struct PushArgs {
    /// The image to push (IMAGE), with where to find it.
    #[command(flatten)]
    pub source: ImageRefArgs,

    /// Where to push it.
    #[arg(value_name = "REF")]
    pub reference: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippets with the offending span underlined and a help line.
    Full,
    /// One line a finding: `file:line:col: CODE message`.
    Concise,
    /// A JSON array of findings (schema in the README).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, IDE viewers).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// GitLab Code Quality report (JSON).
    Gitlab,
    /// Checkstyle XML.
    Checkstyle,
    /// JUnit XML: one test suite per file, one failed test case per finding.
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellcheckMode {
    /// Run ShellCheck on RUN bodies when `shellcheck` is on the PATH.
    Auto,
    /// Run ShellCheck; fail (exit 2) when it is not installed.
    Always,
    /// Do not run ShellCheck.
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    /// Any finding fails.
    Style,
    /// Info, warnings and errors fail (hadolint's default threshold).
    Info,
    /// Warnings and errors fail.
    Warning,
    /// Only errors fail.
    Error,
    /// Never exit 1 for findings.
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 when nothing at or above --fail-level was found, 1 when \
something was, 2 on a usage, configuration or input error.\n\n\
Pragmas: `# plimsoll: ignore=PL103` or `# hadolint ignore=DL3008` on the line(s) above an \
instruction silence those rules for it, `# hadolint global ignore=…` for the whole file; \
`# check=skip=Name` at the top silences BuildKit-named checks.\n\n\
Configuration: the nearest plimsoll.toml (or .plimsoll.toml) above each file, else \
.hadolint.yaml; flags on the command line win.\n\n\
Digests: --pin-digests and --check-digests reach registries as pull does (credentials from \
Docker's config.json, --insecure-registry for plain HTTP); an image that cannot be looked \
up is a warning, never an error."
)]
pub struct CheckArgs {
    /// Files or directories to lint; directories are searched recursively for Dockerfile,
    /// Containerfile, *.Dockerfile, Dockerfile.*, *.containerfile (honouring .gitignore).
    /// `-` reads standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The file name to report (and to find the build context from) when reading stdin.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub format: OutputFormat,

    /// Print the number of findings per rule code instead of the findings (as a table, or
    /// as JSON with `--format json`).
    #[arg(long)]
    pub statistics: bool,

    /// Check RUN bodies with ShellCheck and report its findings as SCxxxx codes.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ShellcheckMode::Auto)]
    pub shellcheck: ShellcheckMode,

    /// Only run these rules (codes, hadolint/BuildKit aliases, names or code prefixes such
    /// as PL2; `ALL` for every default rule). Comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Vec<String>,

    /// Run these rules in addition to the selected ones (e.g. opt-in rules).
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub extend_select: Vec<String>,

    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,

    /// Exit 1 when a finding is at or above this severity [default: the configuration's
    /// `fail-level`, else info].
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,

    /// Always exit 0 for findings (errors still exit 2). Same as `--fail-level never`.
    #[arg(long)]
    pub exit_zero: bool,

    /// Use this configuration file for every linted file instead of the nearest
    /// plimsoll.toml (a .yaml/.yml file is read as hadolint's configuration).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file (plimsoll.toml, .hadolint.yaml) and the HADOLINT_*
    /// variables: only the command line counts.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,

    /// The build context for rules that look at it (default: the Dockerfile's directory).
    #[arg(long, value_name = "DIR", conflicts_with = "no_context")]
    pub context: Option<PathBuf>,

    /// Do not read the build context from disk.
    #[arg(long)]
    pub no_context: bool,

    /// `--build-arg NAME=value` as you would pass it to docker build (affects ARG resolution).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// When to use colours in the full format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only the findings, not the summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Apply safe fixes and write the files (atomically). Findings that remain are reported.
    #[arg(long, overrides_with = "no_fix")]
    pub fix: bool,

    #[arg(long, overrides_with = "fix", hide = true)]
    pub no_fix: bool,

    /// Also apply fixes that may change behaviour (with --fix, --diff or --fix-only), and
    /// count them as fixable.
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,

    #[arg(long, overrides_with = "unsafe_fixes", hide = true)]
    pub no_unsafe_fixes: bool,

    /// Print a unified diff of what --fix would change, write nothing; exit 1 if anything
    /// would change.
    #[arg(long, conflicts_with = "fix_only")]
    pub diff: bool,

    /// Apply fixes like --fix but do not report the findings that remain.
    #[arg(long)]
    pub fix_only: bool,

    /// List every fix applied.
    #[arg(long)]
    pub show_fixes: bool,

    /// Ask each FROM image's registry for the digest its tag points at: PL102 (enabled by
    /// this) then offers to pin it, which --fix writes (`FROM debian:12` →
    /// `FROM debian:12@sha256:…`), and PL111 checks the digests already pinned (as
    /// --check-digests).
    #[arg(long)]
    pub pin_digests: bool,

    /// Ask the registries of FROM images pinned by digest what their tag points at now, and
    /// report (PL111) pins the tag has moved away from. Nothing else is looked up.
    #[arg(long)]
    pub check_digests: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (PL103), its alias (DL3008) or name (apt-get-unpinned).
    #[arg(value_name = "CODE", required_unless_present = "all")]
    pub code: Option<String>,

    /// List every rule with its aliases, severity and fix availability.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,

    /// Output format for `--all`.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Editor set-up: see editors/ in the repository (VS Code, Neovim, Helix).\n\n\
Exit status: 0 after the editor's shutdown and exit, 1 when it exits or disconnects without \
shutting down first."
)]
pub struct LspArgs {
    /// Talk over standard input and output (the default and only transport; accepted because
    /// some clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A live display on a terminal, plain lines otherwise.
    Auto,
    /// A live display.
    Tty,
    /// One line per event.
    Plain,
    /// Only errors, and the image digest on stdout.
    Quiet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NetworkMode {
    /// Share the host's network (package managers reach their mirrors).
    Host,
    /// No network at all.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LayerCompression {
    Gzip,
    None,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Image references: FROM takes image names. --base NAME=REF maps a name to \
a local image: REF is oci:DIR[:TAG] (an OCI image layout), docker-archive:FILE, rootfs:PATH (a \
directory or tar) or scratch. Names without a mapping come from Plimsoll's store (--tag, \
earlier pulls), else from their registry (always with --pull).\n\n\
Exit status: 0 built, 1 the build failed (a RUN failed, a file is missing…), 2 usage or \
configuration error, 130 interrupted.\n\n\
Examples:\n  plimsoll build --base debian:12=oci:./debian:12 --tag app:dev .\n  \
plimsoll build -f docker/Dockerfile --target test --build-arg VERSION=1.2 --output oci:out:1 ."
)]
pub struct BuildArgs {
    /// The build context.
    #[arg(value_name = "CONTEXT", default_value = ".")]
    pub context: PathBuf,

    /// The Dockerfile (default: CONTEXT/Dockerfile).
    #[arg(long, short = 'f', value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Build this stage instead of the last one.
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,

    /// `NAME=value` for an ARG (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// Map a FROM image name to a local image: NAME=REF (repeatable). A NAME without a
    /// tag maps every tag.
    #[arg(long = "base", value_name = "NAME=REF")]
    pub bases: Vec<String>,

    /// Take FROM images from a registry rather than the local store.
    #[arg(long)]
    pub pull: bool,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// Name the image in the local store (repeatable).
    #[arg(long, short = 't', value_name = "NAME")]
    pub tag: Vec<String>,

    /// Also write the image to oci:DIR[:TAG] or docker-archive:FILE (repeatable).
    #[arg(long, short = 'o', value_name = "REF")]
    pub output: Vec<String>,

    /// Do not use the build cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Analyze the image after the build (on stderr, as `plimsoll analyze` with the
    /// Dockerfile's lines); exit 1 when a threshold of plimsoll.toml's [analyze] is exceeded.
    #[arg(long)]
    pub analyze: bool,

    /// Network of RUN steps (RUN --network overrides it).
    #[arg(long, value_enum, default_value_t = NetworkMode::Host)]
    pub network: NetworkMode,

    /// A secret for RUN --mount=type=secret: id=NAME,src=FILE or id=NAME,env=VAR.
    #[arg(long, value_name = "id=NAME,src=FILE")]
    pub secret: Vec<String>,

    /// An ssh-agent for RUN --mount=type=ssh: ID (forwards $SSH_AUTH_SOCK) or ID=SOCKET.
    #[arg(long, value_name = "ID[=SOCKET]")]
    pub ssh: Vec<String>,

    /// An entitlement: `security.insecure` lets RUN --security=insecure run privileged.
    #[arg(long, value_name = "ENTITLEMENT", value_parser = ["security.insecure"])]
    pub allow: Vec<String>,

    /// Timestamps of the image and clamp of file times (default: $SOURCE_DATE_EPOCH).
    #[arg(long, value_name = "SECONDS")]
    pub source_date_epoch: Option<i64>,

    /// Layer compression.
    #[arg(long, value_enum, default_value_t = LayerCompression::Gzip)]
    pub compression: LayerCompression,

    /// How to show progress.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,

    /// The store directory (default: $PLIMSOLL_ROOT, $XDG_DATA_HOME/plimsoll or
    /// ~/.local/share/plimsoll).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// A summary, one row a layer, and the most wasted paths.
    Table,
    /// One JSON object (schema in the README).
    Json,
}

#[derive(Debug, Args)]
#[command(
    after_help = "IMAGE is a name in the local store (plimsoll build --tag), \
oci:DIR[:TAG] or docker-archive:FILE. Layers are streamed, never unpacked.\n\n\
Efficiency, wasted bytes and the user-wasted ratio are computed as dive computes them. \
Bytes a rule would have kept out (package caches, files deleted by a later layer) are \
listed with the rule and the instruction. Thresholds: the flags, then --ci-config, then \
[analyze] in the nearest plimsoll.toml (min-efficiency, max-wasted-bytes, \
max-user-wasted-ratio). Exit status: 0, 1 when a threshold is exceeded, 2 on errors.\n\n\
Examples:\n  plimsoll analyze app:dev\n  plimsoll analyze oci:./layout:v1 --format json\n  \
plimsoll analyze docker-archive:app.tar --min-efficiency 0.95 --max-user-wasted-ratio 0.1"
)]
pub struct AnalyzeArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Table)]
    pub format: AnalyzeFormat,

    /// Fail (exit 1) when the efficiency score is below this (0–1).
    #[arg(long, value_name = "RATIO")]
    pub min_efficiency: Option<f64>,

    /// Fail (exit 1) when more bytes than this are wasted.
    #[arg(long, value_name = "BYTES")]
    pub max_wasted_bytes: Option<u64>,

    /// Fail (exit 1) when wasted bytes / bytes of every layer but the first exceeds this.
    #[arg(long, value_name = "RATIO")]
    pub max_user_wasted_ratio: Option<f64>,

    /// Read thresholds from dive's CI file (`rules: lowestEfficiency, highestWastedBytes,
    /// highestUserWastedPercent`); the flags above win over it.
    #[arg(long, value_name = "FILE")]
    pub ci_config: Option<PathBuf>,

    /// How many of the most wasted paths to show (JSON lists them all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// The Dockerfile the image was built from: waste is mapped to its lines (and its
    /// directory's plimsoll.toml gives the thresholds).
    #[arg(long, short = 'f', value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Map an image name to a local image, as for build (repeatable).
    #[arg(long = "base", value_name = "NAME=REF")]
    pub bases: Vec<String>,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// The store directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// The image.
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

#[derive(Debug, Args)]
#[command(
    after_help = "IMAGE is a name in the local store (plimsoll build --tag), \
oci:DIR[:TAG], docker-archive:FILE or rootfs:PATH. The exit status is the command's.\n\n\
Examples:\n  plimsoll run --rm app:dev\n  plimsoll run --rm -e DEBUG=1 --network none app:dev sh -c 'env'"
)]
pub struct RunArgs {
    /// Remove the container's file system when it exits (otherwise it is kept in the
    /// store, under containers/, until `plimsoll cache prune`).
    #[arg(long)]
    pub rm: bool,

    /// Set an environment variable: NAME=value, or NAME to pass yours (repeatable).
    #[arg(long = "env", short = 'e', value_name = "NAME=VALUE")]
    pub env: Vec<String>,

    /// Run as this user (name or UID, with an optional :group).
    #[arg(long, short = 'u', value_name = "USER[:GROUP]")]
    pub user: Option<String>,

    /// Working directory inside the container.
    #[arg(long, short = 'w', value_name = "DIR")]
    pub workdir: Option<String>,

    /// Replace the image's ENTRYPOINT (its CMD is then dropped).
    #[arg(long, value_name = "COMMAND")]
    pub entrypoint: Option<String>,

    /// The container's network.
    #[arg(long, value_enum, default_value_t = NetworkMode::Host)]
    pub network: NetworkMode,

    /// Bind a host path: SRC:DST or SRC:DST:ro (repeatable).
    #[arg(long = "volume", short = 'v', value_name = "SRC:DST[:ro]")]
    pub volumes: Vec<String>,

    /// Give the command a pseudo-terminal (its output then comes with CR LF line ends).
    #[arg(long, short = 't')]
    pub tty: bool,

    /// Forward a host port (HOSTIP defaults to 127.0.0.1) to a port of the container's own
    /// network; needs --network none (repeatable).
    #[arg(
        long = "publish",
        short = 'p',
        value_name = "[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]"
    )]
    pub publish: Vec<String>,

    /// Map an image name to a local image, as for build (repeatable).
    #[arg(long = "base", value_name = "NAME=REF")]
    pub bases: Vec<String>,

    #[command(flatten)]
    pub registry: RegistryArgs,

    /// The store directory.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// The image.
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// The command and its arguments (default: the image's CMD).
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove the build cache, RUN cache mounts, kept containers, and every blob and
    /// unpacked layer no tagged image uses.
    Prune {
        /// Also remove tagged images: empty the store.
        #[arg(long)]
        all: bool,
        /// The store directory.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}
