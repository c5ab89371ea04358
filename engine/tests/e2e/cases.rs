//! The end-to-end cases.

use super::Case;
use plimsoll_engine::build::{
    BuildError, BuildOptions, BuildOptionsBuilder, BuildOutcome, Builder, Event, Progress,
    SecretSource,
};
use plimsoll_engine::container::{RunOptions, run as run_container};
use plimsoll_engine::export::Output;
use plimsoll_engine::image::Image;
use plimsoll_engine::sandbox::{Network, Runner, Sandbox, SandboxError, SandboxSpec, Stream};
use plimsoll_engine::source::{BaseMapping, Resolver};
use plimsoll_engine::store::Store;
use plimsoll_engine::syscall::{SyscallRef, linux};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub fn all() -> Vec<Case> {
    vec![
        ("busybox_build_and_run", busybox_build_and_run),
        (
            "busybox_multi_stage_and_cache",
            busybox_multi_stage_and_cache,
        ),
        ("failing_run_stops_the_build", failing_run_stops_the_build),
        (
            "mounts_secrets_cache_bind_tmpfs",
            mounts_secrets_cache_bind_tmpfs,
        ),
        ("network_none_and_host", network_none_and_host),
        (
            "remote_sources_ssh_and_insecure",
            remote_sources_ssh_and_insecure,
        ),
        ("hostile_image_links", hostile_image_links),
        ("onbuild_triggers", onbuild_triggers),
        ("interrupt_cleans_up", interrupt_cleans_up),
        ("run_semantics", run_semantics),
        ("run_tty_and_publish", run_tty_and_publish),
        ("outputs_accepted_by_tools", outputs_accepted_by_tools),
        (
            "debian_apt_install_multi_stage",
            debian_apt_install_multi_stage,
        ),
    ]
}

pub struct World {
    dir: tempfile::TempDir,
    pub store: Store,
    syscall: SyscallRef,
    busybox: PathBuf,
    debian: OnceLock<PathBuf>,
}

#[derive(Default)]
struct Log(Vec<String>);

impl Progress for Log {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Output { line, .. } => self.0.push(String::from_utf8_lossy(line).into_owned()),
            Event::StepDone {
                number,
                cached: true,
                ..
            } => self.0.push(format!("#{number} CACHED")),
            _ => {}
        }
    }
}

/// Runs containers with output captured instead of passed through.
struct Capturing<'a> {
    inner: Sandbox<'a>,
    output: Mutex<Vec<u8>>,
}

