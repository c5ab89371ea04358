//! What to build and how: [`BuildOptions`], made with [`BuildOptionsBuilder`].

use super::BuildError;
use crate::export::Output;
use crate::image::Compression;
use crate::sandbox::Network;
use crate::source::Resolver;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a `--secret` comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    File(PathBuf),
    Env(String),
}

impl SecretSource {
    /// Parses `id=NAME,src=PATH` (also `source=`, `type=file`) or `id=NAME,env=VAR`, as
    /// `docker build --secret` does. A lone `id=NAME` reads the environment variable NAME.
    pub fn parse(text: &str) -> Result<(String, SecretSource), BuildError> {
        let mut id = None;
        let mut source = None;
        for field in text.split(',') {
            let (key, value) = field.split_once('=').ok_or_else(|| {
                BuildError::Invalid(format!("--secret `{text}`: `{field}` is not key=value"))
            })?;
            match key {
                "id" => id = Some(value.to_string()),
                "src" | "source" => source = Some(SecretSource::File(PathBuf::from(value))),
                "env" => source = Some(SecretSource::Env(value.to_string())),
                "type" if value == "file" || value == "env" => {}
                _ => {
                    return Err(BuildError::Invalid(format!(
                        "--secret `{text}`: unknown field `{key}` (use id=, src= or env=)"
                    )));
                }
            }
        }
        let id = id.ok_or_else(|| BuildError::Invalid(format!("--secret `{text}` needs id=")))?;
        let source = source.unwrap_or_else(|| SecretSource::Env(id.clone()));
        Ok((id, source))
    }

    /// The secret's bytes.
    pub fn read(&self) -> Result<Vec<u8>, BuildError> {
        match self {
            SecretSource::File(path) => std::fs::read(path).map_err(BuildError::io(path)),
            SecretSource::Env(var) => std::env::var(var).map(String::into_bytes).map_err(|_| {
                BuildError::Invalid(format!("secret environment variable {var} is not set"))
            }),
        }
    }
}

/// Parses `--ssh ID[=SOCKET]` as `docker build --ssh` does for agents: `default` (or any
/// id) without a path forwards `$SSH_AUTH_SOCK`. Key files are not accepted: this engine
/// forwards agents only.
pub fn parse_ssh(text: &str) -> Result<(String, PathBuf), BuildError> {
    let (id, path) = match text.split_once('=') {
        Some((id, path)) => (id.to_string(), PathBuf::from(path)),
        None => {
            let sock = std::env::var_os("SSH_AUTH_SOCK").ok_or_else(|| {
                BuildError::Invalid(format!(
                    "--ssh {text}: SSH_AUTH_SOCK is not set (start an ssh-agent, or pass --ssh {text}=SOCKET)"
                ))
            })?;
            (text.to_string(), PathBuf::from(sock))
        }
    };
    if id.is_empty() || path.as_os_str().is_empty() || path.to_string_lossy().contains(',') {
        return Err(BuildError::Invalid(format!(
            "--ssh {text}: expected ID or ID=SOCKET (one agent socket; key files are not supported)"
        )));
    }
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(&path)
        .map_err(BuildError::io(&path))?
        .file_type();
    if !kind.is_socket() {
        return Err(BuildError::Invalid(format!(
            "--ssh {text}: {} is not an ssh-agent socket (key files are not supported)",
            path.display()
        )));
    }
    Ok((id, path))
}

#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub context: PathBuf,
    /// The Dockerfile path; default `CONTEXT/Dockerfile`.
    pub dockerfile: PathBuf,
    /// The Dockerfile's text when it does not come from a file.
    pub dockerfile_text: Option<String>,
    pub target: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub resolver: Resolver,
    /// Names to give the result in the local store.
    pub tags: Vec<String>,
    pub outputs: Vec<Output>,
    pub no_cache: bool,
    /// Default network of RUN steps.
    pub network: Network,
    pub secrets: BTreeMap<String, SecretSource>,
    /// ssh-agent sockets by id, for `RUN --mount=type=ssh`.
    pub ssh: BTreeMap<String, PathBuf>,
    /// `--allow security.insecure`: `RUN --security=insecure` may run privileged.
    pub allow_insecure: bool,
    /// Fixed timestamps (and file times clamped to it) for reproducible images.
    pub source_date_epoch: Option<i64>,
    pub compression: Compression,
}

