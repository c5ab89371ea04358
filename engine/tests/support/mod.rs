//! A real registry for tests: Debian's `docker-registry` on 127.0.0.1 and a free port, in
//! a temporary directory, stopped when dropped; optionally behind htpasswd basic auth, or
//! behind `token_proxy.py`, a bearer-token front the test serves on loopback (a token
//! endpoint plus a proxy that demands tokens with the right scope, as Docker Hub does).
//! Also: small OCI layouts made in memory, and the tool gate shared with the other tests
//! (`PLIMSOLL_REQUIRE_TOOLS` turns a missing tool into a failure).
#![allow(dead_code)]

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest as _, Sha256};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether every tool is installed; a missing one fails under PLIMSOLL_REQUIRE_TOOLS.
pub fn tools(names: &[&str]) -> bool {
    for name in names {
        let found = std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(name).is_file()));
        if !found {
            assert!(
                std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
                "{name} is required (PLIMSOLL_REQUIRE_TOOLS is set) but not installed"
            );
            eprintln!("skipped: {name} is not installed");
            return false;
        }
    }
    true
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `GET /v2/` on `port` answers at all (200 or 401).
fn wait_for(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    while Instant::now() < deadline {
        if let Ok(r) = agent.get(format!("http://127.0.0.1:{port}/v2/")).call()
            && matches!(r.status().as_u16(), 200 | 401)
        {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not answer on 127.0.0.1:{port}");
}

pub enum Auth {
    None,
    /// htpasswd basic auth with this user and password.
    Basic(&'static str, &'static str),
    /// The bearer-token front, accepting this user and password at its token endpoint.
    Bearer(&'static str, &'static str),
}

pub struct Registry {
    pub dir: tempfile::TempDir,
    /// Where clients talk to: the registry itself, or the token front.
    pub host: String,
    /// The registry's own address (behind the token front, if any).
    pub backend: String,
    children: Vec<Child>,
}

impl Registry {
    pub fn start(auth: Auth) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if let Auth::Basic(user, password) = auth {
            let out = Command::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()
                .unwrap();
            assert!(out.status.success(), "htpasswd failed");
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, &out.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: plimsoll-test\n    path: {}\n",
                file.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let mut registry = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("registry.log")).unwrap())
            .spawn()
            .expect("docker-registry starts");
        wait_for(port, &mut registry, "docker-registry");
        let backend = format!("127.0.0.1:{port}");
        let mut children = vec![registry];
        let host = match auth {
            Auth::Bearer(user, password) => {
                let front = free_port();
                let script =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/token_proxy.py");
                let mut proxy = Command::new("python3")
                    .arg(script)
                    .args([&front.to_string(), &port.to_string(), user, password])
                    .arg(dir.path().join("tokens.log"))
                    .stdout(Stdio::null())
                    .stderr(std::fs::File::create(dir.path().join("proxy.log")).unwrap())
                    .spawn()
                    .expect("python3 runs the token front");
                wait_for(front, &mut proxy, "token_proxy.py");
                children.push(proxy);
                format!("127.0.0.1:{front}")
            }
            _ => backend.clone(),
        };
        Registry {
            dir,
            host,
            backend,
            children,
        }
    }

    /// The scopes the token front issued tokens for, in order.
    pub fn token_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("tokens.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The file the registry keeps a blob's bytes in (filesystem storage driver).
    pub fn blob_data(&self, hex: &str) -> PathBuf {
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// A Docker configuration file holding these credentials for this registry.
    pub fn docker_config(&self, user: &str, password: &str) -> PathBuf {
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let path = self
            .dir
            .path()
            .join(format!("docker-config-{user}-{password}.json"));
        std::fs::write(
            &path,
            format!(r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#, self.host),
        )
        .unwrap();
        path
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A gzip layer holding `files` (path, content).
pub fn layer(files: &[(&str, &[u8])]) -> (Vec<u8>, String) {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, *content).unwrap();
    }
    let raw = tar.into_inner().unwrap();
    let diff_id = sha256(&raw);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&raw).unwrap();
    (gz.finish().unwrap(), diff_id)
}

fn put_blob(layout: &Path, bytes: &[u8]) -> String {
    let digest = sha256(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&digest[7..]), bytes).unwrap();
    digest
}

/// Writes an image manifest (and its config and layers) for `arch` into `layout`;
/// returns (manifest digest, size).
pub fn image(layout: &Path, arch: &str, files: &[(&str, &[u8])]) -> (String, usize) {
    let (layer, diff_id) = layer(files);
    let layer_digest = put_blob(layout, &layer);
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","config":{{"Cmd":["/hello"]}},"rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}},"history":[{{"created_by":"COPY hello /hello"}}]}}"#
    );
    let config_digest = put_blob(layout, config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer_digest}","size":{}}}]}}"#,
        config.len(),
        layer.len()
    );
    (put_blob(layout, manifest.as_bytes()), manifest.len())
}

/// The architecture OCI names this machine's.
pub fn native_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// An OCI layout at `layout` whose `tag` is a single-platform image.
pub fn single(layout: &Path, tag: &str, files: &[(&str, &[u8])]) -> String {
    let (digest, size) = image(layout, native_arch(), files);
    write_index(
        layout,
        &format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":{size},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}"#
        ),
    );
    digest
}

/// An OCI layout at `layout` whose `tag` is an index of two platforms: this machine's
/// (with `files`) and another one. Returns (index digest, native manifest digest).
pub fn multi(layout: &Path, tag: &str, files: &[(&str, &[u8])]) -> (String, String) {
    let other = if native_arch() == "amd64" {
        "arm64"
    } else {
        "amd64"
    };
    let (foreign, foreign_size) = image(layout, other, &[("hello", b"foreign")]);
    let (native, native_size) = image(layout, native_arch(), files);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{foreign}","size":{foreign_size},"platform":{{"architecture":"{other}","os":"linux"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{native}","size":{native_size},"platform":{{"architecture":"{}","os":"linux"}}}}]}}"#,
        native_arch()
    );
    let index_digest = put_blob(layout, index.as_bytes());
    write_index(
        layout,
        &format!(
            r#"{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{index_digest}","size":{},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}"#,
            index.len()
        ),
    );
    (index_digest, native)
}

fn write_index(layout: &Path, manifest: &str) {
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(
        layout.join("index.json"),
        format!(r#"{{"schemaVersion":2,"manifests":[{manifest}]}}"#),
    )
    .unwrap();
}
