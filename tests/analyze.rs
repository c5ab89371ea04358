//! `plimsoll analyze` on an OCI layout the test makes with the engine's own layer and
//! export code (no root needed): figures worked out by hand from dive's definitions. Also
//! on images buildah builds and exports (OCI layout and docker-archive), when buildah and a
//! static busybox are installed and the test runs as root (PLIMSOLL_REQUIRE_TOOLS makes a
//! missing tool a failure).

#[path = "../engine/tests/support/mod.rs"]
mod support;

use insta_cmd::get_cargo_bin;
use plimsoll_engine::export::{write_docker_archive, write_oci_layout};
use plimsoll_engine::image::{Image, history};
use plimsoll_engine::layer::{LayerOptions, create_layer};
use plimsoll_engine::store::Store;
use plimsoll_engine::syscall::make_whiteout;
use plimsoll_engine::syscall::test::RecordingSyscall;
use std::path::Path;
use std::process::{Command, Output};

/// Layer 0: /etc/a (100 bytes), /etc/b (50), an empty /etc/.env. Layer 1: /etc/a again
/// (120), /etc/b and /etc/.env deleted.
fn image(store: &Store, dir: &Path) -> Image {
    let sys = RecordingSyscall::new();
    let base = dir.join("base");
    std::fs::create_dir_all(base.join("etc")).unwrap();
    std::fs::write(base.join("etc/a"), vec![b'a'; 100]).unwrap();
    std::fs::write(base.join("etc/b"), vec![b'b'; 50]).unwrap();
    // 0 bytes, so the figures stay as computed below; found by its name alone.
    std::fs::write(base.join("etc/.env"), b"").unwrap();
    let upper = dir.join("upper");
    std::fs::create_dir_all(upper.join("etc")).unwrap();
    std::fs::write(upper.join("etc/a"), vec![b'A'; 120]).unwrap();
    make_whiteout(&sys, &upper.join("etc/b")).unwrap();
    make_whiteout(&sys, &upper.join("etc/.env")).unwrap();
    let mut image = Image::scratch();
    for (layer_dir, by, whiteouts) in [
        (&base, "ADD base.tar /", false),
        (&upper, "RUN rewrite a && rm /etc/b", true),
    ] {
        let options = LayerOptions {
            whiteouts,
            ..LayerOptions::default()
        };
        let layer = create_layer(store, &sys, layer_dir, &options)
            .unwrap()
            .unwrap();
        image.push_layer(layer, history(None, by, false));
    }
    image
}

fn layout(dir: &Path) -> String {
    let store = Store::open(dir.join("build-store")).unwrap();
    let image = image(&store, dir);
    let layout = dir.join("layout");
    write_oci_layout(&store, &image, &layout, Some("v1")).unwrap();
    format!("oci:{}:v1", layout.display())
}

fn analyze(dir: &Path, args: &[&str]) -> Output {
    Command::new(get_cargo_bin("plimsoll"))
        .arg("analyze")
        .arg("--root")
        .arg(dir.join("store"))
        .args(args)
        .output()
        .unwrap()
}

/// JSON numbers round-trip to within the last bit.
fn close(value: &serde_json::Value, expected: f64) {
    let got = value.as_f64().unwrap();
    assert!((got - expected).abs() < 1e-12, "{got} != {expected}");
}

#[test]
fn json_figures_match_dive_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let image = layout(dir.path());
    let out = analyze(dir.path(), &[&image, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // /etc/a: 100 + 120 = 220, smallest 100; /etc/b: 50 + 0 (a deleted file counts 0 in
    // dive), smallest 0.
    close(&v["efficiency"], 100.0 / 270.0);
    assert_eq!(v["wasted_bytes"], 270);
    // Every layer but the first holds 120 bytes.
    close(&v["user_wasted_ratio"], 270.0 / 120.0);
    assert_eq!(
        v["secrets"],
        serde_json::json!([
            {"layer": 0, "path": "/etc/.env", "kind": "dotenv file", "hidden_by": 1}
        ])
    );
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["created_by"], "ADD base.tar /");
    assert_eq!(layers[0]["size"], 150);
    assert_eq!(
        layers[1]["files"],
        serde_json::json!({"added": 0, "modified": 1, "removed": 2})
    );
    assert!(layers[1]["compressed_size"].as_u64().unwrap() > 0);
    assert!(layers[1]["uncompressed_size"].as_u64().unwrap() >= 1024);
    assert_eq!(v["wasted_paths"][0]["path"], "/etc/a");
    assert_eq!(v["wasted_paths"][0]["wasted_bytes"], 220);
}

