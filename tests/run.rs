//! `plimsoll run` end to end, as root, through the binary: `-t` under a real terminal
//! (`script` gives it one), `-p` reached from here, and its one-line errors. Run with
//! `PLIMSOLL_E2E=1 cargo test --test run` as root; without `PLIMSOLL_E2E` the tests pass
//! without doing anything. The BusyBox root is the engine tests' (bench/engine-bases.sh).

#[allow(dead_code)]
mod common;
mod e2e_common;

use common::plimsoll;
use e2e_common::busybox;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn enabled() -> bool {
    e2e_common::e2e_enabled("run")
}

/// `plimsoll run --rm --root STORE --base busybox=… ARGS…`, as a command line.
fn run_args(store: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "run".to_string(),
        "--rm".into(),
        "--root".into(),
        store.display().to_string(),
        "--base".into(),
        format!("busybox=rootfs:{}", busybox().display()),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    all
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn tty_under_a_real_terminal() {
    if !enabled() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let exe = plimsoll(store.path()).get_program().to_owned();
    let line = std::iter::once(exe.to_string_lossy().into_owned())
        .chain(run_args(
            store.path(),
            &[
                "-t",
                "busybox",
                "sh",
                "-c",
                "test -t 0 && test -t 1 && echo on-a-tty; stty size >/dev/null && echo sized; exit 3",
            ],
        ))
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    // script runs the command on a new terminal and (-e) exits with its status.
    let out: Output = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout} {}", text(&out.stderr));
    assert!(stdout.contains("on-a-tty\r\n"), "{stdout:?}");
    assert!(stdout.contains("sized\r\n"), "{stdout:?}");
    // Without -t the same command sees pipes.
    let out = plimsoll(store.path())
        .args(run_args(
            store.path(),
            &["busybox", "sh", "-c", "test -t 1 || echo piped"],
        ))
        .output()
        .unwrap();
    assert_eq!(
        (out.status.code(), text(&out.stdout).as_str()),
        (Some(0), "piped\n")
    );
}

#[test]
fn published_port_reaches_a_server_in_the_container() {
    if !enabled() {
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let publish = format!("{port}:7000");
    // A one-connection server: nc answers, then the container exits.
    let mut server = plimsoll(store.path())
        .args(run_args(
            store.path(),
            &[
                "--network",
                "none",
                "-p",
                &publish,
                "busybox",
                "sh",
                "-c",
                "echo hello from inside | nc -l -p 7000",
            ],
        ))
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut reply = String::new();
    while Instant::now() < deadline && !reply.contains("hello") {
        reply.clear();
        if let Ok(mut conn) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = conn.write_all(b"hi\n");
            let _ = conn.read_to_string(&mut reply);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(reply, "hello from inside\n");
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // The listener went with it.
    drop(std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port was released"));

    // A port in use: one line, exit 2, nothing run.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().port().to_string();
    let out = plimsoll(store.path())
        .args(run_args(
            store.path(),
            &[
                "--network",
                "none",
                "-p",
                &format!("{taken}:80"),
                "busybox",
                "echo",
                "ran",
            ],
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        format!("error: cannot publish port 127.0.0.1:{taken}: the address is already in use\n")
    );
}
