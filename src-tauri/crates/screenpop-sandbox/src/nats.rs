//! A real NATS server (Debian's `nats-server`) for the relay's tests, the benchmark and a trial
//! run: started on loopback ports of its own (never the packaged service's 4222), with the
//! configuration asked for (an `authorization` block, JetStream, WebSocket, a cluster route),
//! restarted on the same ports when a test wants a server that went away, and stopped when
//! dropped.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::SandboxError;

/// Where Debian installs the server; `SCREENPOP_NATS_SERVER` names another.
const DEFAULT_BINARY: &str = "/usr/sbin/nats-server";

/// How long a start may take before it is called failed.
const START_WITHIN: Duration = Duration::from_secs(10);

/// What the server is started with.
#[derive(Debug, Clone, Default)]
pub struct NatsOptions {
    /// An `authorization { … }` block, as `screenpop-relay seats` writes it; none lets anyone in.
    pub authorization: Option<String>,
    /// JetStream on (what keeps a pop for a seat that reconnects within a minute).
    pub jetstream: bool,
    /// A WebSocket listener too (plain `ws://`, loopback only).
    pub websocket: bool,
    /// Join a cluster: this node's name and the other nodes' cluster ports (see
    /// [`NatsServer::cluster`], which sets it).
    pub cluster: Option<(String, Vec<u16>)>,
}

/// A running `nats-server`.
pub struct NatsServer {
    child: Option<Child>,
    options: NatsOptions,
    /// Its client, WebSocket and cluster ports.
    ports: (u16, u16, u16),
    dir: tempfile::TempDir,
}

fn free_port() -> Result<u16, SandboxError> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|source| SandboxError::Bind { port: 0, source })?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|source| SandboxError::Bind { port: 0, source })
}

fn binary() -> PathBuf {
    std::env::var_os("SCREENPOP_NATS_SERVER").map_or_else(|| DEFAULT_BINARY.into(), PathBuf::from)
}

impl NatsServer {
    /// Starts a server on free loopback ports and waits until it takes connections.
    pub fn start(options: NatsOptions) -> Result<Self, SandboxError> {
        let dir = tempfile::tempdir().map_err(|e| SandboxError::Nats(e.to_string()))?;
        let ports = (free_port()?, free_port()?, free_port()?);
        let mut server = Self {
            child: None,
            options,
            ports,
            dir,
        };
        server.write_config()?;
        server.run()?;
        Ok(server)
    }

    /// `size` nodes clustered on loopback (JetStream among them when `options` asks), each
    /// routed to every other: node `n` is named `node-n`.
    pub fn cluster(size: usize, options: &NatsOptions) -> Result<Vec<Self>, SandboxError> {
        let mut nodes = Vec::new();
        for _ in 0..size {
            let dir = tempfile::tempdir().map_err(|e| SandboxError::Nats(e.to_string()))?;
            nodes.push(Self {
                child: None,
                options: options.clone(),
                ports: (free_port()?, free_port()?, free_port()?),
                dir,
            });
        }
        let routes: Vec<u16> = nodes.iter().map(|n| n.ports.2).collect();
        for (i, node) in nodes.iter_mut().enumerate() {
            let others = routes
                .iter()
                .copied()
                .filter(|p| *p != node.ports.2)
                .collect();
            node.options.cluster = Some((format!("node-{i}"), others));
            node.write_config()?;
        }
        for node in &mut nodes {
            node.run()?;
        }
        Ok(nodes)
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.ports.0)
    }

    /// `ws://127.0.0.1:PORT` (when started with WebSocket).
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.ports.1)
    }

    /// The port other nodes route to, to cluster with this one.
    pub fn cluster_port(&self) -> u16 {
        self.ports.2
    }

    /// Its configuration file.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("nats.conf")
    }

    /// Stops it (clients see the connection drop) and starts it again on the same ports.
    pub fn restart(&mut self) -> Result<(), SandboxError> {
        self.stop();
        self.run()
    }

    /// Stops it; [`NatsServer::restart`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn write_config(&self) -> Result<(), SandboxError> {
        let (client, ws, cluster) = self.ports;
        let mut conf = format!("host: 127.0.0.1\nport: {client}\n");
        if let Some(auth) = &self.options.authorization {
            conf.push_str(auth);
            conf.push('\n');
        }
        if self.options.jetstream {
            conf.push_str(&format!(
                "jetstream {{ store_dir: {:?} }}\n",
                self.dir.path().join("js")
            ));
        }
        if self.options.websocket {
            conf.push_str(&format!(
                "websocket {{ host: 127.0.0.1, port: {ws}, no_tls: true }}\n"
            ));
        }
        if let Some((name, routes)) = &self.options.cluster {
            let routes: Vec<String> = routes
                .iter()
                .map(|p| format!("\"nats-route://127.0.0.1:{p}\""))
                .collect();
            conf.push_str(&format!(
                "server_name: {name:?}\ncluster {{ name: \"screenpop\", host: 127.0.0.1, port: {cluster}, routes: [{}] }}\n",
                routes.join(", ")
            ));
        }
        std::fs::write(self.config_path(), conf).map_err(|e| SandboxError::Nats(e.to_string()))
    }

    fn run(&mut self) -> Result<(), SandboxError> {
        let log = std::fs::File::create(self.dir.path().join("nats.log"))
            .map_err(|e| SandboxError::Nats(e.to_string()))?;
        let child = Command::new(binary())
            .arg("-c")
            .arg(self.config_path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| {
                SandboxError::Nats(format!(
                    "cannot start {} ({e}): install Debian's nats-server",
                    binary().display()
                ))
            })?;
        self.child = Some(child);
        let until = Instant::now() + START_WITHIN;
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.ports.0)).is_err() {
            if Instant::now() > until {
                return Err(SandboxError::Nats(format!(
                    "nats-server did not listen within {} s: {}",
                    START_WITHIN.as_secs(),
                    self.log()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nats.log")).unwrap_or_default()
    }

    /// Its working directory (configuration, JetStream store, log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}
