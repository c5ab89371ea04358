//! [`Sandbox`], the real [`Runner`]: starts the helper (this same executable, see
//! [`super::init`]) with the spec, streams its output, stops it on Ctrl-C.

use super::init::{SPEC_ENV, STAGE_ENV, status_code};
use super::{Runner, SandboxError, SandboxSpec, Stream};
use crate::interrupt;
use crate::syscall::Syscall;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Sandbox<'a> {
    /// The executable that calls `enter_if_requested` first (default: this one).
    pub exe: PathBuf,
    pub syscall: &'a dyn Syscall,
}

impl<'a> Sandbox<'a> {
    pub fn new(syscall: &'a dyn Syscall) -> Sandbox<'a> {
        Sandbox {
            exe: PathBuf::from("/proc/self/exe"),
            syscall,
        }
    }
}

fn pump(mut pipe: impl Read + Send + 'static, stream: Stream, tx: mpsc::Sender<(Stream, Vec<u8>)>) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 14];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send((stream, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

impl Runner for Sandbox<'_> {
    fn run(
        &self,
        spec: &SandboxSpec,
        output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, SandboxError> {
        if self.syscall.euid() != 0 {
            return Err(SandboxError::NotRoot);
        }
        let spec_path = spec.run_dir.join("spec.json");
        let bytes = serde_json::to_vec(spec).expect("the spec serializes");
        std::fs::write(&spec_path, bytes).map_err(SandboxError::io(&spec_path))?;
        let mut command = Command::new(&self.exe);
        command.env(STAGE_ENV, "1").env(SPEC_ENV, &spec_path);
        if !spec.interactive {
            command
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
        }
        let mut child = command.spawn().map_err(SandboxError::io(&self.exe))?;
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            pump(out, Stream::Stdout, tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            pump(err, Stream::Stderr, tx.clone());
        }
        drop(tx);
        let mut killed = false;
        let status = loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok((stream, bytes)) => {
                    output(stream, &bytes);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    if let Some(status) = child.try_wait().map_err(SandboxError::io(&self.exe))? {
                        break status;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            if interrupt::requested() && !killed && !spec.interactive {
                // The helper's death takes the sandbox with it (parent-death signals).
                let _ = child.kill();
                killed = true;
            }
        };
        let error = std::fs::read_to_string(spec.run_dir.join("error")).unwrap_or_default();
        if !error.trim().is_empty() {
            return Err(SandboxError::Setup(error.trim().to_string()));
        }
        if killed {
            return Err(SandboxError::Interrupted);
        }
        Ok(status_code(status))
    }
}