impl BuildOptions {
    pub fn builder(context: impl Into<PathBuf>) -> BuildOptionsBuilder {
        let context = context.into();
        BuildOptionsBuilder {
            options: BuildOptions {
                dockerfile: context.join("Dockerfile"),
                context,
                dockerfile_text: None,
                target: None,
                build_args: BTreeMap::new(),
                resolver: Resolver::default(),
                tags: Vec::new(),
                outputs: Vec::new(),
                no_cache: false,
                network: Network::Host,
                secrets: BTreeMap::new(),
                ssh: BTreeMap::new(),
                allow_insecure: false,
                source_date_epoch: None,
                compression: Compression::Gzip,
            },
        }
    }
}

pub struct BuildOptionsBuilder {
    options: BuildOptions,
}

impl BuildOptionsBuilder {
    pub fn dockerfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.options.dockerfile = path.into();
        self
    }

    pub fn dockerfile_text(mut self, text: impl Into<String>) -> Self {
        self.options.dockerfile_text = Some(text.into());
        self
    }

    pub fn target(mut self, target: Option<String>) -> Self {
        self.options.target = target;
        self
    }

    pub fn build_arg(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.build_args.insert(name.into(), value.into());
        self
    }

    pub fn resolver(mut self, resolver: Resolver) -> Self {
        self.options.resolver = resolver;
        self
    }

    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.options.tags.push(name.into());
        self
    }

    pub fn output(mut self, output: Output) -> Self {
        self.options.outputs.push(output);
        self
    }

    pub fn no_cache(mut self, no_cache: bool) -> Self {
        self.options.no_cache = no_cache;
        self
    }

    pub fn network(mut self, network: Network) -> Self {
        self.options.network = network;
        self
    }

    pub fn secret(mut self, id: impl Into<String>, source: SecretSource) -> Self {
        self.options.secrets.insert(id.into(), source);
        self
    }

    pub fn ssh(mut self, id: impl Into<String>, socket: impl Into<PathBuf>) -> Self {
        self.options.ssh.insert(id.into(), socket.into());
        self
    }

    pub fn allow_insecure(mut self, allow: bool) -> Self {
        self.options.allow_insecure = allow;
        self
    }

    pub fn source_date_epoch(mut self, epoch: Option<i64>) -> Self {
        self.options.source_date_epoch = epoch;
        self
    }

    pub fn compression(mut self, compression: Compression) -> Self {
        self.options.compression = compression;
        self
    }

    pub fn build(self) -> Result<BuildOptions, BuildError> {
        let o = self.options;
        if !o.context.is_dir() {
            return Err(BuildError::Invalid(format!(
                "the build context {} is not a directory",
                o.context.display()
            )));
        }
        for tag in &o.tags {
            crate::image::ImageName::parse(tag)?;
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_secrets() {
        assert_eq!(
            SecretSource::parse("id=tok,src=/run/t").unwrap(),
            ("tok".into(), SecretSource::File("/run/t".into()))
        );
        assert_eq!(
            SecretSource::parse("id=tok,env=TOKEN").unwrap().1,
            SecretSource::Env("TOKEN".into())
        );
        assert_eq!(
            SecretSource::parse("id=TOKEN").unwrap().1,
            SecretSource::Env("TOKEN".into())
        );
        assert!(SecretSource::parse("src=/x").is_err());
        assert!(SecretSource::parse("id=x,bogus=1").is_err());
    }

    #[test]
    fn parses_ssh_agents() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("agent.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        assert_eq!(
            parse_ssh(&format!("default={}", sock.display())).unwrap(),
            ("default".to_string(), sock.clone())
        );
        let file = dir.path().join("id_ed25519");
        std::fs::write(&file, "key").unwrap();
        let err = parse_ssh(&format!("default={}", file.display())).unwrap_err();
        assert!(err.to_string().contains("not an ssh-agent socket"), "{err}");
        assert!(parse_ssh("=x").is_err());
        assert!(parse_ssh(&format!("x={},{}", sock.display(), sock.display())).is_err());
    }

    #[test]
    fn validates() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            BuildOptions::builder(dir.path().join("missing"))
                .build()
                .is_err()
        );
        assert!(
            BuildOptions::builder(dir.path())
                .tag("Bad Name")
                .build()
                .is_err()
        );
        let o = BuildOptions::builder(dir.path())
            .tag("app:1")
            .build()
            .unwrap();
        assert_eq!(o.dockerfile, dir.path().join("Dockerfile"));
    }
}
