//! `plimsoll optimize` end to end, as root: real builds of the original and the rewrite on
//! a BusyBox base, verification, the report and `--apply`. Run with
//! `PLIMSOLL_E2E=1 cargo test --test optimize` as root; without `PLIMSOLL_E2E` the tests
//! pass without doing anything (so `cargo test --workspace` needs neither root nor the
//! packages). The BusyBox root is the one the engine's end-to-end tests use, made by
//! bench/engine-bases.sh when missing.

mod common;
mod e2e_common;

use common::{plimsoll, project};
use e2e_common::busybox;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn enabled() -> bool {
    e2e_common::e2e_enabled("optimize")
}

/// Runs optimize in `dir` with its own store; returns the exit code, stdout, stderr.
fn optimize(dir: &Path, store: &Path, args: &[&str]) -> (i32, String, String) {
    let base = format!("busybox=rootfs:{}", busybox().display());
    let out = plimsoll(dir)
        .arg("optimize")
        .args([
            "--base",
            &base,
            "--base",
            &format!("golang:1.23={}", base.split_once('=').unwrap().1),
        ])
        .arg("--root")
        .arg(store)
        .args(["--timeout", "2"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn transformation<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["transformations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

const MERGE: &str = "\
FROM busybox
RUN mkdir -p /srv/data
RUN seq 1 500000 > /srv/data/blob
RUN wc -c /srv/data/blob > /srv/data/blob.size
RUN rm /srv/data/blob
WORKDIR /srv
CMD [\"sh\", \"-c\", \"touch /srv/data/stamp && cat /srv/data/blob.size\"]
";

/// Merged layers keep a deleted file out of every layer; the USER the aggressive level
/// adds makes the command fail (it writes where only root may), so it is dropped.
#[test]
fn merges_layers_drops_what_breaks_the_smoke_run_and_applies() {
    if !enabled() {
        return;
    }
    let dir = project(&[("Dockerfile", MERGE)]);
    let store = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize(
        dir.path(),
        store.path(),
        &[
            "--level",
            "aggressive",
            "--attribute",
            "--format",
            "json",
            ".",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verified"], true, "{report:#}");
    assert_eq!(report["before"]["layers"], 5);
    assert_eq!(report["after"]["layers"], 2);
    let saved = report["saved_bytes"].as_i64().unwrap();
    assert!(saved > 500_000, "{report:#}");
    assert!(report["saved_percent"].as_f64().unwrap() > 30.0);
    let merge = transformation(&report, "PL210");
    assert!(merge["dropped"].is_null(), "{merge:#}");
    assert!(merge["saved_bytes"].as_i64().unwrap() > 500_000);
    let user = transformation(&report, "PL600");
    let reason = user["dropped"].as_str().unwrap();
    assert!(
        reason.contains("smoke") && reason.contains("exits with 1"),
        "{reason}"
    );
    assert!(
        report["after"]["efficiency"].as_f64().unwrap()
            > report["before"]["efficiency"].as_f64().unwrap()
    );
    // Nothing written without --apply.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        MERGE
    );

    // The same as Markdown for a pull request, and as a table with the diff.
    let (code, markdown, stderr) = optimize(
        dir.path(),
        store.path(),
        &["--level", "aggressive", "--format", "markdown", "."],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(markdown.contains("| compressed |"), "{markdown}");
    assert!(
        markdown.contains("| PL600 `final-stage-runs-as-root` | dropped | dropped: smoke"),
        "{markdown}"
    );
    assert!(markdown.contains("```diff"), "{markdown}");
    let (code, table, stderr) = optimize(dir.path(), store.path(), &["--level", "aggressive", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        table.contains("Transformations") && table.contains("+    && rm /srv/data/blob"),
        "{table}"
    );
    assert!(
        table.contains("(not written: --apply writes it)"),
        "{table}"
    );

    let (code, stdout, stderr) = optimize(
        dir.path(),
        store.path(),
        &["--level", "aggressive", "--apply", "--backup", "."],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("written to"), "{stdout}");
    let written = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(written.contains("&& rm /srv/data/blob"), "{written}");
    assert!(!written.contains("USER"), "{written}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile.orig")).unwrap(),
        MERGE
    );
    // The sandboxes' mounts lived in their own namespaces: none reached the host.
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(store.path().to_str().unwrap()), "{mounts}");
}

/// Issue 5's promise: merged layers, a manifest-first COPY and an added USER, built before
/// and after, on a server image whose port and HEALTHCHECK must keep working.
#[test]
fn copy_reorder_user_and_merge_build_and_serve_the_same() {
    if !enabled() {
        return;
    }
    let dockerfile = "\
FROM busybox
COPY tools/pip /usr/local/bin/pip
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
RUN mkdir -p /app/www
RUN cp /opt/deps/installed.txt /app/www/index.html
EXPOSE 8080
HEALTHCHECK CMD [\"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/\"]
CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/app/www\"]
";
    let pip = "#!/bin/sh\n# A stand-in installer: records the requirements file, its third argument.\nmkdir -p /opt/deps && cp \"$3\" /opt/deps/installed.txt\n";
    let dir = project(&[
        ("Dockerfile", dockerfile),
        ("tools/pip", pip),
        ("requirements.txt", "left-pad==1.0\n"),
        ("app.txt", "the app\n"),
    ]);
    Command::new("chmod")
        .arg("755")
        .arg(dir.path().join("tools/pip"))
        .status()
        .unwrap();
    let store = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize(
        dir.path(),
        store.path(),
        &["--level", "aggressive", "--format", "json", "."],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verified"], true, "{report:#}\n{stderr}");
    for code in ["PL210", "PL500", "PL600"] {
        let t = transformation(&report, code);
        assert!(t["dropped"].is_null(), "{code}: {t:#}\n{stderr}");
    }
    // The stand-in pip reads its third argument: `--no-cache-dir` breaks it, so the RUN
    // fails in the rewrite only, and that transformation alone is dropped.
    let pip = transformation(&report, "PL209");
    let reason = pip["dropped"].as_str().unwrap();
    assert!(
        reason.contains("the build fails") && reason.contains("pip install --no-cache-dir"),
        "{reason}"
    );
    let diff = report["diff"].as_str().unwrap();
    assert!(diff.contains("+COPY requirements.txt ./"), "{diff}");
    assert!(diff.contains("+USER 65532:65532"), "{diff}");
    let checks = report["checks"].as_array().unwrap();
    let smoke = checks.iter().find(|c| c["name"] == "smoke").unwrap();
    let details = smoke["details"].to_string();
    assert!(details.contains("accept on port 8080"), "{details}");
    assert!(details.contains("HEALTHCHECK passes in both"), "{details}");
    let config = checks.iter().find(|c| c["name"] == "config").unwrap();
    assert!(
        config["details"].to_string().contains("USER added"),
        "{config:#}"
    );
}

/// The multi-stage split: a (stand-in) Go build moves to a builder stage and only the
/// static binary reaches a scratch runtime stage.
#[test]
fn multi_stage_split_builds_and_runs_the_artifact() {
    if !enabled() {
        return;
    }
    let dockerfile = "\
FROM golang:1.23
COPY tools/go /usr/local/bin/go
WORKDIR /src
COPY main.go ./
RUN CGO_ENABLED=0 go build -o /usr/local/bin/echo .
ENTRYPOINT [\"/usr/local/bin/echo\", \"hello from the artifact\"]
";
    // A stand-in compiler: the "binary" is BusyBox, static, run as its `echo` applet.
    let go = "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done\ncp /bin/busybox \"$out\"\n";
    let dir = project(&[
        ("Dockerfile", dockerfile),
        ("tools/go", go),
        ("main.go", "package main\n"),
    ]);
    executable(dir.path(), &["tools/go"]);
    let store = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize(
        dir.path(),
        store.path(),
        &["--level", "aggressive", "--format", "json", "."],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verified"], true, "{report:#}\n{stderr}");
    let split = transformation(&report, "PL501");
    assert!(split["dropped"].is_null(), "{split:#}\n{stderr}");
    assert!(report["diff"].as_str().unwrap().contains("+FROM scratch"));
    // The binary and the runtime stage's WORKDIR.
    assert_eq!(report["after"]["layers"], 2, "{report:#}");
    assert!(
        report["saved_percent"].as_f64().unwrap() > 30.0,
        "{report:#}"
    );
    let checks = report["checks"].as_array().unwrap();
    let fs = checks.iter().find(|c| c["name"] == "filesystem").unwrap();
    assert!(
        fs["details"].to_string().contains("builder stage"),
        "{fs:#}"
    );
}

/// The split for a `cd`-style build whose program the CMD names through PATH: the
/// Dockerfile alone would guess `make install`'s default prefix, the built original's PATH
/// says where the Makefile really put it, and the runtime stage is the file's own base.
/// (Stand-ins: BusyBox has no package manager or make.)
#[test]
fn split_of_a_cd_build_started_by_name_uses_the_originals_path() {
    if !enabled() {
        return;
    }
    let dockerfile = "\
FROM busybox
COPY tools/ /usr/local/bin/
RUN apt-get update && apt-get install -y make
ENV PATH=/opt/app/bin:/usr/local/bin:/usr/bin:/bin
COPY . /src
RUN cd /src && make
RUN cd /src && make install
CMD hello world
";
    let make = "#!/bin/sh\nif [ \"$1\" = install ]; then mkdir -p /opt/app/bin && cp hello /opt/app/bin/; \
                else cp hello.in hello && chmod 755 hello; fi\n";
    let dir = project(&[
        ("Dockerfile", dockerfile),
        ("tools/apt-get", "#!/bin/sh\nexit 0\n"),
        ("tools/make", make),
        ("hello.in", "#!/bin/sh\necho \"hello, $1\"\n"),
    ]);
    executable(dir.path(), &["tools/apt-get", "tools/make"]);
    let store = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize(
        dir.path(),
        store.path(),
        &["--level", "aggressive", "--format", "json", "."],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verified"], true, "{report:#}\n{stderr}");
    let split = transformation(&report, "PL501");
    assert!(split["dropped"].is_null(), "{split:#}\n{stderr}");
    let diff = report["diff"].as_str().unwrap();
    assert!(diff.contains("+FROM busybox AS builder"), "{diff}");
    assert!(
        diff.contains("+COPY --from=builder /opt/app/bin/hello /opt/app/bin/hello"),
        "{diff}"
    );
    // The configuration before the split comes along; the stand-in tools stay behind.
    assert!(diff.contains("+ENV PATH=/opt/app/bin"), "{diff}");
    let checks = report["checks"].as_array().unwrap();
    let smoke = checks.iter().find(|c| c["name"] == "smoke").unwrap();
    assert_eq!(smoke["passed"], true, "{smoke:#}");
    let fs = checks.iter().find(|c| c["name"] == "filesystem").unwrap();
    assert!(
        fs["details"].to_string().contains("builder stage"),
        "{fs:#}"
    );
    assert!(
        report["after"]["compressed_bytes"].as_u64().unwrap()
            < report["before"]["compressed_bytes"].as_u64().unwrap(),
        "{report:#}"
    );
}

/// A RUN that fails in the original stops everything: exit 1, the Dockerfile untouched.
#[test]
fn a_failing_original_is_reported_and_nothing_is_written() {
    if !enabled() {
        return;
    }
    let text = "FROM busybox\nRUN false\nRUN echo a > /a\nRUN echo b > /b\n";
    let dir = project(&[("Dockerfile", text)]);
    let store = tempfile::tempdir().unwrap();
    let (code, _, stderr) = optimize(dir.path(), store.path(), &["--apply", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("the original Dockerfile does not build"),
        "{stderr}"
    );
    assert!(stderr.contains("exited with code 1"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );

    let text = "FROM nowhere:1\nRUN echo a > /a\nRUN echo b > /b\n";
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let (code, _, stderr) = optimize(dir.path(), store.path(), &["--apply", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nowhere"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
}

/// `--engine buildah`: buildah builds both versions (bases pulled from an OCI layout),
/// Plimsoll verifies and measures the images it exported.
#[test]
fn buildah_builds_and_plimsoll_verifies() {
    if enabled() {
        external_engine_builds_and_plimsoll_verifies("buildah");
    }
}

/// `--engine podman`, the same way.
#[test]
fn podman_builds_and_plimsoll_verifies() {
    if enabled() {
        external_engine_builds_and_plimsoll_verifies("podman");
    }
}

fn external_engine_builds_and_plimsoll_verifies(engine: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(". bench/engine-bases.sh && oci_layout \"$(busybox_rootfs)\" \"$CACHE/busybox-oci\"")
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let layout = String::from_utf8(out.stdout).unwrap();
    let layout = layout.lines().last().unwrap().trim();
    let dir = project(&[("Dockerfile", MERGE)]);
    let store = tempfile::tempdir().unwrap();
    let out = plimsoll(dir.path())
        .arg("optimize")
        .args(["--engine", engine, "--format", "json", "--timeout", "2"])
        .args(["--level", "aggressive"])
        .args(["--base", &format!("busybox=oci:{layout}:base")])
        .arg("--root")
        .arg(store.path())
        .arg(".")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], true, "{report:#}");
    assert_eq!(report["before"]["layers"], 5);
    assert_eq!(report["after"]["layers"], 2);
    assert!(report["saved_bytes"].as_i64().unwrap() > 500_000);
    assert!(transformation(&report, "PL600")["dropped"].is_string());
}

/// Ctrl-C during a build: exit 130, the Dockerfile untouched, no mount left on the host.
#[test]
fn ctrl_c_leaves_the_dockerfile_and_the_host_alone() {
    if !enabled() {
        return;
    }
    let text = "FROM busybox\nRUN sleep 30\nRUN echo a > /a\n";
    let dir = project(&[("Dockerfile", text)]);
    let store = tempfile::tempdir().unwrap();
    let base = format!("busybox=rootfs:{}", busybox().display());
    let child = plimsoll(dir.path())
        .args(["optimize", "--apply", "--base", &base, "--root"])
        .arg(store.path())
        .arg(".")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed().as_secs() < 20,
        "Ctrl-C did not stop the build promptly"
    );
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the Dockerfile was not changed"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(store.path().to_str().unwrap()), "{mounts}");
}

/// Usage errors need neither root nor a base: one line, exit 2, nothing built.
#[test]
fn usage_errors_are_one_line() {
    let dir = project(&[("Dockerfile", "FROM busybox\nRUN echo a\nRUN echo b\n")]);
    let run = |args: &[&str]| {
        let out = plimsoll(dir.path())
            .arg("optimize")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["-f", "missing.Dockerfile", "."]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("error: cannot read missing.Dockerfile"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // No Docker daemon on these machines (and maybe no client): said before anything else.
    let (code, stderr) = run(&["--engine", "docker", "."]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with("error: --engine docker: the Docker daemon does not answer")
            || stderr.starts_with("error: --engine docker: docker is not installed"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let (code, stderr) = run(&["--smoke", "sh -c 'oops", "."]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unclosed quote"), "{stderr}");
    let (code, stderr) = run(&["no-such-dir"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a directory"), "{stderr}");
}

/// A Dockerfile with nothing to change at the level is said so, without building.
#[test]
fn nothing_to_optimize_builds_nothing() {
    let dir = project(&[(
        "Dockerfile",
        "FROM busybox:1.36\nUSER 65532\nCMD [\"true\"]\n",
    )]);
    let out = plimsoll(dir.path())
        .args([
            "optimize",
            "--level",
            "safe",
            "--root",
            "no-store-needed",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to optimize"));
    assert!(!dir.path().join("no-store-needed").exists());
}

/// A BusyBox root with the host's glibc laid out as merged-/usr Debian has it (`/lib` and
/// `/lib64` links into `/usr`): a base where a dynamically linked program runs.
fn glibc_root(into: &Path) -> std::path::PathBuf {
    let root = into.join("glibc-root");
    let copy = Command::new("cp")
        .arg("-a")
        .arg(busybox())
        .arg(&root)
        .status()
        .unwrap();
    assert!(copy.success());
    let multiarch = root.join("usr/lib/x86_64-linux-gnu");
    std::fs::create_dir_all(&multiarch).unwrap();
    for name in ["libc.so.6", "ld-linux-x86-64.so.2"] {
        std::fs::copy(
            Path::new("/usr/lib/x86_64-linux-gnu").join(name),
            multiarch.join(name),
        )
        .unwrap();
    }
    std::fs::create_dir_all(root.join("usr/lib64")).unwrap();
    std::os::unix::fs::symlink(
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        root.join("usr/lib64/ld-linux-x86-64.so.2"),
    )
    .unwrap();
    std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
    std::os::unix::fs::symlink("usr/lib64", root.join("lib64")).unwrap();
    root
}

/// A project with `files` and the host's dynamically linked `echo` as an executable
/// `echo.bin`.
fn project_with_echo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = project(files);
    std::fs::write(
        dir.path().join("echo.bin"),
        std::fs::read("/usr/bin/echo").unwrap(),
    )
    .unwrap();
    executable(dir.path(), &["echo.bin"]);
    dir
}

fn executable(dir: &Path, paths: &[&str]) {
    for path in paths {
        let status = Command::new("chmod")
            .arg("755")
            .arg(dir.join(path))
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// Optimize at `level` with `debian:12-slim` standing for [`glibc_root`], JSON report;
/// the store and the root go under `scratch`.
fn optimize_on_glibc(dir: &Path, scratch: &Path, level: &str) -> (i32, String, String) {
    let root = scratch.join("glibc-root");
    let root = if root.exists() {
        root
    } else {
        glibc_root(scratch)
    };
    let base = format!("debian:12-slim=rootfs:{}", root.display());
    optimize(
        dir,
        &scratch.join("store"),
        &["--base", &base, "--level", level, "--format", "json", "."],
    )
}

/// The whole way to scratch for a dynamically linked program on a distribution base:
/// PL501 splits the build, the built original shows the program's loader and libc, PL502
/// runs it from scratch with exactly those, and the smoke run passes there. (Stand-ins: the
/// "build" copies the host's dynamically linked `echo`; apt-get and make are scripts.)
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn a_dynamic_program_runs_from_scratch_with_the_libraries_it_loads() {
    if !enabled() {
        return;
    }
    let dockerfile = "\
FROM debian:12-slim
COPY tools/ /usr/local/bin/
RUN apt-get update && apt-get install -y make gcc
COPY . /src
RUN cd /src && make
RUN cd /src && make install
CMD greet hello from scratch
";
    let make = "#!/bin/sh\nif [ \"$1\" = install ]; then cp greet /usr/local/bin/; \
                else cp echo.bin greet; fi\n";
    let dir = project_with_echo(&[
        ("Dockerfile", dockerfile),
        ("tools/apt-get", "#!/bin/sh\nexit 0\n"),
        ("tools/make", make),
    ]);
    executable(dir.path(), &["tools/apt-get", "tools/make"]);
    let store = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize_on_glibc(dir.path(), store.path(), "aggressive");
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verified"], true, "{report:#}\n{stderr}");
    for code in ["PL501", "PL502"] {
        let t = transformation(&report, code);
        assert!(t["dropped"].is_null(), "{t:#}\n{stderr}");
    }
    let diff = report["diff"].as_str().unwrap();
    assert!(diff.contains("+FROM scratch"), "{diff}");
    assert!(
        diff.contains(
            "+COPY --from=builder /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib64/"
        ),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+COPY --from=builder /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/"
        ),
        "{diff}"
    );
    let checks = report["checks"].as_array().unwrap();
    let smoke = checks.iter().find(|c| c["name"] == "smoke").unwrap();
    assert_eq!(smoke["passed"], true, "{smoke:#}");
    let fs = checks.iter().find(|c| c["name"] == "filesystem").unwrap();
    assert!(
        fs["details"].to_string().contains("runs from scratch"),
        "{fs:#}"
    );
    // Only the program, the loader and libc: no BusyBox, no stand-in tools.
    assert!(
        report["after"]["uncompressed_bytes"].as_u64().unwrap() < 4_000_000,
        "{report:#}"
    );
}

/// A multi-stage file already written by hand, whose runtime stage only the built image
/// can judge: the text alone offers no fix, so `aggressive` builds the original first and
/// PL502 then moves the stage to scratch with what the program loads.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn aggressive_builds_first_when_only_the_image_can_tell() {
    if !enabled() {
        return;
    }
    let dockerfile = "\
FROM debian:12-slim AS build
COPY echo.bin /out/greet

FROM debian:12-slim
COPY --from=build /out/greet /usr/local/bin/greet
USER 65532:65532
CMD [\"greet\", \"built first\"]
";
    let dir = project_with_echo(&[("Dockerfile", dockerfile)]);
    let store = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = optimize_on_glibc(dir.path(), store.path(), "aggressive");
    assert_eq!(code, 0, "{stderr}");
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    assert_eq!(report["verified"], true, "{report:#}\n{stderr}");
    let moved = transformation(&report, "PL502");
    assert!(moved["dropped"].is_null(), "{moved:#}\n{stderr}");
    assert!(report["diff"].as_str().unwrap().contains("+FROM scratch"));
    // At a lower level nothing is built.
    let (code, _, stderr) = optimize_on_glibc(dir.path(), store.path(), "standard");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("nothing to optimize"), "{stderr}");
}
