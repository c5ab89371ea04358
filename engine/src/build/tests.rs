//! Builds without root: a fake runner stands in for the sandbox (it interprets a tiny
//! command language against the upper directory) and the recording syscall simulates
//! owners and whiteouts.

use super::*;
use crate::export::write_oci_layout;
use crate::fs::View;
use crate::sandbox::{SandboxSpec, Stream, stubs};
use crate::source::{BaseMapping, ImageSource, Resolver};
use crate::syscall::make_whiteout;
use crate::syscall::test::RecordingSyscall;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;

/// Runs `sh -c` scripts made of `;`-separated commands: `write PATH TEXT`, `rm PATH`
/// (a whiteout), `chown UID PATH`, `echo TEXT`, `exit N`, `cat PATH` (from the mounts or
/// the image). Like the real sandbox it creates missing mount points in the upper
/// directory first.
struct FakeRunner<'a> {
    syscall: &'a RecordingSyscall,
    specs: Mutex<Vec<SandboxSpec>>,
}

impl<'a> FakeRunner<'a> {
    fn new(syscall: &'a RecordingSyscall) -> Self {
        FakeRunner {
            syscall,
            specs: Mutex::new(Vec::new()),
        }
    }

    fn specs(&self) -> Vec<SandboxSpec> {
        self.specs.lock().unwrap().clone()
    }
}

impl Runner for FakeRunner<'_> {
    fn run(
        &self,
        spec: &SandboxSpec,
        output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, SandboxError> {
        self.specs.lock().unwrap().push(spec.clone());
        let upper = &spec.rootfs.upper;
        let lower = View::new(spec.rootfs.lower.clone(), self.syscall);
        for stub in stubs::plan(&lower, &spec.mount_points()).unwrap() {
            let path = upper.join(stub.path.trim_start_matches('/'));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            if stub.file {
                std::fs::write(&path, "").unwrap();
            } else {
                std::fs::create_dir_all(&path).unwrap();
            }
        }
        let script = spec.process.args.last().cloned().unwrap_or_default();
        for command in script.split(';').map(str::trim).filter(|c| !c.is_empty()) {
            let mut words = command.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("write"), Some(path), text) => {
                    let p = upper.join(path.trim_start_matches('/'));
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, text.unwrap_or("")).unwrap();
                }
                (Some("rm"), Some(path), _) => {
                    let p = upper.join(path.trim_start_matches('/'));
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    make_whiteout(self.syscall, &p).unwrap();
                }
                (Some("chown"), Some(uid), Some(path)) => {
                    let p = upper.join(path.trim_start_matches('/'));
                    let uid: u32 = uid.parse().unwrap();
                    self.syscall.lchown(&p, uid, uid).unwrap();
                }
                (Some("echo"), text, rest) => {
                    let line = [text.unwrap_or(""), rest.unwrap_or("")].join(" ");
                    output(Stream::Stdout, format!("{}\n", line.trim()).as_bytes());
                }
                (Some("cat"), Some(path), _) => {
                    let mount = spec.mounts.iter().find(|m| m.target == path);
                    let bytes = match mount.map(|m| &m.kind) {
                        Some(crate::sandbox::MountKind::Bind { source, .. }) => {
                            std::fs::read(source).unwrap()
                        }
                        _ => lower.read(path).unwrap().unwrap_or_default(),
                    };
                    output(Stream::Stdout, &bytes);
                }
                (Some("ls"), Some(path), _) => {
                    let mount = spec.mounts.iter().find(|m| m.target == path).unwrap();
                    let dir = match &mount.kind {
                        crate::sandbox::MountKind::Bind { source, .. } => source.clone(),
                        crate::sandbox::MountKind::Layers { lower, .. } => lower[0].clone(),
                        other => panic!("ls of {other:?}"),
                    };
                    let mut names: Vec<String> = walkdir::WalkDir::new(&dir)
                        .min_depth(1)
                        .into_iter()
                        .map(|e| {
                            let e = e.unwrap();
                            e.path().strip_prefix(&dir).unwrap().display().to_string()
                        })
                        .collect();
                    names.sort();
                    output(Stream::Stdout, format!("{}\n", names.join(" ")).as_bytes());
                }
                (Some("ssh"), Some(path), _) => {
                    use std::io::Write;
                    let mount = spec.mounts.iter().find(|m| m.target == path).unwrap();
                    let crate::sandbox::MountKind::Bind { source, .. } = &mount.kind else {
                        panic!("ssh mount {mount:?}");
                    };
                    let mut c = std::os::unix::net::UnixStream::connect(source).unwrap();
                    c.write_all(b"ping").unwrap();
                    c.shutdown(std::net::Shutdown::Write).unwrap();
                    let mut answer = String::new();
                    c.read_to_string(&mut answer).unwrap();
                    output(Stream::Stdout, format!("{answer}\n").as_bytes());
                }
                (Some("exit"), Some(code), _) => {
                    output(Stream::Stderr, b"failing on purpose\n");
                    return Ok(code.parse().unwrap());
                }
                other => panic!("fake runner: unknown command {other:?}"),
            }
        }
        Ok(0)
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    syscall: RecordingSyscall,
}

