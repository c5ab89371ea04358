//! RUN `--mount=type=cache` sharing modes and seeding from another stage.

use super::*;
use crate::sandbox::MountKind;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

fn cache_sources(runner: &FakeRunner<'_>) -> Vec<PathBuf> {
    runner
        .specs()
        .iter()
        .flat_map(|s| s.mounts.clone())
        .filter_map(|m| match m.kind {
            MountKind::Bind { source, .. } if m.target.starts_with("/c") => Some(source),
            _ => None,
        })
        .collect()
}

#[test]
fn cache_mount_sharing_modes() {
    let f = fixture();
    let mounts = f.store.cache_dir().join("mounts");
    std::fs::create_dir_all(&mounts).unwrap();
    let name = crate::digest::Digest::of(b"x").short().to_string();
    let lock = std::fs::File::create(mounts.join(format!("{name}.lock"))).unwrap();
    lock.lock().unwrap();

    // private: the cache is taken, so this RUN gets a directory of its own, at once.
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN --mount=type=cache,id=x,target=/c,sharing=private write /p 1\n")
        .build()
        .unwrap();
    let started = Instant::now();
    let (result, _) = f.build_with(&runner, options);
    result.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    let private = cache_sources(&runner);
    assert_eq!(private.len(), 1);
    assert_ne!(private[0], mounts.join(&name));

    // locked: waits until the other user lets go.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        drop(lock);
    });
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN --mount=type=cache,id=x,target=/c,sharing=locked write /l 1\n")
        .build()
        .unwrap();
    let started = Instant::now();
    let (result, _) = f.build_with(&runner, options);
    result.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    release.join().unwrap();
    assert_eq!(cache_sources(&runner), [mounts.join(&name)]);

    // shared (the default): the cache of its target.
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN --mount=type=cache,target=/c write /s 1\n")
        .build()
        .unwrap();
    f.build_with(&runner, options).0.unwrap();
    let shared = crate::digest::Digest::of(b"/c").short().to_string();
    assert_eq!(cache_sources(&runner), [mounts.join(shared)]);

    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN --mount=type=cache,target=/c,sharing=sometimes write /s 1\n")
        .build()
        .unwrap();
    let err = f.build_with(&runner, options).0.unwrap_err().to_string();
    assert!(err.contains("expected shared, private or locked"), "{err}");
}

#[test]
fn cache_mount_seeded_from_a_stage() {
    let f = fixture();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(
            "FROM scratch AS data
RUN write /data/seed hello
FROM scratch
RUN --mount=type=cache,from=data,source=/data,target=/c,uid=7,gid=8,mode=0700 write /done 1
",
        )
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    let sources = cache_sources(&runner);
    assert_eq!(sources.len(), 1);
    let dir = &sources[0];
    assert_eq!(std::fs::read_to_string(dir.join("seed")).unwrap(), "hello");
    let st = f.syscall.lstat(dir).unwrap();
    assert_eq!((st.uid, st.gid, st.mode & 0o7777), (7, 8, 0o700));
    assert_eq!(
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    // The cache keeps what a RUN leaves in it; the stage is not seeded again.
    std::fs::write(dir.join("seed"), "changed").unwrap();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(
            "FROM scratch AS data
RUN write /data/seed hello
FROM scratch
RUN --mount=type=cache,from=data,source=/data,target=/c,uid=7,gid=8,mode=0700 write /again 1
",
        )
        .build()
        .unwrap();
    f.build_with(&runner, options).0.unwrap();
    assert_eq!(cache_sources(&runner), std::slice::from_ref(dir));
    assert_eq!(
        std::fs::read_to_string(dir.join("seed")).unwrap(),
        "changed"
    );
}

#[test]
fn context_binds_leave_out_what_dockerignore_excludes() {
    let f = fixture();
    f.file("src/main.c", "int main;");
    f.file("src/.env", "SECRET=1");
    f.file("notes.txt", "n");
    f.file(".dockerignore", "**/.env\nnotes.txt\n");
    for mount in ["target=/ctx", "target=/ctx,rw"] {
        let runner = FakeRunner::new(&f.syscall);
        let options = f
            .options(&format!(
                "FROM scratch\nRUN --mount=type=bind,{mount} ls /ctx\n"
            ))
            .build()
            .unwrap();
        let (result, log) = f.build_with(&runner, options);
        result.unwrap();
        assert!(
            log.contains(&"out .dockerignore src src/main.c".to_string()),
            "{mount}: {log:#?}"
        );
    }
    // The context itself is untouched.
    assert!(f.ctx().join("src/.env").exists());
}

#[test]
fn ssh_agents_are_forwarded() {
    use std::io::Write;
    let f = fixture();
    let agent_path = f.dir.path().join("agent.sock");
    let agent = std::os::unix::net::UnixListener::bind(&agent_path).unwrap();
    std::thread::spawn(move || {
        for conn in agent.incoming() {
            let mut conn = conn.unwrap();
            let mut buf = [0u8; 4];
            conn.read_exact(&mut buf).unwrap();
            conn.write_all(&[b"agent:".as_slice(), &buf].concat())
                .unwrap();
        }
    });
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN --mount=type=ssh,uid=1000 --mount=type=ssh,id=other,target=/o ssh /run/buildkit/ssh_agent.0\n")
        .ssh("default", &agent_path)
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    assert!(log.contains(&"out agent:ping".to_string()), "{log:#?}");
    let spec = &runner.specs()[0];
    assert!(
        spec.process
            .env
            .contains(&"SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0".to_string())
    );
    // `other` is not given and not required: no mount.
    assert_eq!(spec.mounts.len(), 1);
    let out = f.build("FROM scratch\nRUN --mount=type=ssh echo none\n");
    assert!(out.image.layers.is_empty());
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM scratch\nRUN --mount=type=ssh,required echo x\n")
        .build()
        .unwrap();
    let err = f.build_with(&runner, options).0.unwrap_err().to_string();
    assert!(err.contains("ssh agent `default` is required"), "{err}");
}

#[test]
fn insecure_runs_need_to_be_allowed() {
    let f = fixture();
    let dockerfile = "FROM scratch\nRUN --security=insecure echo hi\n";
    let runner = FakeRunner::new(&f.syscall);
    let err = f
        .build_with(&runner, f.options(dockerfile).build().unwrap())
        .0
        .unwrap_err()
        .to_string();
    assert!(err.contains("--allow security.insecure"), "{err}");
    let runner = FakeRunner::new(&f.syscall);
    let options = f.options(dockerfile).allow_insecure(true).build().unwrap();
    f.build_with(&runner, options).0.unwrap();
    assert!(runner.specs()[0].privileged);
    let runner = FakeRunner::new(&f.syscall);
    f.build_with(
        &runner,
        f.options("FROM scratch\nRUN --security=sandbox echo hi\n")
            .build()
            .unwrap(),
    )
    .0
    .unwrap();
    assert!(!runner.specs()[0].privileged);
    let runner = FakeRunner::new(&f.syscall);
    let err = f
        .build_with(
            &runner,
            f.options("FROM scratch\nRUN --device=vendor.com/gpu=0 echo\n")
                .build()
                .unwrap(),
        )
        .0
        .unwrap_err()
        .to_string();
    assert!(err.contains("CDI devices"), "{err}");
}
