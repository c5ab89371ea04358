//! Edit → diagnostics latency and memory of the language server.
//!
//! Opens a generated 500-line Dockerfile, then makes 10,000 one-character edits (typing a
//! character at the end of a line, then deleting it, all over the file), each time waiting
//! for the diagnostics of the new version: the time from sending `didChange` to receiving
//! its `publishDiagnostics` is what an editor user waits for. Reports percentiles and the
//! server's resident memory along the way.
//!
//!     cargo bench -p plimsoll-lsp --bench edit_latency
//!     PLIMSOLL_BIN=target/release/plimsoll cargo bench -p plimsoll-lsp --bench edit_latency
//!
//! Without PLIMSOLL_BIN the server runs in this process over an in-memory connection (no
//! JSON); with it, the real binary runs as a child over stdio, as in an editor.
//! `EDITS=…` changes the number of edits; `SAVE_DOCKERFILE=path` writes the generated file.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;
use std::io::{BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LINES: usize = 500;

/// A realistic multi-stage Dockerfile of exactly `LINES` lines: package installs over
/// continuation lines, ARG/ENV, COPY, labels and comments, with plenty to report.
fn dockerfile() -> String {
    let mut lines: Vec<String> = vec![
        "# syntax=docker/dockerfile:1".into(),
        "ARG BASE=debian:12".into(),
        "ARG VERSION=1.0.0".into(),
    ];
    let mut stage = 0;
    loop {
        let mut block = vec![
            format!("FROM ${{BASE}} AS stage{stage}"),
            "ARG VERSION".into(),
            format!("ENV APP_HOME=/opt/app{stage} VERSION=$VERSION"),
            "WORKDIR $APP_HOME".into(),
            "# Build dependencies, one per line to keep diffs small".into(),
            "RUN apt-get update && \\".into(),
            "    apt-get install -y --no-install-recommends \\".into(),
        ];
        for package in [
            "curl",
            "ca-certificates",
            "git",
            "make",
            "gcc",
            "libssl-dev",
        ] {
            block.push(format!("      {package} \\"));
        }
        block.push("    && rm -rf /var/lib/apt/lists/*".into());
        block.push("RUN pip install requests flask==3.0.0 && npm install -g typescript".into());
        block.push(format!("COPY --chown=app:app src/ $APP_HOME/src{stage}/"));
        block.push("LABEL org.opencontainers.image.version=$VERSION".into());
        if stage > 0 {
            block.push(format!("COPY --from=stage{} /opt /opt", stage - 1));
        }
        block.push("EXPOSE 8080".into());
        block.push(String::new());
        // Leave room for the final stage.
        if lines.len() + block.len() > LINES - 4 {
            break;
        }
        lines.extend(block);
        stage += 1;
    }
    lines.push("FROM scratch AS final".into());
    while lines.len() < LINES - 2 {
        lines.push(format!("COPY --from=stage{} /opt /opt", stage - 1));
    }
    lines.push("USER 1000".into());
    lines.push("CMD [\"/opt/app/run\"]".into());
    assert_eq!(lines.len(), LINES);
    lines.join("\n") + "\n"
}

enum Server {
    InProcess(std::thread::JoinHandle<()>),
    Child(Child),
}

impl Server {
    fn proc_file(&self, name: &str) -> std::io::Result<String> {
        match self {
            Server::InProcess(_) => std::fs::read_to_string(format!("/proc/self/{name}")),
            Server::Child(child) => std::fs::read_to_string(format!("/proc/{}/{name}", child.id())),
        }
    }

    /// CPU time (user + system) the server has used: unlike wall time, it does not count
    /// waiting for a core while the machine is busy (though a busy sibling core still slows
    /// it). In process, the client's share is included.
    fn cpu_time(&self) -> Duration {
        let stat = self.proc_file("stat").unwrap_or_default();
        // Fields after the `(comm)`: state is field 3, utime 14 and stime 15 (1-based).
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<u64> = rest
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let ticks = fields.get(10).unwrap_or(&0) + fields.get(11).unwrap_or(&0);
        // Linux reports these in USER_HZ, 100 a second on every architecture.
        Duration::from_millis(ticks * 10)
    }

    fn rss_kib(&self) -> u64 {
        let status = self.proc_file("status");
        status
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }
}

fn spawn(binary: Option<&str>) -> (Connection, Server) {
    let Some(binary) = binary else {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || {
            let _ = plimsoll_lsp::run(server);
        });
        return (client, Server::InProcess(handle));
    };
    let mut child = Command::new(binary)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the server binary");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (to_server, outgoing) = crossbeam_channel::unbounded::<Message>();
    let (incoming, from_server) = crossbeam_channel::unbounded::<Message>();
    std::thread::spawn(move || {
        for message in outgoing {
            if message.write(&mut stdin).is_err() {
                break;
            }
            let _ = stdin.flush();
        }
    });
    std::thread::spawn(move || {
        while let Ok(Some(message)) = Message::read(&mut stdout) {
            if incoming.send(message).is_err() {
                break;
            }
        }
    });
    (
        Connection {
            sender: to_server,
            receiver: from_server,
        },
        Server::Child(child),
    )
}

fn notify(connection: &Connection, method: &str, params: serde_json::Value) {
    connection
        .sender
        .send(Notification::new(method.into(), params).into())
        .unwrap();
}

