//! RUN: the command runs in a sandbox whose root is the image's layers under a fresh
//! upper directory; the upper directory, less the mount points the sandbox had to create,
//! becomes the layer. `--mount=type=bind|cache|secret|tmpfs|ssh`, `--network` and
//! `--security` as in BuildKit; heredocs run as scripts.

use super::Run;
use crate::build::BuildError;
use crate::build::agent::AgentProxy;
use crate::build::context::entries_digest;
use crate::build::scope::Scope;
use crate::build::state::StageState;
use crate::build::user::{User, home_of, resolve_user};
use crate::digest::Hasher;
use crate::fs::{View, normalize_absolute};
use crate::image::config::DEFAULT_PATH;
use crate::interrupt;
use crate::sandbox::stubs;
use crate::sandbox::{MountKind, MountSpec, Network, Rootfs, SandboxSpec, Stream};
use plimsoll_analyzer::{Dockerfile, Form, Instruction};
use std::collections::VecDeque;
use std::os::unix::fs::PermissionsExt;

/// Lines of output kept for the error message of a failed RUN.
const TAIL_LINES: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq)]
enum MountType {
    Bind,
    Cache,
    Secret,
    Tmpfs,
    Ssh,
}

/// `sharing=` of a cache mount: who may use one cache directory at the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sharing {
    /// Everyone at once (the default).
    Shared,
    /// One user; a second one gets a fresh, throw-away directory.
    Private,
    /// One user; a second one waits.
    Locked,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct MountRequest {
    kind: MountType,
    sharing: Sharing,
    target: String,
    source: Option<String>,
    from: Option<String>,
    readonly: bool,
    id: Option<String>,
    required: bool,
    mode: Option<u32>,
    uid: u32,
    gid: u32,
    size: Option<u64>,
}

fn parse_bool(key: &str, value: Option<&str>) -> Result<bool, BuildError> {
    match value {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(v) => Err(BuildError::Invalid(format!(
            "--mount {key}={v}: expected true or false"
        ))),
    }
}

fn parse_size(text: &str) -> Result<u64, BuildError> {
    let bad = || {
        BuildError::Invalid(format!(
            "--mount size={text}: expected bytes, or a number with k, m or g"
        ))
    };
    let lower = text.to_ascii_lowercase();
    let (number, scale) = match lower.trim_end_matches('b').chars().last() {
        Some('k') => (&lower[..lower.find('k').unwrap_or(0)], 1 << 10),
        Some('m') => (&lower[..lower.find('m').unwrap_or(0)], 1 << 20),
        Some('g') => (&lower[..lower.find('g').unwrap_or(0)], 1 << 30),
        _ => (lower.trim_end_matches('b'), 1),
    };
    number.parse::<u64>().map(|n| n * scale).map_err(|_| bad())
}

