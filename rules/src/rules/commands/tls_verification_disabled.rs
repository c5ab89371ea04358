use super::support::{base_name, runs, short_option_in};
use crate::helpers::packages::{Manager, PackageCommand};
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};
use plimsoll_analyzer::shell::Command;
use plimsoll_analyzer::{Keyword, Span, Word};

declare_rule! {
    /// ## What it does
    /// Reports ways of turning off the certificate check of HTTPS downloads:
    /// - `curl -k` / `--insecure` (also inside `-fsSLk`), `--proxy-insecure`;
    /// - `wget --no-check-certificate`;
    /// - `pip install --trusted-host HOST`, `pip config set global.trusted-host …` (but not
    ///   for `localhost`, a package index inside the build itself);
    /// - `git -c http.sslVerify=false`, `git config http.sslVerify false`;
    /// - `npm config set strict-ssl false` (also `yarn`, `pnpm`, `npm --strict-ssl=false`);
    /// - `conda config --set ssl_verify false`;
    /// - apt's `-o Acquire::https::Verify-Peer=false` (or `Verify-Host`);
    /// - the same settings written to a config file with `echo` or `printf`
    ///   (`strict-ssl=false`, `sslVerify = false`, `check_certificate = off`,
    ///   `Verify-Peer "false"`, `insecure` into `.curlrc`);
    /// - the environment variables `NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY`
    ///   (any value), `PIP_TRUSTED_HOST`, `NPM_CONFIG_STRICT_SSL=false` and
    ///   `PYTHONHTTPSVERIFY=0`, set by ENV, by an ARG default, or in a RUN.
    ///
    /// ## Why is this bad?
    /// Without the certificate check, HTTPS is no better than HTTP: anyone on the path
    /// between the builder and the server — a proxy, a public Wi-Fi, a compromised DNS
    /// resolver — can hand the build a different file, and it ends up in the image. Set by
    /// ENV, the setting also stays in every container of the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSLk https://downloads.example.com/tool.tgz | tar -xz -C /opt
    /// ```
    ///
    /// Use instead (when the server uses a private CA, trust that CA):
    /// ```dockerfile
    /// FROM debian:12
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/
    /// RUN update-ca-certificates \
    ///     && curl -fsSL https://downloads.example.com/tool.tgz | tar -xz -C /opt
    /// ```
    ///
    /// ## References
    /// - [curl --insecure](https://curl.se/docs/manpage.html#-k)
    /// - [Node.js NODE_TLS_REJECT_UNAUTHORIZED](https://nodejs.org/api/cli.html#node_tls_reject_unauthorized)
    /// - [git http.sslVerify](https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslVerify)
    pub struct TlsVerificationDisabled {
        code: "PL812",
        name: "tls-verification-disabled",
        alias: None,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "A download turns off the TLS certificate check",
    }
}

/// One way of turning the check off, found in the file.
struct Found {
    span: Span,
    /// What was found, for the message (`curl -k`).
    what: String,
    help: &'static str,
}

const TRUST_CA: &str = "trust the server's CA instead: `COPY` its certificate to \
                        /usr/local/share/ca-certificates/ and run `update-ca-certificates`";

/// Short options of curl that take a value.
const CURL_VALUE_LETTERS: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut found = Vec::new();
        for instruction in &ctx.file.instructions {
            if matches!(instruction.keyword, Keyword::Env | Keyword::Arg) {
                for pair in &instruction.pairs {
                    let Some(value) = &pair.value else {
                        continue;
                    };
                    if let Some(help) = insecure_env(&pair.key, &value.text) {
                        found.push(Found {
                            span: pair.span,
                            what: format!(
                                "{} {}={}",
                                instruction.keyword.as_str(),
                                pair.key,
                                value.text
                            ),
                            help,
                        });
                    }
                }
            }
        }
        for instruction in runs(ctx.file) {
            for command in instruction.commands() {
                in_command(command, &mut found);
            }
        }
        for f in found {
            out.push(
                Diagnostic::new(
                    &Self::META,
                    f.span,
                    format!(
                        "`{}` turns off the TLS certificate check: anyone between the build \
                         and the server can swap what it downloads",
                        f.what
                    ),
                )
                .with_help(f.help),
            );
        }
    }
}

