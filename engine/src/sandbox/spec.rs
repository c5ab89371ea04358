//! What a sandboxed process gets: its root file system (an overlay of layer directories
//! with a fresh upper directory), its process parameters, mounts and network. Built with
//! [`SandboxSpecBuilder`], passed to the sandbox helper as JSON.

use super::SandboxError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Network {
    /// Share the host's network (package managers reach their mirrors).
    #[default]
    Host,
    /// A fresh network namespace with nothing in it.
    None,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        match text {
            "host" | "default" => Ok(Network::Host),
            "none" => Ok(Network::None),
            other => Err(format!("unknown network `{other}` (use host or none)")),
        }
    }
}

/// What happens when the user presses Ctrl-C.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Interrupt {
    /// Kill everything in the sandbox (builds).
    #[default]
    Kill,
    /// Pass SIGINT/SIGTERM to the process (`plimsoll run`).
    Forward,
}

/// The root file system: `lower` (bottom first) merged under the writable `upper`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rootfs {
    pub lower: Vec<PathBuf>,
    pub upper: PathBuf,
    pub work: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MountKind {
    /// A host file or directory.
    Bind {
        source: PathBuf,
        readonly: bool,
    },
    /// Layer directories merged read-only (bottom first), or writable into a throwaway
    /// upper when `scratch` is given; `subpath` of the result is mounted.
    Layers {
        lower: Vec<PathBuf>,
        subpath: String,
        scratch: Option<PathBuf>,
    },
    Tmpfs {
        size: Option<u64>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountSpec {
    /// Absolute path inside the container.
    pub target: String,
    pub kind: MountKind,
    /// The target is a file (bind of a file, secrets), not a directory.
    pub file: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSpec {
    pub rootfs: Rootfs,
    pub process: Process,
    pub hostname: String,
    pub network: Network,
    pub mounts: Vec<MountSpec>,
    /// Contents of /etc/hosts and /etc/resolv.conf (bind-mounted, never in the layer).
    pub hosts: String,
    pub resolv_conf: String,
    /// A private directory for the sandbox's own files (mount points, hosts…).
    pub run_dir: PathBuf,
    /// Pass the caller's stdin and terminal through (`plimsoll run`); builds get
    /// /dev/null and captured output.
    pub interactive: bool,
    pub interrupt: Interrupt,
    /// The signal SIGTERM becomes when passed on (the image's STOPSIGNAL).
    #[serde(default)]
    pub stop_signal: Option<i32>,
    /// `RUN --security=insecure`: every capability the caller has, no `no_new_privs`,
    /// writable /sys and /proc/sys, nothing masked.
    #[serde(default)]
    pub privileged: bool,
    /// Give the command a pseudo-terminal as standard input, output and error, and as
    /// its controlling terminal (`plimsoll run -t`).
    #[serde(default)]
    pub tty: bool,
}

impl SandboxSpec {
    pub fn builder(rootfs: Rootfs, run_dir: PathBuf) -> SandboxSpecBuilder {
        SandboxSpecBuilder {
            spec: SandboxSpec {
                rootfs,
                process: Process {
                    args: Vec::new(),
                    env: Vec::new(),
                    cwd: "/".into(),
                    uid: 0,
                    gid: 0,
                    groups: Vec::new(),
                },
                hostname: "plimsoll".into(),
                network: Network::Host,
                mounts: Vec::new(),
                hosts: String::new(),
                resolv_conf: String::new(),
                run_dir,
                interactive: false,
                interrupt: Interrupt::Kill,
                stop_signal: None,
                privileged: false,
                tty: false,
            },
        }
    }

    /// Container paths the sandbox mounts something on (its own and the requested ones).
    pub fn mount_points(&self) -> Vec<(String, bool)> {
        let mut points: Vec<(String, bool)> = vec![
            ("/proc".into(), false),
            ("/dev".into(), false),
            ("/sys".into(), false),
            ("/etc/hosts".into(), true),
            ("/etc/resolv.conf".into(), true),
        ];
        points.extend(self.mounts.iter().map(|m| (m.target.clone(), m.file)));
        points
    }
}

pub struct SandboxSpecBuilder {
    spec: SandboxSpec,
}

impl SandboxSpecBuilder {
    pub fn args(mut self, args: Vec<String>) -> Self {
        self.spec.process.args = args;
        self
    }

    pub fn env(mut self, env: Vec<String>) -> Self {
        self.spec.process.env = env;
        self
    }

    pub fn cwd(mut self, cwd: impl Into<String>) -> Self {
        self.spec.process.cwd = cwd.into();
        self
    }

    pub fn user(mut self, uid: u32, gid: u32, groups: Vec<u32>) -> Self {
        self.spec.process.uid = uid;
        self.spec.process.gid = gid;
        self.spec.process.groups = groups;
        self
    }

    pub fn hostname(mut self, name: impl Into<String>) -> Self {
        self.spec.hostname = name.into();
        self
    }

    pub fn network(mut self, network: Network) -> Self {
        self.spec.network = network;
        self
    }

    pub fn mount(mut self, mount: MountSpec) -> Self {
        self.spec.mounts.push(mount);
        self
    }

    pub fn hosts(mut self, hosts: impl Into<String>) -> Self {
        self.spec.hosts = hosts.into();
        self
    }

    pub fn resolv_conf(mut self, resolv: impl Into<String>) -> Self {
        self.spec.resolv_conf = resolv.into();
        self
    }

    pub fn interactive(mut self, interactive: bool) -> Self {
        self.spec.interactive = interactive;
        self
    }

    pub fn interrupt(mut self, interrupt: Interrupt) -> Self {
        self.spec.interrupt = interrupt;
        self
    }

    pub fn stop_signal(mut self, signal: Option<i32>) -> Self {
        self.spec.stop_signal = signal;
        self
    }

    pub fn privileged(mut self, privileged: bool) -> Self {
        self.spec.privileged = privileged;
        self
    }

    pub fn tty(mut self, tty: bool) -> Self {
        self.spec.tty = tty;
        self
    }

    pub fn build(self) -> Result<SandboxSpec, SandboxError> {
        let spec = self.spec;
        if spec.process.args.is_empty() {
            return Err(SandboxError::Spec("no command to run".into()));
        }
        if !spec.process.cwd.starts_with('/') {
            return Err(SandboxError::Spec(format!(
                "the working directory `{}` is not absolute",
                spec.process.cwd
            )));
        }
        for m in &spec.mounts {
            if !m.target.starts_with('/') || m.target.split('/').any(|c| c == "..") {
                return Err(SandboxError::Spec(format!(
                    "mount target `{}` must be an absolute path without `..`",
                    m.target
                )));
            }
        }
        Ok(spec)
    }
}
