//! Credentials recognised by their format, URLs with a password in them, and how to
//! show either without printing the secret.

/// A value with no shell or Dockerfile expansion in it: what is written is what is used.
pub fn is_literal(text: &str) -> bool {
    !text.contains('$') && !text.contains('`')
}

/// A password that is clearly a placeholder, not a credential.
pub fn is_placeholder(password: &str) -> bool {
    let p = password.trim();
    let lower = p.to_ascii_lowercase();
    p.is_empty()
        || (p.starts_with('<') && p.ends_with('>'))
        || (p.starts_with('{') && p.ends_with('}'))
        || (p.starts_with('%') && p.len() <= 3)
        || p.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '_' | '-'))
        || matches!(
            lower.as_str(),
            "password" | "passwd" | "pass" | "pwd" | "secret" | "token" | "changeme" | "redacted"
        )
}

/// What is shown in place of a secret.
pub const MASK: &str = "****";

/// Credentials in a URL: `scheme://user:password@host…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlCredentials {
    /// Byte range of the URL in the text it was found in.
    pub start: usize,
    pub end: usize,
    /// The URL with the password replaced by `****`.
    pub masked: String,
    pub user: String,
    pub password: String,
}

impl UrlCredentials {
    /// A password worth reporting: written out, not a placeholder, and not a well-known
    /// default where it equals the user name (`postgres:postgres`, `guest:guest`).
    pub fn is_real(&self) -> bool {
        is_literal(&self.password)
            && !is_placeholder(&self.password)
            && !self.password.eq_ignore_ascii_case(&self.user)
    }
}

/// Finds the first URL with a non-empty password in `text`.
pub fn url_credentials(text: &str) -> Option<UrlCredentials> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let sep = from + found;
        from = sep + 3;
        let scheme_start = text[..sep]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        if scheme_start == sep || !bytes[scheme_start].is_ascii_alphabetic() {
            continue;
        }
        let authority_start = sep + 3;
        let authority_end = text[authority_start..]
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '\\') || c.is_whitespace())
            .map_or(text.len(), |i| authority_start + i);
        let authority = &text[authority_start..authority_end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        let host = &authority[at + 1..];
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if password.is_empty() || host.is_empty() {
            continue;
        }
        let end = text[authority_end..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\''))
            .map_or(text.len(), |i| authority_end + i);
        let masked = format!(
            "{}{}:{}@{}",
            &text[scheme_start..authority_start],
            user,
            MASK,
            &text[authority_start + at + 1..end]
        );
        return Some(UrlCredentials {
            start: scheme_start,
            end,
            masked,
            user: user.to_string(),
            password: password.to_string(),
        });
    }
    None
}

/// A credential recognised by its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// What it is ("a GitHub token").
    pub kind: &'static str,
    /// What may be shown of it: the well-known prefix, never the secret part.
    pub shown: String,
}