#[derive(Default)]
struct Log(Vec<String>);

impl Progress for Log {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Step {
                number,
                total,
                text,
                ..
            } => self.0.push(format!("step {number}/{total} {text}")),
            Event::StepDone {
                number,
                cached: true,
                ..
            } => self.0.push(format!("cached {number}")),
            Event::Output { line, .. } => self
                .0
                .push(format!("out {}", String::from_utf8_lossy(line))),
            Event::Warning(w) => self.0.push(format!("warning {w}")),
            _ => {}
        }
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("ctx")).unwrap();
    let store = Store::open(dir.path().join("store")).unwrap();
    Fixture {
        dir,
        store,
        syscall: RecordingSyscall::new(),
    }
}

impl Fixture {
    fn ctx(&self) -> PathBuf {
        self.dir.path().join("ctx")
    }

    fn file(&self, rel: &str, text: &str) {
        let p = self.ctx().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn options(&self, dockerfile: &str) -> BuildOptionsBuilder {
        BuildOptions::builder(self.ctx())
            .dockerfile_text(dockerfile)
            .source_date_epoch(Some(1_700_000_000))
    }

    fn build_with(
        &self,
        runner: &FakeRunner<'_>,
        options: BuildOptions,
    ) -> (Result<BuildOutcome, BuildError>, Vec<String>) {
        let builder = Builder {
            store: &self.store,
            syscall: &self.syscall,
            runner,
        };
        let mut log = Log::default();
        let result = builder.build(&options, &mut log);
        (result, log.0)
    }

    fn build(&self, dockerfile: &str) -> BuildOutcome {
        let runner = FakeRunner::new(&self.syscall);
        let (result, log) = self.build_with(&runner, self.options(dockerfile).build().unwrap());
        result.unwrap_or_else(|e| panic!("build failed: {e}\n{log:#?}"))
    }

    /// `(path, uid, content)` of every entry in a layer.
    fn layer(&self, image: &Image, index: usize) -> Vec<(String, u64, String)> {
        let layer = &image.layers[index];
        let file = self.store.open_blob(&layer.digest).unwrap();
        let reader = layer.compression.decoder(file);
        let mut archive = tar::Archive::new(reader);
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut text = String::new();
                let _ = e.read_to_string(&mut text);
                let uid = e.header().uid().unwrap();
                (e.path().unwrap().display().to_string(), uid, text)
            })
            .collect()
    }

    fn paths(&self, image: &Image, index: usize) -> Vec<String> {
        self.layer(image, index).into_iter().map(|e| e.0).collect()
    }

    /// A base image in an OCI layout, with /etc/passwd and /bin/sh.
    fn base_layout(&self) -> PathBuf {
        let layout = self.dir.path().join("layout");
        if layout.exists() {
            return layout;
        }
        let root = self.dir.path().join("base-root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(
            root.join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(root.join("etc/group"), "root:x:0:\napp:x:1000:\n").unwrap();
        std::fs::write(root.join("bin/sh"), "#!fake\n").unwrap();
        std::os::unix::fs::symlink("bin", root.join("sbin")).unwrap();
        let layer = crate::layer::create_layer(
            &self.store,
            &self.syscall,
            &root,
            &crate::layer::LayerOptions::default(),
        )
        .unwrap()
        .unwrap();
        let mut image = Image::scratch();
        image.push_layer(layer, crate::image::history(None, "base", false));
        image.config.set_env("BASE_ENV", "from-base");
        image
            .config
            .on_build
            .push("RUN write /onbuild-ran yes".into());
        write_oci_layout(&self.store, &image, &layout, Some("1")).unwrap();
        layout
    }

    fn resolver(&self) -> Resolver {
        let layout = self.base_layout();
        Resolver::new(vec![
            BaseMapping::parse(&format!("base:1=oci:{}:1", layout.display())).unwrap(),
        ])
    }
}

