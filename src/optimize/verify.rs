//! Does the candidate image still do what the original did? Three checks, with the
//! original as the reference: the image configuration, the final file system, and a smoke
//! run of both images in fresh network namespaces that only have a loopback.

use super::images::Built;
use anyhow::{Context as _, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use plimsoll_engine::analyze::{NodeKind, Tree};
use plimsoll_engine::container::{RunOptions, prepare};
use plimsoll_engine::fs::View;
use plimsoll_engine::image::{Image, ImageConfig};
use plimsoll_engine::layer::unpacked_layer;
use plimsoll_engine::sandbox::{Network, Running, Sandbox};
use plimsoll_engine::source::Resolver;
use plimsoll_engine::store::Store;
use plimsoll_engine::syscall::Syscall;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// One check and what failed in it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    /// Why it failed, or notes (accepted differences) when it passed.
    pub details: Vec<String>,
}

impl Check {
    fn new(name: &'static str, failures: Vec<String>, notes: Vec<String>) -> Check {
        Check {
            name,
            passed: failures.is_empty(),
            details: if failures.is_empty() { notes } else { failures },
        }
    }
}

/// What the chosen transformations are allowed to change.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// A USER was added: the user may differ.
    pub user_may_change: bool,
    /// Fewer packages may be installed (`--no-install-recommends`): files owned by a
    /// package the candidate does not have may be missing.
    pub packages_may_go: bool,
    /// The build moved to a builder stage: the final image holds only the artifacts, so
    /// missing files are noted, not failures (the smoke run is the proof).
    pub split: bool,
    /// The runtime stage left the distribution for `scratch` (PL502): the files of the
    /// old base are gone and the new image's directories are laid out differently (`/lib64`
    /// a directory, not a link), so only the files the candidate has are compared, each
    /// with what the same path reaches in the original.
    pub base_replaced: bool,
    /// The file the original starts (absolute), which PL502 may rebuild (a Go program
    /// linked statically): it may differ, and the smoke run is the proof that it behaves
    /// the same.
    pub program: Option<String>,
}

/// Paths never compared: package-manager caches, apt lists, logs, temporary files, and
/// what container engines write into every layer.
const IGNORED: &[&str] = &[
    "var/cache/**",
    "var/lib/apt/lists/**",
    "var/log/**",
    "tmp/**",
    "var/tmp/**",
    "run/**",
    "root/.cache/**",
    "root/.npm/**",
    "root/.config/go/**",
    "usr/local/share/.cache/**",
    "**/__pycache__/**",
    "var/lib/dpkg/*-old",
    "etc/hostname",
    "etc/hosts",
    "etc/resolv.conf",
    // Random per installation by design (dbus's postinst makes one): two builds never
    // agree on it.
    "etc/machine-id",
    "var/lib/dbus/machine-id",
];

/// Paths a package removal changes besides the package's own files.
const PACKAGE_DATABASE: &[&str] = &[
    "var/lib/dpkg/**",
    "var/lib/apt/extended_states",
    "etc/alternatives/**",
    "etc/ld.so.cache",
    "usr/share/info/dir",
    "usr/share/info/dir.old",
    "lib/apk/db/**",
    "var/lib/rpm/**",
];

/// Account files that packages' maintainer scripts extend (a removed package's system
/// user goes with it).
const ACCOUNT_FILES: &[&str] = &[
    "etc/passwd",
    "etc/passwd-",
    "etc/group",
    "etc/group-",
    "etc/shadow",
    "etc/shadow-",
    "etc/gshadow",
    "etc/gshadow-",
];

/// System directories where maintainer scripts write files that no package lists.
const MAINTAINER_SCRIPT_OUTPUT: &[&str] = &[
    "etc/**",
    "var/lib/**",
    "usr/lib/**",
    "usr/share/**",
    "usr/bin/*",
    "usr/sbin/*",
];

