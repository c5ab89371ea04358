//! Secrets left in layers: private keys, cloud credentials, `.env` files and tokens with a
//! recognisable format. Findings name the kind of secret, never its value.

use memchr::memmem;

/// Files larger than this are not read for secrets (key files and tokens are small; big
/// files are binaries and archives).
pub const MAX_SCANNED_FILE: u64 = 1 << 20;

/// A token format: a literal prefix followed by at least `min` (at most `max`) characters
/// from `charset`.
struct Token {
    kind: &'static str,
    prefix: &'static [u8],
    min: usize,
    max: usize,
    charset: fn(u8) -> bool,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

const TOKENS: &[Token] = &[
    Token {
        kind: "AWS access key ID",
        prefix: b"AKIA",
        min: 16,
        max: 16,
        charset: upper_alnum,
    },
    Token {
        kind: "AWS access key ID",
        prefix: b"ASIA",
        min: 16,
        max: 16,
        charset: upper_alnum,
    },
    Token {
        kind: "GitHub token",
        prefix: b"ghp_",
        min: 36,
        max: 255,
        charset: alnum,
    },
    Token {
        kind: "GitHub token",
        prefix: b"gho_",
        min: 36,
        max: 255,
        charset: alnum,
    },
    Token {
        kind: "GitHub token",
        prefix: b"ghu_",
        min: 36,
        max: 255,
        charset: alnum,
    },
    Token {
        kind: "GitHub token",
        prefix: b"ghs_",
        min: 36,
        max: 255,
        charset: alnum,
    },
    Token {
        kind: "GitHub token",
        prefix: b"github_pat_",
        min: 60,
        max: 255,
        charset: alnum_dash,
    },
    Token {
        kind: "GitLab token",
        prefix: b"glpat-",
        min: 20,
        max: 255,
        charset: alnum_dash,
    },
    Token {
        kind: "Slack token",
        prefix: b"xoxb-",
        min: 20,
        max: 255,
        charset: alnum_dash,
    },
    Token {
        kind: "Slack token",
        prefix: b"xoxp-",
        min: 20,
        max: 255,
        charset: alnum_dash,
    },
    Token {
        kind: "Google API key",
        prefix: b"AIza",
        min: 35,
        max: 35,
        charset: alnum_dash,
    },
    Token {
        kind: "Stripe secret key",
        prefix: b"sk_live_",
        min: 24,
        max: 255,
        charset: alnum,
    },
    Token {
        kind: "npm token",
        prefix: b"npm_",
        min: 36,
        max: 36,
        charset: alnum,
    },
];

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a file's content is worth reading, from its path and size.
pub fn wants_content(size: u64) -> bool {
    size <= MAX_SCANNED_FILE
}

/// The kinds of secret in one file, from its path and (when read) its content.
pub fn detect(path: &str, content: Option<&[u8]>) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    let name = file_name(path);
    let has = |needle: &str| content.is_some_and(|c| memmem::find(c, needle.as_bytes()).is_some());
    if name == ".env"
        || (name.starts_with(".env.")
            && !matches!(
                &name[5..],
                "example" | "sample" | "template" | "dist" | "defaults"
            ))
    {
        kinds.push("dotenv file");
    }
    if path.ends_with(".aws/credentials") && has("aws_secret_access_key") {
        kinds.push("AWS credentials file");
    }
    if path.ends_with(".docker/config.json") && has("\"auth\"") {
        kinds.push("Docker registry credentials");
    }
    if name == ".git-credentials" || (name == ".netrc" && has("password")) {
        kinds.push("stored passwords");
    }
    if name == ".npmrc" && has("_authToken") {
        kinds.push("npm token");
    }
    if name == ".pypirc" && has("password") {
        kinds.push("PyPI credentials");
    }
    let Some(content) = content else {
        return kinds;
    };
    if memmem::find_iter(content, b"-----BEGIN ").any(|at| {
        let line = &content[at..content.len().min(at + 64)];
        let end = memmem::find(&line[11..], b"-----").map_or(line.len(), |e| e + 11);
        memmem::find(&line[..end], b"PRIVATE KEY").is_some()
    }) {
        kinds.push("private key");
    }
    if has("\"type\": \"service_account\"") && has("\"private_key\"") {
        kinds.push("Google Cloud service account key");
    }
    for token in TOKENS {
        let found = memmem::find_iter(content, token.prefix).any(|at| {
            // A token starts a word and is followed by one of exactly the right length.
            if at > 0 && alnum_dash(content[at - 1]) {
                return false;
            }
            let rest = &content[at + token.prefix.len()..];
            let len = rest.iter().take_while(|b| (token.charset)(**b)).count();
            (token.min..=token.max).contains(&len)
        });
        if found && !kinds.contains(&token.kind) {
            kinds.push(token.kind);
        }
    }
    kinds
}
