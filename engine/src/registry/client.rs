//! One repository on one registry over the distribution API: requests carry the
//! authorization the registry asked for (a bearer token from its token service, or
//! basic credentials), obtained on the first 401 and renewed on a later one.

use super::auth::{Challenge, Credentials, credentials, docker_config_path};
use super::{RegistryError, RegistryOptions};
use crate::digest::Digest;
use crate::image::ImageName;
use std::time::Duration;
use ureq::Body;
use ureq::http::Response;

/// The media types Plimsoll reads, in the `Accept` header of manifest requests.
pub const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Manifests and indexes larger than this are refused (the distribution spec suggests
/// registries accept at least 4 MiB).
const MAX_MANIFEST: u64 = 4 << 20;

/// What a session may do: the `actions` of its token scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Pull,
    Push,
}

impl Access {
    fn actions(self) -> &'static str {
        match self {
            Access::Pull => "pull",
            Access::Push => "pull,push",
        }
    }
}

/// Sends one request with the given `Authorization` value (if any).
type MakeRequest<'a> =
    dyn Fn(&ureq::Agent, Option<&str>) -> Result<Response<Body>, ureq::Error> + 'a;

/// A session with one repository.
pub struct Repository {
    agent: ureq::Agent,
    /// `https://host[:port]` (or `http://` for insecure registries).
    base: String,
    /// The registry as users name it (`docker.io`), for credentials and messages.
    registry: String,
    repository: String,
    access: Access,
    credentials_file: Option<std::path::PathBuf>,
    credentials: Option<Option<Credentials>>,
    authorization: Option<String>,
}

/// A manifest or index as the registry sent it.
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: Digest,
}

/// The HTTP client every download uses: statuses are answers, not errors (the caller
/// reads them), bounded waits, redirects followed.
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(300)))
        .max_redirects(10)
        .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

/// The host the distribution API of `registry` answers on.
pub fn api_host(registry: &str) -> &str {
    if registry == "docker.io" || registry == "index.docker.io" {
        "registry-1.docker.io"
    } else {
        registry
    }
}

impl Repository {
    pub fn open(options: &RegistryOptions, name: &ImageName, access: Access) -> Repository {
        let scheme = if options.is_insecure(&name.registry) {
            "http"
        } else {
            "https"
        };
        Repository {
            agent: agent(),
            base: format!("{scheme}://{}", api_host(&name.registry)),
            registry: name.registry.clone(),
            repository: name.repository.clone(),
            access,
            credentials_file: options.credentials_file.clone().or_else(docker_config_path),
            credentials: None,
            authorization: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.repository)
    }