pub fn globs(patterns: impl IntoIterator<Item = impl AsRef<str>>) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.as_ref().trim_start_matches('/');
        builder.add(
            Glob::new(pattern).with_context(|| format!("--allow-missing {pattern}: bad glob"))?,
        );
    }
    Ok(builder.build()?)
}

/// ENTRYPOINT, CMD, environment, working directory, exposed ports, volumes, stop signal,
/// and the user unless a USER was added.
pub fn config(original: &ImageConfig, candidate: &ImageConfig, expect: &Expectations) -> Check {
    let (a, b) = (original.config(), candidate.config());
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut compare = |what: &str, x: String, y: String| {
        if x != y {
            failures.push(format!("{what} was {x}, is now {y}"));
        }
    };
    let sorted = |v: &Option<Vec<String>>| {
        let mut v = v.clone().unwrap_or_default();
        v.sort();
        format!("{v:?}")
    };
    compare(
        "ENTRYPOINT",
        format!("{:?}", command(original, original.entrypoint())),
        format!("{:?}", command(candidate, candidate.entrypoint())),
    );
    compare(
        "CMD",
        format!("{:?}", command(original, original.cmd())),
        format!("{:?}", command(candidate, candidate.cmd())),
    );
    compare("the environment", sorted(a.env()), sorted(b.env()));
    compare(
        "WORKDIR",
        format!("{:?}", original.working_dir().unwrap_or_else(|| "/".into())),
        format!(
            "{:?}",
            candidate.working_dir().unwrap_or_else(|| "/".into())
        ),
    );
    compare(
        "EXPOSE",
        sorted(a.exposed_ports()),
        sorted(b.exposed_ports()),
    );
    compare("VOLUME", sorted(a.volumes()), sorted(b.volumes()));
    compare(
        "STOPSIGNAL",
        format!("{:?}", a.stop_signal()),
        format!("{:?}", b.stop_signal()),
    );
    let users = (
        original.user().unwrap_or_default(),
        candidate.user().unwrap_or_default(),
    );
    if users.0 != users.1 {
        if expect.user_may_change {
            notes.push(format!(
                "runs as `{}` instead of `{}` (USER added)",
                users.1,
                if users.0.is_empty() { "root" } else { &users.0 }
            ));
        } else {
            compare("USER", users.0, users.1);
        }
    }
    Check::new("config", failures, notes)
}

/// A command as the process sees it: `[SHELL…, "-c", "a b c"]` (shell form) runs the same
/// program with the same arguments as `["a", "b", "c"]` (exec form) when the script is
/// plain words — no quotes, variables, globs, redirections or operators — which is when
/// the exec-form fix (PL400) rewrites it.
fn command(config: &ImageConfig, args: Option<Vec<String>>) -> Option<Vec<String>> {
    let args = args?;
    let shell = config
        .shell
        .clone()
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
    if args.len() == shell.len() + 1 && args[..shell.len()] == shell[..] {
        let script = &args[shell.len()];
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
        if script.split_whitespace().all(|w| w.chars().all(plain)) && !script.trim().is_empty() {
            return Some(script.split_whitespace().map(str::to_string).collect());
        }
    }
    Some(args)
}

/// The program the image starts, when it names it without a path (`CMD ["app"]`,
/// `CMD app --flag`), and the file the image's `PATH` finds for it in `tree` (a symbolic
/// link followed): what PL501 needs to name the artifact of a build that installs it.
pub fn started_program(config: &ImageConfig, tree: &Tree) -> Option<(String, String)> {
    let argv = command(config, config.entrypoint()).or_else(|| command(config, config.cmd()))?;
    let name = argv.first()?.clone();
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let path = config
        .env()
        .iter()
        .find_map(|e| e.strip_prefix("PATH=").map(str::to_string))
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    for dir in path.split(':').filter(|d| d.starts_with('/')) {
        let key = format!("{}/{name}", dir.trim_matches('/'));
        if let Some(found) = resolve(tree, key.trim_start_matches('/'))
            && matches!(
                tree.get(&found).map(|n| &n.kind),
                Some(NodeKind::File { .. })
            )
        {
            return Some((name, format!("/{found}")));
        }
    }
    None
}