#[test]
fn scratch_copy_and_configuration() {
    let f = fixture();
    f.file("app/main.sh", "echo hi");
    f.file("app/lib/util.sh", "util");
    f.file("README", "read me");
    let out = f.build(
        "FROM scratch
ENV APP=/opt/app PATH=/opt/app/bin:$PATH
LABEL org.example.name=\"demo app\" version=1
WORKDIR $APP
COPY app/ ./
COPY --chmod=600 README /docs/
EXPOSE 80 53/udp
VOLUME /data
USER 1000:1000
STOPSIGNAL SIGQUIT
ENTRYPOINT [\"/opt/app/main.sh\"]
CMD serve --port 80
HEALTHCHECK --interval=5s --retries=2 CMD /opt/app/main.sh health
",
    );
    let c = &out.image.config;
    assert_eq!(c.env_value("APP").as_deref(), Some("/opt/app"));
    assert!(
        c.env_value("PATH")
            .unwrap()
            .starts_with("/opt/app/bin:/usr/local/sbin")
    );
    let config = c.config();
    assert_eq!(config.working_dir().as_deref(), Some("/opt/app"));
    assert_eq!(config.user().as_deref(), Some("1000:1000"));
    assert_eq!(config.stop_signal().as_deref(), Some("SIGQUIT"));
    assert_eq!(config.entrypoint().clone().unwrap(), ["/opt/app/main.sh"]);
    assert_eq!(
        config.cmd().clone().unwrap(),
        ["/bin/sh", "-c", "serve --port 80"]
    );
    assert_eq!(
        config.labels().clone().unwrap()["org.example.name"],
        "demo app"
    );
    let mut ports = config.exposed_ports().clone().unwrap();
    ports.sort();
    assert_eq!(ports, ["53/udp", "80/tcp"]);
    let health = c.healthcheck.clone().unwrap();
    assert_eq!(health.test, ["CMD-SHELL", "/opt/app/main.sh health"]);
    assert_eq!((health.interval, health.retries), (5_000_000_000, 2));
    // WORKDIR made a layer with the directory; the COPYs one each.
    assert_eq!(out.image.layers.len(), 3);
    assert_eq!(f.paths(&out.image, 0), ["opt/", "opt/app/"]);
    assert_eq!(
        f.paths(&out.image, 1),
        [
            "opt/",
            "opt/app/",
            "opt/app/lib/",
            "opt/app/lib/util.sh",
            "opt/app/main.sh"
        ]
    );
    let docs = f.layer(&out.image, 2);
    assert_eq!(docs[1].0, "docs/README");
    // History: one entry per instruction but ARG; created from SOURCE_DATE_EPOCH.
    let history = c.history();
    assert_eq!(history.len(), 12);
    assert_eq!(
        history[0].created().as_deref(),
        Some("2023-11-14T22:13:20Z")
    );
    assert_eq!(c.oci.created().as_deref(), Some("2023-11-14T22:13:20Z"));
    assert_eq!(
        history
            .iter()
            .filter(|h| h.empty_layer() != Some(true))
            .count(),
        3
    );
}

#[test]
fn copy_rules_owners_and_modes() {
    let f = fixture();
    f.file("a.txt", "a");
    f.file("b.txt", "b");
    f.file("dir/x", "x");
    let out = f.build(
        "FROM scratch
COPY a.txt /renamed
COPY *.txt /many/
COPY --chown=7:8 dir /into/
COPY a.txt /into
",
    );
    assert_eq!(f.paths(&out.image, 0), ["renamed"]);
    assert_eq!(
        f.paths(&out.image, 1),
        ["many/", "many/a.txt", "many/b.txt"]
    );
    let chowned = f.layer(&out.image, 2);
    assert_eq!(
        chowned
            .iter()
            .map(|e| (e.0.as_str(), e.1))
            .collect::<Vec<_>>(),
        [("into/", 7), ("into/x", 7)]
    );
    // /into is a directory now, so the file goes inside it.
    assert_eq!(f.paths(&out.image, 3), ["into/", "into/a.txt"]);
    // Several sources need a directory destination.
    let runner = FakeRunner::new(&f.syscall);
    let (result, _) = f.build_with(
        &runner,
        f.options("FROM scratch\nCOPY a.txt b.txt /nodir\n")
            .build()
            .unwrap(),
    );
    let err = result.unwrap_err();
    assert!(err.to_string().contains("ending in `/`"), "{err}");
    assert!(err.to_string().contains("step 2/2 (line 2)"), "{err}");
}

#[test]
fn dockerignore_and_hostile_contexts() {
    let f = fixture();
    f.file("src/app.py", "app");
    f.file(".env", "SECRET=1");
    f.file("node_modules/big/index.js", "x");
    f.file(".dockerignore", "node_modules\n.env\n");
    let out = f.build("FROM scratch\nCOPY . /app/\n");
    let paths = f.paths(&out.image, 0);
    assert!(paths.contains(&"app/src/app.py".to_string()), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("node_modules") || p.contains(".env")),
        "{paths:?}"
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "host secret").unwrap();
    std::os::unix::fs::symlink(outside.path().join("passwd"), f.ctx().join("link")).unwrap();
    std::os::unix::fs::symlink(outside.path(), f.ctx().join("dirlink")).unwrap();
    for source in [
        "../ctx/src",
        "/../../etc/passwd",
        "link",
        "dirlink/passwd",
        ".env",
    ] {
        let runner = FakeRunner::new(&f.syscall);
        let options = f
            .options(&format!("FROM scratch\nCOPY {source} /x\n"))
            .build()
            .unwrap();
        let (result, _) = f.build_with(&runner, options);
        assert!(result.is_err(), "COPY {source} should fail");
    }
    // A symlink inside a copied directory is copied as a link, not followed.
    std::fs::create_dir(f.ctx().join("tree")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("passwd"), f.ctx().join("tree/escape")).unwrap();
    let out = f.build("FROM scratch\nCOPY tree /t/\n");
    let entries = f.layer(&out.image, 0);
    assert_eq!(entries[1].0, "t/escape");
    assert_eq!(entries[1].2, "", "the link's target was not read");
}

