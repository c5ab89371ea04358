//! `RUN --mount=type=ssh`: the build's ssh-agent reaches the command through a socket
//! of its own, owned by the mount's `uid`/`gid` with its `mode`, that forwards every
//! connection to the agent given with `--ssh`. The host's socket path and its
//! permissions never enter the sandbox.

use std::io;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

pub struct AgentProxy {
    /// Holds the socket; removed with it.
    dir: tempfile::TempDir,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AgentProxy {
    /// Listens on a new socket (in a short private temporary directory: socket paths are
    /// limited to 108 bytes) and forwards to `agent`.
    pub fn start(agent: &Path) -> io::Result<AgentProxy> {
        let dir = tempfile::Builder::new().prefix("plimsoll-ssh-").tempdir()?;
        let listener = UnixListener::bind(dir.path().join("agent.sock"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let agent = agent.to_path_buf();
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let agent = agent.clone();
                std::thread::spawn(move || forward(client, &agent));
            }
        });
        Ok(AgentProxy {
            dir,
            stop,
            thread: Some(thread),
        })
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("agent.sock")
    }
}

fn forward(client: UnixStream, agent: &Path) {
    let Ok(upstream) = UnixStream::connect(agent) else {
        return;
    };
    let (Ok(mut client_read), Ok(mut upstream_write)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let up = std::thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(std::net::Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
}

impl Drop for AgentProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread so that it sees the flag.
        let _ = UnixStream::connect(self.socket());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn forwards_connections_to_the_agent() {
        let dir = tempfile::tempdir().unwrap();
        let agent_path = dir.path().join("agent");
        let agent = UnixListener::bind(&agent_path).unwrap();
        std::thread::spawn(move || {
            for conn in agent.incoming() {
                let mut conn = conn.unwrap();
                let mut buf = [0u8; 4];
                conn.read_exact(&mut buf).unwrap();
                conn.write_all(&[b"pong:".as_slice(), &buf].concat())
                    .unwrap();
            }
        });
        let proxy = AgentProxy::start(&agent_path).unwrap();
        for _ in 0..2 {
            let mut c = UnixStream::connect(proxy.socket()).unwrap();
            c.write_all(b"ping").unwrap();
            c.shutdown(std::net::Shutdown::Write).unwrap();
            let mut answer = String::new();
            c.read_to_string(&mut answer).unwrap();
            assert_eq!(answer, "pong:ping");
        }
        let socket = proxy.socket();
        drop(proxy);
        assert!(!socket.exists());
    }
}
