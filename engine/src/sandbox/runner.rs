//! [`Sandbox`], the real [`Runner`]: starts the helper (this same executable, see
//! [`super::init`]) with the spec, streams its output, stops it on Ctrl-C.

use super::init::{SPEC_ENV, STAGE_ENV, status_code};
use super::tty::{Pty, RawMode, follow_size, forward_stdin};
use super::{Runner, SandboxError, SandboxSpec, Stream};
use crate::interrupt;
use crate::syscall::Syscall;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
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

impl Sandbox<'_> {
    /// The helper's command line, with the spec written where it will read it.
    fn command(&self, spec: &SandboxSpec) -> Result<Command, SandboxError> {
        if self.syscall.euid() != 0 {
            return Err(SandboxError::NotRoot);
        }
        let spec_path = spec.run_dir.join("spec.json");
        let bytes = serde_json::to_vec(spec).expect("the spec serializes");
        std::fs::write(&spec_path, bytes).map_err(SandboxError::io(&spec_path))?;
        let mut command = Command::new(&self.exe);
        command.env(STAGE_ENV, "1").env(SPEC_ENV, &spec_path);
        Ok(command)
    }

    /// Starts `spec` without waiting for it: the caller watches it (a server that is
    /// expected to keep running, a command with a deadline). Its output is collected;
    /// standard input is empty. Dropping the [`Running`] kills the sandbox.
    pub fn spawn(&self, spec: &SandboxSpec) -> Result<Running, SandboxError> {
        let mut command = self.command(spec)?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(SandboxError::io(&self.exe))?;
        let collect = |pipe: Option<Box<dyn Read + Send>>| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let thread = pipe.map(|mut pipe| {
                let buffer = Arc::clone(&buffer);
                std::thread::spawn(move || {
                    let mut chunk = vec![0u8; 1 << 14];
                    while let Ok(n) = pipe.read(&mut chunk) {
                        if n == 0 {
                            break;
                        }
                        if let Ok(mut b) = buffer.lock() {
                            b.extend_from_slice(&chunk[..n]);
                        }
                    }
                })
            });
            (buffer, thread)
        };
        let (stdout, out_thread) = collect(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let (stderr, err_thread) = collect(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        Ok(Running {
            child,
            error_file: spec.run_dir.join("error"),
            stdout,
            stderr,
            threads: out_thread.into_iter().chain(err_thread).collect(),
            status: None,
        })
    }
}

/// A sandbox started by [`Sandbox::spawn`].
pub struct Running {
    child: Child,
    error_file: PathBuf,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    status: Option<i32>,
}

impl Running {
    /// The helper's PID in the host's PID namespace. It holds the sandbox's namespaces
    /// (network included), so [`crate::syscall::Syscall::join_network`] with it reaches
    /// the container's loopback.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit code once the command has exited.
    pub fn try_wait(&mut self) -> Result<Option<i32>, SandboxError> {
        if self.status.is_none()
            && let Some(status) = self.child.try_wait().map_err(SandboxError::io("sandbox"))?
        {
            self.status = Some(status_code(status));
        }
        Ok(self.status)
    }

    /// Waits up to `timeout` for the command to exit.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<i32>, SandboxError> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(code) = self.try_wait()? {
                return Ok(Some(code));
            }
            if std::time::Instant::now() >= deadline || interrupt::requested() {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the command: the image's stop signal (SIGTERM is passed on as it), then
    /// SIGKILL after `grace`. Returns its exit code and a set-up error, if any.
    pub fn stop(mut self, grace: Duration) -> Result<i32, SandboxError> {
        if self.try_wait()?.is_none() {
            let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            if self.wait_timeout(grace)?.is_none() {
                let _ = self.child.kill();
            }
        }
        self.finish()
    }

    /// Waits for the command to exit (after [`Running::stop`] or on its own).
    pub fn finish(&mut self) -> Result<i32, SandboxError> {
        let status = match self.status {
            Some(code) => code,
            None => status_code(self.child.wait().map_err(SandboxError::io("sandbox"))?),
        };
        self.status = Some(status);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let error = std::fs::read_to_string(&self.error_file).unwrap_or_default();
        if !error.trim().is_empty() {
            return Err(SandboxError::Setup(error.trim().to_string()));
        }
        Ok(status)
    }

    /// Standard output so far.
    pub fn stdout(&self) -> Vec<u8> {
        self.stdout.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Standard error so far.
    pub fn stderr(&self) -> Vec<u8> {
        self.stderr.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Runner for Sandbox<'_> {
    fn run(
        &self,
        spec: &SandboxSpec,
        output: &mut dyn FnMut(Stream, &[u8]),
    ) -> Result<i32, SandboxError> {
        self.run_observed(spec, output, &mut |_| {})
    }

    fn run_observed(
        &self,
        spec: &SandboxSpec,
        output: &mut dyn FnMut(Stream, &[u8]),
        started: &mut dyn FnMut(u32),
    ) -> Result<i32, SandboxError> {
        let mut command = self.command(spec)?;
        let pty = if spec.tty { Some(Pty::open()?) } else { None };
        if let Some(pty) = &pty {
            command
                .stdin(pty.slave_stdio()?)
                .stdout(pty.slave_stdio()?)
                .stderr(pty.slave_stdio()?);
        } else if !spec.interactive {
            command
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
        }
        let mut child = command.spawn().map_err(SandboxError::io(&self.exe))?;
        // The command's copies of the slave are its only ones: when it exits, reading
        // the master ends.
        drop(command);
        let (tx, rx) = mpsc::channel();
        let (_raw, resize) = match pty {
            Some(pty) => {
                let master = pty.into_master();
                let clone = || {
                    master
                        .try_clone()
                        .map_err(SandboxError::io("pseudo-terminal"))
                };
                let raw = spec.interactive.then(RawMode::enter);
                let mut resize = None;
                if spec.interactive {
                    forward_stdin(clone()?);
                    resize = follow_size(clone()?);
                }
                pump(master, Stream::Stdout, tx.clone());
                (raw, resize)
            }
            None => (None, None),
        };
        if let Some(out) = child.stdout.take() {
            pump(out, Stream::Stdout, tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            pump(err, Stream::Stderr, tx.clone());
        }
        drop(tx);
        started(child.id());
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
        if let Some(resize) = resize {
            resize.close();
        }
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