/// An environment variable that turns the check off, and what to do instead.
fn insecure_env(key: &str, value: &str) -> Option<&'static str> {
    let value = value.trim().to_ascii_lowercase();
    match key.to_ascii_uppercase().as_str() {
        "NODE_TLS_REJECT_UNAUTHORIZED" if value == "0" => {
            Some("remove it; give Node your CA with `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`")
        }
        // git turns the check off when the variable is set at all, even to `false`.
        "GIT_SSL_NO_VERIFY" => {
            Some("remove it; git honours the system CA store, or `GIT_SSL_CAINFO=/path/to/ca.pem`")
        }
        "PIP_TRUSTED_HOST" if !value.is_empty() && !value.starts_with("localhost") => {
            Some("remove it; give pip your CA with `PIP_CERT=/path/to/ca.pem`")
        }
        "NPM_CONFIG_STRICT_SSL" if is_false(&value) => {
            Some("remove it; give npm your CA with `NPM_CONFIG_CAFILE=/path/to/ca.pem`")
        }
        "PYTHONHTTPSVERIFY" if value == "0" => Some(TRUST_CA),
        _ => None,
    }
}

fn is_false(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

fn in_command(command: &Command, found: &mut Vec<Found>) {
    // `VAR=value cmd`, bare `VAR=value`, `export VAR=value`.
    let declares = matches!(
        command.program(),
        Some("export" | "declare" | "typeset" | "readonly" | "local")
    );
    let assignments = command
        .assignments
        .iter()
        .chain(command.argv.iter().skip(1).filter(|_| declares));
    for word in assignments {
        if let Some((key, value)) = word.text.split_once('=')
            && let Some(help) = insecure_env(key, value)
        {
            found.push(Found {
                span: word.span,
                what: word.text.clone(),
                help,
            });
        }
    }
    let Some(program) = command.program_word() else {
        return;
    };
    let name = base_name(&program.text);
    let args = command.program_args();
    let mut report = |word: &Word, what: String, help: &'static str| {
        found.push(Found {
            span: word.span,
            what,
            help,
        })
    };
    match name {
        "curl" => {
            let mut words = args.iter();
            while let Some(word) = words.next() {
                let t = word.text.as_str();
                if t == "--" {
                    break;
                }
                if matches!(t, "--insecure" | "--proxy-insecure" | "--doh-insecure")
                    || short_option_in(t, 'k', CURL_VALUE_LETTERS)
                {
                    let shown = if t.starts_with("--") { t } else { "-k" };
                    report(word, format!("curl {shown}"), TRUST_CA);
                } else if curl_value_follows(t) {
                    // The next word is this option's value (`-H -k` sends a header).
                    words.next();
                }
            }
        }
        "wget" => {
            for word in args.iter().filter(|w| w.text == "--no-check-certificate") {
                report(word, "wget --no-check-certificate".into(), TRUST_CA);
            }
        }
        "git" => {
            for (i, word) in args.iter().enumerate() {
                let t = word.text.to_ascii_lowercase();
                // `-c http.sslVerify=false` and `config http.sslVerify false`.
                let shown = match t.split_once('=') {
                    Some((key, value)) if is_ssl_verify(key) && is_false(value) => {
                        format!("git -c {}", word.text)
                    }
                    None if is_ssl_verify(&t) => match args.get(i + 1) {
                        Some(v) if is_false(&v.text) => {
                            format!("git config {} {}", word.text, v.text)
                        }
                        _ => continue,
                    },
                    _ => continue,
                };
                report(
                    word,
                    shown,
                    "remove it; git honours the system CA store, or set `http.sslCAInfo` to \
                     your CA",
                );
            }
        }
        "npm" | "yarn" | "pnpm" => {
            for (i, word) in args.iter().enumerate() {
                let t = word.text.to_ascii_lowercase();
                let shown = match t.trim_start_matches('-').split_once('=') {
                    Some((key, value)) if key == "strict-ssl" && is_false(value) => {
                        format!("{name} {}", word.text)
                    }
                    None if t == "strict-ssl" => match args.get(i + 1) {
                        Some(v) if is_false(&v.text) => {
                            format!("{name} config set strict-ssl {}", v.text)
                        }
                        _ => continue,
                    },
                    _ => continue,
                };
                report(
                    word,
                    shown,
                    "remove it; give the package manager your CA with `cafile`",
                );
            }
        }
        "conda" | "mamba" | "micromamba" => {
            for (i, word) in args.iter().enumerate() {
                let off = args.get(i + 1).is_some_and(|v| is_false(&v.text));
                if word.text == "ssl_verify" && off {
                    report(
                        word,
                        format!("{name} config --set ssl_verify false"),
                        "remove it; point `ssl_verify` at your CA bundle instead",
                    );
                }
            }
        }
        "echo" | "printf" => {
            let writes_curlrc = command
                .redirects
                .iter()
                .any(|r| r.text.ends_with(".curlrc"));
            for word in args {
                let t = word.text.to_ascii_lowercase();
                let compact: String = t
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                let setting = CONFIG_SETTINGS
                    .iter()
                    .find(|(needle, _)| compact.contains(needle));
                if let Some((needle, shown)) = setting {
                    report(word, format!("{name} … {shown}"), setting_help(needle));
                } else if writes_curlrc && (t.trim() == "insecure" || t.trim() == "-k") {
                    report(word, format!("{} >> .curlrc", word.text.trim()), TRUST_CA);
                }
            }
        }
        _ => {}
    }
    if let Some(p) = PackageCommand::from_command(command) {
        match p.manager {
            Manager::Pip => {
                for (i, word) in args.iter().enumerate() {
                    let t = word.text.as_str();
                    let trusted = t == "--trusted-host"
                        || t.starts_with("--trusted-host=")
                        || (t.ends_with("trusted-host")
                            && !t.starts_with('-')
                            && args[..i].iter().any(|w| w.text == "config"));
                    if trusted {
                        let host = t
                            .split_once('=')
                            .map(|(_, h)| h.to_string())
                            .or_else(|| args.get(i + 1).map(|w| w.text.clone()))
                            .unwrap_or_default();
                        // A package index on the build machine itself is no one else's.
                        let host_name = host.split(':').next().unwrap_or("");
                        if host_name == "localhost" || host_name.starts_with("127.") {
                            continue;
                        }
                        found.push(Found {
                            span: word.span,
                            what: format!("pip {} {host}", t.split('=').next().unwrap_or(t)),
                            help: "remove it; give pip your CA with `--cert /path/to/ca.pem` \
                                   or `PIP_CERT`",
                        });
                    }
                }
            }
            Manager::AptGet | Manager::Apt => {
                for word in args {
                    let t: String = word.text.to_ascii_lowercase().replace([' ', '"'], "");
                    if (t.contains("verify-peer=") || t.contains("verify-host="))
                        && t.rsplit('=').next().is_some_and(is_false)
                    {
                        found.push(Found {
                            span: word.span,
                            what: format!(
                                "{} -o {}",
                                p.command.program().unwrap_or("apt-get"),
                                word.text
                            ),
                            help: TRUST_CA,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// Settings that turn the check off in config files (`.npmrc`, `.gitconfig`, `.wgetrc`,
/// apt.conf), as found with spaces and double quotes removed, and as shown.
const CONFIG_SETTINGS: &[(&str, &str)] = &[
    ("strict-ssl=false", "strict-ssl=false"),
    ("sslverify=false", "sslVerify = false"),
    ("check_certificate=off", "check_certificate = off"),
    ("check-certificate=off", "check-certificate = off"),
    ("verify-peerfalse", "Verify-Peer \"false\""),
    ("verify-hostfalse", "Verify-Host \"false\""),
];

/// Long options of curl that take the next word as their value (the common ones).
const CURL_VALUE_OPTIONS: &[&str] = &[
    "--header",
    "--output",
    "--user",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--url",
    "--config",
    "--cacert",
    "--capath",
    "--cert",
    "--key",
    "--proxy",
    "--user-agent",
    "--referer",
    "--retry",
    "--max-time",
    "--connect-timeout",
    "--write-out",
    "--request",
    "--form",
    "--resolve",
    "--cookie",
    "--cookie-jar",
    "--output-dir",
    "--proto",
    "--proto-redir",
    "--retry-delay",
    "--retry-max-time",
    "--upload-file",
    "--range",
    "--dump-header",
    "--netrc-file",
];

/// Whether a curl option word leaves its value to the next word: `-H`, `-fsSLo`,
/// `--header`.
fn curl_value_follows(word: &str) -> bool {
    if word.starts_with("--") {
        return CURL_VALUE_OPTIONS.contains(&word);
    }
    let Some(letters) = word.strip_prefix('-') else {
        return false;
    };
    letters
        .char_indices()
        .find(|&(_, c)| CURL_VALUE_LETTERS.contains(c))
        .is_some_and(|(at, c)| at + c.len_utf8() == letters.len())
}

/// `http.sslverify` or `http.<url>.sslverify`.
fn is_ssl_verify(key: &str) -> bool {
    key.starts_with("http.") && key.ends_with(".sslverify")
}

fn setting_help(setting: &str) -> &'static str {
    match setting {
        "strict-ssl=false" => "remove it; give npm your CA with `cafile=/path/to/ca.pem`",
        "sslverify=false" => "remove it; git honours the system CA store, or set `sslCAInfo`",
        _ => TRUST_CA,
    }
}
