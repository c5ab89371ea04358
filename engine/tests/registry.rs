//! Pulls and pushes against a real registry (Debian's `docker-registry` on loopback, see
//! `support/`), with skopeo on the other side: what skopeo pushes Plimsoll reads back,
//! what Plimsoll pushes skopeo reads with the same digests; anonymous, with htpasswd basic
//! auth, and through the bearer-token flow. Needs docker-registry, skopeo, htpasswd and
//! python3; without them the tests say so and pass, unless PLIMSOLL_REQUIRE_TOOLS is set.

mod support;

use plimsoll_engine::build::{BuildError, BuildOptions, Builder, Event, Progress};
use plimsoll_engine::image::{Image, ImageName};
use plimsoll_engine::registry::{self, RegistryError, RegistryOptions};
use plimsoll_engine::sandbox::Sandbox;
use plimsoll_engine::source::{BaseMapping, Resolver};
use plimsoll_engine::store::Store;
use std::path::Path;
use std::process::Command;
use support::{Auth, Registry, run, sha256};

fn ready() -> bool {
    support::tools(&["docker-registry", "skopeo", "htpasswd", "python3"])
}

fn options(registry: &Registry, credentials: Option<&Path>) -> RegistryOptions {
    RegistryOptions {
        insecure: vec![registry.host.clone()],
        // A file that does not exist: no credentials, whatever the machine's ~/.docker has.
        credentials_file: Some(
            credentials
                .map(Path::to_path_buf)
                .unwrap_or_else(|| registry.dir.path().join("no-credentials.json")),
        ),
    }
}

fn name(registry: &Registry, repo: &str) -> ImageName {
    ImageName::parse(&format!("{}/{repo}", registry.host)).unwrap()
}

fn skopeo_copy(from: &str, to: &str, creds: Option<&str>) {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "copy",
        "--quiet",
        "--all",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
    ]);
    if let Some(creds) = creds {
        cmd.args(["--dest-creds", creds]);
    }
    run(cmd.args([from, to]));
}

fn skopeo_raw(reference: &str, creds: Option<&str>) -> Vec<u8> {
    let mut cmd = Command::new("skopeo");
    cmd.args(["inspect", "--raw", "--tls-verify=false"]);
    if let Some(creds) = creds {
        cmd.args(["--creds", creds]);
    }
    run(cmd.arg(reference))
}

#[derive(Default)]
struct Quiet;

impl Progress for Quiet {
    fn event(&mut self, _event: Event<'_>) {}
}

/// Builds `dockerfile` (no RUN: no root needed) with an empty context.
fn build(store: &Store, dockerfile: &str, resolver: Resolver) -> Result<Image, BuildError> {
    let ctx = tempfile::tempdir().unwrap();
    let options = BuildOptions::builder(ctx.path())
        .dockerfile_text(dockerfile)
        .resolver(resolver)
        .build()
        .unwrap();
    let syscall = plimsoll_engine::syscall::host();
    let runner = Sandbox::new(syscall.as_ref());
    let builder = Builder {
        store,
        syscall: syscall.as_ref(),
        runner: &runner,
    };
    builder.build(&options, &mut Quiet).map(|o| o.image)
}

/// The content of `path` in the last layer of `image`.
fn file_in(store: &Store, image: &Image, path: &str) -> String {
    let layer = image.layers.last().unwrap();
    let file = store.open_blob(&layer.digest).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry
            .path()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches('/')
            == path
        {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            return text;
        }
    }
    panic!("{path} is not in the layer")
}

fn foreign_arch() -> &'static str {
    if support::native_arch() == "amd64" {
        "arm64"
    } else {
        "amd64"
    }
}

fn blob_count(store: &Store) -> usize {
    std::fs::read_dir(store.root().join("blobs/sha256"))
        .unwrap()
        .count()
}

