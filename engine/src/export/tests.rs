//! The outputs are checked with the tools people will use on them: skopeo and umoci. When
//! they are not installed the test says so and passes, unless `PLIMSOLL_REQUIRE_TOOLS` is
//! set (CI sets it).

use super::*;
use crate::image::{Image, history};
use crate::layer::{LayerOptions, create_layer};
use crate::store::Store;
use crate::syscall::test::RecordingSyscall;
use crate::syscall::{make_opaque, make_whiteout};
use std::path::Path;
use std::process::Command;

pub(crate) fn tool(name: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
            "{name} is required (PLIMSOLL_REQUIRE_TOOLS is set) but not installed"
        );
        eprintln!("skipped: {name} is not installed");
    }
    found
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn two_layer_image(dir: &Path, store: &Store) -> Image {
    let sys = RecordingSyscall::new();
    let base = dir.join("base");
    std::fs::create_dir_all(base.join("etc/conf.d")).unwrap();
    std::fs::write(base.join("etc/conf.d/a"), b"a").unwrap();
    std::fs::write(base.join("etc/old"), b"old").unwrap();
    let upper = dir.join("upper");
    std::fs::create_dir_all(upper.join("etc/conf.d")).unwrap();
    std::fs::write(upper.join("etc/conf.d/b"), b"b").unwrap();
    make_opaque(&sys, &upper.join("etc/conf.d")).unwrap();
    make_whiteout(&sys, &upper.join("etc/old")).unwrap();
    let mut image = Image::scratch();
    for (dir, by) in [(&base, "base"), (&upper, "RUN change")] {
        let layer = create_layer(store, &sys, dir, &LayerOptions::default())
            .unwrap()
            .unwrap();
        image.push_layer(layer, history(Some("2024-01-01T00:00:00Z"), by, false));
    }
    image.config.update(|c| {
        c.set_cmd(Some(vec!["/bin/sh".into()]));
    });
    image
}

#[test]
fn oci_layout_is_accepted_by_skopeo_and_umoci() {
    let (Some(skopeo), Some(umoci)) = (tool("skopeo"), tool("umoci")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store")).unwrap();
    let image = two_layer_image(dir.path(), &store);
    let layout = dir.path().join("layout");
    write_oci_layout(&store, &image, &layout, Some("v1")).unwrap();
    let inspect = run(Command::new(&skopeo)
        .arg("inspect")
        .arg(format!("oci:{}:v1", layout.display())));
    let value: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(value["Layers"].as_array().unwrap().len(), 2);
    let bundle = dir.path().join("bundle");
    run(Command::new(&umoci)
        .arg("unpack")
        .arg("--rootless")
        .arg("--image")
        .arg(format!("{}:v1", layout.display()))
        .arg(&bundle));
    let rootfs = bundle.join("rootfs");
    // Whiteout applied, opaque directory hid the lower file.
    assert!(!rootfs.join("etc/old").exists());
    assert!(!rootfs.join("etc/conf.d/a").exists());
    assert_eq!(std::fs::read(rootfs.join("etc/conf.d/b")).unwrap(), b"b");
}

#[test]
fn docker_archive_is_accepted_by_skopeo() {
    let Some(skopeo) = tool("skopeo") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store")).unwrap();
    let image = two_layer_image(dir.path(), &store);
    let file = dir.path().join("image.tar");
    write_docker_archive(&store, &image, &file, Some("localhost/app:1"), 0).unwrap();
    let inspect = run(Command::new(&skopeo)
        .arg("inspect")
        .arg(format!("docker-archive:{}", file.display())));
    let value: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(value["Layers"].as_array().unwrap().len(), 2);
    // And back into an OCI layout, keeping the diff IDs.
    let layout = dir.path().join("copied");
    run(Command::new(&skopeo)
        .arg("copy")
        .arg(format!("docker-archive:{}", file.display()))
        .arg(format!("oci:{}:x", layout.display())));
    let config = run(Command::new(&skopeo)
        .arg("inspect")
        .arg("--config")
        .arg(format!("oci:{}:x", layout.display())));
    let value: serde_json::Value = serde_json::from_str(&config).unwrap();
    let diff_ids: Vec<String> = value["rootfs"]["diff_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(diff_ids, image.config.diff_ids());
}

#[test]
fn outputs_parse() {
    assert!(matches!(
        Output::parse("oci:out:1").unwrap(),
        Output::OciLayout { tag: Some(_), .. }
    ));
    assert!(matches!(
        Output::parse("docker-archive:x.tar").unwrap(),
        Output::DockerArchive { .. }
    ));
    assert!(Output::parse("debian:12").is_err());
    assert!(Output::parse("scratch").is_err());
}
