//! The sandbox's own processes. The binary (or a test harness) calls
//! [`enter_if_requested`] first thing; when it was started as a sandbox helper it never
//! returns:
//!
//! - stage 1, in the host's PID namespace: unshares mount, PID, UTS, IPC (and network)
//!   namespaces, starts stage 2, passes Ctrl-C on (or kills), exits with its status;
//! - stage 2, PID 1 of the new namespace: mounts the root, pivots into it, drops
//!   privileges and executes the command.
//!
//! Every mount lives in the private mount namespace, so when the last process of the
//! sandbox exits the kernel removes them all — also when Plimsoll is killed (both stages
//! have a parent-death signal).

use super::{Interrupt, Network, SandboxError, SandboxSpec, rootfs, security};
use crate::syscall::Syscall;
use crate::syscall::linux::LinuxSyscall;
use nix::sched::CloneFlags;
use nix::sys::signal::Signal;
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

pub const STAGE_ENV: &str = "PLIMSOLL_SANDBOX_STAGE";
pub const SPEC_ENV: &str = "PLIMSOLL_SANDBOX_SPEC";

/// Exit code of a sandbox that could not be set up (as Docker's 125).
pub const SETUP_FAILED: i32 = 125;

/// Runs the sandbox helper stage this process was started for, if any, and exits.
pub fn enter_if_requested() {
    let Some(stage) = std::env::var_os(STAGE_ENV) else {
        return;
    };
    let code = match stage.to_str() {
        Some("1") => stage1(),
        Some("2") => stage2(),
        _ => SETUP_FAILED,
    };
    std::process::exit(code);
}

fn load_spec() -> Result<SandboxSpec, SandboxError> {
    let path = std::env::var_os(SPEC_ENV)
        .ok_or_else(|| SandboxError::Setup(format!("{SPEC_ENV} is not set")))?;
    let bytes = std::fs::read(&path).map_err(SandboxError::io(Path::new(&path)))?;
    serde_json::from_slice(&bytes).map_err(|e| SandboxError::Setup(format!("bad spec: {e}")))
}

fn report(spec: Option<&SandboxSpec>, error: &SandboxError) {
    if let Some(spec) = spec {
        let _ = std::fs::write(spec.run_dir.join("error"), error.to_string());
    }
    eprintln!("plimsoll sandbox: {error}");
}

pub fn status_code(status: std::process::ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(SETUP_FAILED)
}

fn stage1() -> i32 {
    let spec = match load_spec() {
        Ok(spec) => spec,
        Err(e) => {
            report(None, &e);
            return SETUP_FAILED;
        }
    };
    match run_stage1(&spec, &LinuxSyscall) {
        Ok(code) => code,
        Err(e) => {
            report(Some(&spec), &e);
            SETUP_FAILED
        }
    }
}

fn run_stage1(spec: &SandboxSpec, syscall: &dyn Syscall) -> Result<i32, SandboxError> {
    syscall.set_parent_death_signal(Signal::SIGKILL)?;
    // Threads cannot be created once the PID namespace is unshared: the forwarder starts
    // now and learns the child's PID later.
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGQUIT,
    ])
    .map_err(SandboxError::io("signals"))?;
    let child_pid = Arc::new(AtomicI32::new(0));
    let policy = spec.interrupt;
    let stop = spec
        .stop_signal
        .and_then(|s| Signal::try_from(s).ok())
        .unwrap_or(Signal::SIGTERM);
    let handle = signals.handle();
    let forwarder = {
        let child_pid = Arc::clone(&child_pid);
        std::thread::spawn(move || {
            let mut interrupted = false;
            for signal in signals.forever() {
                let signal = Signal::try_from(signal).unwrap_or(Signal::SIGTERM);
                let send = match policy {
                    Interrupt::Kill => Signal::SIGKILL,
                    // A second Ctrl-C kills a command that ignores the first (PID 1 ignores
                    // signals it has no handler for).
                    Interrupt::Forward if signal == Signal::SIGINT && interrupted => {
                        Signal::SIGKILL
                    }
                    Interrupt::Forward if signal == Signal::SIGTERM => stop,
                    Interrupt::Forward => signal,
                };
                interrupted |= signal == Signal::SIGINT;
                let pid = child_pid.load(Ordering::SeqCst);
                if pid > 0 {
                    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), send);
                }
            }
        })
    };
    let mut flags = CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWPID
        | CloneFlags::CLONE_NEWUTS
        | CloneFlags::CLONE_NEWIPC;
    if spec.network == Network::None {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    let result = (|| {
        syscall.unshare(flags)?;
        // /proc/self/exe itself, not the path it names: a binary replaced while it runs
        // (an upgrade, a rebuild) is still this one, and its old path is gone.
        let mut child = Command::new("/proc/self/exe")
            .env(STAGE_ENV, "2")
            .spawn()
            .map_err(SandboxError::io("stage 2"))?;
        child_pid.store(child.id() as i32, Ordering::SeqCst);
        child.wait().map_err(SandboxError::io("stage 2"))
    })();
    handle.close();
    let _ = forwarder.join();
    Ok(status_code(result?))
}