/// The file the image starts: its command's program when that is a path, otherwise where
/// the image's `PATH` finds it.
pub fn started_file(config: &ImageConfig, tree: &Tree) -> Option<String> {
    let argv = command(config, config.entrypoint()).or_else(|| command(config, config.cmd()))?;
    match argv.first() {
        Some(program) if program.starts_with('/') => Some(program.clone()),
        _ => started_program(config, tree).map(|(_, path)| path),
    }
}

/// An image's final file system, read from its unpacked layers (unpacked once, kept in
/// the store).
pub fn image_view<'a>(store: &Store, syscall: &'a dyn Syscall, image: &Image) -> Result<View<'a>> {
    let layers = image
        .layers
        .iter()
        .map(|l| unpacked_layer(store, syscall, l))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(View::new(layers, syscall))
}

/// dpkg's view of an image: installed packages and which package owns which path.
#[derive(Debug, Default)]
pub struct Packages {
    pub installed: BTreeSet<String>,
    pub owner: HashMap<String, String>,
}

/// Reads `/var/lib/dpkg` of an image (nothing when it has none).
pub fn packages(view: &View) -> Result<Packages> {
    let mut out = Packages::default();
    let Some(status) = view.read("/var/lib/dpkg/status")? else {
        return Ok(out);
    };
    for paragraph in String::from_utf8_lossy(&status).split("\n\n") {
        let field = |name: &str| {
            paragraph
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
        };
        if let (Some(name), Some(state)) = (field("Package:"), field("Status:"))
            && state.ends_with(" installed")
        {
            out.installed.insert(name);
        }
    }
    for (name, _) in view.read_dir("/var/lib/dpkg/info").unwrap_or_default() {
        let name = name.to_string_lossy();
        let Some(package) = name.strip_suffix(".list") else {
            continue;
        };
        let package = package.split(':').next().unwrap_or(package).to_string();
        if let Some(list) = view.read(&format!("/var/lib/dpkg/info/{name}"))? {
            for path in String::from_utf8_lossy(&list).lines() {
                let path = path.trim_start_matches('/');
                if !path.is_empty() {
                    out.owner.insert(path.to_string(), package.clone());
                }
            }
        }
    }
    Ok(out)
}

