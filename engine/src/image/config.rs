//! The image configuration: the OCI configuration (oci-spec) plus the Docker extensions
//! BuildKit and Docker keep in the same JSON object — `Healthcheck`, `OnBuild` and
//! `Shell` — which OCI leaves out but Plimsoll needs (ONBUILD triggers, SHELL inheritance).

use super::ImageError;
use super::json;
use oci_spec::image::{Config, History, ImageConfiguration, RootFs};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The PATH a container gets when its image sets none (BuildKit's default).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Docker's `HEALTHCHECK` record (durations in nanoseconds).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", args…]` or `["CMD-SHELL", command]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageConfig {
    pub oci: ImageConfiguration,
    pub healthcheck: Option<Healthcheck>,
    pub on_build: Vec<String>,
    pub shell: Option<Vec<String>>,
}

impl Default for ImageConfig {
    fn default() -> Self {
        ImageConfig::scratch()
    }
}

impl ImageConfig {
    /// The configuration of `FROM scratch`: this platform, the default PATH.
    pub fn scratch() -> ImageConfig {
        let mut oci = ImageConfiguration::default();
        oci.set_os(oci_spec::image::Os::Linux);
        let mut config = Config::default();
        config.set_env(Some(vec![format!("PATH={DEFAULT_PATH}")]));
        oci.set_config(Some(config));
        oci.set_rootfs(RootFs::default());
        ImageConfig {
            oci,
            healthcheck: None,
            on_build: Vec::new(),
            shell: None,
        }
    }

    pub fn from_json(bytes: &[u8]) -> Result<ImageConfig, ImageError> {
        let mut value: Value = serde_json::from_slice(bytes).map_err(ImageError::Config)?;
        let mut healthcheck = None;
        let mut on_build = Vec::new();
        let mut shell = None;
        if let Some(Value::Object(config)) = value.get_mut("config") {
            if let Some(v) = config.remove("Healthcheck").filter(|v| !v.is_null()) {
                healthcheck = Some(serde_json::from_value(v).map_err(ImageError::Config)?);
            }
            if let Some(v) = config.remove("OnBuild").filter(|v| !v.is_null()) {
                on_build = serde_json::from_value(v).map_err(ImageError::Config)?;
            }
            if let Some(v) = config.remove("Shell").filter(|v| !v.is_null()) {
                shell = Some(serde_json::from_value(v).map_err(ImageError::Config)?);
            }
            // Docker writes `null` for empty maps and lists; oci-spec wants them absent.
            config.retain(|_, v| !v.is_null());
        }
        let oci: ImageConfiguration = serde_json::from_value(value).map_err(ImageError::Config)?;
        Ok(ImageConfig {
            oci,
            healthcheck,
            on_build,
            shell,
        })
    }

    /// Canonical JSON (sorted keys), so equal configs have equal digests.
    pub fn to_json(&self) -> Result<Vec<u8>, ImageError> {
        let mut value = serde_json::to_value(&self.oci).map_err(ImageError::Config)?;
        let has_ext =
            self.healthcheck.is_some() || !self.on_build.is_empty() || self.shell.is_some();
        if has_ext && let Value::Object(root) = &mut value {
            let config = root
                .entry("config")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(config) = config {
                if let Some(h) = &self.healthcheck {
                    config.insert(
                        "Healthcheck".into(),
                        serde_json::to_value(h).map_err(ImageError::Config)?,
                    );
                }
                if !self.on_build.is_empty() {
                    config.insert("OnBuild".into(), self.on_build.clone().into());
                }
                if let Some(shell) = &self.shell {
                    config.insert("Shell".into(), shell.clone().into());
                }
            }
        }
        json::canonical(&value).map_err(ImageError::Config)
    }

    /// The execution parameters (empty when the image has none).
    pub fn config(&self) -> Config {
        self.oci.config().clone().unwrap_or_default()
    }

    /// Changes the execution parameters.
    pub fn update(&mut self, change: impl FnOnce(&mut Config)) {
        let mut config = self.config();
        change(&mut config);
        self.oci.set_config(Some(config));
    }

