//! File names that hold credentials: what PL302 and PL303 look for.

/// A path that names a sensitive file or directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SensitivePath {
    /// What it is, for messages ("a private SSH key").
    pub what: &'static str,
    /// The sensitive part of the path: the file itself, or the directory (`.git`, `.ssh`)
    /// that makes everything under it sensitive.
    pub item: String,
    /// `item` is a directory.
    pub is_dir: bool,
    /// Only the extension says so (`server.pem`, `tls.key`): it may as well be a
    /// certificate or a public key, so where it is copied to decides.
    pub ambiguous: bool,
}

/// Directories whose whole content is sensitive.
const SENSITIVE_DIRS: &[(&str, &str)] = &[
    (".ssh", "an SSH directory (private keys, known hosts)"),
    (".gnupg", "a GnuPG home (private keys)"),
    (
        ".git",
        "the git directory (the whole history, remotes with credentials)",
    ),
];

/// Files recognised by the end of their path.
const SENSITIVE_SUFFIXES: &[(&str, &str)] = &[
    (".aws/credentials", "AWS credentials"),
    (".docker/config.json", "Docker registry credentials"),
    (
        ".kube/config",
        "a Kubernetes config with cluster credentials",
    ),
];

/// Files recognised by their exact name.
const SENSITIVE_NAMES: &[(&str, &str)] = &[
    ("id_rsa", "a private SSH key"),
    ("id_dsa", "a private SSH key"),
    ("id_ecdsa", "a private SSH key"),
    ("id_ecdsa_sk", "a private SSH key"),
    ("id_ed25519", "a private SSH key"),
    ("id_ed25519_sk", "a private SSH key"),
    (".env", "an environment file (it usually holds secrets)"),
    (".npmrc", "an npm config (it often holds registry tokens)"),
    (".pypirc", "a PyPI config (it holds upload credentials)"),
    (".netrc", "a .netrc file (it holds login passwords)"),
    ("_netrc", "a .netrc file (it holds login passwords)"),
    (".git-credentials", "stored git credentials"),
    (".pgpass", "a PostgreSQL password file"),
    (".dockercfg", "Docker registry credentials"),
    ("credentials.json", "a credentials file"),
];

/// Suffixes of `.env.*` files that are templates, not secrets.
const ENV_TEMPLATES: &[&str] = &[
    "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "default", "schema",
];

/// Words in a `.pem`/`.key` file name that say it is a certificate or a public key.
const PUBLIC_KEY_WORDS: &[&str] = &[
    "cert",
    "crt",
    "ca",
    "chain",
    "fullchain",
    "bundle",
    "root",
    "trust",
    "pub",
    "public",
    "gpg",
    "pgp",
    "asc",
    "signing",
    "sign",
    "release",
    "archive",
    "apt",
    "repo",
    "keyring",
    "rpm",
    "dhparam",
    "dhparams",
];

/// Classifies a path (context-relative or absolute, `/` separators). A trailing glob in the
/// last component is fine: `*.pem` still names PEM files.
pub fn classify(path: &str) -> Option<SensitivePath> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let name = *parts.last()?;
    for (i, part) in parts.iter().enumerate() {
        if let Some((_, what)) = SENSITIVE_DIRS.iter().find(|(d, _)| d == part) {
            return Some(SensitivePath {
                what,
                item: parts[..=i].join("/"),
                is_dir: true,
                ambiguous: false,
            });
        }
    }
    let joined = parts.join("/");
    for (suffix, what) in SENSITIVE_SUFFIXES {
        if joined == *suffix || joined.ends_with(&format!("/{suffix}")) {
            return Some(file(what, joined));
        }
    }
    if let Some((_, what)) = SENSITIVE_NAMES.iter().find(|(n, _)| *n == name) {
        return Some(file(what, joined));
    }
    if let Some(variant) = name.strip_prefix(".env.")
        && !variant.is_empty()
        && !ENV_TEMPLATES
            .iter()
            .any(|t| variant.eq_ignore_ascii_case(t) || variant.ends_with(&format!(".{t}")))
    {
        return Some(file(
            "an environment file (it usually holds secrets)",
            joined,
        ));
    }
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = lower.rsplit_once('.')?;
    let (what, ambiguous) = match ext {
        "p12" | "pfx" => (
            "a PKCS#12 keystore (a certificate with its private key)",
            false,
        ),
        "kdbx" => ("a KeePass password database", false),
        "pem" | "key" if looks_public(stem) => return None,
        "pem" if stem.contains("key") || stem.contains("priv") => ("a private key", false),
        "pem" => ("a PEM file that may hold a private key", true),
        "key" => ("a private key", !stem.contains("priv")),
        _ => return None,
    };
    Some(SensitivePath {
        ambiguous,
        ..file(what, joined)
    })
}

/// Destinations that hold certificates and public keys: a PEM or key file copied there is
/// one of those.
pub fn is_public_key_store(dest: &str) -> bool {
    const STORES: &[&str] = &[
        "ca-certificates",
        "/certs",
        "ca-trust",
        "anchors",
        "keyrings",
        "trusted.gpg",
        "rpm-gpg",
        "/etc/apt/",
    ];
    let lower = dest.to_ascii_lowercase();
    STORES.iter().any(|s| lower.contains(s))
}

fn file(what: &'static str, item: String) -> SensitivePath {
    SensitivePath {
        what,
        item,
        is_dir: false,
        ambiguous: false,
    }
}

/// Whether a key or PEM file name says it is public (a certificate, a signing key).
fn looks_public(stem: &str) -> bool {
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| PUBLIC_KEY_WORDS.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(path: &str) -> Option<&'static str> {
        classify(path).map(|s| s.what)
    }

    #[test]
    fn sensitive_paths() {
        assert_eq!(what("id_rsa"), Some("a private SSH key"));
        assert_eq!(what("keys/id_ed25519"), Some("a private SSH key"));
        assert_eq!(what("id_rsa.pub"), None);
        assert!(what(".env").is_some());
        assert!(what("app/.env.production").is_some());
        assert_eq!(what(".env.example"), None);
        assert_eq!(what(".env.local.sample"), None);
        assert_eq!(what("meta.env"), None);
        assert!(what("server.key").is_some());
        assert_eq!(what("nginx_signing.key"), None);
        assert_eq!(what("ca.pem"), None);
        assert_eq!(what("fullchain.pem"), None);
        assert_eq!(what("privkey.pem"), Some("a private key"));
        assert!(what("*.pem").is_some());
        assert!(what("store.p12").is_some());
        assert_eq!(what("home/.aws/credentials"), Some("AWS credentials"));
        assert_eq!(what("credentials"), None);
        let git = classify(".git/config").unwrap();
        assert_eq!(git.item, ".git");
        assert!(git.is_dir);
        assert_eq!(classify("./.ssh/").unwrap().item, ".ssh");
        assert_eq!(what(".github/workflows/ci.yml"), None);
        assert_eq!(what("src/main.rs"), None);
    }
}
