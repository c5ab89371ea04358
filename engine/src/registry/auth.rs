//! Registry authentication: `WWW-Authenticate` challenges and the credentials Docker's
//! configuration holds (`~/.docker/config.json`: `auths` entries, `credHelpers` and
//! `credsStore` helper programs).

use super::RegistryError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A user name and password (or token) for a registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

impl Credentials {
    /// The value of an `Authorization: Basic …` header.
    pub fn basic_header(&self) -> String {
        format!(
            "Basic {}",
            BASE64.encode(format!("{}:{}", self.username, self.password))
        )
    }
}

/// A parsed `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// `bearer` or `basic`, lower-cased.
    pub scheme: String,
    /// Parameters with lower-cased names: `realm`, `service`, `scope`…
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// Parses `Scheme key="value", key=token, …` (RFC 7235; quoted strings may contain
    /// commas and backslash escapes).
    pub fn parse(header: &str) -> Option<Challenge> {
        let header = header.trim();
        let (scheme, mut rest) = match header.find(char::is_whitespace) {
            Some(i) => (&header[..i], header[i..].trim_start()),
            None => (header, ""),
        };
        if scheme.is_empty() {
            return None;
        }
        let mut params = BTreeMap::new();
        while !rest.is_empty() {
            let eq = rest.find('=')?;
            let key = rest[..eq].trim().to_ascii_lowercase();
            rest = rest[eq + 1..].trim_start();
            let mut value = String::new();
            if let Some(quoted) = rest.strip_prefix('"') {
                let mut chars = quoted.char_indices();
                let mut end = None;
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = Some(i + 1);
                            break;
                        }
                        c => value.push(c),
                    }
                }
                rest = &quoted[end?..];
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                value = rest[..end].trim().to_string();
                rest = &rest[end..];
            }
            params.insert(key, value);
            rest = rest.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        }
        Some(Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params,
        })
    }
}

/// Docker's client configuration, as far as credentials go.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// Where Docker keeps its configuration: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// The host an `auths` key names: `https://index.docker.io/v1/` → `index.docker.io`.
fn key_host(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// Docker Hub answers to several names; its credentials are stored under
/// `https://index.docker.io/v1/`.
fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// The server name credential helpers are asked about.
fn helper_server(registry: &str) -> String {
    if is_docker_hub(registry) {
        "https://index.docker.io/v1/".to_string()
    } else {
        registry.to_string()
    }
}

/// The credentials for `registry` (a `host[:port]`) in the configuration at `path`, if
/// any. A missing file means no credentials; an unreadable or malformed one is an error.
pub fn credentials(path: &Path, registry: &str) -> Result<Option<Credentials>, RegistryError> {
    let error = |reason: String| RegistryError::Credentials {
        path: path.to_path_buf(),
        reason,
    };
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(error(e.to_string())),
    };
    let config: DockerConfig =
        serde_json::from_slice(&text).map_err(|e| error(format!("not valid JSON: {e}")))?;
    let same = |key: &str| {
        let host = key_host(key);
        host == registry || (is_docker_hub(host) && is_docker_hub(registry))
    };
    if let Some((_, helper)) = config.cred_helpers.iter().find(|(key, _)| same(key)) {
        return run_helper(helper, &helper_server(registry)).map_err(error);
    }
    if let Some((key, entry)) = config.auths.iter().find(|(key, _)| same(key)) {
        if entry.identitytoken.is_some() {
            return Err(error(format!(
                "the entry for {key} holds an identity token, which Plimsoll does not support; log in with a user name and password or token"
            )));
        }
        if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
            return Ok(Some(Credentials {
                username: username.clone(),
                password: password.clone(),
            }));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = BASE64
                .decode(auth.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| error(format!("the `auth` of {key} is not base64 text")))?;
            let (username, password) = decoded.split_once(':').ok_or_else(|| {
                error(format!(
                    "the `auth` of {key} is not base64 of USER:PASSWORD"
                ))
            })?;
            return Ok(Some(Credentials {
                username: username.to_string(),
                password: password.to_string(),
            }));
        }
    }
    match &config.creds_store {
        Some(store) if !store.is_empty() => {
            run_helper(store, &helper_server(registry)).map_err(error)
        }
        _ => Ok(None),
    }
}

/// Asks `docker-credential-NAME get` (the credential-helper protocol: the server on
/// standard input, `{"Username", "Secret"}` on standard output).
fn run_helper(name: &str, server: &str) -> Result<Option<Credentials>, String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Answer {
        username: String,
        secret: String,
    }
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the credential helper {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading is judged by its exit status below.
        let _ = stdin.write_all(server.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stdout);
        let said = said.trim();
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!("{program} get failed ({}): {said}", output.status));
    }
    let answer: Answer = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{program} get: unexpected answer: {e}"))?;
    Ok(Some(Credentials {
        username: answer.username,
        password: answer.secret,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["service"], "registry.example");
        assert_eq!(c.params["scope"], "repository:a/b:pull,push");
        let c = Challenge::parse(r#"Basic realm="Registry \"Realm\"", charset=UTF-8"#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], r#"Registry "Realm""#);
        assert_eq!(c.params["charset"], "UTF-8");
        assert_eq!(Challenge::parse("Basic").unwrap().params.len(), 0);
        assert!(Challenge::parse("").is_none());
        assert!(Challenge::parse(r#"Bearer realm="unterminated"#).is_none());
    }

    fn config(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_docker_config() {
        let (_d, path) = config(
            r#"{"auths": {
                "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="},
                "127.0.0.1:5000": {"username": "u", "password": "p:w"},
                "http://other.example:8080/v2/": {"auth": "bzpwOng="}
            }}"#,
        );
        let get = |r: &str| credentials(&path, r).unwrap();
        let hub = get("docker.io").unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("hub", "secret")
        );
        assert_eq!(get("127.0.0.1:5000").unwrap().password, "p:w");
        assert_eq!(get("other.example:8080").unwrap().password, "p:x");
        assert_eq!(get("127.0.0.1:5001"), None);
        assert_eq!(get("ghcr.io"), None);
        assert!(!format!("{hub:?}").contains("secret"));
        assert_eq!(hub.basic_header(), "Basic aHViOnNlY3JldA==");
    }

    #[test]
    fn missing_config_means_no_credentials_and_bad_config_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            credentials(&dir.path().join("none.json"), "docker.io").unwrap(),
            None
        );
        let (_d, path) = config("{not json");
        assert!(credentials(&path, "docker.io").is_err());
        let (_d, path) = config(r#"{"auths": {"docker.io": {"auth": "!!"}}}"#);
        let err = credentials(&path, "docker.io").unwrap_err().to_string();
        assert!(err.contains("base64"), "{err}");
        let (_d, path) = config(r#"{"credHelpers": {"ghcr.io": "plimsoll-test-missing"}}"#);
        let err = credentials(&path, "ghcr.io").unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-plimsoll-test-missing"),
            "{err}"
        );
        assert_eq!(credentials(&path, "quay.io").unwrap(), None);
    }
}