/// Parses one `--mount` value (`type=cache,target=/root/.cache`…).
fn parse_mount(text: &str, workdir: &str) -> Result<MountRequest, BuildError> {
    let mut kind = MountType::Bind;
    let mut fields = Vec::new();
    for field in text.split(',').filter(|f| !f.is_empty()) {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        if key == "type" {
            kind = match value.unwrap_or("") {
                "bind" => MountType::Bind,
                "cache" => MountType::Cache,
                "secret" => MountType::Secret,
                "tmpfs" => MountType::Tmpfs,
                "ssh" => MountType::Ssh,
                other => {
                    return Err(BuildError::Invalid(format!(
                        "--mount: unknown type `{other}`"
                    )));
                }
            };
        } else {
            fields.push((key, value));
        }
    }
    let mut m = MountRequest {
        readonly: kind == MountType::Bind,
        kind,
        sharing: Sharing::Shared,
        target: String::new(),
        source: None,
        from: None,
        id: None,
        required: false,
        mode: None,
        uid: 0,
        gid: 0,
        size: None,
    };
    for (key, value) in fields {
        let need = || {
            value
                .map(str::to_string)
                .ok_or_else(|| BuildError::Invalid(format!("--mount {key} needs a value")))
        };
        match key.as_str() {
            "target" | "dst" | "destination" => m.target = need()?,
            "source" | "src" => m.source = Some(need()?),
            "from" => m.from = Some(need()?),
            "id" => m.id = Some(need()?),
            "ro" | "readonly" => m.readonly = parse_bool(&key, value)?,
            "rw" | "readwrite" => m.readonly = !parse_bool(&key, value)?,
            "required" => m.required = parse_bool(&key, value)?,
            "mode" => {
                let v = need()?;
                m.mode = Some(u32::from_str_radix(&v, 8).map_err(|_| {
                    BuildError::Invalid(format!("--mount mode={v}: expected an octal mode"))
                })?);
            }
            "uid" | "gid" => {
                let v = need()?;
                let n = v.parse().map_err(|_| {
                    BuildError::Invalid(format!("--mount {key}={v}: expected a number"))
                })?;
                if key == "uid" {
                    m.uid = n;
                } else {
                    m.gid = n;
                }
            }
            "size" | "tmpfs-size" => m.size = Some(parse_size(&need()?)?),
            "sharing" => {
                m.sharing = match need()?.as_str() {
                    "shared" => Sharing::Shared,
                    "private" => Sharing::Private,
                    "locked" => Sharing::Locked,
                    other => {
                        return Err(BuildError::Invalid(format!(
                            "--mount sharing={other}: expected shared, private or locked"
                        )));
                    }
                }
            }
            // Accepted, with the only behaviour this engine has.
            "bind-propagation" | "env" => {}
            other => {
                return Err(BuildError::Invalid(format!(
                    "--mount: unknown option `{other}`"
                )));
            }
        }
    }
    if m.kind == MountType::Secret {
        if m.id.is_none() && !m.target.is_empty() {
            m.id = m.target.rsplit('/').next().map(str::to_string);
        }
        let id = m.id.clone().ok_or_else(|| {
            BuildError::Invalid("--mount=type=secret needs id= or target=".into())
        })?;
        if m.target.is_empty() {
            m.target = format!("/run/secrets/{id}");
        }
    }
    if m.kind == MountType::Ssh {
        m.id.get_or_insert_with(|| "default".into());
        m.mode.get_or_insert(0o600);
        // The target, when not given, is numbered among the RUN's ssh mounts later.
        if m.target.is_empty() {
            return Ok(m);
        }
    }
    if m.target.is_empty() {
        return Err(BuildError::Invalid(format!(
            "--mount `{text}` needs target="
        )));
    }
    m.target = normalize_absolute(workdir, &m.target);
    Ok(m)
}

