use super::*;
use crate::export::{write_docker_archive, write_oci_layout};
use crate::image::{Image, ImageName, history};
use crate::layer::{LayerOptions, create_layer};
use crate::syscall::test::RecordingSyscall;

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    sys: RecordingSyscall,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store")).unwrap();
    Fixture {
        dir,
        store,
        sys: RecordingSyscall::new(),
    }
}

impl Fixture {
    fn path(&self, p: &str) -> std::path::PathBuf {
        self.dir.path().join(p)
    }

    fn image(&self) -> Image {
        let root = self.path("rootfs");
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("bin/hello"), b"#!/bin/sh\necho hi\n").unwrap();
        let layer = create_layer(&self.store, &self.sys, &root, &LayerOptions::default())
            .unwrap()
            .unwrap();
        let mut image = Image::scratch();
        image.push_layer(layer, history(None, "test", false));
        image.config.set_env("GREETING", "hi");
        image
    }

    fn fresh_store(&self, name: &str) -> Store {
        Store::open(self.path(name)).unwrap()
    }
}

#[test]
fn oci_layout_round_trip_by_tag() {
    let f = fixture();
    let image = f.image();
    let layout = f.path("layout");
    write_oci_layout(&f.store, &image, &layout, Some("1.0")).unwrap();
    let mut other = image.clone();
    other.config.set_env("GREETING", "other");
    write_oci_layout(&f.store, &other, &layout, Some("2.0")).unwrap();
    let store = f.fresh_store("s2");
    let one = OciLayoutSource {
        dir: layout.clone(),
        tag: Some("1.0".into()),
    };
    let loaded = one.load(&store, &f.sys).unwrap();
    assert_eq!(loaded, image);
    assert!(store.has_blob(&image.layers[0].digest));
    let two = OciLayoutSource {
        dir: layout.clone(),
        tag: Some("2.0".into()),
    };
    assert_eq!(two.load(&store, &f.sys).unwrap(), other);
    let untagged = OciLayoutSource {
        dir: layout.clone(),
        tag: None,
    };
    assert!(matches!(
        untagged.load(&store, &f.sys),
        Err(SourceError::Ambiguous { count: 2, .. })
    ));
    let missing = OciLayoutSource {
        dir: layout,
        tag: Some("3.0".into()),
    };
    let err = missing.load(&store, &f.sys).unwrap_err().to_string();
    assert!(err.contains("1.0, 2.0"), "{err}");
}

#[test]
fn oci_layout_with_a_corrupt_blob_is_refused() {
    let f = fixture();
    let image = f.image();
    let layout = f.path("layout");
    write_oci_layout(&f.store, &image, &layout, Some("t")).unwrap();
    let blob = layout
        .join("blobs/sha256")
        .join(image.layers[0].digest.hex());
    std::fs::write(&blob, b"tampered").unwrap();
    let src = OciLayoutSource {
        dir: layout,
        tag: Some("t".into()),
    };
    assert!(src.load(&f.fresh_store("s2"), &f.sys).is_err());
    let not_layout = OciLayoutSource {
        dir: f.path("rootfs"),
        tag: None,
    };
    assert!(matches!(
        not_layout.load(&f.store, &f.sys),
        Err(SourceError::NotOciLayout { .. })
    ));
}

#[test]
fn docker_archive_round_trip() {
    let f = fixture();
    let image = f.image();
    let file = f.path("image.tar");
    write_docker_archive(&f.store, &image, &file, Some("app:1"), 0).unwrap();
    let loaded = DockerArchiveSource { file }
        .load(&f.fresh_store("s2"), &f.sys)
        .unwrap();
    // Layers come back uncompressed, with the same diff IDs and configuration.
    assert_eq!(loaded.config, image.config);
    assert_eq!(loaded.layers[0].diff_id, image.layers[0].diff_id);
    assert_eq!(loaded.layers[0].digest, image.layers[0].diff_id);
}

