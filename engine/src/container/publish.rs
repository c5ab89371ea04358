//! `plimsoll run -p [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]`: a listener on the host for
//! each published port; every connection it accepts is relayed to the container's
//! loopback by a thread that has joined the container's network namespace.

use super::RunError;
use crate::syscall::Syscall;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::Scope;
use std::time::{Duration, Instant};

/// One `-p` mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Publish {
    pub host: SocketAddr,
    pub container_port: u16,
}

impl FromStr for Publish {
    type Err = String;

    fn from_str(text: &str) -> Result<Publish, String> {
        let usage = || format!("`{text}`: expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]");
        let (spec, protocol) = text.rsplit_once('/').unwrap_or((text, "tcp"));
        if protocol != "tcp" {
            return Err(format!("`{text}`: only tcp ports can be published"));
        }
        // The host address may be IPv6 in brackets: [::1]:8080:80.
        let (ip, ports) = if let Some(rest) = spec.strip_prefix('[') {
            let (ip, ports) = rest.split_once("]:").ok_or_else(usage)?;
            (Some(ip), ports)
        } else {
            match spec.matches(':').count() {
                1 => (None, spec),
                2 => {
                    let (ip, ports) = spec.split_once(':').ok_or_else(usage)?;
                    (Some(ip), ports)
                }
                _ => return Err(usage()),
            }
        };
        let ip: IpAddr = match ip {
            None | Some("") => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(ip) => ip
                .parse()
                .map_err(|_| format!("`{text}`: `{ip}` is not an IP address"))?,
        };
        let (host_port, container_port) = ports.split_once(':').ok_or_else(usage)?;
        let port = |p: &str| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("`{text}`: `{p}` is not a port number (1-65535)"))
        };
        Ok(Publish {
            host: SocketAddr::new(ip, port(host_port)?),
            container_port: port(container_port)?,
        })
    }
}

/// The host listeners, bound before the container starts so that a port in use is an
/// error before anything runs.
pub struct Publisher {
    listeners: Vec<(TcpListener, Publish)>,
    stop: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
}

impl Publisher {
    pub fn bind(publish: &[Publish]) -> Result<Publisher, RunError> {
        let mut listeners = Vec::new();
        for p in publish {
            let listener = TcpListener::bind(p.host).map_err(|e| {
                RunError::Invalid(format!(
                    "cannot publish port {}: {}",
                    p.host,
                    bind_error(&e)
                ))
            })?;
            listener
                .set_nonblocking(true)
                .map_err(|source| RunError::Io {
                    path: format!("port {}", p.host).into(),
                    source,
                })?;
            listeners.push((listener, *p));
        }
        Ok(Publisher {
            listeners,
            stop: Arc::new(AtomicBool::new(false)),
            connections: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Starts accepting: connections go into the network namespace of process `pid`.
    pub fn start<'scope>(
        &'scope self,
        scope: &'scope Scope<'scope, '_>,
        pid: u32,
        syscall: &'scope dyn Syscall,
    ) {
        let host_netns = netns_inode(Path::new("/proc/self/ns/net"));
        for (listener, publish) in &self.listeners {
            scope.spawn(move || {
                while !self.stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let _ = client.set_nonblocking(false);
                            scope.spawn(move || {
                                self.relay(client, pid, publish.container_port, host_netns, syscall)
                            });
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            });
        }
    }

    /// One connection: joins the container's network (waiting for the sandbox to have
    /// its own), connects to its loopback and copies both ways.
    fn relay(
        &self,
        client: TcpStream,
        pid: u32,
        port: u16,
        host_netns: Option<u64>,
        syscall: &dyn Syscall,
    ) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let joined = loop {
            if self.stop.load(Ordering::SeqCst) || Instant::now() > deadline {
                break false;
            }
            // The helper unshares its network just after it starts: until then its
            // namespace is still the host's, which must not be reached instead.
            if syscall.join_network(pid).is_err() {
                break false;
            }
            let mine = netns_inode(Path::new("/proc/thread-self/ns/net"));
            if mine.is_some() && mine != host_netns {
                break true;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        if !joined {
            return;
        }
        let Ok(server) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
            // Nothing listens (yet): the client sees the connection closed.
            return;
        };
        let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
            return;
        };
        if let Ok(mut open) = self.connections.lock() {
            open.extend(client.try_clone().ok());
            open.extend(server.try_clone().ok());
        }
        if self.stop.load(Ordering::SeqCst) {
            return;
        }
        let upstream = std::thread::spawn(move || copy(client2, server2));
        copy(server, client);
        let _ = upstream.join();
    }

    /// Stops accepting and closes the open connections (the container has exited).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Ok(open) = self.connections.lock() {
            for stream in open.iter() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }
}

fn copy(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 1 << 14];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn netns_inode(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.ino())
}

fn bind_error(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::AddrInUse => "the address is already in use".into(),
        ErrorKind::AddrNotAvailable => "no such address on this host".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_publish_specs() {
        let p: Publish = "8080:80".parse().unwrap();
        assert_eq!(p.host, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(p.container_port, 80);
        let p: Publish = "0.0.0.0:9000:90/tcp".parse().unwrap();
        assert_eq!(p.host, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(p.container_port, 90);
        let p: Publish = "[::1]:9000:90".parse().unwrap();
        assert_eq!(p.host, "[::1]:9000".parse().unwrap());
        for bad in [
            "80",
            "8080:80/udp",
            "x:80",
            "1.2.3:80:80",
            "8080:0",
            "a:b:c:d",
            "8080:99999",
        ] {
            assert!(bad.parse::<Publish>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_port_in_use_is_one_clear_error() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let p: Publish = format!("{port}:80").parse().unwrap();
        let Err(e) = Publisher::bind(&[p]) else {
            panic!("bound a port in use")
        };
        assert_eq!(
            e.to_string(),
            format!("cannot publish port 127.0.0.1:{port}: the address is already in use")
        );
    }
}
