//! The HTTP server of the sandbox.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::json;
use tokio::task::JoinHandle;

use crate::fault::{Fault, FaultPlan};
use crate::states::{builtin_states, load_fixtures, StoredState};
use crate::SandboxError;

/// How the sandbox starts.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The API key clients must send in `x-api-key`.
    pub key: String,
    /// A directory of `*.json` states to serve besides (or instead of) the built-in ones.
    pub fixtures: Option<PathBuf>,
    /// Whether to serve the built-in states.
    pub builtin: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            key: "sandbox-key".to_owned(),
            fixtures: None,
            builtin: true,
        }
    }
}

/// One request the sandbox received, for tests to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Request path.
    pub path: String,
    /// Raw query string, exactly as sent.
    pub raw_query: Option<String>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The `x-api-key` header, if sent.
    pub api_key: Option<String>,
    /// The `User-Agent` header, if sent.
    pub user_agent: Option<String>,
    /// The `Accept` header, if sent.
    pub accept: Option<String>,
    /// When it arrived (for benchmarks that look at how retries spread over time).
    pub at: Instant,
}

struct Shared {
    key: String,
    states: Mutex<Vec<StoredState>>,
    plan: Mutex<(FaultPlan, Instant)>,
    requests: Mutex<Vec<RecordedRequest>>,
    stray: Mutex<Vec<RecordedRequest>>,
    correlation: AtomicU64,
    connections: Arc<AtomicU64>,
    probes: AtomicU64,
    other_origin: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The sandbox's data stays consistent even if a handler panicked mid-way.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running sandbox. Dropping it stops the servers.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds 127.0.0.1 and starts serving. Must be called inside a Tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let mut states = if config.builtin {
            builtin_states()
        } else {
            Vec::new()
        };
        if let Some(dir) = &config.fixtures {
            states.extend(load_fixtures(dir)?);
        }
        let (listener, addr) = crate::bind(config.port).await?;
        // The "other origin" a redirect points to: another port is another origin.
        let (other, other_addr) = crate::bind(0).await?;
        let shared = Arc::new(Shared {
            key: config.key,
            states: Mutex::new(states),
            plan: Mutex::new((FaultPlan::default(), Instant::now())),
            requests: Mutex::new(Vec::new()),
            stray: Mutex::new(Vec::new()),
            correlation: AtomicU64::new(1),
            connections: Arc::new(AtomicU64::new(0)),
            probes: AtomicU64::new(0),
            other_origin: format!("http://{other_addr}"),
        });
        let api = Router::new()
            .route(
                "/v1/{account_id}/{project_id}/handoff_state",
                get(handoff_state),
            )
            .route("/_sandbox/faults", put(set_faults).delete(clear_faults))
            .route("/_sandbox/states", axum::routing::post(add_state))
            .fallback(not_a_route)
            .with_state(shared.clone());
        let stray = Router::new()
            .fallback(stray_request)
            .with_state(shared.clone());
        let connections = shared.connections.clone();
        let listener = listener.tap_io(move |_| {
            connections.fetch_add(1, Ordering::Relaxed);
        });
        let tasks = vec![
            tokio::spawn(async move {
                let _ = axum::serve(listener, api).await;
            }),
            tokio::spawn(async move {
                let _ = axum::serve(other, stray).await;
            }),
        ];
        Ok(Self {
            addr,
            shared,
            tasks,
        })
    }

    /// `http://127.0.0.1:PORT`, to use as a profile's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key clients must send.
    pub fn key(&self) -> &str {
        &self.shared.key
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.shared.plan) = (plan, Instant::now());
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.set_faults(FaultPlan::default());
    }

    /// Serves one more state (it wins over an earlier one with the same ids).
    pub fn add_state(&self, state: StoredState) {
        lock(&self.shared.states).insert(0, state);
    }

    /// Every request received on the API origin so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Every request received on the other origin that redirects point to.
    pub fn stray_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.stray).clone()
    }

    /// How many TCP connections the API origin has accepted: a client that keeps its connection
    /// alive opens one for many lookups.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// How many `HEAD /` requests arrived: the probes a client sends to keep its connection warm
    /// between pops (they carry no key and no id, so they are not recorded as requests).
    pub fn probes(&self) -> u64 {
        self.shared.probes.load(Ordering::Relaxed)
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
        lock(&self.shared.stray).clear();
    }

    /// The states served, in lookup order.
    pub fn states(&self) -> Vec<StoredState> {
        lock(&self.shared.states).clone()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Abort rather than shut down gracefully: a "hang" fault holds connections forever.
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn record(headers: &HeaderMap, path: &str, raw_query: Option<String>) -> RecordedRequest {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let query = raw_query
        .as_deref()
        .map(form_urlencoded_pairs)
        .unwrap_or_default();
    RecordedRequest {
        path: path.to_owned(),
        raw_query,
        query,
        api_key: header("x-api-key"),
        user_agent: header("user-agent"),
        accept: header("accept"),
        at: Instant::now(),
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space), as PolyAI's server does.
fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

struct Reply(Arc<Shared>);

impl Reply {
    fn json(&self, status: StatusCode, body: serde_json::Value) -> Response {
        let mut r = (status, Json(body)).into_response();
        self.stamp(&mut r);
        r
    }

    fn error(&self, status: StatusCode, message: &str) -> Response {
        self.json(status, json!({ "error_message": message }))
    }

    fn raw(&self, status: StatusCode, content_type: &'static str, body: Body) -> Response {
        let mut r = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
        self.stamp(&mut r);
        r
    }

    /// Every answer carries a correlation id, as PolyAI's do.
    fn stamp(&self, r: &mut Response) {
        let n = self.0.correlation.fetch_add(1, Ordering::Relaxed);
        if let Ok(v) = HeaderValue::from_str(&format!("sandbox-{n:06}")) {
            r.headers_mut().insert("x-polyai-correlation-id", v);
        }
    }
}

/// Takes the fault for this request, counting it down.
fn take_fault(shared: &Shared) -> (FaultPlan, Option<Fault>, Instant) {
    let mut guard = lock(&shared.plan);
    let (plan, since) = &mut *guard;
    let fault = match (plan.fault, plan.times) {
        (Some(_), Some(0)) => None,
        (Some(f), Some(n)) => {
            plan.times = Some(n - 1);
            Some(f)
        }
        (f, None) => f,
        (None, _) => None,
    };
    (*plan, fault, *since)
}

async fn handoff_state(
    State(shared): State<Arc<Shared>>,
    Path((account, project)): Path<(String, String)>,
    RawQuery(raw_query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let request = record(
        &headers,
        &format!("/v1/{account}/{project}/handoff_state"),
        raw_query,
    );
    lock(&shared.requests).push(request.clone());
    let reply = Reply(shared.clone());
    let (plan, fault, since) = take_fault(&shared);
    if plan.latency_ms > 0 {
        tokio::time::sleep(plan.latency()).await;
    }
    match fault {
        Some(Fault::Status { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return reply.error(status, "Injected failure from the screenpop sandbox");
        }
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut r = reply.error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return r;
        }
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return reply.error(StatusCode::GATEWAY_TIMEOUT, "hung");
        }
        Some(Fault::Reset) => {
            let stream = futures_util::stream::iter([
                Ok(Bytes::from_static(b"{\"id\": \"")),
                Err(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
            ]);
            return reply.raw(
                StatusCode::OK,
                "application/json",
                Body::from_stream(stream),
            );
        }
        Some(Fault::Malformed) => {
            return reply.raw(
                StatusCode::OK,
                "application/json",
                Body::from("{\"id\": \"x\", \"data\": {\"unterminated"),
            );
        }
        Some(Fault::WrongContentType) => {
            return reply.raw(
                StatusCode::OK,
                "text/html",
                Body::from("<html><body>Sign in to continue</body></html>"),
            );
        }
        Some(Fault::Oversized) => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let stream = futures_util::stream::iter(
                (0..32).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
            );
            return reply.raw(
                StatusCode::OK,
                "application/json",
                Body::from_stream(stream),
            );
        }
        Some(Fault::Redirect) => {
            let query = request
                .raw_query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            let location = format!("{}{}{}", shared.other_origin, request.path, query);
            let mut r = reply.error(StatusCode::FOUND, "Moved");
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        }
        Some(Fault::PendingFor { .. }) | None => {}
    }
    if request.api_key.as_deref() != Some(shared.key.as_str()) {
        let message = if request.api_key.is_none() {
            "Missing API key"
        } else {
            "Invalid API key"
        };
        return reply.error(StatusCode::UNAUTHORIZED, message);
    }
    let param = |name: &str| {
        request
            .query
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let (id, shared_id) = (param("id"), param("shared_id"));
    if id.is_none() && shared_id.is_none() {
        return reply.error(
            StatusCode::BAD_REQUEST,
            "Either id or shared_id must be provided",
        );
    }
    if let Some(Fault::PendingFor { ms }) = fault {
        if since.elapsed() < Duration::from_millis(ms) {
            return reply.error(StatusCode::NOT_FOUND, "No handoff state found");
        }
    }
    let found = {
        let states = lock(&shared.states);
        // shared_id takes precedence when both are given, as on PolyAI.
        match &shared_id {
            Some(sid) => states
                .iter()
                .find(|s| s.shared_id.as_deref() == Some(sid.as_str()))
                .cloned(),
            None => states
                .iter()
                .find(|s| s.id.as_deref() == id.as_deref())
                .cloned(),
        }
    };
    match found {
        Some(state) => reply.json(StatusCode::OK, json!(state)),
        None => reply.error(StatusCode::NOT_FOUND, "No handoff state found"),
    }
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    headers.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(shared.key.as_str())
}

async fn set_faults(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(plan): Json<FaultPlan>,
) -> Response {
    let reply = Reply(shared.clone());
    if !authorised(&shared, &headers) {
        return reply.error(StatusCode::UNAUTHORIZED, "Invalid API key");
    }
    *lock(&shared.plan) = (plan, Instant::now());
    reply.json(StatusCode::OK, json!(plan))
}

async fn clear_faults(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let reply = Reply(shared.clone());
    if !authorised(&shared, &headers) {
        return reply.error(StatusCode::UNAUTHORIZED, "Invalid API key");
    }
    *lock(&shared.plan) = (FaultPlan::default(), Instant::now());
    reply.json(StatusCode::OK, json!(FaultPlan::default()))
}

async fn add_state(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(state): Json<StoredState>,
) -> Response {
    let reply = Reply(shared.clone());
    if !authorised(&shared, &headers) {
        return reply.error(StatusCode::UNAUTHORIZED, "Invalid API key");
    }
    if state.id.is_none() && state.shared_id.is_none() {
        return reply.error(
            StatusCode::BAD_REQUEST,
            "A state needs an id or a shared_id",
        );
    }
    lock(&shared.states).insert(0, state.clone());
    reply.json(StatusCode::CREATED, json!(state))
}

async fn not_a_route(
    State(shared): State<Arc<Shared>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    if method == axum::http::Method::HEAD && uri.path() == "/" {
        shared.probes.fetch_add(1, Ordering::Relaxed);
    }
    Reply(shared).error(StatusCode::NOT_FOUND, "Not found")
}

async fn stray_request(
    State(shared): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let request = record(&headers, uri.path(), uri.query().map(str::to_owned));
    lock(&shared.stray).push(request);
    let body =
        json!({"id": "stolen", "data": {"note": "a client followed a cross-origin redirect"}});
    Reply(shared).json(StatusCode::OK, body)
}