#[test]
fn skopeo_pushes_a_multi_platform_index_and_plimsoll_pulls_this_platform() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::None);
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    let (index, native) = support::multi(&layout, "v1", &[("hello", b"native bytes")]);
    let target = format!("docker://{}/team/multi:v1", registry.host);
    skopeo_copy(&format!("oci:{}:v1", layout.display()), &target, None);
    assert_eq!(sha256(&skopeo_raw(&target, None)), index);

    let store = Store::open(work.path().join("store")).unwrap();
    let options = options(&registry, None);
    let image_name = name(&registry, "team/multi:v1");
    let pulled = registry::pull(&options, &store, &image_name).unwrap();
    assert_eq!(
        pulled.digest.to_string(),
        index,
        "the digest a pin would use"
    );
    assert_eq!(
        pulled.manifest.to_string(),
        native,
        "this platform's manifest"
    );
    assert_eq!(pulled.image.layers.len(), 1);
    assert_eq!(
        store.tag(&image_name.normalized()).unwrap(),
        Some(pulled.manifest.clone())
    );
    for layer in &pulled.image.layers {
        store.verify_blob(&layer.digest).unwrap();
    }
    // Manifest, config, one layer: the other platform's blobs are not fetched.
    assert_eq!(blob_count(&store), 3);
    // A pulled configuration is kept as the registry sent it (not re-serialized), and
    // pruning the cache keeps every blob of a tagged image.
    plimsoll_engine::build::prune_cache(&store, false).unwrap();
    assert_eq!(blob_count(&store), 3);
    plimsoll_engine::image::Image::load(&store, &pulled.manifest).unwrap();

    // By digest, and again: nothing new is stored.
    let by_digest = ImageName::parse(&format!("{}/team/multi@{index}", registry.host)).unwrap();
    let again = registry::pull(&options, &store, &by_digest).unwrap();
    assert_eq!(again.manifest, pulled.manifest);
    assert_eq!(blob_count(&store), 3);
    assert_eq!(
        registry::resolve_digest(&options, &image_name)
            .unwrap()
            .to_string(),
        index
    );

    // A digest the tag does not have is refused.
    let wrong = ImageName::parse(&format!(
        "{}/team/multi@sha256:{}",
        registry.host,
        "0".repeat(64)
    ))
    .unwrap();
    let err = registry::pull(&options, &store, &wrong).unwrap_err();
    assert!(
        matches!(err, RegistryError::Status { status: 404, .. }),
        "{err}"
    );
    let missing = registry::pull(&options, &store, &name(&registry, "team/none:v1")).unwrap_err();
    assert!(
        missing.to_string().contains("HTTP 404: MANIFEST_UNKNOWN"),
        "{missing}"
    );
}

#[test]
fn a_blob_that_does_not_match_its_digest_is_not_stored() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::None);
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    support::single(&layout, "v1", &[("hello", b"good bytes")]);
    let target = format!("docker://{}/corrupt:v1", registry.host);
    skopeo_copy(&format!("oci:{}:v1", layout.display()), &target, None);
    let manifest: serde_json::Value = serde_json::from_slice(&skopeo_raw(&target, None)).unwrap();
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(registry.blob_data(&layer[7..]), b"tampered with").unwrap();

    let store = Store::open(work.path().join("store")).unwrap();
    let err = registry::pull(
        &options(&registry, None),
        &store,
        &name(&registry, "corrupt:v1"),
    )
    .unwrap_err();
    assert!(
        matches!(&err, RegistryError::DigestMismatch { expected, .. } if expected.to_string() == layer),
        "{err}"
    );
    assert!(!store.has_blob(&layer.parse().unwrap()));
    assert_eq!(
        store
            .tag(&name(&registry, "corrupt:v1").normalized())
            .unwrap(),
        None
    );
}

