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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippets with the offending span underlined and a help line.
    Full,
    /// One line a finding: `file:line:col: CODE message`.
    Concise,
    /// A JSON array of findings (schema in the README).
    Json,
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
instruction silence those rules for it; `# check=skip=Name` at the top silences BuildKit-named checks."
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

    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailLevel::Info)]
    pub fail_level: FailLevel,

    /// Always exit 0 for findings (errors still exit 2). Same as `--fail-level never`.
    #[arg(long)]
    pub exit_zero: bool,

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