/// The directory of a cache mount, made on first use (empty, or a copy of `from=`'s
/// `source=`, with `mode`/`uid`/`gid`), and the lock its `sharing=` asks for. A private
/// mount that is in use elsewhere gets a fresh directory under `scratch` instead.
fn cache_dir(
    run: &Run<'_>,
    m: &MountRequest,
    from: Option<&mut crate::build::state::StageState>,
    scratch: &std::path::Path,
) -> Result<(std::path::PathBuf, Option<std::fs::File>), BuildError> {
    let mut id =
        m.id.clone()
            .unwrap_or_else(|| m.target.clone())
            .into_bytes();
    let mut base = None;
    if let Some(stage) = from {
        // A cache seeded from another stage is another cache.
        id.extend(format!("\0{}\0{:?}", stage.key, m.source).as_bytes());
        base = Some(stage.lower_dirs(run.store, run.syscall)?);
    }
    let mounts = run.store.cache_dir().join("mounts");
    std::fs::create_dir_all(&mounts).map_err(BuildError::io(&mounts))?;
    let name = crate::digest::Digest::of(&id).short().to_string();
    let lock_path = mounts.join(format!("{name}.lock"));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(BuildError::io(&lock_path))?;
    let mut dir = mounts.join(&name);
    match m.sharing {
        Sharing::Shared => lock.lock_shared().map_err(BuildError::io(&lock_path))?,
        Sharing::Locked => lock.lock().map_err(BuildError::io(&lock_path))?,
        Sharing::Private => match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => dir = scratch.to_path_buf(),
            Err(std::fs::TryLockError::Error(e)) => return Err(BuildError::io(&lock_path)(e)),
        },
    }
    if !dir.exists() {
        // Made aside and renamed, so a failure never leaves a half-seeded cache.
        let staging = tempfile::Builder::new()
            .prefix(&format!("{name}.partial-"))
            .tempdir_in(&mounts)
            .map_err(BuildError::io(&mounts))?;
        let partial = staging.path();
        if let Some(layers) = base {
            let view = View::new(layers, run.syscall);
            let entries = super::copy::view_entries(&view, m.source.as_deref().unwrap_or("/"))?;
            for entry in &entries[1..] {
                seed(run, entry, &partial.join(&entry.rel))?;
            }
        }
        std::fs::set_permissions(
            partial,
            std::fs::Permissions::from_mode(m.mode.unwrap_or(0o755)),
        )
        .map_err(BuildError::io(partial))?;
        run.syscall.lchown(partial, m.uid, m.gid)?;
        // Another build may have made it meanwhile: then that one is used.
        if let Err(e) = std::fs::rename(partial, &dir)
            && !dir.is_dir()
        {
            return Err(BuildError::io(&dir)(e));
        }
    }
    Ok((dir, Some(lock)))
}

/// A filtered copy of a context directory for a bind mount: files hard-linked where the
/// file system allows (a bind is read-only, and a writable one is an overlay, so the
/// context's files are never written), copied otherwise.
fn stage_context(
    run: &Run<'_>,
    entries: &[crate::build::context::Entry],
    to: &std::path::Path,
) -> Result<(), BuildError> {
    use crate::syscall::FileKind;
    for entry in entries {
        let target = to.join(&entry.rel);
        match entry.stat.kind {
            FileKind::Dir => {
                std::fs::create_dir(&target).map_err(BuildError::io(&target))?;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(entry.stat.mode))
                    .map_err(BuildError::io(&target))?;
                run.syscall
                    .lchown(&target, entry.stat.uid, entry.stat.gid)?;
            }
            FileKind::File => {
                if std::fs::hard_link(&entry.real, &target).is_err() {
                    seed(run, entry, &target)?;
                }
            }
            _ => seed(run, entry, &target)?,
        }
    }
    Ok(())
}

/// Copies one entry of a stage into a new cache directory, owner and mode kept.
fn seed(
    run: &Run<'_>,
    entry: &crate::build::context::Entry,
    to: &std::path::Path,
) -> Result<(), BuildError> {
    use crate::syscall::FileKind;
    match entry.stat.kind {
        FileKind::Dir => std::fs::create_dir(to).map_err(BuildError::io(to))?,
        FileKind::File => {
            std::fs::copy(&entry.real, to).map_err(BuildError::io(&entry.real))?;
        }
        FileKind::Symlink => {
            let target = std::fs::read_link(&entry.real).map_err(BuildError::io(&entry.real))?;
            std::os::unix::fs::symlink(target, to).map_err(BuildError::io(to))?;
        }
        _ => return Ok(()),
    }
    run.syscall.lchown(to, entry.stat.uid, entry.stat.gid)?;
    if entry.stat.kind != FileKind::Symlink {
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(entry.stat.mode))
            .map_err(BuildError::io(to))?;
    }
    Ok(())
}