#[test]
fn run_layers_whiteouts_and_stub_cleanup() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(
            "FROM base:1\nRUN write /app/out built; rm /etc/group; echo done\nRUN echo nothing\n",
        )
        .resolver(f.resolver())
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    let out = result.unwrap();
    // base layer, the base's ONBUILD RUN, this RUN; the second RUN changed nothing.
    assert_eq!(out.image.layers.len(), 3);
    assert_eq!(f.paths(&out.image, 1), ["onbuild-ran"]);
    let paths = f.paths(&out.image, 2);
    assert_eq!(
        paths,
        ["app/", "app/out", "etc/", "etc/.wh.group"],
        "stubs (/etc/hosts, /proc…) were removed"
    );
    assert!(log.contains(&"out done".to_string()), "{log:?}");
    // ONBUILD of the base ran (as the first step after FROM) and was cleared.
    assert!(
        log.iter().any(|l| l.contains("RUN write /onbuild-ran yes")),
        "{log:?}"
    );
    assert!(out.image.config.on_build.is_empty());
    let spec = &runner.specs()[0];
    assert_eq!(spec.process.cwd, "/");
    assert!(spec.process.env.contains(&"BASE_ENV=from-base".to_string()));
}

#[test]
fn failing_run_reports_code_and_output() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN echo before; exit 3\n")
        .build()
        .unwrap();
    let (result, _) = f.build_with(&runner, options);
    let err = result.unwrap_err();
    match err.root() {
        BuildError::RunFailed { code, tail } => {
            assert_eq!(*code, 3);
            assert!(
                tail.contains("before") && tail.contains("failing on purpose"),
                "{tail}"
            );
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn cache_hits_and_invalidation() {
    let f = fixture();
    f.file("a", "1");
    f.file("b", "2");
    let file = "FROM scratch\nARG V=1\nCOPY a /a\nRUN write /v $V\nCOPY b /b\n";
    let first = f.build(file);
    let runner = FakeRunner::new(&f.syscall);
    let (again, log) = f.build_with(&runner, f.options(file).build().unwrap());
    let again = again.unwrap();
    assert_eq!(
        again.stored, first.stored,
        "an unchanged rebuild gives the same image"
    );
    assert_eq!(again.cached, 3, "{log:?}");
    assert!(runner.specs().is_empty(), "no RUN ran");
    // Changing b rebuilds only the last COPY.
    f.file("b", "changed");
    let (changed, log) = f.build_with(&runner, f.options(file).build().unwrap());
    assert_eq!(changed.unwrap().cached, 2, "{log:?}");
    // A build argument changes the RUN and what follows.
    let (arg, log) = f.build_with(
        &runner,
        f.options(file).build_arg("V", "2").build().unwrap(),
    );
    assert_eq!(arg.unwrap().cached, 1, "{log:?}");
    assert_eq!(runner.specs().len(), 1);
    // Without SOURCE_DATE_EPOCH a fully cached rebuild is still the same image: its
    // times come from the first build.
    let (a, _) = f.build_with(
        &runner,
        f.options(file).source_date_epoch(None).build().unwrap(),
    );
    let (b, _) = f.build_with(
        &runner,
        f.options(file).source_date_epoch(None).build().unwrap(),
    );
    assert_eq!(a.unwrap().stored, b.unwrap().stored);
    // --no-cache runs everything.
    let (nocache, _) = f.build_with(&runner, f.options(file).no_cache(true).build().unwrap());
    assert_eq!(nocache.unwrap().cached, 0);
}

#[test]
fn multi_stage_copy_from_keeps_owners_and_skips_unused_stages() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(
            "FROM base:1 AS build
RUN write /out/bin/app binary; chown 1000 /out/bin/app
FROM scratch AS unused
RUN exit 9
FROM scratch
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build --chown=5:5 /out/bin/app /app2
",
        )
        .resolver(f.resolver())
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    let out = result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    let bin = f.layer(&out.image, 0);
    assert_eq!(bin.last().unwrap().0, "usr/local/bin/app");
    assert_eq!(bin.last().unwrap().1, 1000, "owner kept from the stage");
    assert_eq!(bin.last().unwrap().2, "binary");
    assert_eq!(f.layer(&out.image, 1)[0].1, 5);
    assert!(
        !log.iter().any(|l| l.contains("exit 9")),
        "the unused stage was skipped: {log:?}"
    );
    // --target builds the named stage.
    let options = f
        .options("FROM base:1 AS build\nRUN write /x 1\nFROM scratch\nCOPY --from=build /x /x\n")
        .resolver(f.resolver())
        .target(Some("build".into()))
        .build()
        .unwrap();
    let (result, _) = f.build_with(&runner, options);
    assert_eq!(result.unwrap().image.layers.len(), 3);
}

#[test]
fn secrets_are_mounted_never_stored() {
    let f = fixture();
    let secret = f.dir.path().join("token");
    std::fs::write(&secret, "s3cr3t").unwrap();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM base:1\nRUN --mount=type=secret,id=token cat /run/secrets/token; write /used yes\n")
        .resolver(f.resolver())
        .secret("token", SecretSource::File(secret))
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    let out = result.unwrap();
    assert!(log.contains(&"out s3cr3t".to_string()), "{log:?}");
    let layer = f.layer(&out.image, 2);
    assert_eq!(
        layer.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["used"]
    );
    assert!(!layer.iter().any(|e| e.2.contains("s3cr3t")));
    // Required but missing.
    let options = f
        .options("FROM scratch\nRUN --mount=type=secret,id=nope,required echo x\n")
        .build()
        .unwrap();
    let (result, _) = f.build_with(&runner, options);
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("secret `nope` is required")
    );
}