/// Waits for the diagnostics of `version`; returns how many findings they hold.
fn diagnostics_for(connection: &Connection, version: i32) -> usize {
    loop {
        let message = connection
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("diagnostics in time");
        if let Message::Notification(n) = message
            && n.method == "textDocument/publishDiagnostics"
            && n.params["version"] == json!(version)
        {
            return n.params["diagnostics"].as_array().map_or(0, Vec::len);
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let edits: usize = std::env::var("EDITS")
        .ok()
        .and_then(|e| e.parse().ok())
        .unwrap_or(10_000);
    let binary = std::env::var("PLIMSOLL_BIN").ok();
    let (connection, server) = spawn(binary.as_deref());
    let text = dockerfile();
    if let Ok(path) = std::env::var("SAVE_DOCKERFILE") {
        std::fs::write(path, &text).expect("writing the generated Dockerfile");
    }
    let line_lengths: Vec<u32> = text.lines().map(|l| l.len() as u32).collect();

    connection
        .sender
        .send(
            Request::new(
                RequestId::from(1),
                "initialize".into(),
                json!({"processId": null, "rootUri": null, "capabilities": {}}),
            )
            .into(),
        )
        .unwrap();
    loop {
        if let Message::Response(_) = connection.receiver.recv().unwrap() {
            break;
        }
    }
    notify(&connection, "initialized", json!({}));
    let uri = "untitled:bench/Dockerfile";
    let opened = Instant::now();
    notify(
        &connection,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let findings = diagnostics_for(&connection, 1);
    let open_latency = opened.elapsed();

    let warmup = 200;
    // Filled in place (its pages touched now), so that in process the samples' own memory
    // does not show as growth of the server's.
    let mut latencies = vec![Duration::ZERO; edits];
    let mut memory = Vec::new();
    let mut version = 1;
    let mut cpu_at_start = Duration::ZERO;
    for i in 0..warmup + edits {
        if i == warmup {
            memory.push((0, server.rss_kib()));
            cpu_at_start = server.cpu_time();
        }
        // Type a character at the end of a line, then delete it: the text stays the same
        // size, so memory should stay flat.
        let line = (i / 2 * 37) % LINES;
        let end = line_lengths[line];
        let change = if i % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": end}, "end": {"line": line, "character": end}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": end}, "end": {"line": line, "character": end + 1}}, "text": ""})
        };
        version += 1;
        let sent = Instant::now();
        notify(
            &connection,
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        diagnostics_for(&connection, version);
        if i >= warmup {
            latencies[i - warmup] = sent.elapsed();
            let done = i - warmup + 1;
            if done % (edits / 10).max(1) == 0 {
                memory.push((done, server.rss_kib()));
            }
        }
    }

    let cpu_per_edit = (server.cpu_time().saturating_sub(cpu_at_start)) / edits as u32;

    // The share of the analyzer and the rules, measured alone on the same text.
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(plimsoll_analyzer::Dockerfile::parse(&text));
    }
    let parse = started.elapsed() / rounds;
    let file = plimsoll_analyzer::Dockerfile::parse(&text);
    let selection = plimsoll_rules::Selection::default();
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(plimsoll_rules::check(&file, None, &selection));
    }
    let check = started.elapsed() / rounds;

    let mut sorted = latencies.clone();
    sorted.sort();
    let mean = latencies.iter().sum::<Duration>() / latencies.len() as u32;
    let mode = if binary.is_some() {
        "the binary over stdio"
    } else {
        "in process, in-memory connection"
    };
    println!("plimsoll lsp: edit → diagnostics ({mode})");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "  machine: {cores} cores, load average {} (wall times grow with load)",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  file: {LINES} lines, {} bytes, {findings} findings",
        text.len()
    );
    println!("  open → diagnostics: {}", ms(open_latency));
    println!(
        "  of each lint: parse {} + rules {} (measured alone)",
        ms(parse),
        ms(check)
    );
    println!("  {edits} edits, each waited for:");
    for p in [50.0, 90.0, 99.0, 99.9] {
        println!("    p{p:<5} {}", ms(percentile(&sorted, p)));
    }
    println!("    max    {}", ms(*sorted.last().unwrap()));
    println!("    mean   {}", ms(mean));
    println!(
        "  CPU time per edit (mean; less sensitive to load than wall time): {}",
        ms(cpu_per_edit)
    );
    println!("  resident memory (after N edits):");
    for (done, kib) in &memory {
        println!("    {done:>6}: {:.1} MiB", *kib as f64 / 1024.0);
    }
    let first = memory.first().map_or(0, |m| m.1) as f64;
    let last = memory.last().map_or(0, |m| m.1) as f64;
    println!(
        "  growth over the run: {:+.1} MiB ({:+.1}%)",
        (last - first) / 1024.0,
        if first > 0.0 {
            (last - first) / first * 100.0
        } else {
            0.0
        }
    );

    connection
        .sender
        .send(Request::new(RequestId::from(2), "shutdown".into(), json!(null)).into())
        .unwrap();
    notify(&connection, "exit", json!(null));
    match server {
        Server::InProcess(handle) => {
            let _ = handle.join();
        }
        Server::Child(mut child) => {
            let _ = child.wait();
        }
    }
}