/// Files of the original that are missing or different in the candidate.
pub fn filesystem(
    original: &Tree,
    candidate: &Tree,
    expect: &Expectations,
    allow_missing: &GlobSet,
    packages: Option<(&Packages, &Packages)>,
) -> Result<Check> {
    let ignored = globs(IGNORED)?;
    if expect.base_replaced {
        return Ok(replaced_base(original, candidate, expect, &ignored));
    }
    let database = globs(PACKAGE_DATABASE)?;
    let generated = globs(MAINTAINER_SCRIPT_OUTPUT)?;
    let mut failures = Vec::new();
    let mut removed_packages: BTreeMap<String, usize> = BTreeMap::new();
    let mut split_missing = 0usize;
    let mut script_made = 0usize;
    let mut allowed = 0usize;
    for (path, node) in original {
        if ignored.is_match(path) {
            continue;
        }
        let other = candidate.get(path);
        let problem = match other {
            None => "missing",
            Some(other) => {
                let same = match (&node.kind, &other.kind) {
                    (NodeKind::Dir, NodeKind::Dir) => true,
                    (a, b) => a == b && node.mode == other.mode,
                };
                if same && node.uid == other.uid && node.gid == other.gid {
                    continue;
                }
                "different"
            }
        };
        if expect.packages_may_go
            && let Some((before, after)) = packages
        {
            if database.is_match(path) {
                continue;
            }
            if let Some(package) = before.owner.get(path.as_str())
                && !after.installed.contains(package)
            {
                *removed_packages.entry(package.clone()).or_default() += 1;
                continue;
            }
            // A link to a removed alternative goes with it.
            if let NodeKind::Symlink { target } = &node.kind
                && target.starts_with("/etc/alternatives/")
                && other.is_none()
            {
                continue;
            }
            // What removed packages' maintainer scripts made: accounts they added, and
            // system files no package owns (certificate links, generated
            // configuration). Files the build itself made live elsewhere (the
            // application's directories, /usr/local, /opt, /srv, /home), and a file a
            // package still installed owns is never excused.
            if ACCOUNT_FILES.contains(&path.as_str()) {
                continue;
            }
            // An empty directory a removed package's script made (/usr/local/share/fonts).
            if problem == "missing"
                && matches!(node.kind, NodeKind::Dir)
                && !before.owner.contains_key(path.as_str())
                && original
                    .range(format!("{path}/")..)
                    .next()
                    .is_none_or(|(p, _)| !p.starts_with(&format!("{path}/")))
            {
                script_made += 1;
                continue;
            }
            if problem == "missing"
                && !before.owner.contains_key(path.as_str())
                && generated.is_match(path)
            {
                script_made += 1;
                continue;
            }
        }
        if problem == "missing" && allow_missing.is_match(path) {
            allowed += 1;
            continue;
        }
        if problem == "missing" && expect.split {
            split_missing += 1;
            continue;
        }
        failures.push(format!("/{path} is {problem}"));
    }
    let mut notes = Vec::new();
    if !removed_packages.is_empty() {
        let names: Vec<&str> = removed_packages.keys().map(String::as_str).collect();
        notes.push(format!(
            "{} files of {} packages no longer installed: {}",
            removed_packages.values().sum::<usize>(),
            names.len(),
            names.join(" ")
        ));
    }
    if script_made > 0 {
        notes.push(format!(
            "{script_made} unowned system files (made by removed packages' scripts) and \
             account entries"
        ));
    }
    if split_missing > 0 {
        notes.push(format!(
            "{split_missing} files stay in the builder stage (multi-stage split)"
        ));
    }
    if allowed > 0 {
        notes.push(format!(
            "{allowed} missing files accepted by --allow-missing"
        ));
    }
    // A long list helps nobody: the first ones and a count.
    if failures.len() > 20 {
        let more = failures.len() - 20;
        failures.truncate(20);
        failures.push(format!("… and {more} more"));
    }
    Ok(Check::new("filesystem", failures, notes))
}

/// The path `path` (relative, no leading `/`) reaches in `tree`, symbolic links in every
/// component followed as the kernel would; relative again, `None` past too many links.
fn resolve(tree: &Tree, path: &str) -> Option<String> {
    let resolved = plimsoll_engine::fs::resolve_in_root(path, true, |current| {
        Ok(
            match tree.get(current.trim_start_matches('/')).map(|n| &n.kind) {
                Some(NodeKind::Symlink { target }) => Some(target.clone()),
                _ => None,
            },
        )
    })
    .ok()?;
    Some(resolved.trim_start_matches('/').to_string())
}

/// The file-system check after PL502: every regular file of the candidate that the
/// original has too (through its links) must be the same, except the started program.
fn replaced_base(
    original: &Tree,
    candidate: &Tree,
    expect: &Expectations,
    ignored: &GlobSet,
) -> Check {
    let program = expect
        .program
        .as_deref()
        .and_then(|p| resolve(original, p.trim_start_matches('/')));
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut compared = 0usize;
    let mut reached: BTreeSet<String> = BTreeSet::new();
    for (path, node) in candidate {
        let NodeKind::File { digest } = &node.kind else {
            continue;
        };
        if ignored.is_match(path) {
            continue;
        }
        let Some(there) = resolve(original, path) else {
            continue;
        };
        let Some(old) = original.get(&there) else {
            continue;
        };
        reached.insert(there.clone());
        let NodeKind::File { digest: old_digest } = &old.kind else {
            failures.push(format!("/{path} is a file, the original's is not"));
            continue;
        };
        compared += 1;
        if old_digest == digest && old.mode == node.mode {
            continue;
        }
        if program.as_deref() == Some(there.as_str()) {
            notes.push(format!(
                "/{path}, the program the image starts, was rebuilt (the smoke run compares it)"
            ));
            continue;
        }
        failures.push(format!("/{path} is different"));
    }
    let left = original
        .iter()
        .filter(|(p, n)| matches!(n.kind, NodeKind::File { .. }) && !reached.contains(*p))
        .count();
    notes.push(format!(
        "runs from scratch: {} compared with the original, {} of the original (its \
         distribution and packages) not in the image",
        crate::printer::plural(compared, "file"),
        crate::printer::plural(left, "file")
    ));
    if failures.len() > 20 {
        let more = failures.len() - 20;
        failures.truncate(20);
        failures.push(format!("… and {more} more"));
    }
    Check::new("filesystem", failures, notes)
}