    /// `NAME=value` entries.
    pub fn env(&self) -> Vec<String> {
        self.oci
            .config()
            .as_ref()
            .and_then(|c| c.env().clone())
            .unwrap_or_default()
    }

    pub fn env_value(&self, name: &str) -> Option<String> {
        self.env().into_iter().find_map(|entry| {
            let (k, v) = entry.split_once('=').unwrap_or((&entry, ""));
            (k == name).then(|| v.to_string())
        })
    }

    /// Sets (or replaces, keeping its position) an environment variable.
    pub fn set_env(&mut self, name: &str, value: &str) {
        let mut env = self.env();
        let entry = format!("{name}={value}");
        match env
            .iter_mut()
            .find(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == name)
        {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
        self.update(|c| {
            c.set_env(Some(env));
        });
    }

    pub fn user(&self) -> Option<String> {
        self.oci
            .config()
            .as_ref()
            .and_then(|c| c.user().clone())
            .filter(|u| !u.is_empty())
    }

    pub fn working_dir(&self) -> Option<String> {
        self.oci
            .config()
            .as_ref()
            .and_then(|c| c.working_dir().clone())
            .filter(|w| !w.is_empty())
    }

    pub fn entrypoint(&self) -> Option<Vec<String>> {
        self.oci
            .config()
            .as_ref()
            .and_then(|c| c.entrypoint().clone())
    }

    pub fn cmd(&self) -> Option<Vec<String>> {
        self.oci.config().as_ref().and_then(|c| c.cmd().clone())
    }

    pub fn diff_ids(&self) -> &[String] {
        self.oci.rootfs().diff_ids()
    }

    pub fn history(&self) -> Vec<History> {
        self.oci.history().clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER_CONFIG: &str = r#"{
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "docker_version": "24.0.0", "container_config": {"Hostname": "x"},
        "config": {"Hostname": "", "Env": ["PATH=/bin", "A=1"], "Cmd": ["sh"],
                   "Volumes": null, "ExposedPorts": {"80/tcp": {}}, "Entrypoint": null,
                   "OnBuild": ["RUN echo hi"], "Shell": ["/bin/bash", "-c"],
                   "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 5000000000},
                   "Labels": {"b": "2", "a": "1"}},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:aa"]},
        "history": [{"created_by": "/bin/sh -c #(nop) ADD file"}]
    }"#;

    #[test]
    fn reads_docker_configs_with_extensions() {
        let c = ImageConfig::from_json(DOCKER_CONFIG.as_bytes()).unwrap();
        assert_eq!(c.env_value("A").as_deref(), Some("1"));
        assert_eq!(c.on_build, vec!["RUN echo hi"]);
        assert_eq!(
            c.shell.as_deref(),
            Some(&["/bin/bash".to_string(), "-c".into()][..])
        );
        let h = c.healthcheck.as_ref().unwrap();
        assert_eq!(h.interval, 5_000_000_000);
        assert_eq!(c.cmd(), Some(vec!["sh".to_string()]));
        assert_eq!(c.diff_ids(), ["sha256:aa"]);
    }

    #[test]
    fn writes_canonical_json_with_extensions() {
        let c = ImageConfig::from_json(DOCKER_CONFIG.as_bytes()).unwrap();
        let a = c.to_json().unwrap();
        let again = ImageConfig::from_json(&a).unwrap();
        assert_eq!(again, c);
        assert_eq!(again.to_json().unwrap(), a);
        let text = String::from_utf8(a).unwrap();
        assert!(text.contains(r#""Labels":{"a":"1","b":"2"}"#), "{text}");
        assert!(text.contains(r#""OnBuild":["RUN echo hi"]"#));
        assert!(text.contains(r#""ExposedPorts":{"80/tcp":{}}"#));
        assert!(!text.contains("docker_version"));
    }

    #[test]
    fn env_is_replaced_in_place() {
        let mut c = ImageConfig::scratch();
        assert_eq!(c.env_value("PATH").as_deref(), Some(DEFAULT_PATH));
        c.set_env("A", "1");
        c.set_env("PATH", "/x");
        assert_eq!(c.env(), vec!["PATH=/x", "A=1"]);
    }
}