#[test]
fn add_extracts_archives_and_refuses_traversal() {
    let f = fixture();
    let mut good = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(5);
    h.set_mode(0o644);
    h.set_cksum();
    good.append_data(&mut h, "pkg/file.txt", &b"hello"[..])
        .unwrap();
    let good = good.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &good).unwrap();
    std::fs::write(f.ctx().join("good.tar.gz"), gz.finish().unwrap()).unwrap();
    let out = f.build("FROM scratch\nADD good.tar.gz /opt/\nCOPY good.tar.gz /raw/\n");
    assert_eq!(
        f.paths(&out.image, 0),
        ["opt/", "opt/pkg/", "opt/pkg/file.txt"]
    );
    assert_eq!(
        f.paths(&out.image, 1),
        ["raw/", "raw/good.tar.gz"],
        "COPY does not extract"
    );
    // A hostile archive.
    let mut evil = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(4);
    h.set_mode(0o644);
    h.as_old_mut().name[..12].copy_from_slice(b"../../escape");
    h.set_cksum();
    evil.append(&h, &b"evil"[..]).unwrap();
    std::fs::write(f.ctx().join("evil.tar"), evil.into_inner().unwrap()).unwrap();
    let runner = FakeRunner::new(&f.syscall);
    let (result, _) = f.build_with(
        &runner,
        f.options("FROM scratch\nADD evil.tar /opt/\n")
            .build()
            .unwrap(),
    );
    let err = result.unwrap_err().to_string();
    assert!(err.contains("refusing"), "{err}");
    assert!(!f.dir.path().join("escape").exists());
}