/// What a smoke run of one image showed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Smoke {
    /// No command to run.
    Skipped,
    /// The command exited within the timeout.
    Exited { code: i32, stdout: String },
    /// Still running at the timeout (a server).
    Running {
        /// EXPOSEd TCP ports and whether they accepted a connection.
        ports: BTreeMap<u16, bool>,
        /// The HEALTHCHECK's result, when the image has one.
        healthy: Option<bool>,
    },
}

pub struct SmokeRunner<'a> {
    pub store: &'a Store,
    pub syscall: &'a dyn Syscall,
    pub runner: &'a Sandbox<'a>,
    pub resolver: Resolver,
    pub timeout: Duration,
    /// Arguments replacing CMD (`--smoke`).
    pub command: Vec<String>,
}

fn tcp_ports(config: &ImageConfig) -> Vec<u16> {
    config
        .config()
        .exposed_ports()
        .clone()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| match p.split_once('/') {
            Some((port, "tcp")) => port.parse().ok(),
            Some(_) => None,
            None => p.parse().ok(),
        })
        .collect()
}

impl SmokeRunner<'_> {
    fn options(&self, image: &str, command: Vec<String>, entrypoint: Option<String>) -> RunOptions {
        RunOptions {
            image: image.to_string(),
            command,
            entrypoint,
            network: Network::None,
            rm: true,
            resolver: self.resolver.clone(),
            ..RunOptions::default()
        }
    }

    /// Runs the image's command (or `--smoke`) for up to the timeout.
    pub fn run(&self, built: &Built) -> Result<Smoke> {
        let config = &built.image.config;
        if self.command.is_empty() && config.entrypoint().is_none() && config.cmd().is_none() {
            return Ok(Smoke::Skipped);
        }
        let prepared = prepare(
            self.store,
            self.syscall,
            &self.options(&built.tag, self.command.clone(), None),
        )?;
        let mut running = self.runner.spawn(&prepared.spec)?;
        if let Some(code) = running.wait_timeout(self.timeout)? {
            running.finish()?;
            return Ok(Smoke::Exited {
                code,
                stdout: String::from_utf8_lossy(&running.stdout()).into_owned(),
            });
        }
        let result = self.probe(built, &running);
        running.stop(Duration::from_secs(5))?;
        drop(prepared);
        result
    }

    fn probe(&self, built: &Built, running: &Running) -> Result<Smoke> {
        let pid = running.pid();
        let ports = tcp_ports(&built.image.config);
        let open = std::thread::scope(|s| {
            s.spawn(|| -> Result<BTreeMap<u16, bool>> {
                self.syscall.join_network(pid)?;
                let mut open = BTreeMap::new();
                for port in ports {
                    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
                    let accepts = (0..3).any(|attempt| {
                        if attempt > 0 {
                            std::thread::sleep(Duration::from_millis(500));
                        }
                        TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
                    });
                    open.insert(port, accepts);
                }
                Ok(open)
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the port probe panicked"))?
        })?;
        let healthy = self.healthcheck(built, pid)?;
        Ok(Smoke::Running {
            ports: open,
            healthy,
        })
    }

    /// Runs the HEALTHCHECK command in the running container's network namespace, up to
    /// three times a second apart: healthy when it exits 0.
    fn healthcheck(&self, built: &Built, pid: u32) -> Result<Option<bool>> {
        let config = &built.image.config;
        let Some(check) = &config.healthcheck else {
            return Ok(None);
        };
        let command: Vec<String> = match check.test.first().map(String::as_str) {
            Some("CMD") => check.test[1..].to_vec(),
            Some("CMD-SHELL") => {
                let mut shell = config
                    .shell
                    .clone()
                    .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
                shell.extend(check.test.get(1).cloned());
                shell
            }
            _ => return Ok(None),
        };
        if command.is_empty() {
            return Ok(None);
        }
        let timeout = match check.timeout {
            0 => Duration::from_secs(30),
            nanos => Duration::from_nanos(nanos as u64),
        };
        std::thread::scope(|s| {
            s.spawn(|| -> Result<Option<bool>> {
                // The sandbox started from this thread shares the container's network.
                self.syscall.join_network(pid)?;
                for attempt in 0..3 {
                    if attempt > 0 {
                        std::thread::sleep(Duration::from_secs(1));
                    }
                    let mut options =
                        self.options(&built.tag, command.clone(), Some(String::new()));
                    options.network = Network::Host;
                    let prepared = prepare(self.store, self.syscall, &options)?;
                    let mut running = self.runner.spawn(&prepared.spec)?;
                    let code = running.wait_timeout(timeout)?;
                    running.stop(Duration::from_secs(1))?;
                    if code == Some(0) {
                        return Ok(Some(true));
                    }
                }
                Ok(Some(false))
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the health check panicked"))?
        })
    }
}

/// The candidate's smoke run against the original's.
pub fn smoke(original: &Smoke, candidate: &Smoke) -> Check {
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    match (original, candidate) {
        (Smoke::Skipped, _) => notes.push("no command to run (no CMD or ENTRYPOINT)".into()),
        (
            Smoke::Exited { code, stdout },
            Smoke::Exited {
                code: code2,
                stdout: stdout2,
            },
        ) => {
            if code != code2 {
                failures.push(format!("exits with {code2} instead of {code}"));
            }
            if stdout != stdout2 {
                failures.push(format!(
                    "prints {:?} instead of {:?}",
                    clip(stdout2),
                    clip(stdout)
                ));
            }
            if failures.is_empty() {
                notes.push(format!("exits with {code} and the same output"));
            }
        }
        (Smoke::Exited { code, .. }, _) => failures.push(format!(
            "the original exits with {code} within the timeout, the candidate does not"
        )),
        (Smoke::Running { .. }, Smoke::Exited { code, stdout }) => failures.push(format!(
            "the original keeps running, the candidate exits with {code}: {:?}",
            clip(stdout)
        )),
        (
            Smoke::Running { ports, healthy },
            Smoke::Running {
                ports: ports2,
                healthy: healthy2,
            },
        ) => {
            for (port, open) in ports {
                if *open && ports2.get(port) != Some(&true) {
                    failures.push(format!(
                        "port {port} accepts in the original, not in the candidate"
                    ));
                }
            }
            match (healthy, healthy2) {
                (Some(false), _) => failures.push("the original fails its HEALTHCHECK".into()),
                (Some(true), Some(true)) => notes.push("HEALTHCHECK passes in both".into()),
                (Some(true), _) => failures.push("the candidate fails its HEALTHCHECK".into()),
                _ => {}
            }
            if failures.is_empty() {
                let open: Vec<String> = ports
                    .iter()
                    .filter(|(_, open)| **open)
                    .map(|(p, _)| p.to_string())
                    .collect();
                notes.push(if open.is_empty() {
                    "both keep running".to_string()
                } else {
                    format!("both keep running and accept on port {}", open.join(", "))
                });
            }
        }
        (Smoke::Running { .. }, Smoke::Skipped) => {
            failures.push("the candidate has no command to run".into())
        }
    }
    Check::new("smoke", failures, notes)
}

fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_engine::analyze::Node;
    use plimsoll_engine::digest::Digest;

    fn node(kind: NodeKind) -> Node {
        Node {
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
        }
    }

    fn file(content: &[u8]) -> Node {
        node(NodeKind::File {
            digest: Digest::of(content),
        })
    }

    fn link(target: &str) -> Node {
        node(NodeKind::Symlink {
            target: target.to_string(),
        })
    }

    fn config(cmd: &[&str], user: Option<&str>) -> ImageConfig {
        let mut c = ImageConfig::scratch();
        c.update(|x| {
            x.set_cmd(Some(cmd.iter().map(|s| s.to_string()).collect()));
            x.set_user(user.map(str::to_string));
        });
        c
    }

    #[test]
    fn shell_form_of_plain_words_equals_exec_form() {
        let shell = config(&["/bin/sh", "-c", "app --self-test"], None);
        let exec = config(&["app", "--self-test"], None);
        assert!(config_check(&shell, &exec, false).passed);
        let quoted = config(&["/bin/sh", "-c", "app \"$X\""], None);
        let exec = config(&["app", "$X"], None);
        assert!(!config_check(&quoted, &exec, false).passed);
    }

    #[test]
    fn the_user_may_change_only_when_a_user_was_added() {
        let root = config(&["app"], None);
        let user = config(&["app"], Some("65532:65532"));
        assert!(!config_check(&root, &user, false).passed);
        let check = config_check(&root, &user, true);
        assert!(check.passed);
        assert!(check.details[0].contains("USER added"));
    }

    fn config_check(a: &ImageConfig, b: &ImageConfig, user: bool) -> Check {
        super::config(
            a,
            b,
            &Expectations {
                user_may_change: user,
                ..Expectations::default()
            },
        )
    }

    #[test]
    fn the_started_program_is_found_through_path_and_links() {
        let mut tree = Tree::new();
        tree.insert(
            "opt/tool/bin/tool".into(),
            node(NodeKind::File {
                digest: Digest::of(b"x"),
            }),
        );
        tree.insert(
            "usr/local/bin/tool".into(),
            node(NodeKind::Symlink {
                target: "../../../opt/tool/bin/tool".into(),
            }),
        );
        let found = |cmd: &[&str]| started_program(&config(cmd, None), &tree);
        let shell_form = ["/bin/sh", "-c", "tool --self-test"];
        assert_eq!(
            found(&shell_form),
            Some(("tool".into(), "/opt/tool/bin/tool".into()))
        );
        assert_eq!(
            found(&["tool"]),
            Some(("tool".into(), "/opt/tool/bin/tool".into()))
        );
        // A path is the rule's business; an unknown name finds nothing.
        assert_eq!(found(&["/usr/local/bin/tool"]), None);
        assert_eq!(found(&["other"]), None);
    }

    #[test]
    fn missing_and_changed_files_fail_outside_caches() {
        let mut a = Tree::new();
        a.insert("app/main".into(), file(b"x"));
        a.insert("app/conf".into(), file(b"1"));
        a.insert("var/cache/apt/pkgcache.bin".into(), file(b"c"));
        a.insert("tmp/scratch".into(), file(b"t"));
        a.insert("var/lib/dbus/machine-id".into(), file(b"random 1"));
        let mut b = Tree::new();
        b.insert("var/lib/dbus/machine-id".into(), file(b"random 2"));
        b.insert("app/conf".into(), file(b"2"));
        let none = globs(Vec::<String>::new()).unwrap();
        let check = filesystem(&a, &b, &Expectations::default(), &none, None).unwrap();
        assert!(!check.passed);
        assert_eq!(
            check.details,
            ["/app/conf is different", "/app/main is missing"]
        );
        b.insert("app/conf".into(), file(b"1"));
        let allow = globs(["/app/main"]).unwrap();
        let check = filesystem(&a, &b, &Expectations::default(), &allow, None).unwrap();
        assert!(check.passed, "{check:?}");
    }

    #[test]
    fn removed_packages_excuse_their_files_and_nothing_else() {
        let mut a = Tree::new();
        a.insert("usr/bin/vim.basic".into(), file(b"vim"));
        a.insert(
            "etc/ssl/certs/abc.0".into(),
            node(NodeKind::Symlink { target: "x".into() }),
        );
        a.insert("usr/local/share/fonts".into(), node(NodeKind::Dir));
        a.insert("etc/group".into(), file(b"root\nfonts"));
        a.insert("usr/bin/gcc".into(), file(b"gcc"));
        a.insert("usr/local/bin/app".into(), file(b"app"));
        let mut b = Tree::new();
        b.insert("etc/group".into(), file(b"root"));
        let before = Packages {
            installed: ["vim", "gcc"].into_iter().map(String::from).collect(),
            owner: [("usr/bin/vim.basic", "vim"), ("usr/bin/gcc", "gcc")]
                .into_iter()
                .map(|(p, o)| (p.to_string(), o.to_string()))
                .collect(),
        };
        let after = Packages {
            installed: ["gcc"].into_iter().map(String::from).collect(),
            owner: HashMap::new(),
        };
        let expect = Expectations {
            packages_may_go: true,
            ..Expectations::default()
        };
        let none = globs(Vec::<String>::new()).unwrap();
        let check = filesystem(&a, &b, &expect, &none, Some((&before, &after))).unwrap();
        assert_eq!(
            check.details,
            ["/usr/bin/gcc is missing", "/usr/local/bin/app is missing"]
        );
    }

    #[test]
    fn a_replaced_base_compares_the_candidates_files_through_the_originals_links() {
        let mut a = Tree::new();
        a.insert("lib".into(), link("usr/lib"));
        a.insert("lib64".into(), link("usr/lib64"));
        a.insert(
            "usr/lib64/ld.so".into(),
            link("/lib/x86_64-linux-gnu/ld.so"),
        );
        a.insert("usr/lib/x86_64-linux-gnu/ld.so".into(), file(b"loader"));
        a.insert("usr/lib/x86_64-linux-gnu/libc.so.6".into(), file(b"libc"));
        a.insert("usr/local/bin/app".into(), file(b"dynamic app"));
        a.insert("usr/bin/vim".into(), file(b"vim"));
        a.insert("etc/app.conf".into(), file(b"conf"));
        let mut b = Tree::new();
        b.insert("lib64".into(), node(NodeKind::Dir));
        b.insert("lib64/ld.so".into(), file(b"loader"));
        b.insert("usr/lib/x86_64-linux-gnu/libc.so.6".into(), file(b"libc"));
        b.insert("usr/local/bin/app".into(), file(b"static app"));
        b.insert("etc/app.conf".into(), file(b"conf"));
        let expect = Expectations {
            base_replaced: true,
            split: true,
            program: Some("/usr/local/bin/app".into()),
            ..Expectations::default()
        };
        let none = globs(Vec::<String>::new()).unwrap();
        let check = filesystem(&a, &b, &expect, &none, None).unwrap();
        assert!(check.passed, "{check:?}");
        assert_eq!(
            check.details,
            [
                "/usr/local/bin/app, the program the image starts, was rebuilt (the smoke run compares it)",
                "runs from scratch: 4 files compared with the original, 1 file of the original (its distribution and packages) not in the image"
            ]
        );
        // Anything else that differs fails.
        b.insert("etc/app.conf".into(), file(b"changed"));
        let check = filesystem(&a, &b, &expect, &none, None).unwrap();
        assert_eq!(check.details, ["/etc/app.conf is different"]);
        // Without the program named, a rebuilt program is a difference too.
        b.insert("etc/app.conf".into(), file(b"conf"));
        let unnamed = Expectations {
            program: None,
            ..expect
        };
        let check = filesystem(&a, &b, &unnamed, &none, None).unwrap();
        assert_eq!(check.details, ["/usr/local/bin/app is different"]);
    }
}