fn stage2() -> i32 {
    let spec = match load_spec() {
        Ok(spec) => spec,
        Err(e) => {
            report(None, &e);
            return SETUP_FAILED;
        }
    };
    // Opened now: after pivot_root the run directory is out of reach.
    let mut error_file = std::fs::File::create(spec.run_dir.join("error")).ok();
    let syscall = LinuxSyscall;
    let failure = match setup(&spec, &syscall) {
        Ok(()) => {
            let process = &spec.process;
            let mut command = Command::new(&process.args[0]);
            command.args(&process.args[1..]).env_clear();
            for entry in &process.env {
                let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
                command.env(k, v);
            }
            let error = command.exec();
            // The command could not be started: like a shell, 127 when it is missing.
            eprintln!("plimsoll: cannot run `{}`: {error}", process.args[0]);
            return if error.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
        }
        Err(e) => e,
    };
    if let Some(file) = &mut error_file {
        let _ = file.write_all(failure.to_string().as_bytes());
    }
    eprintln!("plimsoll sandbox: {failure}");
    SETUP_FAILED
}

fn setup(spec: &SandboxSpec, syscall: &dyn Syscall) -> Result<(), SandboxError> {
    syscall.set_parent_death_signal(Signal::SIGKILL)?;
    if spec.tty {
        syscall.take_terminal()?;
    }
    syscall.set_hostname(&spec.hostname)?;
    if spec.network == Network::None {
        syscall.loopback_up()?;
    }
    rootfs::enter(spec, syscall)?;
    security::drop_privileges(&spec.process, spec.privileged, syscall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::{Call, RecordingSyscall};

    #[test]
    fn stage1_unshares_the_namespaces_the_spec_asks_for() {
        for (network, netns) in [(Network::Host, false), (Network::None, true)] {
            let sys = RecordingSyscall::new().failing_when(|c| matches!(c, Call::Unshare(_)));
            let dir = tempfile::tempdir().unwrap();
            let mut spec = SandboxSpec::builder(
                super::super::Rootfs {
                    lower: vec![],
                    upper: dir.path().join("u"),
                    work: dir.path().join("w"),
                },
                dir.path().to_path_buf(),
            )
            .args(vec!["true".into()])
            .build()
            .unwrap();
            spec.network = network;
            // The recorder refuses unshare, so nothing is started.
            assert!(run_stage1(&spec, &sys).is_err());
            let calls = sys.calls();
            assert_eq!(calls[0], Call::SetParentDeathSignal(Signal::SIGKILL));
            let Call::Unshare(flags) = calls[1] else {
                panic!("{calls:?}")
            };
            assert!(flags.contains(CloneFlags::CLONE_NEWPID | CloneFlags::CLONE_NEWNS));
            assert_eq!(flags.contains(CloneFlags::CLONE_NEWNET), netns);
        }
    }

    #[test]
    fn a_tty_spec_takes_the_terminal_before_anything_else() {
        for tty in [false, true] {
            let sys = RecordingSyscall::new();
            let dir = tempfile::tempdir().unwrap();
            let spec = SandboxSpec::builder(
                super::super::Rootfs {
                    lower: vec![],
                    upper: dir.path().join("u"),
                    work: dir.path().join("w"),
                },
                dir.path().to_path_buf(),
            )
            .args(vec!["true".into()])
            .tty(tty)
            .build()
            .unwrap();
            let _ = setup(&spec, &sys);
            let calls = sys.calls();
            assert_eq!(calls[0], Call::SetParentDeathSignal(Signal::SIGKILL));
            assert_eq!(calls[1] == Call::TakeTerminal, tty, "{calls:?}");
            assert_eq!(
                calls.iter().filter(|c| **c == Call::TakeTerminal).count(),
                usize::from(tty)
            );
        }
    }
}