    fn http_error(&self, url: &str, source: ureq::Error) -> RegistryError {
        // A plain-HTTP server answering a TLS hello shows as a corrupt TLS record.
        let tls = matches!(source, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
            || source.to_string().contains("InvalidContentType");
        let hint = match &source {
            _ if tls && self.base.starts_with("https:") => {
                format!(
                    " (if {} speaks plain HTTP, pass --insecure-registry {})",
                    self.registry, self.registry
                )
            }
            _ => String::new(),
        };
        RegistryError::Http {
            url: url.to_string(),
            reason: format!("{source}{hint}"),
        }
    }

    fn credentials(&mut self) -> Result<Option<Credentials>, RegistryError> {
        if self.credentials.is_none() {
            let found = match &self.credentials_file {
                Some(path) => credentials(path, &self.registry)?,
                None => None,
            };
            self.credentials = Some(found);
        }
        Ok(self.credentials.clone().flatten())
    }

    /// Sends a request made by `make` with the current authorization; on a 401, answers
    /// the challenge and sends it once more.
    fn send(&mut self, url: &str, make: &MakeRequest<'_>) -> Result<Response<Body>, RegistryError> {
        let response = make(&self.agent, self.authorization.as_deref())
            .map_err(|e| self.http_error(url, e))?;
        if response.status().as_u16() != 401 {
            return Ok(response);
        }
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .and_then(Challenge::parse);
        self.authenticate(challenge)?;
        let response = make(&self.agent, self.authorization.as_deref())
            .map_err(|e| self.http_error(url, e))?;
        if response.status().as_u16() == 401 {
            return Err(RegistryError::Unauthorized {
                registry: self.registry.clone(),
                repository: self.repository.clone(),
                reason: "the registry refused the credentials".into(),
            });
        }
        Ok(response)
    }

    fn unauthorized(&self, reason: impl Into<String>) -> RegistryError {
        RegistryError::Unauthorized {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            reason: reason.into(),
        }
    }

    fn authenticate(&mut self, challenge: Option<Challenge>) -> Result<(), RegistryError> {
        let credentials = self.credentials()?;
        let challenge =
            challenge.ok_or_else(|| self.unauthorized("401 without a WWW-Authenticate header"))?;
        match challenge.scheme.as_str() {
            "basic" => {
                let credentials = credentials.ok_or_else(|| {
                    self.unauthorized(format!(
                        "the registry asks for a password and there are no credentials for {} in the Docker configuration (docker login / $DOCKER_CONFIG)",
                        self.registry
                    ))
                })?;
                self.authorization = Some(credentials.basic_header());
                Ok(())
            }
            "bearer" => {
                let token = self.token(&challenge, credentials.as_ref())?;
                self.authorization = Some(format!("Bearer {token}"));
                Ok(())
            }
            other => Err(self.unauthorized(format!(
                "the registry asks for `{other}` authentication, which Plimsoll does not speak"
            ))),
        }
    }

    /// The token flow of the distribution spec: GET the realm with `service` and
    /// `scope`, with basic credentials when there are any (anonymous otherwise).
    fn token(
        &self,
        challenge: &Challenge,
        credentials: Option<&Credentials>,
    ) -> Result<String, RegistryError> {
        #[derive(serde::Deserialize)]
        struct TokenAnswer {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| self.unauthorized("bearer challenge without a realm"))?;
        let scope = format!("repository:{}:{}", self.repository, self.access.actions());
        let mut request = self.agent.get(realm.as_str()).query("scope", &scope);
        if let Some(service) = challenge.params.get("service") {
            request = request.query("service", service);
        }
        if let Some(credentials) = credentials {
            request = request
                .query("account", &credentials.username)
                .header("Authorization", credentials.basic_header());
        }
        let token_error = |reason: String| RegistryError::Token {
            realm: realm.clone(),
            reason,
        };
        let mut response = request.call().map_err(|e| token_error(e.to_string()))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(token_error(match status {
                401 | 403 => match credentials {
                    Some(c) => format!(
                        "the token service refused the credentials of {}",
                        c.username
                    ),
                    None => format!(
                        "the token service wants credentials and there are none for {} in the Docker configuration",
                        self.registry
                    ),
                },
                _ => format!("HTTP {status}"),
            }));
        }
        let answer: TokenAnswer = serde_json::from_slice(
            &response
                .body_mut()
                .with_config()
                .limit(1 << 20)
                .read_to_vec()
                .map_err(|e| token_error(e.to_string()))?,
        )
        .map_err(|e| token_error(format!("not a token answer: {e}")))?;
        answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| token_error("the answer holds no token".into()))
    }

    /// The registry's error message for a failed request.
    fn status_error(&self, what: String, mut response: Response<Body>) -> RegistryError {
        #[derive(serde::Deserialize)]
        struct Errors {
            errors: Vec<ErrorEntry>,
        }
        #[derive(serde::Deserialize)]
        struct ErrorEntry {
            #[serde(default)]
            code: String,
            #[serde(default)]
            message: String,
        }
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 << 10)
            .read_to_vec()
            .unwrap_or_default();
        let detail = serde_json::from_slice::<Errors>(&body)
            .ok()
            .map(|e| {
                e.errors
                    .iter()
                    .map(|e| format!("{}: {}", e.code, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|d| !d.is_empty());
        RegistryError::Status {
            what,
            status,
            detail: detail.unwrap_or_else(|| {
                response
                    .status()
                    .canonical_reason()
                    .unwrap_or("")
                    .to_string()
            }),
        }
    }

    pub fn describe(&self, reference: &str) -> String {
        let sep = if reference.starts_with("sha256:") {
            '@'
        } else {
            ':'
        };
        format!("{}/{}{sep}{reference}", self.registry, self.repository)
    }

    /// GET a manifest or index by tag or digest; the digest is computed from the bytes
    /// (and checked against `reference` when it is one).
    pub fn manifest(&mut self, reference: &str) -> Result<Fetched, RegistryError> {
        let url = self.url(&format!("manifests/{reference}"));
        let mut response = self.send(&url, &|agent, auth| {
            let mut r = agent.get(&url).header("Accept", MANIFEST_TYPES);
            if let Some(auth) = auth {
                r = r.header("Authorization", auth);
            }
            r.call()
        })?;
        if response.status().as_u16() != 200 {
            return Err(
                self.status_error(format!("manifest {}", self.describe(reference)), response)
            );
        }
        let header_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|t| t.split(';').next().unwrap_or(t).trim().to_string());
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_MANIFEST)
            .read_to_vec()
            .map_err(|e| self.http_error(&url, e))?;
        let digest = Digest::of(&bytes);
        if let Ok(expected) = reference.parse::<Digest>()
            && expected != digest
        {
            return Err(RegistryError::DigestMismatch {
                what: self.describe(reference),
                expected,
                actual: digest,
            });
        }
        let media_type = super::manifest_media_type(header_type.as_deref(), &bytes);
        Ok(Fetched {
            bytes,
            media_type,
            digest,
        })
    }

    /// The digest `reference` resolves to, without downloading more than the manifest.
    pub fn resolve(&mut self, reference: &str) -> Result<Digest, RegistryError> {
        Ok(self.manifest(reference)?.digest)
    }

    /// GET a blob; the caller hashes what it reads.
    pub fn blob(&mut self, digest: &Digest) -> Result<Response<Body>, RegistryError> {
        let url = self.url(&format!("blobs/{digest}"));
        let response = self.send(&url, &|agent, auth| {
            let mut r = agent.get(&url);
            if let Some(auth) = auth {
                r = r.header("Authorization", auth);
            }
            r.call()
        })?;
        if response.status().as_u16() != 200 {
            return Err(self.status_error(format!("blob {digest}"), response));
        }
        Ok(response)
    }

    /// Whether the repository already has a blob.
    pub fn has_blob(&mut self, digest: &Digest) -> Result<bool, RegistryError> {
        let url = self.url(&format!("blobs/{digest}"));
        let response = self.send(&url, &|agent, auth| {
            let mut r = agent.head(&url);
            if let Some(auth) = auth {
                r = r.header("Authorization", auth);
            }
            r.call()
        })?;
        match response.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.status_error(format!("blob {digest}"), response)),
        }
    }

    /// Makes `location` (the `Location` of an upload) absolute.
    fn absolute(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            format!("{}/{location}", self.base)
        }
    }

    /// Uploads a blob monolithically: POST to open an upload, PUT the bytes with the
    /// digest. `open` gives a fresh reader each time the request has to be sent.
    pub fn upload_blob(
        &mut self,
        digest: &Digest,
        open: &dyn Fn() -> std::io::Result<std::fs::File>,
    ) -> Result<(), RegistryError> {
        let url = self.url("blobs/uploads/");
        let response = self.send(&url, &|agent, auth| {
            let mut r = agent.post(&url);
            if let Some(auth) = auth {
                r = r.header("Authorization", auth);
            }
            r.send_empty()
        })?;
        if response.status().as_u16() != 202 {
            return Err(self.status_error(format!("starting the upload of {digest}"), response));
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(|l| self.absolute(l))
            .ok_or_else(|| RegistryError::Status {
                what: format!("starting the upload of {digest}"),
                status: 202,
                detail: "no Location header".into(),
            })?;
        let sep = if location.contains('?') { '&' } else { '?' };
        let put = format!(
            "{location}{sep}digest={}",
            digest.to_string().replace(':', "%3A")
        );
        let response = self.send(&put, &|agent, auth| {
            let file = open().map_err(ureq::Error::Io)?;
            let mut r = agent
                .put(&put)
                .header("Content-Type", "application/octet-stream");
            if let Some(auth) = auth {
                r = r.header("Authorization", auth);
            }
            r.send(file)
        })?;
        if response.status().as_u16() != 201 {
            return Err(self.status_error(format!("uploading {digest}"), response));
        }
        Ok(())
    }

    /// PUT a manifest under a tag or its digest.
    pub fn put_manifest(
        &mut self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError> {
        let url = self.url(&format!("manifests/{reference}"));
        let response = self.send(&url, &|agent, auth| {
            let mut r = agent.put(&url).header("Content-Type", media_type);
            if let Some(auth) = auth {
                r = r.header("Authorization", auth);
            }
            r.send(bytes)
        })?;
        if response.status().as_u16() != 201 {
            return Err(
                self.status_error(format!("manifest {}", self.describe(reference)), response)
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_hosts_and_schemes() {
        assert_eq!(api_host("docker.io"), "registry-1.docker.io");
        assert_eq!(api_host("ghcr.io"), "ghcr.io");
        let options = RegistryOptions {
            insecure: vec!["127.0.0.1:5000".into()],
            credentials_file: None,
        };
        let local = ImageName::parse("127.0.0.1:5000/team/app:1").unwrap();
        let repo = Repository::open(&options, &local, Access::Pull);
        assert_eq!(
            repo.url("manifests/1"),
            "http://127.0.0.1:5000/v2/team/app/manifests/1"
        );
        assert_eq!(
            repo.absolute("/v2/team/app/blobs/uploads/u?x=1"),
            "http://127.0.0.1:5000/v2/team/app/blobs/uploads/u?x=1"
        );
        let hub = ImageName::parse("nginx").unwrap();
        let repo = Repository::open(&options, &hub, Access::Push);
        assert_eq!(
            repo.url("blobs/uploads/"),
            "https://registry-1.docker.io/v2/library/nginx/blobs/uploads/"
        );
        assert_eq!(repo.describe("latest"), "docker.io/library/nginx:latest");
    }
}
