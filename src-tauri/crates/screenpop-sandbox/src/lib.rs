//! A local stand-in for PolyAI's Handoff API.
//!
//! It serves `GET /v1/{account_id}/{project_id}/handoff_state` on 127.0.0.1 the way the real
//! endpoint behaves (`x-api-key` check, 400 without an id, `shared_id` precedence, 404 with an
//! `error_message` for unknown ids, `X-PolyAI-Correlation-Id` on every answer), with a built-in
//! set of realistic states plus any from a fixtures directory, and it injects faults on demand
//! (latency, 5xx, 429, pending-then-ready, hang, malformed or oversized bodies, a redirect to
//! another origin). Tests, the demo and integrators all use it. Beside it, [`genesys`] stands in
//! for Genesys Cloud: its sign-in, its API and its notification socket; [`nats`] starts a real NATS
//! server for the relay; [`session`] opens a private login session, as a shared host gives each
//! agent.
#![deny(missing_docs)]

mod fault;
pub mod genesys;
pub mod nats;
mod server;
pub mod session;
mod states;
pub mod tls;

pub use fault::{Fault, FaultPlan};
pub use server::{RecordedRequest, Sandbox, SandboxConfig};
pub use states::{builtin_states, load_fixtures, StoredState};

/// Binds 127.0.0.1:`port` (0: a free one) and answers the listener and its address.
pub(crate) async fn bind(
    port: u16,
) -> Result<(tokio::net::TcpListener, std::net::SocketAddr), SandboxError> {
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| SandboxError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SandboxError::Bind { port, source })?;
    Ok((listener, addr))
}

/// What can go wrong starting the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The port could not be bound.
    #[error("Cannot listen on 127.0.0.1:{port}: {source}. Choose another port with --port.")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A fixture file is unreadable or not a handoff state.
    #[error("Fixture {path}: {why}")]
    Fixture {
        /// The file.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// A fault description could not be parsed.
    #[error("{0}")]
    BadFault(String),
    /// The TLS terminator could not be set up.
    #[error("TLS for the sandbox: {0}")]
    Tls(String),
    /// The NATS server could not be started.
    #[error("NATS server: {0}")]
    Nats(String),
    /// A private login session (display, bus, keyring) could not be started.
    #[error("A login session: {0}")]
    Session(String),
}
