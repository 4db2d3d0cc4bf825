//! The local trigger, for CTI systems and softphones that can only call a URL: an HTTP listener
//! on 127.0.0.1 that turns an authenticated request into a [`Transfer`].
//!
//! `POST /v1/pop` with `Authorization: Bearer TOKEN` and a JSON body
//! `{"id" | "shared_id", "profile"?}`, or `GET /v1/pop?id=…&token=…` for systems that can only
//! open a URL. Requests are refused without the right token, with a `Host` other than this
//! listener's loopback address (DNS rebinding), with a browser `Origin`, with a body over
//! [`MAX_BODY_BYTES`], or beyond [`MAX_PER_SECOND`]. Every answer is JSON.

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use screenpop_core::transfer::Transfer;

pub mod parse;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 4 * 1024;
/// Requests accepted per second; more are answered 429.
pub const MAX_PER_SECOND: usize = 5;
/// The default port.
pub const DEFAULT_PORT: u16 = 47_655;

/// Why the trigger could not start.
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    /// Another program, or screenpop in another session on this computer, listens there.
    #[error("The local trigger cannot listen on port {port}: it is already in use, by another program or by screenpop in another session on this computer. On a shared host (Citrix, Remote Desktop) set the port to 0, so each session picks a free one and publishes it; otherwise choose another port.")]
    PortTaken {
        /// The port.
        port: u16,
    },
    /// The port is not allowed.
    #[error("The local trigger cannot listen on 127.0.0.1:{port}: {source}. Choose another port in the settings.")]
    Bind {
        /// The port.
        port: u16,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The token is too short to protect anything.
    #[error("The local trigger needs a token of at least 16 characters.")]
    WeakToken,
}

/// What to do with an accepted transfer.
pub type OnPop = Arc<dyn Fn(Transfer) + Send + Sync>;

/// What time it is, for the rate limit: `Instant::now` in the app, a clock a test moves on.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// At most [`MAX_PER_SECOND`] requests in any second.
#[derive(Debug, Default)]
pub struct RateLimit {
    recent: VecDeque<Instant>,
}

impl RateLimit {
    /// Whether a request at `now` is within the limit (it then counts).
    pub fn admit(&mut self, now: Instant) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= MAX_PER_SECOND {
            return false;
        }
        self.recent.push_back(now);
        true
    }
}

struct Shared {
    token: String,
    hosts: [String; 2],
    limit: Mutex<RateLimit>,
    clock: Clock,
    on_pop: OnPop,
}

/// A running trigger; dropping it stops the listener.
pub struct Trigger {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Trigger {
    /// Listens on 127.0.0.1:`port` (0 picks one). Must run inside a Tokio runtime.
    pub async fn start(port: u16, token: String, on_pop: OnPop) -> Result<Self, TriggerError> {
        Self::start_with_clock(port, token, on_pop, Arc::new(Instant::now)).await
    }

    /// [`Trigger::start`] with the rate limit reading time from `clock`.
    pub async fn start_with_clock(
        port: u16,
        token: String,
        on_pop: OnPop,
        clock: Clock,
    ) -> Result<Self, TriggerError> {
        if token.len() < 16 {
            return Err(TriggerError::WeakToken);
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AddrInUse => TriggerError::PortTaken { port },
                _ => TriggerError::Bind { port, source },
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| TriggerError::Bind { port, source })?;
        let shared = Arc::new(Shared {
            token,
            hosts: [
                format!("127.0.0.1:{}", addr.port()),
                format!("localhost:{}", addr.port()),
            ],
            limit: Mutex::default(),
            clock,
            on_pop,
        });
        let app = Router::new()
            .route("/v1/pop", post(pop_post).get(pop_get))
            .fallback(not_found)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Trigger {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn refuse(status: StatusCode, message: &str) -> Response {
    reply(status, json!({ "error": message }))
}

/// Checks shared by both forms, before the token is even looked at; `Some` is the refusal.
fn gate(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !shared.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Some(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "The Host header must be this listener's loopback address.",
        ));
    }
    if headers.contains_key(header::ORIGIN) {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "Requests from web pages are not accepted.",
        ));
    }
    None
}

/// The rate limit, counted only for requests with the right token: a local flood of bad
/// requests is refused cheaply and cannot hold back the CTI system's real pops.
fn over_limit(shared: &Shared) -> Option<Response> {
    let now = (shared.clock)();
    let mut limit = shared.limit.lock().unwrap_or_else(|p| p.into_inner());
    if !limit.admit(now) {
        let mut r = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests; slow down.",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return Some(r);
    }
    None
}

/// Compares without stopping at the first difference, so timing says nothing about the token.
fn same_token(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

fn accept(shared: &Shared, transfer: Result<Transfer, parse::Refusal>) -> Response {
    if let Some(r) = over_limit(shared) {
        return r;
    }
    match transfer {
        Ok(t) => {
            (shared.on_pop)(t);
            reply(StatusCode::ACCEPTED, json!({ "status": "accepted" }))
        }
        Err(why) => refuse(StatusCode::BAD_REQUEST, &why),
    }
}

async fn pop_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    if let Some(r) = gate(&shared, &headers) {
        return r;
    }
    let Ok(body) = body else {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The body must be at most 4 KiB.",
        );
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_token(&shared.token, token.trim()) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Missing or wrong token: send Authorization: Bearer TOKEN (see screenpop's settings).",
        );
    }
    accept(&shared, parse::parse_body(&body))
}

async fn pop_get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(r) = gate(&shared, &headers) {
        return r;
    }
    let q = match parse::parse_query(query.as_deref().unwrap_or_default()) {
        Ok(q) => q,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    if !same_token(&shared.token, q.token.as_deref().unwrap_or_default()) {
        return refuse(StatusCode::UNAUTHORIZED, "Missing or wrong token.");
    }
    accept(&shared, q.transfer)
}

async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "The only endpoint is /v1/pop.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abcdef0123456789", "abcdef0123456789"));
        assert!(!same_token("abcdef0123456789", "abcdef012345678"));
        assert!(!same_token("abcdef0123456789", "abcdef01234567890"));
        assert!(!same_token("abcdef0123456789", ""));
    }
}

#[cfg(test)]
mod rate_tests {
    use super::*;

    #[test]
    fn five_a_second_then_room_again_a_second_later() {
        let mut limit = RateLimit::default();
        let t0 = Instant::now();
        for i in 0..MAX_PER_SECOND {
            assert!(limit.admit(t0 + Duration::from_millis(i as u64)), "{i}");
        }
        assert!(!limit.admit(t0 + Duration::from_millis(999)));
        assert!(
            limit.admit(t0 + Duration::from_millis(1_000)),
            "the first left"
        );
        assert!(
            !limit.admit(t0 + Duration::from_millis(1_000)),
            "only one left"
        );
        assert!(limit.admit(t0 + Duration::from_millis(2_500)));
    }
}
