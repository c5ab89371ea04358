//! Running one command in an image.

use super::RunError;
use super::publish::{Publish, Publisher};
use crate::build::resolve_user;
use crate::fs::{View, normalize_absolute};
use crate::image::ImageConfig;
use crate::image::config::DEFAULT_PATH;
use crate::layer::unpacked_layer;
use crate::sandbox::{Interrupt, MountKind, MountSpec, Network, Rootfs, Runner, SandboxSpec};
use crate::source::Resolver;
use crate::store::Store;
use crate::syscall::Syscall;
use std::path::PathBuf;
use std::str::FromStr;

/// `-v SRC:DST[:ro]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub source: PathBuf,
    pub target: String,
    pub readonly: bool,
}

impl FromStr for Volume {
    type Err = String;

    fn from_str(text: &str) -> Result<Volume, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (source, target, readonly) = match parts.as_slice() {
            [s, t] => (*s, *t, false),
            [s, t, "ro"] => (*s, *t, true),
            [s, t, "rw"] => (*s, *t, false),
            _ => return Err(format!("`{text}`: expected SRC:DST or SRC:DST:ro")),
        };
        if !source.starts_with('/') && !source.starts_with('.') {
            return Err(format!(
                "`{text}`: SRC must be a host path (named volumes are not supported)"
            ));
        }
        if !target.starts_with('/') {
            return Err(format!("`{text}`: DST must be an absolute path"));
        }
        Ok(Volume {
            source: PathBuf::from(source),
            target: target.to_string(),
            readonly,
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// A name in the local store, `oci:DIR[:TAG]`, `docker-archive:FILE` or `rootfs:PATH`.
    pub image: String,
    pub command: Vec<String>,
    pub entrypoint: Option<String>,
    /// `NAME=value`, or `NAME` to pass the caller's value.
    pub env: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub network: Network,
    pub volumes: Vec<Volume>,
    /// Remove the container's file system afterwards; otherwise it is kept in the store.
    pub rm: bool,
    pub resolver: Resolver,
    /// A pseudo-terminal for the command (`-t`).
    pub tty: bool,
    /// Host ports forwarded into the container's own network (`-p`).
    pub publish: Vec<Publish>,
}

#[derive(Debug)]
pub struct RunOutcome {
    pub code: i32,
    /// Where the container's changes were kept (without `--rm`).
    pub kept: Option<PathBuf>,
}

/// Docker's rule: `--entrypoint` replaces the image's ENTRYPOINT and drops its CMD;
/// arguments replace CMD.
pub fn command_line(
    config: &ImageConfig,
    entrypoint: Option<&str>,
    command: &[String],
) -> Vec<String> {
    let (entry, default_cmd) = match entrypoint {
        Some("") => (Vec::new(), Vec::new()),
        Some(e) => (vec![e.to_string()], Vec::new()),
        None => (
            config.entrypoint().unwrap_or_default(),
            config.cmd().unwrap_or_default(),
        ),
    };
    let cmd = if command.is_empty() {
        default_cmd
    } else {
        command.to_vec()
    };
    entry.into_iter().chain(cmd).collect()
}

fn signal_number(text: &str) -> Option<i32> {
    if let Ok(n) = text.parse::<i32>() {
        return Some(n);
    }
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    nix::sys::signal::Signal::from_str(&name)
        .ok()
        .map(|s| s as i32)
}

/// A container ready to start: its sandbox spec and the work directory that holds its
/// writable layer (removed when dropped).
pub struct Prepared {
    pub spec: SandboxSpec,
    pub config: ImageConfig,
    pub work: tempfile::TempDir,
    upper: PathBuf,
}

pub fn run(
    store: &Store,
    syscall: &dyn Syscall,
    runner: &dyn Runner,
    options: &RunOptions,
) -> Result<RunOutcome, RunError> {
    if !options.publish.is_empty() && options.network == Network::Host {
        return Err(RunError::Invalid(
            "publishing ports needs the container's own network (--network none); with the host's network its ports are already the host's".into(),
        ));
    }
    // Bound first: a port in use stops the run before anything starts.
    let publisher = Publisher::bind(&options.publish)?;
    let prepared = prepare(store, syscall, options)?;
    // The command's standard streams are the caller's, except a pseudo-terminal's output,
    // which comes through here.
    let mut output = |_: crate::sandbox::Stream, bytes: &[u8]| {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    };
    let code = std::thread::scope(|scope| {
        let publisher = &publisher;
        let result = runner.run_observed(&prepared.spec, &mut output, &mut |pid| {
            if !options.publish.is_empty() {
                publisher.start(scope, pid, syscall);
            }
        });
        publisher.stop();
        result
    })?;
    let kept = if options.rm {
        None
    } else {
        let containers = store.root().join("containers");
        std::fs::create_dir_all(&containers).map_err(|source| RunError::Io {
            path: containers.clone(),
            source,
        })?;
        let id = crate::digest::Digest::of(prepared.work.path().as_os_str().as_encoded_bytes());
        let target = containers.join(id.short());
        std::fs::rename(&prepared.upper, &target).map_err(|source| RunError::Io {
            path: target.clone(),
            source,
        })?;
        Some(target)
    };
    Ok(RunOutcome { code, kept })
}

/// Everything [`run`] does before starting the command: the image loaded and unpacked,
/// the command line, environment, user and working directory as Docker computes them.
pub fn prepare(
    store: &Store,
    syscall: &dyn Syscall,
    options: &RunOptions,
) -> Result<Prepared, RunError> {
    let source = options.resolver.resolve_location(&options.image, store)?;
    let image = source.load(store, syscall)?;
    let config = &image.config;
    let args = command_line(config, options.entrypoint.as_deref(), &options.command);
    if args.is_empty() {
        return Err(RunError::Invalid(format!(
            "{} has no ENTRYPOINT or CMD: give a command",
            options.image
        )));
    }
    let lower = image
        .layers
        .iter()
        .map(|l| unpacked_layer(store, syscall, l))
        .collect::<Result<Vec<_>, _>>()?;
    let view = View::new(lower.clone(), syscall);
    let user_spec = options.user.clone().or_else(|| config.user());
    let user = match &user_spec {
        Some(spec) => resolve_user(&view, spec)?,
        None => crate::build::User::ROOT,
    };
    let mut env = config.env();
    let mut set = |entry: String| {
        let name = entry.split('=').next().unwrap_or("").to_string();
        env.retain(|e| e.split('=').next() != Some(name.as_str()));
        env.push(entry);
    };
    for entry in &options.env {
        if entry.contains('=') {
            set(entry.clone());
        } else if let Ok(value) = std::env::var(entry) {
            set(format!("{entry}={value}"));
        }
    }
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        env.push(format!("PATH={DEFAULT_PATH}"));
    }
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        let home = view
            .read("/etc/passwd")
            .ok()
            .flatten()
            .and_then(|b| {
                String::from_utf8_lossy(&b).lines().find_map(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    (f.get(2).and_then(|u| u.parse::<u32>().ok()) == Some(user.uid))
                        .then(|| f.get(5).map(|h| h.to_string()))
                        .flatten()
                })
            })
            .unwrap_or_else(|| "/root".into());
        env.push(format!("HOME={home}"));
    }
    env.push("HOSTNAME=plimsoll".into());
    let cwd = match &options.workdir {
        Some(w) => normalize_absolute(&config.working_dir().unwrap_or_else(|| "/".into()), w),
        None => config.working_dir().unwrap_or_else(|| "/".into()),
    };
    let work = store.temp_dir("container-")?;
    let upper = work.path().join("fs");
    let overlay_work = work.path().join("work");
    let run_dir = work.path().join("run");
    for dir in [&upper, &overlay_work, &run_dir] {
        std::fs::create_dir(dir).map_err(|source| RunError::Io {
            path: dir.clone(),
            source,
        })?;
    }
    let mut lower_dirs = lower;
    if lower_dirs.is_empty() {
        let empty = work.path().join("empty");
        std::fs::create_dir(&empty).map_err(|source| RunError::Io {
            path: empty.clone(),
            source,
        })?;
        lower_dirs.push(empty);
    }
    let stop_signal = config
        .config()
        .stop_signal()
        .as_deref()
        .and_then(signal_number);
    let mut builder = SandboxSpec::builder(
        Rootfs {
            lower: lower_dirs,
            upper: upper.clone(),
            work: overlay_work,
        },
        run_dir,
    )
    .args(args)
    .env(env)
    .cwd(cwd)
    .user(user.uid, user.gid, user.groups)
    .network(options.network)
    .hosts("127.0.0.1\tlocalhost plimsoll\n::1\tlocalhost ip6-localhost ip6-loopback\n")
    .resolv_conf(std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default())
    .interactive(true)
    .tty(options.tty)
    .interrupt(Interrupt::Forward)
    .stop_signal(stop_signal);
    for volume in &options.volumes {
        let source = volume
            .source
            .canonicalize()
            .map_err(|source| RunError::Io {
                path: volume.source.clone(),
                source,
            })?;
        builder = builder.mount(MountSpec {
            target: volume.target.clone(),
            file: !source.is_dir(),
            kind: MountKind::Bind {
                source,
                readonly: volume.readonly,
            },
        });
    }
    let spec = builder.build()?;
    Ok(Prepared {
        spec,
        config: config.clone(),
        work,
        upper,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_entrypoint_and_cmd_like_docker() {
        let mut c = ImageConfig::scratch();
        c.update(|x| {
            x.set_entrypoint(Some(vec!["/entry".into(), "-v".into()]));
            x.set_cmd(Some(vec!["serve".into()]));
        });
        let args = |e: Option<&str>, cmd: &[&str]| {
            let cmd: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
            command_line(&c, e, &cmd)
        };
        assert_eq!(args(None, &[]), ["/entry", "-v", "serve"]);
        assert_eq!(args(None, &["debug"]), ["/entry", "-v", "debug"]);
        assert_eq!(args(Some("/bin/sh"), &[]), ["/bin/sh"]);
        assert_eq!(args(Some("/bin/sh"), &["-c", "x"]), ["/bin/sh", "-c", "x"]);
        assert_eq!(args(Some(""), &["ls"]), ["ls"]);
    }

    #[test]
    fn parses_volumes_and_signals() {
        let v: Volume = "/data:/mnt:ro".parse().unwrap();
        assert!(v.readonly);
        assert!("named:/mnt".parse::<Volume>().is_err());
        assert!("/data:relative".parse::<Volume>().is_err());
        assert_eq!(signal_number("SIGQUIT"), Some(3));
        assert_eq!(signal_number("term"), Some(15));
        assert_eq!(signal_number("9"), Some(9));
        assert_eq!(signal_number("SIGNOPE"), None);
    }
}