#[test]
fn users_heredocs_and_outputs() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let layout = f.dir.path().join("out");
    let options = f
        .options("FROM base:1\nUSER app\nWORKDIR /home/app/work\nRUN write /x 1\nCOPY <<EOF /etc/motd\nhello\nEOF\n")
        .resolver(f.resolver())
        .tag("demo:1")
        .output(crate::export::Output::OciLayout {
            dir: layout.clone(),
            tag: Some("1".into()),
        })
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    let out = result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    let spec = runner.specs().pop().unwrap();
    assert_eq!((spec.process.uid, spec.process.gid), (1000, 1000));
    assert_eq!(spec.process.cwd, "/home/app/work");
    // WORKDIR created the directory owned by the user.
    let workdir = f.layer(&out.image, 2);
    assert_eq!(
        workdir.last().unwrap(),
        &("home/app/work/".to_string(), 1000, String::new())
    );
    let motd = f.layer(&out.image, 4);
    assert_eq!(motd.last().unwrap().2, "hello\n");
    // Tagged in the store, written as a layout.
    let tagged = f
        .store
        .tag(
            &crate::image::ImageName::parse("demo:1")
                .unwrap()
                .normalized(),
        )
        .unwrap();
    assert_eq!(tagged, Some(out.stored.manifest.clone()));
    let loaded = crate::source::OciLayoutSource {
        dir: layout,
        tag: Some("1".into()),
    }
    .load(&f.store, &f.syscall)
    .unwrap();
    assert_eq!(loaded, out.image);
    // An unknown user fails the RUN.
    let options = f
        .options("FROM base:1\nUSER ghost\nRUN echo x\n")
        .resolver(f.resolver())
        .build()
        .unwrap();
    let (result, _) = f.build_with(&runner, options);
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("unable to find user ghost")
    );
}