/// The command line: exec form as written; shell form (and heredocs) through the shell.
/// A heredoc with a `#!` line is run as a script file, returned with its name.
fn command(
    df: &Dockerfile,
    instruction: &Instruction,
    shell: Vec<String>,
) -> (Vec<String>, Option<(String, String)>) {
    if let Form::Exec(words) = &instruction.form {
        return (words.iter().map(|w| w.text.clone()).collect(), None);
    }
    let mut args = shell;
    let line = instruction.args.text.trim();
    if let (Some(first), Some(last)) = (instruction.heredocs.first(), instruction.heredocs.last()) {
        let mut rest = line.to_string();
        for h in &instruction.heredocs {
            rest = rest.replacen(&instruction.args.text_of(h.marker_span), "", 1);
        }
        if rest.trim().is_empty() {
            let content = first.content(&df.text);
            if content.starts_with("#!") {
                let path = format!("/dev/pipes/{}", first.delimiter);
                return (vec![path], Some((first.delimiter.clone(), content)));
            }
            args.push(content);
        } else {
            let bodies = &df.text[first.body_span.start..last.terminator_span.end];
            args.push(format!("{line}\n{bodies}"));
        }
        return (args, None);
    }
    args.push(line.to_string());
    (args, None)
}

pub fn execute(
    run: &mut Run<'_>,
    state: &mut StageState,
    df: &Dockerfile,
    instruction: &Instruction,
) -> Result<(), BuildError> {
    let config = state.image.config.clone();
    let scope = Scope {
        df,
        at: instruction.index,
        config: &config,
    };
    let privileged = match scope.flag(instruction, "security").as_deref() {
        None | Some("sandbox") => false,
        Some("insecure") if run.options.allow_insecure => true,
        Some("insecure") => {
            return Err(BuildError::Invalid(
                "RUN --security=insecure needs `--allow security.insecure` on the command line"
                    .into(),
            ));
        }
        Some(other) => {
            return Err(BuildError::Invalid(format!(
                "RUN --security={other}: expected sandbox or insecure"
            )));
        }
    };
    if let Some(device) = scope.flag(instruction, "device") {
        return Err(BuildError::Invalid(format!(
            "RUN --device={device}: CDI devices are not supported by this engine"
        )));
    }
    let network = match scope.flag(instruction, "network") {
        Some(n) => n.parse::<Network>().map_err(BuildError::Invalid)?,
        None => run.options.network,
    };
    let workdir = config.working_dir().unwrap_or_else(|| "/".into());
    let mut mounts = scope
        .flags(instruction, "mount")
        .iter()
        .map(|m| parse_mount(m, &workdir))
        .collect::<Result<Vec<_>, _>>()?;
    for (n, m) in mounts
        .iter_mut()
        .filter(|m| m.kind == MountType::Ssh)
        .enumerate()
    {
        if m.target.is_empty() {
            m.target = format!("/run/buildkit/ssh_agent.{n}");
        }
    }
    let (args, script) = command(df, instruction, state.shell());
    let mut env = scope.run_env();
    if !env.iter().any(|e| e.starts_with("PATH=")) {
        env.push(format!("PATH={DEFAULT_PATH}"));
    }
    if let Some(agent) = mounts.iter().find(|m| m.kind == MountType::Ssh)
        && !env.iter().any(|e| e.starts_with("SSH_AUTH_SOCK="))
    {
        env.push(format!("SSH_AUTH_SOCK={}", agent.target));
    }
    let user_spec = config.user();

    // Cache key: the command and everything it sees, except secret contents.
    let mut material = Hasher::default();
    material.field(b"RUN");
    for part in args.iter().chain(&env) {
        material.field(part.as_bytes());
    }
    material.field(format!("{user_spec:?}\0{workdir}\0{network:?}\0{privileged}").as_bytes());
    if let Some((_, content)) = &script {
        material.field(content.as_bytes());
    }
    let mut sources = Vec::new();
    for m in &mounts {
        material.field(format!("{m:?}").as_bytes());
        match (&m.kind, &m.from) {
            (MountType::Bind | MountType::Cache, Some(from)) => {
                let source = run.stage_or_image(df, instruction.index, &config, from)?;
                material.field(source.key.hex().as_bytes());
                sources.push(Some(source));
            }
            (MountType::Bind, None) => {
                let found = run
                    .context
                    .sources(m.source.as_deref().unwrap_or("."), run.syscall)?;
                let mut list = Vec::new();
                for s in &found {
                    list.push((s.rel.clone(), run.context.walk(s, run.syscall)?));
                }
                material.field(entries_digest(&list, &mut run.hashes)?.hex().as_bytes());
                sources.push(None);
            }
            _ => sources.push(None),
        }
    }
    let material = material.finish();

    run.layer_step(state, material.hex().as_bytes(), |run, state| {
        let lower = state.lower_dirs(run.store, run.syscall)?;
        let work = run.store.temp_dir("run-")?;
        let upper = work.path().join("fs");
        let overlay_work = work.path().join("work");
        let run_dir = work.path().join("run");
        for dir in [&upper, &overlay_work, &run_dir] {
            std::fs::create_dir(dir).map_err(BuildError::io(dir))?;
        }
        let mut lower_dirs = lower.clone();
        if lower_dirs.is_empty() {
            // overlayfs needs a lower directory, even for FROM scratch.
            let empty = work.path().join("empty");
            std::fs::create_dir(&empty).map_err(BuildError::io(&empty))?;
            lower_dirs.push(empty);
        }
        let view = View::new(lower.clone(), run.syscall);
        let user = match &user_spec {
            Some(spec) => resolve_user(&view, spec)?,
            None => User::ROOT,
        };
        let mut env = env.clone();
        if !env.iter().any(|e| e.starts_with("HOME=")) {
            env.push(format!("HOME={}", home_of(&view, user.uid)));
        }
        let mut builder = SandboxSpec::builder(
            Rootfs {
                lower: lower_dirs,
                upper: upper.clone(),
                work: overlay_work,
            },
            run_dir,
        )
        .args(args.clone())
        .env(env.clone())
        .cwd(workdir.clone())
        .user(user.uid, user.gid, user.groups.clone())
        .network(network)
        .privileged(privileged)
        .hosts("127.0.0.1\tlocalhost plimsoll\n::1\tlocalhost ip6-localhost ip6-loopback\n")
        .resolv_conf(std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default());
        if let Some((name, content)) = &script {
            let path = work.path().join(format!("script-{name}"));
            std::fs::write(&path, content).map_err(BuildError::io(&path))?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(BuildError::io(&path))?;
            builder = builder.mount(MountSpec {
                target: format!("/dev/pipes/{name}"),
                kind: MountKind::Bind {
                    source: path,
                    readonly: true,
                },
                file: true,
            });
        }
        // Locks of cache mounts, held until the command has finished.
        let mut held: Vec<std::fs::File> = Vec::new();
        let mut proxies: Vec<AgentProxy> = Vec::new();
        for (index, (m, source)) in mounts.iter().zip(&mut sources).enumerate() {
            let scratch = work.path().join(format!("mount-{index}"));
            let spec = match m.kind {
                MountType::Bind => match source {
                    Some(stage) => {
                        let dirs = stage.lower_dirs(run.store, run.syscall)?;
                        let subpath = View::new(dirs.clone(), run.syscall)
                            .resolve(m.source.as_deref().unwrap_or("/"), true)
                            .map_err(BuildError::io(&scratch))?;
                        MountSpec {
                            target: m.target.clone(),
                            kind: MountKind::Layers {
                                lower: dirs,
                                subpath,
                                scratch: (!m.readonly).then_some(scratch),
                            },
                            file: false,
                        }
                    }
                    None => {
                        let found = run
                            .context
                            .sources(m.source.as_deref().unwrap_or("."), run.syscall)?;
                        let mut path = found[0].real.clone();
                        let file = !path.is_dir();
                        if !file && run.context.has_ignores() {
                            // The context as BuildKit would have sent it: without what
                            // .dockerignore excludes.
                            let staged = work.path().join(format!("context-{index}"));
                            let entries = run.context.walk(&found[0], run.syscall)?;
                            stage_context(run, &entries, &staged)?;
                            path = staged;
                        }
                        let kind = if m.readonly || file {
                            MountKind::Bind {
                                source: path,
                                readonly: m.readonly,
                            }
                        } else {
                            MountKind::Layers {
                                lower: vec![path],
                                subpath: "/".into(),
                                scratch: Some(scratch),
                            }
                        };
                        MountSpec {
                            target: m.target.clone(),
                            kind,
                            file,
                        }
                    }
                },
                MountType::Cache => {
                    let (dir, lock) = cache_dir(run, m, source.as_mut(), &scratch)?;
                    if let Some(lock) = lock {
                        held.push(lock);
                    }
                    MountSpec {
                        target: m.target.clone(),
                        kind: MountKind::Bind {
                            source: dir,
                            readonly: m.readonly,
                        },
                        file: false,
                    }
                }
                MountType::Secret => {
                    let id = m.id.clone().unwrap_or_default();
                    let Some(secret) = run.options.secrets.get(&id) else {
                        if m.required {
                            return Err(BuildError::Invalid(format!(
                                "secret `{id}` is required: pass --secret id={id},src=FILE"
                            )));
                        }
                        continue;
                    };
                    let bytes = secret.read()?;
                    let path = work.path().join(format!("secret-{index}"));
                    std::fs::write(&path, bytes).map_err(BuildError::io(&path))?;
                    std::fs::set_permissions(
                        &path,
                        std::fs::Permissions::from_mode(m.mode.unwrap_or(0o400)),
                    )
                    .map_err(BuildError::io(&path))?;
                    run.syscall.lchown(&path, m.uid, m.gid)?;
                    MountSpec {
                        target: m.target.clone(),
                        kind: MountKind::Bind {
                            source: path,
                            readonly: true,
                        },
                        file: true,
                    }
                }
                MountType::Ssh => {
                    let id = m.id.clone().unwrap_or_default();
                    let Some(agent) = run.options.ssh.get(&id) else {
                        if m.required {
                            return Err(BuildError::Invalid(format!(
                                "ssh agent `{id}` is required: pass --ssh {id}[=SOCKET]"
                            )));
                        }
                        continue;
                    };
                    let proxy = AgentProxy::start(agent).map_err(BuildError::io(agent))?;
                    let socket = proxy.socket();
                    std::fs::set_permissions(
                        &socket,
                        std::fs::Permissions::from_mode(m.mode.unwrap_or(0o600)),
                    )
                    .map_err(BuildError::io(&socket))?;
                    run.syscall.lchown(&socket, m.uid, m.gid)?;
                    proxies.push(proxy);
                    MountSpec {
                        target: m.target.clone(),
                        kind: MountKind::Bind {
                            source: socket,
                            readonly: false,
                        },
                        file: true,
                    }
                }
                MountType::Tmpfs => MountSpec {
                    target: m.target.clone(),
                    kind: MountKind::Tmpfs { size: m.size },
                    file: false,
                },
            };
            builder = builder.mount(spec);
        }
        let spec = builder.build()?;
        let planned = stubs::plan(&view, &spec.mount_points()).map_err(BuildError::io(&upper))?;

        let number = run.step;
        let mut tail: VecDeque<String> = VecDeque::new();
        let mut partial: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let progress = &mut *run.progress;
        let mut emit = |stream: Stream, line: &[u8], tail: &mut VecDeque<String>| {
            progress.event(crate::build::Event::Output {
                number,
                stream,
                line,
            });
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(String::from_utf8_lossy(line).into_owned());
        };
        let code = run
            .runner
            .run(&spec, &mut |stream, bytes| {
                let buf = &mut partial[stream as usize];
                buf.extend_from_slice(bytes);
                while let Some(end) = buf.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=end).collect();
                    emit(stream, &line[..line.len() - 1], &mut tail);
                }
            })
            .map_err(|e| match e {
                crate::sandbox::SandboxError::Interrupted => BuildError::Interrupted,
                other => other.into(),
            })?;
        for (i, rest) in partial.iter().enumerate() {
            if !rest.is_empty() {
                let stream = if i == 0 {
                    Stream::Stdout
                } else {
                    Stream::Stderr
                };
                emit(stream, rest, &mut tail);
            }
        }
        if interrupt::requested() {
            return Err(BuildError::Interrupted);
        }
        if code != 0 {
            return Err(BuildError::RunFailed {
                code,
                tail: tail.into_iter().collect::<Vec<_>>().join("\n"),
            });
        }
        drop(held);
        drop(proxies);
        stubs::clean(&upper, &planned, &view, run.syscall).map_err(BuildError::io(&upper))?;
        let created_by = format!("RUN {}", args.join(" "));
        run.commit_layer(state, &upper, &created_by, true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mounts_like_buildkit() {
        let m = parse_mount(
            "type=cache,target=/root/.cache,id=pip,sharing=locked",
            "/app",
        )
        .unwrap();
        assert_eq!(m.kind, MountType::Cache);
        assert_eq!(m.target, "/root/.cache");
        assert!(!m.readonly);
        let m = parse_mount("target=src,source=./src", "/app").unwrap();
        assert_eq!(
            (m.kind.clone(), m.target.as_str(), m.readonly),
            (MountType::Bind, "/app/src", true)
        );
        let m = parse_mount("type=bind,from=build,source=/out,target=/in,rw", "/").unwrap();
        assert!(!m.readonly);
        assert_eq!(m.from.as_deref(), Some("build"));
        let m = parse_mount("type=secret,id=token", "/").unwrap();
        assert_eq!(m.target, "/run/secrets/token");
        let m = parse_mount("type=secret,target=/etc/key,mode=0440,uid=5,required", "/").unwrap();
        assert_eq!(
            (m.id.as_deref(), m.mode, m.uid, m.required),
            (Some("key"), Some(0o440), 5, true)
        );
        let m = parse_mount("type=tmpfs,target=/tmp,size=64m", "/").unwrap();
        assert_eq!(m.size, Some(64 << 20));
        let m = parse_mount("type=ssh", "/").unwrap();
        assert_eq!(
            (m.id.as_deref(), m.mode, m.target.as_str()),
            (Some("default"), Some(0o600), "")
        );
        let m = parse_mount("type=ssh,id=gh,target=/agent,required,uid=5", "/").unwrap();
        assert_eq!(
            (m.id.as_deref(), m.target.as_str(), m.required, m.uid),
            (Some("gh"), "/agent", true, 5)
        );
        assert!(parse_mount("type=cache", "/").is_err());
        assert!(parse_mount("type=weird,target=/x", "/").is_err());
        assert!(parse_mount("type=cache,target=/x,bogus=1", "/").is_err());
    }

    #[test]
    fn commands_for_each_form() {
        let df = Dockerfile::parse(
            "FROM scratch\nRUN [\"/bin/echo\", \"hi\"]\nRUN echo $HOME \\\n  && true\nRUN <<EOF\necho one\nEOF\nRUN <<PY\n#!/usr/bin/python3\nprint(1)\nPY\nRUN cat <<EOF > /x\nbody\nEOF\n",
        );
        let shell = vec!["/bin/sh".to_string(), "-c".to_string()];
        let c = |i: usize| command(&df, &df.instructions[i], shell.clone());
        assert_eq!(c(1).0, ["/bin/echo", "hi"]);
        assert_eq!(c(2).0, ["/bin/sh", "-c", "echo $HOME   && true"]);
        assert_eq!(c(3).0, ["/bin/sh", "-c", "echo one\n"]);
        let (args, script) = c(4);
        assert_eq!(args, ["/dev/pipes/PY"]);
        assert_eq!(script.unwrap().1, "#!/usr/bin/python3\nprint(1)\n");
        assert_eq!(c(5).0, ["/bin/sh", "-c", "cat <<EOF > /x\nbody\nEOF"]);
    }
}