/// Plimsoll pushes what it pulled to another repository; skopeo reads it with the same
/// digest, and copies it out to a layout that Plimsoll's manifest digest names.
fn push_and_check(registry: &Registry, options: &RegistryOptions, creds: Option<&str>) {
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    let manifest = support::single(&layout, "v1", &[("hello", b"pushed by plimsoll")]);
    let store = Store::open(work.path().join("store")).unwrap();
    // Into the store through the OCI layout source, pushed byte for byte from there.
    let stored = store
        .put_blob(&std::fs::read(layout.join("blobs/sha256").join(&manifest[7..])).unwrap())
        .unwrap();
    for entry in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        let digest = format!("sha256:{}", entry.file_name().to_string_lossy());
        store
            .import_blob(
                &digest.parse().unwrap(),
                std::fs::File::open(entry.path()).unwrap(),
            )
            .unwrap();
    }
    let target = name(registry, "pushed/app:1.0");
    let pushed = registry::push(options, &store, &stored, &target).unwrap();
    assert_eq!(pushed.to_string(), manifest);
    let reference = format!("docker://{}/pushed/app:1.0", registry.host);
    assert_eq!(sha256(&skopeo_raw(&reference, creds)), manifest);
    let mut inspect = Command::new("skopeo");
    inspect.args(["inspect", "--tls-verify=false"]);
    if let Some(creds) = creds {
        inspect.args(["--creds", creds]);
    }
    let info: serde_json::Value = serde_json::from_slice(&run(inspect.arg(&reference))).unwrap();
    assert_eq!(info["Digest"], manifest);
    // Blobs already there are not uploaded again; the same push is idempotent.
    assert_eq!(
        registry::push(options, &store, &stored, &target)
            .unwrap()
            .to_string(),
        manifest
    );
    // And read back by Plimsoll into a fresh store.
    let fresh = Store::open(work.path().join("fresh")).unwrap();
    let pulled = registry::pull(options, &fresh, &target).unwrap();
    assert_eq!(pulled.manifest.to_string(), manifest);
}

#[test]
fn plimsoll_pushes_and_skopeo_reads_the_same_digests() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::None);
    push_and_check(&registry, &options(&registry, None), None);
}

#[test]
fn htpasswd_basic_auth() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::Basic("ci", "s3cret"));
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    let manifest = support::single(&layout, "v1", &[("hello", b"behind a password")]);
    skopeo_copy(
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{}/private:v1", registry.host),
        Some("ci:s3cret"),
    );
    let store = Store::open(work.path().join("store")).unwrap();
    let image = name(&registry, "private:v1");

    let anonymous = registry::pull(&options(&registry, None), &store, &image).unwrap_err();
    assert!(
        matches!(anonymous, RegistryError::Unauthorized { .. })
            && anonymous.to_string().contains("no credentials for"),
        "{anonymous}"
    );
    let wrong = registry.docker_config("ci", "wrong");
    let refused = registry::pull(&options(&registry, Some(&wrong)), &store, &image).unwrap_err();
    assert!(
        refused.to_string().contains("refused the credentials"),
        "{refused}"
    );
    let good = registry.docker_config("ci", "s3cret");
    let options = options(&registry, Some(&good));
    let pulled = registry::pull(&options, &store, &image).unwrap();
    assert_eq!(pulled.manifest.to_string(), manifest);
    push_and_check(&registry, &options, Some("ci:s3cret"));
}

#[test]
fn bearer_token_flow() {
    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::Bearer("robot", "t0ken"));
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    let manifest = support::single(&layout, "v1", &[("hello", b"behind a token service")]);
    // skopeo goes through the token flow too.
    skopeo_copy(
        &format!("oci:{}:v1", layout.display()),
        &format!("docker://{}/tokened:v1", registry.host),
        Some("robot:t0ken"),
    );
    let store = Store::open(work.path().join("store")).unwrap();
    let image = name(&registry, "tokened:v1");

    let anonymous = registry::pull(&options(&registry, None), &store, &image).unwrap_err();
    assert!(
        matches!(&anonymous, RegistryError::Token { reason, .. } if reason.contains("wants credentials")),
        "{anonymous}"
    );
    let wrong = registry.docker_config("robot", "nope");
    let refused = registry::pull(&options(&registry, Some(&wrong)), &store, &image).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("refused the credentials of robot"),
        "{refused}"
    );

    let before = registry.token_log().len();
    let good = registry.docker_config("robot", "t0ken");
    let options = options(&registry, Some(&good));
    let pulled = registry::pull(&options, &store, &image).unwrap();
    assert_eq!(pulled.manifest.to_string(), manifest);
    // One token for the whole pull, scoped to the repository and to pulling.
    assert_eq!(
        registry.token_log()[before..],
        ["repository:tokened:pull".to_string()]
    );
    let before = registry.token_log().len();
    push_and_check(&registry, &options, Some("robot:t0ken"));
    assert!(
        registry.token_log()[before..].contains(&"repository:pushed/app:pull,push".to_string()),
        "{:?}",
        registry.token_log()
    );
}