#[test]
fn parse_errors_and_unknown_bases_are_reported() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let (result, _) = f.build_with(
        &runner,
        f.options("FROM scratch\nCOPY onlyone\n").build().unwrap(),
    );
    assert!(matches!(result, Err(BuildError::Parse(_))));
    // Not mapped, not in the store: pulled from its registry, here one nobody answers for.
    let (result, _) = f.build_with(
        &runner,
        f.options("FROM 127.0.0.1:1/debian:12\n").build().unwrap(),
    );
    let err = result.unwrap_err().to_string();
    assert!(
        err.contains(
            "`FROM 127.0.0.1:1/debian:12`: cannot pull: https://127.0.0.1:1/v2/debian/manifests/12"
        ),
        "{err}"
    );
    let mut args = BTreeMap::new();
    args.insert("UNUSED".to_string(), "1".to_string());
    let mut options = f.options("FROM scratch\n").build().unwrap();
    options.build_args = args;
    let (result, log) = f.build_with(&runner, options);
    result.unwrap();
    assert!(
        log.iter().any(|l| l.contains("UNUSED was not consumed")),
        "{log:?}"
    );
}

#[test]
fn platform_arguments_are_predefined() {
    let f = fixture();
    let out = f.build("FROM --platform=$BUILDPLATFORM scratch\nARG TARGETARCH\nARG TARGETOS\nENV ARCH=$TARGETARCH OS=$TARGETOS\n");
    let arch = oci_spec::image::Arch::default().to_string();
    assert_eq!(out.image.config.env_value("ARCH"), Some(arch));
    assert_eq!(out.image.config.env_value("OS").as_deref(), Some("linux"));
}

#[test]
fn global_args_choose_the_base() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("ARG TAG=1\nFROM base:${TAG}\nRUN write /ok yes\n")
        .resolver(f.resolver())
        .build()
        .unwrap();
    let (result, _) = f.build_with(&runner, options);
    assert_eq!(result.unwrap().image.layers.len(), 3);
}

mod add;
mod platforms;
mod run_mounts;

#[test]
fn link_layers_are_reused_when_only_earlier_steps_change() {
    let f = fixture();
    f.file("a", "1");
    f.file("b", "2");
    let file = "FROM scratch\nCOPY a /a\nCOPY --link b /dir/b\nCOPY a /a2\n";
    let first = f.build(file);
    f.file("a", "changed");
    let runner = FakeRunner::new(&f.syscall);
    let (changed, log) = f.build_with(&runner, f.options(file).build().unwrap());
    let changed = changed.unwrap();
    assert_eq!(changed.cached, 1, "only the --link step: {log:?}");
    assert!(log.contains(&"cached 3".to_string()), "{log:?}");
    assert_eq!(changed.image.layers[1], first.image.layers[1]);
    assert_ne!(changed.image.layers[0], first.image.layers[0]);
    assert_eq!(f.paths(&changed.image, 1), ["dir/", "dir/b"]);
    // Without --link the same change rebuilds it.
    let plain = file.replace(" --link", "");
    f.build(&plain);
    f.file("a", "changed again");
    let (rebuilt, log) = f.build_with(&runner, f.options(&plain).build().unwrap());
    assert_eq!(rebuilt.unwrap().cached, 0, "{log:?}");
    // What the image says about the destination is part of the layer: a directory made
    // by an earlier step receives the file, else the file is the destination.
    let file = "FROM scratch\nARG D\nCOPY a /$D/x\nCOPY --link b /dest\n";
    let into_dir = f.build_with(
        &runner,
        f.options(file).build_arg("D", "dest").build().unwrap(),
    );
    let into_dir = into_dir.0.unwrap();
    assert_eq!(f.paths(&into_dir.image, 1), ["dest/", "dest/b"]);
    let (as_file, log) = f.build_with(
        &runner,
        f.options(file).build_arg("D", "other").build().unwrap(),
    );
    let as_file = as_file.unwrap();
    assert_eq!(as_file.cached, 0, "{log:?}");
    assert_eq!(f.paths(&as_file.image, 1), ["dest"]);
}