impl Runner for Capturing<'_> {
    fn run(
        &self,
        spec: &SandboxSpec,
        _output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, SandboxError> {
        let mut spec = spec.clone();
        spec.interactive = false;
        self.inner.run(&spec, &mut |_, bytes| {
            self.output.lock().unwrap().extend_from_slice(bytes);
        })
    }

    fn run_observed(
        &self,
        spec: &SandboxSpec,
        _output: &mut dyn FnMut(Stream, &[u8]),
        started: &mut dyn FnMut(u32),
    ) -> Result<i32, SandboxError> {
        let mut spec = spec.clone();
        spec.interactive = false;
        self.inner.run_observed(
            &spec,
            &mut |_, bytes| {
                self.output.lock().unwrap().extend_from_slice(bytes);
            },
            started,
        )
    }
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::Builder::new()
            .prefix("plimsoll-e2e-")
            .tempdir()
            .unwrap();
        let store = Store::open(dir.path().join("store")).unwrap();
        World {
            busybox: super::bases::busybox(),
            dir,
            store,
            syscall: linux(),
            debian: OnceLock::new(),
        }
    }

    fn debian(&self) -> &Path {
        self.debian.get_or_init(super::bases::debian)
    }

    fn resolver(&self, dockerfile: &str) -> Resolver {
        let mut bases = vec![
            BaseMapping::parse(&format!("busybox=rootfs:{}", self.busybox.display())).unwrap(),
        ];
        if dockerfile.contains("debian") {
            bases.push(
                BaseMapping::parse(&format!("debian:12=rootfs:{}", self.debian().display()))
                    .unwrap(),
            );
        }
        Resolver::new(bases)
    }

    fn context(&self, files: &[(&str, &str)]) -> PathBuf {
        let ctx = tempfile::Builder::new()
            .prefix("ctx-")
            .tempdir_in(self.dir.path())
            .unwrap()
            .keep();
        for (path, text) in files {
            let p = ctx.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        ctx
    }

    pub fn build_with(
        &self,
        dockerfile: &str,
        files: &[(&str, &str)],
        tweak: impl FnOnce(BuildOptionsBuilder) -> BuildOptionsBuilder,
    ) -> (Result<BuildOutcome, BuildError>, Vec<String>) {
        let ctx = self.context(files);
        let options = tweak(
            BuildOptions::builder(&ctx)
                .dockerfile_text(dockerfile)
                .resolver(self.resolver(dockerfile)),
        )
        .build()
        .unwrap();
        let runner = Sandbox::new(self.syscall.as_ref());
        let builder = Builder {
            store: &self.store,
            syscall: self.syscall.as_ref(),
            runner: &runner,
        };
        let mut log = Log::default();
        let result = builder.build(&options, &mut log);
        (result, log.0)
    }

    pub fn build(
        &self,
        dockerfile: &str,
        files: &[(&str, &str)],
        tag: &str,
    ) -> (BuildOutcome, Vec<String>) {
        let (result, log) = self.build_with(dockerfile, files, |b| b.tag(tag));
        match result {
            Ok(outcome) => (outcome, log),
            Err(e) => panic!("build failed: {e}\n{}", log.join("\n")),
        }
    }

    pub fn run_with(
        &self,
        image: &str,
        command: &[&str],
        tweak: impl FnOnce(&mut RunOptions),
    ) -> (i32, String) {
        let mut options = RunOptions {
            image: image.to_string(),
            command: command.iter().map(|s| s.to_string()).collect(),
            rm: true,
            ..RunOptions::default()
        };
        tweak(&mut options);
        let runner = Capturing {
            inner: Sandbox::new(self.syscall.as_ref()),
            output: Mutex::new(Vec::new()),
        };
        let outcome = run_container(&self.store, self.syscall.as_ref(), &runner, &options)
            .unwrap_or_else(|e| panic!("run {image}: {e}"));
        let out = String::from_utf8_lossy(&runner.output.lock().unwrap()).into_owned();
        (outcome.code, out)
    }

    pub fn run(&self, image: &str, command: &[&str]) -> (i32, String) {
        self.run_with(image, command, |_| {})
    }

    /// `(path, uid, content)` of a layer's entries.
    pub fn layer(&self, image: &Image, index: usize) -> Vec<(String, u64, String)> {
        let layer = &image.layers[index];
        let file = self.store.open_blob(&layer.digest).unwrap();
        let reader = layer.compression.decoder(file);
        tar::Archive::new(reader)
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut text = String::new();
                let _ = e.read_to_string(&mut text);
                (
                    e.path().unwrap().display().to_string(),
                    e.header().uid().unwrap(),
                    text,
                )
            })
            .collect()
    }

    pub fn paths(&self, image: &Image, index: usize) -> Vec<String> {
        self.layer(image, index).into_iter().map(|e| e.0).collect()
    }

    pub fn leftover_work_dirs(&self) -> Vec<String> {
        std::fs::read_dir(self.store.root().join("tmp"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
            "{name} is required (PLIMSOLL_REQUIRE_TOOLS) but not installed"
        );
        eprintln!("  skipped the {name} checks: not installed");
    }
    found
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn busybox_build_and_run(w: &World) {
    let (out, log) = w.build(
        "FROM busybox
ENV GREETING=hello
RUN echo \"$GREETING from $(id -un) pid $$\" && echo made > /made && rm /bin/vi && cat /etc/hosts
RUN grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
COPY app.sh /app/
RUN chmod +x /app/app.sh
USER app
WORKDIR /home/app/data
RUN id && pwd && touch mine
CMD [\"/app/app.sh\"]
",
        &[(
            "app.sh",
            "#!/bin/sh\necho \"running as $(id -un) in $(pwd) with $GREETING\"\nexit 3\n",
        )],
        "e2e-busybox:1",
    );
    assert!(
        log.contains(&"hello from root pid 1".to_string()),
        "{log:#?}"
    );
    assert!(
        log.iter().any(|l| l.contains("localhost")),
        "/etc/hosts is provided: {log:#?}"
    );
    assert!(
        log.contains(&"CapEff:\t00000000a80425fb".to_string()),
        "Docker's default capabilities: {log:#?}"
    );
    assert!(
        log.contains(&"CapBnd:\t00000000a80425fb".to_string()),
        "{log:#?}"
    );
    assert!(log.contains(&"NoNewPrivs:\t1".to_string()), "{log:#?}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("uid=1000(app) gid=1000(app) groups=50(staff)")),
        "{log:#?}"
    );
    assert!(log.contains(&"/home/app/data".to_string()), "{log:#?}");
    // The first RUN's layer: its file and a whiteout, none of the sandbox's mount points.
    assert_eq!(w.paths(&out.image, 1), ["bin/", "bin/.wh.vi", "made"]);
    // The second RUN changed nothing.
    let history = out.image.config.history();
    assert!(history.iter().any(|h| {
        h.created_by()
            .as_deref()
            .is_some_and(|c| c.contains("grep"))
            && h.empty_layer() == Some(true)
    }));
    let workdir_run = w.layer(&out.image, out.image.layers.len() - 1);
    assert_eq!(workdir_run.last().unwrap().0, "home/app/data/mine");
    assert_eq!(workdir_run.last().unwrap().1, 1000);
    let (code, text) = w.run("e2e-busybox:1", &[]);
    assert_eq!(code, 3);
    assert_eq!(text, "running as app in /home/app/data with hello\n");
}

fn busybox_multi_stage_and_cache(w: &World) {
    let dockerfile = "FROM busybox AS build
RUN mkdir -p /out && echo compiled > /out/app && chown 1000:1000 /out/app
FROM busybox AS unused
RUN exit 1
FROM scratch
COPY --from=build /out/ /
COPY --from=build /bin/busybox /bin/sh
CMD [\"/bin/sh\", \"-c\", \"cat /app\"]
";
    let started = Instant::now();
    let (first, _) = w.build(dockerfile, &[], "e2e-multi:1");
    let cold = started.elapsed();
    let layer = w.layer(&first.image, 0);
    assert_eq!(layer, [("app".to_string(), 1000, "compiled\n".to_string())]);
    let started = Instant::now();
    let (again, log) = w.build(dockerfile, &[], "e2e-multi:1");
    let warm = started.elapsed();
    assert_eq!(
        again.stored, first.stored,
        "a cached rebuild is the same image"
    );
    assert_eq!(
        again.cached,
        again.steps - 2,
        "all but the two FROMs: {log:?}"
    );
    assert!(warm < cold, "cached {warm:?} vs cold {cold:?}");
}

fn failing_run_stops_the_build(w: &World) {
    let (result, _) = w.build_with(
        "FROM busybox\nRUN echo step one; echo oops >&2; exit 42\nRUN echo never\n",
        &[],
        |b| b,
    );
    let err = result.unwrap_err();
    match err.root() {
        BuildError::RunFailed { code, tail } => {
            assert_eq!(*code, 42);
            assert!(tail.contains("step one") && tail.contains("oops"), "{tail}");
        }
        other => panic!("{other}"),
    }
    let (result, _) = w.build_with("FROM busybox\nRUN no-such-command\n", &[], |b| b);
    assert!(matches!(
        result.unwrap_err().root(),
        BuildError::RunFailed { code: 127, .. }
    ));
    let (result, _) = w.build_with("FROM busybox\nRUN [\"/nope\"]\n", &[], |b| b);
    assert!(matches!(
        result.unwrap_err().root(),
        BuildError::RunFailed { code: 127, .. }
    ));
}

fn mounts_secrets_cache_bind_tmpfs(w: &World) {
    let secret = w.path("token");
    std::fs::write(&secret, "s3cr3t-value").unwrap();
    let dockerfile = "FROM busybox AS data
RUN mkdir /data && echo from-stage > /data/file
FROM busybox
RUN --mount=type=secret,id=token test \"$(cat /run/secrets/token)\" = s3cr3t-value && echo secret-ok && ls -l /run/secrets/token
RUN --mount=type=cache,target=/var/cache/thing sh -c 'echo run >> /var/cache/thing/log; wc -l < /var/cache/thing/log'
RUN --mount=type=bind,from=data,source=/data,target=/mnt,rw sh -c 'cat /mnt/file; echo scribble > /mnt/file'
RUN --mount=type=bind,source=.,target=/ctx cat /ctx/input.txt
RUN --mount=type=tmpfs,target=/scratch sh -c 'echo temp > /scratch/x && mount | grep -c \" /scratch \"'
RUN cat /etc/hosts > /dev/null; echo done > /result
";
    let files = [("input.txt", "from-context\n")];
    let (result, log) = w.build_with(dockerfile, &files, |b| {
        b.secret("token", SecretSource::File(secret.clone()))
            .tag("e2e-mounts:1")
    });
    let out = result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    assert!(log.contains(&"secret-ok".to_string()), "{log:#?}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("-r--------") && l.contains("/run/secrets/token")),
        "{log:#?}"
    );
    assert!(log.contains(&"from-stage".to_string()), "{log:#?}");
    assert!(log.contains(&"from-context".to_string()), "{log:#?}");
    assert!(log.contains(&"1".to_string()), "{log:#?}");
    // Only the last RUN left anything; no secret, cache, bind or tmpfs content or mount point.
    for i in 1..out.image.layers.len() - 1 {
        assert!(
            w.paths(&out.image, i).is_empty(),
            "layer {i}: {:?}",
            w.paths(&out.image, i)
        );
    }
    assert_eq!(w.paths(&out.image, out.image.layers.len() - 1), ["result"]);
    for (i, _) in out.image.layers.iter().enumerate() {
        assert!(
            !w.layer(&out.image, i)
                .iter()
                .any(|e| e.2.contains("s3cr3t"))
        );
    }
    // The cache mount survives into the next build (which does not use the cache).
    let (result, log) = w.build_with(dockerfile, &files, |b| {
        b.secret("token", SecretSource::File(secret.clone()))
            .no_cache(true)
    });
    result.unwrap();
    assert!(
        log.contains(&"2".to_string()),
        "the cache mount kept its file: {log:#?}"
    );
    // The stage's file was not changed by the rw bind.
    let (_, data) = w.build_with("FROM busybox AS data\nRUN mkdir /data && echo from-stage > /data/file\nFROM data\nRUN cat /data/file\n", &[], |b| b);
    assert!(data.contains(&"from-stage".to_string()));
}

fn network_none_and_host(w: &World) {
    let (result, log) = w.build_with(
        "FROM busybox
RUN --network=none sh -c 'ls /sys/class/net | tr \"\\n\" \" \"; echo'
RUN --network=none sh -c 'ip link show lo | grep -q \",UP\" && ping -c 1 -W 1 127.0.0.1 >/dev/null && echo lo-up'
RUN ls /sys/class/net | wc -l
",
        &[],
        |b| b,
    );
    result.unwrap();
    assert_eq!(log[0].trim(), "lo", "{log:#?}");
    assert_eq!(log[1], "lo-up", "{log:#?}");
    let host: usize = log[2].trim().parse().unwrap();
    assert!(host >= 1, "{log:#?}");
    let (result, log) = w.build_with("FROM busybox\nRUN ls /sys/class/net\n", &[], |b| {
        b.network(Network::None)
    });
    result.unwrap();
    assert_eq!(log, ["lo"]);
}

fn hostile_image_links(w: &World) {
    let victim = std::env::temp_dir().join(format!("plimsoll-e2e-victim-{}", std::process::id()));
    let _ = std::fs::remove_file(&victim);
    // A root whose /etc/hosts and a cache mount's parent are links to host paths.
    let root = w.path("hostile-root");
    output(Command::new("cp").arg("-a").arg(&w.busybox).arg(&root));
    let _ = std::fs::remove_file(root.join("etc/hosts"));
    std::os::unix::fs::symlink(
        format!("/../../../..{}", victim.display()),
        root.join("etc/hosts"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/../../../../../tmp", root.join("cachelink")).unwrap();
    let (result, log) = w.build_with(
        "FROM hostile\nRUN --mount=type=cache,target=/cachelink/c cat /etc/hosts && echo inside > /cachelink/c/x\n",
        &[],
        |b| {
            b.resolver(Resolver::new(vec![
                BaseMapping::parse(&format!("hostile=rootfs:{}", root.display())).unwrap(),
            ]))
        },
    );
    result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    assert!(log.iter().any(|l| l.contains("localhost")), "{log:#?}");
    assert!(
        !victim.exists(),
        "the host file behind the image's link was created"
    );
    assert!(
        !Path::new("/tmp/c/x").exists(),
        "the cache mount followed the link out"
    );
}

fn onbuild_triggers(w: &World) {
    w.build(
        "FROM busybox\nONBUILD COPY marker.txt /from-child/\nONBUILD RUN echo triggered > /triggered\n",
        &[],
        "e2e-onbuild-base:1",
    );
    let (out, _) = w.build(
        "FROM e2e-onbuild-base:1\nRUN cat /triggered /from-child/marker.txt\n",
        &[("marker.txt", "child context\n")],
        "e2e-onbuild-child:1",
    );
    assert!(out.image.config.on_build.is_empty());
    let (code, text) = w.run(
        "e2e-onbuild-child:1",
        &["cat", "/triggered", "/from-child/marker.txt"],
    );
    assert_eq!((code, text.as_str()), (0, "triggered\nchild context\n"));
}

fn interrupt_cleans_up(w: &World) {
    let started = Instant::now();
    let stopper = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(1500));
        plimsoll_engine::interrupt::request();
    });
    let (result, _) = w.build_with(
        "FROM busybox\nRUN --mount=type=tmpfs,target=/t sh -c 'trap \"\" INT TERM; echo started; sleep 60'\n",
        &[],
        |b| b.no_cache(true),
    );
    stopper.join().unwrap();
    plimsoll_engine::interrupt::reset();
    assert!(matches!(result, Err(BuildError::Interrupted)), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped promptly"
    );
    std::thread::sleep(Duration::from_millis(200));
}

fn run_semantics(w: &World) {
    w.build(
        "FROM busybox
ENV MODE=default
WORKDIR /srv
STOPSIGNAL SIGUSR1
ENTRYPOINT [\"/bin/sh\", \"-c\", \"echo \\\"args=$0,$* mode=$MODE user=$(id -u) cwd=$(pwd)\\\"\"]
CMD [\"default-cmd\"]
",
        &[],
        "e2e-run:1",
    );
    let (code, text) = w.run("e2e-run:1", &[]);
    assert_eq!(
        (code, text.trim()),
        (0, "args=default-cmd, mode=default user=0 cwd=/srv")
    );
    let (_, text) = w.run_with("e2e-run:1", &["given", "arg"], |o| {
        o.env.push("MODE=custom".into());
        o.user = Some("app".into());
        o.workdir = Some("/tmp".into());
    });
    assert_eq!(text.trim(), "args=given,arg mode=custom user=1000 cwd=/tmp");
    let (code, text) = w.run_with("e2e-run:1", &["-c", "exit 9"], |o| {
        o.entrypoint = Some("/bin/sh".into())
    });
    assert_eq!((code, text.as_str()), (9, ""));
    let host_dir = w.path("volume");
    std::fs::create_dir_all(&host_dir).unwrap();
    std::fs::write(host_dir.join("in"), "host data\n").unwrap();
    let (code, text) = w.run_with(
        "e2e-run:1",
        &["-c", "cat /v/in && echo out > /v/out"],
        |o| {
            o.entrypoint = Some("/bin/sh".into());
            o.volumes
                .push(format!("{}:/v", host_dir.display()).parse().unwrap());
        },
    );
    assert_eq!((code, text.as_str()), (0, "host data\n"));
    assert_eq!(
        std::fs::read_to_string(host_dir.join("out")).unwrap(),
        "out\n"
    );
    // Without --rm the container's changes are kept.
    let options = RunOptions {
        image: "e2e-run:1".into(),
        command: vec!["-c".into(), "echo kept > /srv/k".into()],
        entrypoint: Some("/bin/sh".into()),
        rm: false,
        ..RunOptions::default()
    };
    let runner = Capturing {
        inner: Sandbox::new(w.syscall.as_ref()),
        output: Mutex::new(Vec::new()),
    };
    let outcome = run_container(&w.store, w.syscall.as_ref(), &runner, &options).unwrap();
    let kept = outcome.kept.unwrap();
    assert_eq!(
        std::fs::read_to_string(kept.join("srv/k")).unwrap(),
        "kept\n"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run_tty_and_publish(w: &World) {
    w.build("FROM busybox\nRUN mkdir -p /www\n", &[], "e2e-serve:1");
    // -t: all three streams are the terminal, which is the controlling one (field 7 of
    // /proc/self/stat is its device); output and the exit code come through.
    let script = "test -t 0 && test -t 1 && test -t 2 && echo on-a-tty; \
                  read -r _ _ _ _ _ _ tty _ < /proc/self/stat; [ \"$tty\" != 0 ] && echo controlling; \
                  echo err >&2; exit 7";
    let (code, text) = w.run_with("e2e-serve:1", &["sh", "-c", script], |o| o.tty = true);
    assert_eq!(
        (code, text.as_str()),
        (7, "on-a-tty\r\ncontrolling\r\nerr\r\n")
    );
    let (code, text) = w.run("e2e-serve:1", &["sh", "-c", "test -t 1 || echo no-tty"]);
    assert_eq!((code, text.as_str()), (0, "no-tty\n"));

    // -p: busybox httpd in the container's own network, reached through the host port;
    // the container stops when the test drops a file into its volume.
    let www = w.path("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "served from the container\n").unwrap();
    let port = free_port();
    let publish: plimsoll_engine::container::Publish = format!("{port}:80").parse().unwrap();
    let client = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut reply = String::new();
        while Instant::now() < deadline {
            reply.clear();
            if let Ok(mut conn) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                use std::io::Write;
                let _ = conn.write_all(b"GET /index.html HTTP/1.0\r\n\r\n");
                let _ = conn.read_to_string(&mut reply);
                if reply.contains("served from the container") {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        reply
    });
    let stop = www.join("stop");
    let stopper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let reply = client.join().unwrap();
            std::fs::write(&stop, "").unwrap();
            reply
        })
    };
    let (code, _) = w.run_with(
        "e2e-serve:1",
        &[
            "sh",
            "-c",
            "httpd -p 80 -h /www && while [ ! -e /www/stop ]; do sleep 0.1; done",
        ],
        |o| {
            o.network = Network::None;
            o.publish.push(publish);
            o.volumes
                .push(format!("{}:/www", www.display()).parse().unwrap());
        },
    );
    let reply = stopper.join().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with("served from the container\n"), "{reply}");
    assert_eq!(code, 0);
    // The host port is free again, and nothing answers there.
    drop(std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port was released"));
    // A port in use and the host network are refused before anything runs.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let runner = Sandbox::new(w.syscall.as_ref());
    for (network, expected) in [
        (
            Network::None,
            format!("cannot publish port 127.0.0.1:{taken_port}: the address is already in use"),
        ),
        (
            Network::Host,
            "publishing ports needs the container's own network (--network none); with the host's network its ports are already the host's".to_string(),
        ),
    ] {
        let options = RunOptions {
            image: "e2e-serve:1".into(),
            command: vec!["true".into()],
            rm: true,
            network,
            publish: vec![format!("{taken_port}:80").parse().unwrap()],
            ..RunOptions::default()
        };
        let error = run_container(&w.store, w.syscall.as_ref(), &runner, &options).unwrap_err();
        assert_eq!(error.to_string(), expected);
    }
}

fn outputs_accepted_by_tools(w: &World) {
    let layout = w.path("layout");
    let archive = w.path("image.tar");
    let (result, log) = w.build_with(
        "FROM busybox\nRUN echo content > /file && rm -r /root && mkdir /opaque && touch /opaque/x\nCMD [\"cat\", \"/file\"]\n",
        &[],
        |b| {
            b.output(Output::OciLayout { dir: layout.clone(), tag: Some("v1".into()) })
                .output(Output::DockerArchive { file: archive.clone() })
                .tag("localhost/e2e-tools:1")
        },
    );
    let out = result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    if let Some(skopeo) = tool("skopeo") {
        for reference in [
            format!("oci:{}:v1", layout.display()),
            format!("docker-archive:{}", archive.display()),
        ] {
            let inspect = output(Command::new(&skopeo).arg("inspect").arg(&reference));
            let value: serde_json::Value = serde_json::from_str(&inspect).unwrap();
            assert_eq!(
                value["Layers"].as_array().unwrap().len(),
                out.image.layers.len(),
                "{reference}"
            );
        }
    }
    if let Some(umoci) = tool("umoci") {
        let bundle = w.path("bundle");
        output(
            Command::new(umoci)
                .arg("unpack")
                .arg("--image")
                .arg(format!("{}:v1", layout.display()))
                .arg(&bundle),
        );
        let rootfs = bundle.join("rootfs");
        assert_eq!(
            std::fs::read_to_string(rootfs.join("file")).unwrap(),
            "content\n"
        );
        assert!(!rootfs.join("root").exists(), "the whiteout removed /root");
        assert!(rootfs.join("bin/busybox").is_file());
    }
    if let Some(buildah) = tool("buildah") {
        // buildah names the image after the path, which must then be lower-case.
        let lower = PathBuf::from(format!("/var/tmp/plimsoll-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&lower);
        output(Command::new("cp").arg("-a").arg(&layout).arg(&lower));
        let container = output(
            Command::new(&buildah)
                .arg("from")
                .arg("--pull-never")
                .arg(format!("oci:{}:v1", lower.display())),
        );
        let _ = std::fs::remove_dir_all(&lower);
        let container = container.trim();
        let mount = output(Command::new(&buildah).arg("mount").arg(container));
        let file = std::fs::read_to_string(Path::new(mount.trim()).join("file"));
        output(Command::new(&buildah).arg("rm").arg(container));
        assert_eq!(file.unwrap(), "content\n");
        let _ = Command::new(&buildah)
            .arg("rmi")
            .arg("--all")
            .arg("--force")
            .output();
    }
}

fn debian_apt_install_multi_stage(w: &World) {
    let dockerfile = "FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*
RUN hello --greeting='built with plimsoll' > /greeting
FROM debian:12
COPY --from=build /usr/bin/hello /usr/local/bin/hello
COPY --from=build /greeting /greeting
CMD [\"hello\", \"--greeting\", \"hi from debian\"]
";
    let (out, log) = w.build(dockerfile, &[], "e2e-debian:1");
    assert!(
        log.iter().any(|l| l.contains("Setting up hello")),
        "{log:#?}"
    );
    let (code, text) = w.run("e2e-debian:1", &[]);
    assert_eq!((code, text.as_str()), (0, "hi from debian\n"));
    let (_, text) = w.run("e2e-debian:1", &["cat", "/greeting"]);
    assert_eq!(text, "built with plimsoll\n");
    assert_eq!(out.image.layers.len(), 3);
    let (code, text) = w.run_with(
        "e2e-debian:1",
        &[
            "sh",
            "-c",
            "apt-get --version | head -1; test ! -e /usr/bin/hello",
        ],
        |_| {},
    );
    assert_eq!(code, 0, "{text}");
}

/// ADD from a URL and a git repository served on 127.0.0.1, an ssh-agent forwarded into
/// RUN, a privileged RUN, and a cache mount seeded from a stage, in the real sandbox.
fn remote_sources_ssh_and_insecure(w: &World) {
    use std::io::{BufRead, BufReader, Write};
    // A file server on loopback.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = w.path("served");
    std::fs::create_dir_all(&served).unwrap();
    std::fs::write(served.join("tool.sh"), "#!/bin/sh\necho tool ran\n").unwrap();
    let root = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let target = line.split_whitespace().nth(1).unwrap_or("/");
            let path = target.split('?').next().unwrap_or("/").to_string();
            let body = (!path.contains(".."))
                .then(|| std::fs::read(root.join(path.trim_start_matches('/'))).ok())
                .flatten();
            let response = match body {
                Some(b) => [
                    format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", b.len()).into_bytes(),
                    b,
                ]
                .concat(),
                None => b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    // A bare repository served by the same server (git's dumb HTTP protocol).
    let work = w.path("repo-work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("hello.txt"), "from git\n").unwrap();
    let git = |dir: &Path, args: &[&str]| {
        output(
            Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args),
        )
    };
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    let bare = served.join("repo.git");
    git(
        &served,
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    git(&bare, &["update-server-info"]);
    let tool = std::fs::read(served.join("tool.sh")).unwrap();
    let sum = plimsoll_engine::digest::Digest::of(&tool);

    // An ssh-agent stand-in that answers every connection.
    let agent_dir = tempfile::tempdir().unwrap();
    let agent_path = agent_dir.path().join("agent.sock");
    let agent = std::os::unix::net::UnixListener::bind(&agent_path).unwrap();
    std::thread::spawn(move || {
        for conn in agent.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.write_all(b"agent-answer\n");
        }
    });

    let dockerfile = format!(
        "FROM busybox AS seed
RUN mkdir /seed && echo seeded > /seed/file
FROM busybox
ADD --checksum=sha256:{hex} {base}/tool.sh /usr/local/bin/
ADD {base}/repo.git#main /src/
RUN chmod +x /usr/local/bin/tool.sh && tool.sh && cat /src/hello.txt && test ! -e /src/.git
USER app
RUN --mount=type=ssh,uid=1000 stat -c '%A %u' $SSH_AUTH_SOCK
USER root
RUN --mount=type=cache,target=/c,from=seed,source=/seed,sharing=locked cat /c/file
RUN --security=insecure cat /proc/self/status /proc/mounts | grep -E '^CapEff|^sysfs /sys '
",
        hex = sum.hex()
    );
    let (result, log) = w.build_with(&dockerfile, &[], |b| {
        b.ssh("default", &agent_path)
            .allow_insecure(true)
            .no_cache(true)
    });
    result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    assert!(log.contains(&"tool ran".to_string()), "{log:#?}");
    assert!(log.contains(&"from git".to_string()), "{log:#?}");
    assert!(
        log.contains(&"srw------- 1000".to_string()),
        "the socket is the user's: {log:#?}"
    );
    assert!(log.contains(&"seeded".to_string()), "{log:#?}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("CapEff:") && l != "CapEff:\t00000000a80425fb"),
        "insecure keeps more than Docker's default set: {log:#?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with("sysfs /sys sysfs rw")),
        "/sys is writable: {log:#?}"
    );
    // A client inside talks to the agent through the socket (BusyBox has no unix-socket
    // client; Debian's perl-base has one), as an unprivileged user.
    let (result, log) = w.build_with(
        "FROM debian:12
USER nobody
RUN --mount=type=ssh,uid=65534 perl -MIO::Socket::UNIX -e 'print IO::Socket::UNIX->new(Peer => $ENV{SSH_AUTH_SOCK})->getline'
",
        &[],
        |b| b.ssh("default", &agent_path).no_cache(true),
    );
    result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    assert!(
        log.contains(&"agent-answer".to_string()),
        "ssh forwarded: {log:#?}"
    );
    // Without --allow security.insecure the same RUN is refused.
    let (result, _) = w.build_with("FROM busybox\nRUN --security=insecure true\n", &[], |b| b);
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("--allow security.insecure")
    );
}