/// `FROM --platform=OTHER` takes that platform's image from a two-platform index: in a
/// local OCI layout (a `--base` mapping) and in a registry (the pull is tagged per
/// platform, beside this machine's), for stages that only copy files and configure.
#[test]
fn foreign_platform_stages_take_that_platforms_image_from_an_index() {
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    support::multi(&layout, "v1", &[("hello", b"native bytes")]);
    let other = foreign_arch();
    let dockerfile = |base: &str| {
        format!(
            "FROM --platform=linux/{other} {base} AS files\nLABEL stage=files\n\
             FROM scratch\nCOPY --from=files /hello /from-foreign\n\
             FROM --platform=linux/{other} {base} AS config-only\nENV SEEN=1\n"
        )
    };
    // A local layout whose tag names an index.
    let store = Store::open(work.path().join("store")).unwrap();
    let mapped = || {
        Resolver::new(vec![
            BaseMapping::parse(&format!("multi:v1=oci:{}:v1", layout.display())).unwrap(),
        ])
    };
    let image = build(&store, &dockerfile("multi:v1"), mapped()).unwrap();
    assert_eq!(image.config.oci.architecture().to_string(), other);
    assert_eq!(image.config.env(), ["SEEN=1"]);
    // The COPY-only stage in the middle got the foreign image's file.
    let copy_only = build(
        &store,
        &format!(
            "FROM --platform=linux/{other} multi:v1 AS files\nFROM scratch\nCOPY --from=files /hello /from-foreign\n"
        ),
        mapped(),
    )
    .unwrap();
    assert_eq!(file_in(&store, &copy_only, "from-foreign"), "foreign");
    // This machine's stage still gets the native image.
    let native = build(&store, "FROM multi:v1\n", mapped()).unwrap();
    assert_eq!(
        native.config.oci.architecture().to_string(),
        support::native_arch()
    );
    let err = build(&store, "FROM --platform=linux/s390x multi:v1\n", mapped())
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no image for linux/s390x"), "{err}");

    if !ready() {
        return;
    }
    let registry = Registry::start(Auth::None);
    let target = format!("docker://{}/team/multi:v1", registry.host);
    skopeo_copy(&format!("oci:{}:v1", layout.display()), &target, None);
    let store = Store::open(work.path().join("store2")).unwrap();
    let registry_options = options(&registry, None);
    let remote = || Resolver {
        registry: registry_options.clone(),
        ..Resolver::default()
    };
    let base = format!("{}/team/multi:v1", registry.host);
    let image = build(
        &store,
        &format!(
            "FROM --platform=linux/{other} {base} AS files\nFROM scratch\nCOPY --from=files /hello /from-foreign\n"
        ),
        remote(),
    )
    .unwrap();
    assert_eq!(file_in(&store, &image, "from-foreign"), "foreign");
    let normalized = name(&registry, "team/multi:v1").normalized();
    let tags = store.tags().unwrap();
    assert!(
        tags.contains_key(&format!("{normalized} [linux/{other}]")),
        "{tags:?}"
    );
    assert!(!tags.contains_key(&normalized), "{tags:?}");
    // Pulled once: the second build finds it in the store (the registry is gone).
    drop(registry);
    let again = build(
        &store,
        &format!("FROM --platform=linux/{other} {base}\nENV AGAIN=1\n"),
        remote(),
    )
    .unwrap();
    assert_eq!(again.config.oci.architecture().to_string(), other);
}