#[test]
fn table_and_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let image = layout(dir.path());
    let out = analyze(dir.path(), &[&image]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("Efficiency:         0.3704 (37.04 %)"),
        "{table}"
    );
    assert!(table.contains("Wasted bytes:       270 B"), "{table}");
    assert!(table.contains("RUN rewrite a && rm /etc/b"), "{table}");
    assert!(table.contains("/etc/a"), "{table}");
    assert!(
        table.contains("dotenv file                       /etc/.env  (hidden by layer 1"),
        "{table}"
    );

    let passing = [
        "--min-efficiency",
        "0.3",
        "--max-wasted-bytes",
        "270",
        "--max-user-wasted-ratio",
        "2.25",
    ];
    let out = analyze(dir.path(), &[&[image.as_str()][..], &passing[..]].concat());
    assert_eq!(out.status.code(), Some(0));
    for failing in [
        ["--min-efficiency", "0.5"],
        ["--max-wasted-bytes", "269"],
        ["--max-user-wasted-ratio", "1"],
    ] {
        let out = analyze(dir.path(), &[image.as_str(), failing[0], failing[1]]);
        assert_eq!(out.status.code(), Some(1), "{failing:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("({})", failing[0].trim_start_matches('-'))),
            "{stderr}"
        );
    }
    let out = analyze(dir.path(), &["oci:/nonexistent:v1"]);
    assert_eq!(out.status.code(), Some(2));

    // dive's CI file: thresholds from it, flags win over it.
    let ci = dir.path().join(".dive-ci");
    std::fs::write(
        &ci,
        "rules:\n  lowestEfficiency: 0.3\n  highestWastedBytes: 1KB\n  highestUserWastedPercent: disabled\n",
    )
    .unwrap();
    let ci = ci.display().to_string();
    let out = analyze(dir.path(), &[&image, "--ci-config", &ci]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = analyze(
        dir.path(),
        &[&image, "--ci-config", &ci, "--min-efficiency", "0.5"],
    );
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(
        dir.path().join(".dive-ci"),
        "rules:\n  highestWastedBytes: '200B'\n",
    )
    .unwrap();
    let out = analyze(dir.path(), &[&image, "--ci-config", &ci]);
    assert_eq!(out.status.code(), Some(1));

    // A reader that goes away early (`| head`) is not an error.
    let mut child = Command::new(get_cargo_bin("plimsoll"))
        .arg("analyze")
        .arg("--root")
        .arg(dir.path().join("store"))
        .args([image.as_str(), "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The same figures from a docker-archive and from a tag in the store.
#[test]
fn docker_archives_and_local_tags() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store")).unwrap();
    let image = image(&store, dir.path());
    let archive = dir.path().join("app.tar");
    write_docker_archive(&store, &image, &archive, Some("app:1"), 0).unwrap();
    let stored = image.store(&store).unwrap();
    store
        .set_tag("docker.io/library/app:dev", &stored.manifest)
        .unwrap();
    for reference in [
        format!("docker-archive:{}", archive.display()),
        "app:dev".into(),
    ] {
        let out = analyze(dir.path(), &[&reference, "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{reference}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["wasted_bytes"], 270, "{reference}");
        close(&v["efficiency"], 100.0 / 270.0);
        assert_eq!(v["layers"][1]["created_by"], "RUN rewrite a && rm /etc/b");
    }
}

fn plimsoll_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(get_cargo_bin("plimsoll"))
        .args(args)
        .arg("--root")
        .arg(dir.join("store"))
        .output()
        .unwrap()
}

fn stdout_json(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn image_ls_inspect_layers_and_rm_over_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store")).unwrap();
    let image = image(&store, dir.path());
    let stored = image.store(&store).unwrap();
    store
        .set_tag("docker.io/library/demo:1", &stored.manifest)
        .unwrap();

    let ls = stdout_json(&plimsoll_in(
        dir.path(),
        &["image", "ls", "--format", "json"],
    ));
    let compressed: u64 = image.layers.iter().map(|l| l.size).sum();
    assert_eq!(
        ls,
        serde_json::json!([{
            "name": "docker.io/library/demo:1",
            "manifest": stored.manifest.to_string(),
            "image_id": stored.config.to_string(),
            "layers": 2,
            "size": compressed,
            "created": serde_json::Value::Null,
        }])
    );
    let table = plimsoll_in(dir.path(), &["image", "ls"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("docker.io/library/demo:1"), "{table}");
    assert!(table.contains(stored.config.short()), "{table}");

    let inspect = stdout_json(&plimsoll_in(dir.path(), &["image", "inspect", "demo:1"]));
    assert_eq!(inspect["manifest"], stored.manifest.to_string());
    assert_eq!(inspect["image_id"], stored.config.to_string());
    assert_eq!(
        inspect["layers"][1]["digest"],
        image.layers[1].digest.to_string()
    );
    assert_eq!(
        inspect["layers"][1]["diff_id"],
        image.layers[1].diff_id.to_string()
    );
    assert_eq!(
        inspect["history"][1]["created_by"],
        "RUN rewrite a && rm /etc/b"
    );

    let layers = stdout_json(&plimsoll_in(
        dir.path(),
        &["image", "layers", "demo:1", "--format", "json"],
    ));
    assert_eq!(layers[0]["size"], 150);
    assert_eq!(
        layers[1]["files"],
        serde_json::json!({"added": 0, "modified": 1, "removed": 2})
    );

    let rm = plimsoll_in(dir.path(), &["image", "rm", "demo:1", "other:2"]);
    assert_eq!(
        rm.status.code(),
        Some(2),
        "one unknown name: nothing removed"
    );
    assert_eq!(store.tags().unwrap().len(), 1);
    // Another platform's pull is removed by the name `image ls` shows.
    let manifest = store.tag("docker.io/library/demo:1").unwrap().unwrap();
    store
        .set_tag("docker.io/library/demo:1 [linux/s390x]", &manifest)
        .unwrap();
    let rm = plimsoll_in(
        dir.path(),
        &[
            "image",
            "rm",
            "demo:1",
            "docker.io/library/demo:1 [linux/s390x]",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&rm.stdout),
        "untagged docker.io/library/demo:1\nuntagged docker.io/library/demo:1 [linux/s390x]\n"
    );
    assert!(store.tags().unwrap().is_empty());
    let gone = plimsoll_in(dir.path(), &["image", "inspect", "127.0.0.1:1/demo:1"]);
    assert_eq!(gone.status.code(), Some(2));
}

#[test]
fn waste_is_mapped_to_rules_and_lines_and_plimsoll_toml_gives_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let image = layout(dir.path());
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let dockerfile = project.join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM scratch\nADD base.tar /\nRUN rewrite a \\\n && rm /etc/b\n",
    )
    .unwrap();
    let file = dockerfile.display().to_string();

    // The deleted /etc/b (50 bytes) is still in layer 0: PL306, at the RUN that deletes it.
    let out = analyze(dir.path(), &[&image, "--format", "json", "-f", &file]);
    let v = stdout_json(&out);
    assert_eq!(
        v["rule_hints"],
        serde_json::json!([{
            "code": "PL306",
            "name": "file-removed-in-later-layer",
            "layer": 1,
            "created_by": "RUN rewrite a && rm /etc/b",
            "line": 3,
            "files": 1,
            "bytes": 50,
            "example": "/etc/b",
        }])
    );
    let table = String::from_utf8(analyze(dir.path(), &[&image, "-f", &file]).stdout).unwrap();
    assert!(
        table.contains(
            "PL306 file-removed-in-later-layer         1  line 3: RUN rewrite a && rm /etc/b"
        ),
        "{table}"
    );
    // Without the Dockerfile, the history alone.
    let v = stdout_json(&analyze(dir.path(), &[&image, "--format", "json"]));
    assert_eq!(v["rule_hints"][0]["line"], serde_json::Value::Null);

    // [analyze] in the Dockerfile's plimsoll.toml; flags win over it.
    std::fs::write(
        project.join("plimsoll.toml"),
        "[analyze]\nmax-wasted-bytes = \"0.2kB\"\n",
    )
    .unwrap();
    let out = analyze(dir.path(), &[&image, "-f", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("270 wasted bytes exceed the maximum 200 (max-wasted-bytes)"),
        "{stderr}"
    );
    let out = analyze(
        dir.path(),
        &[&image, "-f", &file, "--max-wasted-bytes", "300"],
    );
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(
        project.join("plimsoll.toml"),
        "[analyze]\nmin-efficiency = 2\n",
    )
    .unwrap();
    let out = analyze(dir.path(), &[&image, "-f", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "plimsoll.toml:2:18: `analyze.min-efficiency` must be a number between 0 and 1"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `path` is an ELF executable without an interpreter (statically linked): the
/// only kind that runs in a `FROM scratch` image.
fn is_static_elf(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" || bytes[4] != 2 || bytes[5] != 1 {
        return false; // 64-bit little-endian only; anything else is skipped
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).all(|i| {
        let at = phoff + i * size;
        // PT_INTERP (3) names the dynamic loader.
        bytes.get(at..at + 4) != Some(&3u32.to_le_bytes()[..])
    })
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// An image built by buildah (one layer an instruction, a RUN that deletes a file), exported
/// with `buildah push` as an OCI layout and as a docker-archive: both give dive's figures,
/// worked out by hand below.
#[test]
fn buildah_images_match_dive_by_hand() {
    if !support::tools(&["buildah", "busybox"]) {
        return;
    }
    let busybox = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|p| p.join("busybox"))
        .find(|p| p.is_file())
        .unwrap();
    if !is_root() || !is_static_elf(&busybox) {
        assert!(
            std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
            "needs root and a static busybox (busybox-static)"
        );
        eprintln!("skipped: needs root and a static busybox");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let context = dir.join("context");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::copy(&busybox, context.join("busybox")).unwrap();
    std::fs::write(context.join("a"), vec![b'a'; 1000]).unwrap();
    std::fs::write(context.join("b"), vec![b'b'; 500]).unwrap();
    std::fs::write(context.join("a2"), vec![b'c'; 300]).unwrap();
    std::fs::write(
        context.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY a /data/a\nCOPY b /data/b\n\
         COPY a2 /data/a\nRUN [\"/bin/busybox\", \"rm\", \"/data/b\"]\n",
    )
    .unwrap();
    // buildah's own storage, in the test's directory: nothing of the machine's is touched.
    let buildah = || {
        let mut cmd = Command::new("buildah");
        cmd.arg("--root")
            .arg(dir.join("buildah/root"))
            .arg("--runroot")
            .arg(dir.join("buildah/run"))
            .args(["--storage-driver", "vfs"]);
        cmd
    };
    let name = "localhost/plimsoll-analyze-test:1";
    support::run(
        buildah()
            .args([
                "bud",
                "--quiet",
                "--layers",
                "--isolation",
                "chroot",
                "-t",
                name,
            ])
            .arg(&context),
    );
    let layout = dir.join("layout");
    let archive = dir.join("image.tar");
    support::run(
        buildah()
            .args(["push", "--quiet", name])
            .arg(format!("oci:{}:v1", layout.display())),
    );
    support::run(
        buildah()
            .args(["push", "--quiet", name])
            .arg(format!("docker-archive:{}:{name}", archive.display())),
    );

    // Per path, as dive sums them: /bin/busybox once (S bytes); /data/a 1000 + 300, the
    // smallest 300; /data/b 500 + 0 (the RUN deletes it), the smallest 0. RUN's own files
    // (etc/hostname, etc/hosts, etc/resolv.conf, run/) are empty and in one layer each.
    let s = std::fs::metadata(&busybox).unwrap().len() as f64;
    let efficiency = (s + 300.0) / (s + 1300.0 + 500.0);
    for reference in [
        format!("oci:{}:v1", layout.display()),
        format!("docker-archive:{}", archive.display()),
    ] {
        let out = analyze(dir, &[&reference, "--format", "json"]);
        let v = stdout_json(&out);
        close(&v["efficiency"], efficiency);
        assert_eq!(v["wasted_bytes"], 1800, "{reference}");
        // Every layer but the first: 1000 + 500 + 300 + 0 bytes.
        assert_eq!(v["user_bytes"], 1800, "{reference}");
        close(&v["user_wasted_ratio"], 1.0);
        let layers = v["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 5, "{reference}");
        let files: Vec<_> = layers.iter().map(|l| &l["files"]).collect();
        assert_eq!(
            files[3],
            &serde_json::json!({"added": 0, "modified": 1, "removed": 0}),
            "{reference}"
        );
        assert_eq!(files[4]["removed"], 1, "{reference}");
        assert!(
            layers[4]["created_by"]
                .as_str()
                .unwrap()
                .contains("/data/b"),
            "{reference}"
        );
        let wasted: Vec<(&str, u64)> = v["wasted_paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["path"].as_str().unwrap(),
                    p["wasted_bytes"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(wasted, [("/data/a", 1300), ("/data/b", 500)], "{reference}");
        // The deleted file is what PL306 would have kept out.
        assert_eq!(v["rule_hints"][0]["code"], "PL306", "{reference}");
        assert_eq!(v["rule_hints"][0]["bytes"], 500, "{reference}");
    }
}