/// Token formats: a fixed prefix, the characters that follow it and how many.
struct TokenFormat {
    prefix: &'static str,
    kind: &'static str,
    alphabet: fn(u8) -> bool,
    min: usize,
    max: usize,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// The bytes a [`TOKEN_FORMATS`] prefix can start with.
const PREFIX_FIRST_BYTES: &[u8] = b"Agnrsx";

const TOKEN_FORMATS: &[TokenFormat] = &[
    TokenFormat {
        prefix: "AKIA",
        kind: "an AWS access key ID",
        alphabet: upper_alnum,
        min: 16,
        max: 16,
    },
    TokenFormat {
        prefix: "ASIA",
        kind: "an AWS temporary access key ID",
        alphabet: upper_alnum,
        min: 16,
        max: 16,
    },
    TokenFormat {
        prefix: "ghp_",
        kind: "a GitHub personal access token",
        alphabet: alnum,
        min: 36,
        max: 255,
    },
    TokenFormat {
        prefix: "gho_",
        kind: "a GitHub OAuth token",
        alphabet: alnum,
        min: 36,
        max: 255,
    },
    TokenFormat {
        prefix: "ghu_",
        kind: "a GitHub user-to-server token",
        alphabet: alnum,
        min: 36,
        max: 255,
    },
    TokenFormat {
        prefix: "ghs_",
        kind: "a GitHub server-to-server token",
        alphabet: alnum,
        min: 36,
        max: 255,
    },
    TokenFormat {
        prefix: "ghr_",
        kind: "a GitHub refresh token",
        alphabet: alnum,
        min: 36,
        max: 255,
    },
    TokenFormat {
        prefix: "github_pat_",
        kind: "a GitHub fine-grained personal access token",
        alphabet: alnum_underscore,
        min: 40,
        max: 255,
    },
    TokenFormat {
        prefix: "glpat-",
        kind: "a GitLab personal access token",
        alphabet: url_safe,
        min: 20,
        max: 255,
    },
    TokenFormat {
        prefix: "xoxb-",
        kind: "a Slack bot token",
        alphabet: alnum_dash,
        min: 10,
        max: 255,
    },
    TokenFormat {
        prefix: "xoxa-",
        kind: "a Slack app token",
        alphabet: alnum_dash,
        min: 10,
        max: 255,
    },
    TokenFormat {
        prefix: "xoxp-",
        kind: "a Slack user token",
        alphabet: alnum_dash,
        min: 10,
        max: 255,
    },
    TokenFormat {
        prefix: "xoxr-",
        kind: "a Slack refresh token",
        alphabet: alnum_dash,
        min: 10,
        max: 255,
    },
    TokenFormat {
        prefix: "xoxs-",
        kind: "a Slack session token",
        alphabet: alnum_dash,
        min: 10,
        max: 255,
    },
    TokenFormat {
        prefix: "sk_live_",
        kind: "a Stripe live secret key",
        alphabet: alnum,
        min: 20,
        max: 255,
    },
    TokenFormat {
        prefix: "rk_live_",
        kind: "a Stripe live restricted key",
        alphabet: alnum,
        min: 20,
        max: 255,
    },
    TokenFormat {
        prefix: "AIza",
        kind: "a Google API key",
        alphabet: url_safe,
        min: 35,
        max: 35,
    },
    TokenFormat {
        prefix: "npm_",
        kind: "an npm access token",
        alphabet: alnum,
        min: 36,
        max: 36,
    },
];

/// Finds a credential recognised by its format in a value.
pub fn find_credential(text: &str) -> Option<Credential> {
    // One pass over the text instead of a substring search per format: this runs on every
    // word of every RUN, ENV and ARG. The first format of the table with a valid token
    // wins, as the table is ordered.
    let bytes = text.as_bytes();
    let mut best: Option<usize> = None;
    for start in 0..bytes.len() {
        // The prefix starts a word: not the middle of a longer identifier.
        if !PREFIX_FIRST_BYTES.contains(&bytes[start]) || (start > 0 && alnum(bytes[start - 1])) {
            continue;
        }
        for (index, format) in TOKEN_FORMATS.iter().enumerate() {
            if best.is_some_and(|b| b <= index)
                || !bytes[start..].starts_with(format.prefix.as_bytes())
            {
                continue;
            }
            let from = start + format.prefix.len();
            let body = bytes[from..]
                .iter()
                .take_while(|&&b| (format.alphabet)(b))
                .count();
            if body < format.min || body > format.max {
                continue;
            }
            let token = &text[start..from + body];
            // AWS's documentation keys end in EXAMPLE; so do many placeholders.
            if token.contains("EXAMPLE") || token.to_ascii_lowercase().contains("xxxxxxxx") {
                continue;
            }
            best = Some(index);
        }
    }
    if let Some(format) = best.map(|i| &TOKEN_FORMATS[i]) {
        return Some(Credential {
            kind: format.kind,
            shown: format!("{}{}", format.prefix, MASK),
        });
    }
    if let Some(begin) = text.find("-----BEGIN ") {
        let header = &text[begin + 11..];
        let header = &header[..header.find("-----").unwrap_or(header.len())];
        if header.ends_with("PRIVATE KEY") || header.ends_with("PRIVATE KEY BLOCK") {
            return Some(Credential {
                kind: "a private key",
                shown: format!("-----BEGIN {header}-----"),
            });
        }
    }
    if let Some(jwt) = find_jwt(text) {
        return Some(jwt);
    }
    if let Some(url) = url_credentials(text)
        && url.is_real()
    {
        return Some(Credential {
            kind: "a URL with a password",
            shown: url.masked,
        });
    }
    None
}

/// A JSON Web Token: three base64url parts, the first two JSON objects (`eyJ…`).
fn find_jwt(text: &str) -> Option<Credential> {
    let mut from = 0;
    while let Some(found) = text[from..].find("eyJ") {
        let start = from + found;
        from = start + 3;
        if start > 0 && url_safe(text.as_bytes()[start - 1]) {
            continue;
        }
        let parts: Vec<&str> = text[start..]
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .next()
            .unwrap_or("")
            .split('.')
            .collect();
        if parts.len() == 3 && parts[1].starts_with("ey") && parts.iter().all(|p| p.len() >= 10) {
            return Some(Credential {
                kind: "a JSON Web Token",
                shown: format!("eyJ{}", MASK),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_prefix_starts_with_a_listed_byte() {
        for format in TOKEN_FORMATS {
            assert!(
                PREFIX_FIRST_BYTES.contains(&format.prefix.as_bytes()[0]),
                "{}",
                format.prefix
            );
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,80}") {
            let _ = find_credential(&text);
            let _ = url_credentials(&text);
        }

        #[test]
        fn never_panics_on_url_like_text(text in "[a-zé+:/@.$-]{0,40}") {
            let _ = find_credential(&text);
            let _ = url_credentials(&text);
        }
    }

    #[test]
    fn multibyte_before_scheme() {
        assert!(url_credentials("é://u:p@h").is_none());
        assert_eq!(
            url_credentials("éhttps://u:pw1@h/x").unwrap().masked,
            "https://u:****@h/x"
        );
    }

    #[test]
    fn credentials_by_format() {
        let kind = |t: &str| find_credential(t).map(|c| c.kind);
        assert_eq!(
            kind("AKIAZ3MEXAMPLE7QRSTA"),
            None,
            "documentation keys are skipped"
        );
        assert_eq!(kind("AKIAZ3M4TQ7PLKW2QRST"), Some("an AWS access key ID"));
        assert_eq!(kind("xAKIAZ3M4TQ7PLKW2QRST"), None);
        assert_eq!(
            kind("ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            Some("a GitHub personal access token")
        );
        assert_eq!(kind("ghp_short"), None);
        assert_eq!(
            kind("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop"),
            Some("a JSON Web Token")
        );
        assert_eq!(
            kind("-----BEGIN OPENSSH PRIVATE KEY-----\nabc"),
            Some("a private key")
        );
        assert_eq!(kind("-----BEGIN CERTIFICATE-----"), None);
        let url = find_credential("postgres://app:s3cr3t@db:5432/app").unwrap();
        assert_eq!(url.shown, "postgres://app:****@db:5432/app");
        assert_eq!(find_credential("https://user:${PASS}@host/x"), None);
        assert_eq!(find_credential("https://user:<password>@host/x"), None);
        assert_eq!(find_credential("amqp://guest:guest@rabbit:5672/"), None);
        assert_eq!(find_credential("https://example.com/a@b"), None);
    }

    #[test]
    fn urls_with_passwords() {
        let u =
            url_credentials("--index-url=https://__token__:pypi-abc@pypi.example/simple").unwrap();
        assert_eq!(u.user, "__token__");
        assert_eq!(u.password, "pypi-abc");
        assert_eq!(u.masked, "https://__token__:****@pypi.example/simple");
        assert_eq!(u.start, "--index-url=".len());
        assert!(url_credentials("git@github.com:org/repo.git").is_none());
        assert!(url_credentials("https://user@host/x").is_none());
        assert!(url_credentials("https://user:@host/x").is_none());
    }
}