#[test]
fn rootfs_directories_and_tars() {
    let f = fixture();
    f.image();
    let src = RootfsSource {
        path: f.path("rootfs"),
    };
    let a = src.load(&f.store, &f.sys).unwrap();
    assert_eq!(a.layers.len(), 1);
    // Unchanged: the recorded import is reused (same layer).
    assert_eq!(src.load(&f.store, &f.sys).unwrap(), a);
    std::fs::write(f.path("rootfs/bin/new"), b"n").unwrap();
    let b = src.load(&f.store, &f.sys).unwrap();
    assert_ne!(a.layers[0].diff_id, b.layers[0].diff_id);
    // A tar of the same tree.
    let tar_path = f.path("rootfs.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
    builder.append_dir_all(".", f.path("rootfs")).unwrap();
    builder.into_inner().unwrap();
    let t = RootfsSource { path: tar_path }
        .load(&f.store, &f.sys)
        .unwrap();
    assert_eq!(t.layers[0].digest, t.layers[0].diff_id);
    // Not a tar at all.
    std::fs::write(f.path("junk"), vec![7u8; 2000]).unwrap();
    assert!(
        RootfsSource {
            path: f.path("junk")
        }
        .load(&f.store, &f.sys)
        .is_err()
    );
}

#[test]
fn resolver_prefers_mappings_then_local_tags() {
    let f = fixture();
    let image = f.image();
    let layout = f.path("layout");
    write_oci_layout(&f.store, &image, &layout, Some("12")).unwrap();
    let mapping = BaseMapping::parse(&format!("debian:12=oci:{}:12", layout.display())).unwrap();
    let any = BaseMapping::parse(&format!("alpine=oci:{}:12", layout.display())).unwrap();
    let resolver = Resolver::new(vec![mapping, any]);
    let src = resolver
        .resolve("docker.io/library/debian:12", &f.store)
        .unwrap();
    assert_eq!(src.load(&f.store, &f.sys).unwrap(), image);
    assert!(resolver.resolve("alpine:3.19", &f.store).is_ok());
    // Unmapped names not in the store come from their registry.
    let remote = resolver.resolve("debian:11", &f.store).unwrap();
    assert_eq!(remote.describe(), "docker.io/library/debian:11");
    let unreachable = Resolver {
        registry: crate::registry::RegistryOptions {
            insecure: vec!["127.0.0.1:1".into()],
            credentials_file: None,
        },
        ..resolver.clone()
    };
    let err = unreachable
        .resolve("127.0.0.1:1/debian:11", &f.store)
        .unwrap()
        .load(&f.store, &f.sys)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot pull: http://127.0.0.1:1/v2/debian/manifests/11: "),
        "{err}"
    );
    // A local tag.
    let stored = image.store(&f.store).unwrap();
    let name = ImageName::parse("myapp:dev").unwrap();
    f.store
        .set_tag(&name.normalized(), &stored.manifest)
        .unwrap();
    let local = resolver.resolve("myapp:dev", &f.store).unwrap();
    assert_eq!(local.load(&f.store, &f.sys).unwrap(), image);
    let pulling = Resolver {
        pull: true,
        ..resolver.clone()
    };
    let pulled = pulling.resolve("myapp:dev", &f.store).unwrap();
    assert!(
        pulled.load(&f.store, &f.sys).is_err(),
        "--pull skips the store"
    );
    assert!(BaseMapping::parse("debian:12").is_err());
    assert!(resolver.resolve("scratch", &f.store).is_ok());
}

/// A layout whose index.json lists one manifest a platform (as `buildx --output type=oci`
/// writes them): each platform finds its own, an unknown one a clear error.
#[test]
fn oci_layout_index_of_platforms() {
    let f = fixture();
    let native = f.image();
    let foreign_platform = Platform::parse(if Platform::native().arch == "arm64" {
        "linux/amd64"
    } else {
        "linux/arm64"
    })
    .unwrap();
    let mut foreign = native.clone();
    foreign_platform.apply(&mut foreign.config);
    foreign.config.set_env("GREETING", "foreign");
    let layout = f.path("layout");
    write_oci_layout(&f.store, &native, &layout, Some("n")).unwrap();
    write_oci_layout(&f.store, &foreign, &layout, Some("f")).unwrap();
    let index_path = layout.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    for m in index["manifests"].as_array_mut().unwrap() {
        let tag = m["annotations"][oci_layout::REF_NAME].as_str().unwrap();
        let arch = if tag == "n" {
            Platform::native().arch
        } else {
            foreign_platform.arch.clone()
        };
        m["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
        m.as_object_mut().unwrap().remove("annotations");
    }
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let source = OciLayoutSource {
        dir: layout,
        tag: None,
    };
    let store = f.fresh_store("s2");
    let loaded = source.load(&store, &f.sys).unwrap();
    assert!(loaded.config.env().contains(&"GREETING=hi".to_string()));
    let loaded = source.load_for(&store, &f.sys, &foreign_platform).unwrap();
    assert!(
        loaded
            .config
            .env()
            .contains(&"GREETING=foreign".to_string())
    );
    assert_eq!(
        loaded.config.oci.architecture().to_string(),
        foreign_platform.arch
    );
    let err = source
        .load_for(&store, &f.sys, &Platform::parse("linux/s390x").unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("holds 2 images"), "{err}");
}
