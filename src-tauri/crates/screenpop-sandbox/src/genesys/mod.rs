//! A local stand-in for Genesys Cloud, following its published shapes: the PKCE sign-in
//! (`/oauth/authorize` answers at once with a redirect carrying a code; `/oauth/token` checks the
//! verifier, client id and redirect), `/api/v2/users/me`, notification channels (create, `HEAD`,
//! expiry, the cap of 20 per user), their subscriptions, the streaming WebSocket (heartbeats,
//! `ping`/`pong`, `v2.system.socket_closing`), the agent's active calls, and 401 and 429. One agent
//! is signed in; [`GenesysStandIn`]'s methods are the control interface the tests, the benchmark
//! and the demo use to place calls and move them along, expire tokens and drop sockets; the same
//! moves are served over HTTP under `/_sandbox/` for another process (see `control.rs`).

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::SandboxError;

mod control;

/// Channels one user may hold; a new one past this evicts the oldest.
pub const CHANNEL_CAP: usize = 20;

/// How the stand-in starts.
#[derive(Debug, Clone)]
pub struct GenesysConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The OAuth client id the org's admin created.
    pub client_id: String,
    /// How long an access token lives.
    pub token_lifetime: Duration,
    /// How often each socket hears a heartbeat.
    pub heartbeat: Duration,
}

impl Default for GenesysConfig {
    fn default() -> Self {
        Self {
            port: 0,
            client_id: "sandbox-client".to_owned(),
            token_lifetime: Duration::from_secs(86_399),
            heartbeat: Duration::from_secs(30),
        }
    }
}

/// The signed-in agent.
pub const AGENT_ID: &str = "7f3c2a9e-5b1d-4e8f-9a6c-0d2e4b6a8c1f";
/// The agent's name.
pub const AGENT_NAME: &str = "Sam Agent";

/// The running stand-in.
pub struct GenesysStandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    config: GenesysConfig,
    /// The runtime it serves on, so its control methods can be called from outside one.
    runtime: tokio::runtime::Handle,
    addr: SocketAddr,
    world: Mutex<World>,
    next: AtomicU64,
}

#[derive(Default)]
struct World {
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, Instant>,
    channels: Vec<Channel>,
    calls: BTreeMap<String, CallState>,
    requests: Vec<(Instant, String)>,
    rate_limited: Option<u64>,
    heartbeats: bool,
}

struct Grant {
    challenge: String,
    redirect: String,
}

struct Channel {
    id: String,
    topics: Vec<String>,
    socket: Option<mpsc::UnboundedSender<Outgoing>>,
    opened: u64,
}

enum Outgoing {
    Text(String),
    Close,
}

/// A call placed on the stand-in, as its control interface moves it.
#[derive(Debug, Clone)]
struct CallState {
    agent_participant: String,
    agent_state: String,
    consult: bool,
    attributes: BTreeMap<String, String>,
    started: u64,
}

fn lock(m: &Mutex<World>) -> MutexGuard<'_, World> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl GenesysStandIn {
    /// Binds 127.0.0.1 and starts serving. Must be called inside a Tokio runtime.
    pub async fn start(config: GenesysConfig) -> Result<Self, SandboxError> {
        let (listener, addr) = crate::bind(config.port).await?;
        let shared = Arc::new(Shared {
            config,
            runtime: tokio::runtime::Handle::current(),
            addr,
            world: Mutex::new(World {
                heartbeats: true,
                ..World::default()
            }),
            next: AtomicU64::new(1),
        });
        let app = Router::new()
            .route("/oauth/authorize", get(authorize))
            .route("/oauth/token", post(token))
            .route("/api/v2/users/me", get(me))
            .route("/api/v2/notifications/channels", post(new_channel))
            .route(
                "/api/v2/notifications/channels/{id}",
                axum::routing::head(channel_alive),
            )
            .route(
                "/api/v2/notifications/channels/{id}/subscriptions",
                put(subscribe),
            )
            .route("/api/v2/conversations/calls", get(active_calls))
            .route("/channels/{id}", get(stream))
            .merge(control::routes())
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT/`: both the sign-in and the API base URL of the stand-in.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The OAuth client id it accepts.
    pub fn client_id(&self) -> &str {
        &self.shared.config.client_id
    }

    /// Places a call for the agent, alerting, whose customer carries `attributes` (participant
    /// data); answers its conversation id.
    pub fn place_call(&self, attributes: &[(&str, &str)]) -> String {
        self.shared.place_call(
            attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// Moves the agent's participant of `call` to `state` (`connected`, `disconnected`…) and
    /// sends the new snapshot to every subscribed socket.
    pub fn set_agent_state(&self, call: &str, state: &str) {
        self.shared.set_agent_state(call, state);
    }

    /// Sends `call`'s snapshot again, unchanged, as Genesys does on any change (a hold, a mute).
    pub fn resend(&self, call: &str) {
        self.shared.publish(call);
    }

    /// Makes `call` a consult (the agent's participant is the far end of one).
    pub fn make_consult(&self, call: &str) {
        if let Some(c) = lock(&self.shared.world).calls.get_mut(call) {
            c.consult = true;
        }
    }

    /// Changes `call`'s state without telling any socket: what happens while a socket is down.
    pub fn set_agent_state_quietly(&self, call: &str, state: &str) {
        if let Some(c) = lock(&self.shared.world).calls.get_mut(call) {
            c.agent_state = state.to_owned();
        }
    }

    /// Plays the agent's browser for the sign-in at `address` (this stand-in's authorize address,
    /// as screenpop printed it): the agent is signed in at once and the code is brought back to
    /// the loopback listener the address names. Answers the listener's HTTP status.
    pub async fn complete_sign_in(&self, address: &str) -> Result<u16, String> {
        let query = address.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let pairs: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.get(k).cloned().unwrap_or_default();
        let redirect = get("redirect_uri");
        let port: u16 = redirect
            .strip_prefix("http://localhost:")
            .or_else(|| redirect.strip_prefix("http://127.0.0.1:"))
            .and_then(|rest| rest.trim_end_matches('/').parse().ok())
            .ok_or_else(|| format!("not a loopback redirect: {redirect}"))?;
        let code = format!("code-{}", self.shared.next.fetch_add(1, Ordering::Relaxed));
        lock(&self.shared.world).codes.insert(
            code.clone(),
            Grant {
                challenge: get("code_challenge"),
                redirect: redirect.clone(),
            },
        );
        let back = form_urlencoded::Serializer::new(String::new())
            .append_pair("code", &code)
            .append_pair("state", &get("state"))
            .finish();
        let mut stream = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| format!("the sign-in listener: {e}"))?;
        let request =
            format!("GET /?{back} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
        tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
            .await
            .map_err(|e| format!("the sign-in listener: {e}"))?;
        let mut answer = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
            .await
            .map_err(|e| format!("the sign-in listener: {e}"))?;
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("the sign-in listener answered: {answer}"))
    }

    /// Signs the agent in without a browser (the demo, a script): answers a token the API
    /// accepts, and how long it lives.
    pub fn sign_in_agent(&self) -> (String, Duration) {
        self.shared.issue_token()
    }

    /// Expires every token: the next request with one is answered 401.
    pub fn expire_tokens(&self) {
        self.shared.expire_tokens();
    }

    /// Tells every socket its token was revoked, and forgets the tokens.
    pub fn revoke_tokens(&self) {
        let frame = json!({"topicName": "v2.system.token_revoked", "version": "2",
            "eventBody": {"systemTopicType": "token_revoked", "reason": "The token was revoked."}});
        self.shared.broadcast(&frame.to_string());
        self.expire_tokens();
    }

    /// Closes every socket without warning (a network drop).
    pub fn drop_sockets(&self) {
        self.shared.drop_sockets();
    }

    /// Warns every socket that it closes soon (`v2.system.socket_closing`), then closes it after
    /// `after`; the channel and its subscriptions live on, and events go on reaching the old
    /// socket until a new one connects to the channel (which closes the old, as Genesys does).
    pub fn close_sockets_soon(&self, after: Duration) {
        let frame =
            json!({"topicName": "v2.system.socket_closing", "version": "2", "eventBody": {}});
        let sockets: Vec<_> = lock(&self.shared.world)
            .channels
            .iter()
            .filter_map(|c| c.socket.clone())
            .collect();
        for s in sockets {
            let _ = s.send(Outgoing::Text(frame.to_string()));
            self.shared.runtime.spawn(async move {
                tokio::time::sleep(after).await;
                let _ = s.send(Outgoing::Close);
            });
        }
    }

    /// Stops (or restarts) the heartbeats and pongs: a socket that has gone silent.
    pub fn set_heartbeats(&self, on: bool) {
        lock(&self.shared.world).heartbeats = on;
    }

    /// Deletes every channel: the next `HEAD` of one answers 404.
    pub fn delete_channels(&self) {
        let mut world = lock(&self.shared.world);
        for c in &mut world.channels {
            if let Some(s) = c.socket.take() {
                let _ = s.send(Outgoing::Close);
            }
        }
        world.channels.clear();
    }

    /// Answers every API request 429 with `Retry-After: seconds` until called with `None`.
    pub fn set_rate_limit(&self, seconds: Option<u64>) {
        lock(&self.shared.world).rate_limited = seconds;
    }

    /// Sends `frame` as it is to every connected socket (bad input for the tests).
    pub fn send_raw(&self, frame: &str) {
        self.shared.broadcast(frame);
    }

    /// The requests received, as `METHOD /path`, in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.world)
            .requests
            .iter()
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// When each request `what` (`GET /api/v2/users/me`…) arrived, in order.
    pub fn arrivals(&self, what: &str) -> Vec<Instant> {
        lock(&self.shared.world)
            .requests
            .iter()
            .filter(|(_, r)| r == what)
            .map(|(at, _)| *at)
            .collect()
    }

    /// How many channels exist, and how many have a socket open.
    pub fn channels(&self) -> (usize, usize) {
        let world = lock(&self.shared.world);
        let open = world.channels.iter().filter(|c| c.socket.is_some()).count();
        (world.channels.len(), open)
    }

    /// How many sockets have been opened in all.
    pub fn sockets_opened(&self) -> u64 {
        lock(&self.shared.world)
            .channels
            .iter()
            .map(|c| c.opened)
            .sum()
    }
}

impl Shared {
    fn place_call(&self, attributes: BTreeMap<String, String>) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("conv-{n:04}-5d1e-4c2b-9a7f-{n:012}");
        let call = CallState {
            agent_participant: format!("agent-{n}"),
            agent_state: "alerting".to_owned(),
            consult: false,
            attributes,
            started: n,
        };
        lock(&self.world).calls.insert(id.clone(), call);
        self.publish(&id);
        id
    }

    /// Answers whether there is such a call.
    fn set_agent_state(&self, call: &str, state: &str) -> bool {
        let known = match lock(&self.world).calls.get_mut(call) {
            Some(c) => {
                c.agent_state = state.to_owned();
                true
            }
            None => false,
        };
        self.publish(call);
        known
    }

    fn issue_token(&self) -> (String, Duration) {
        let token = format!(
            "token-{}-{}",
            AGENT_ID,
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        let lifetime = self.config.token_lifetime;
        lock(&self.world)
            .tokens
            .insert(token.clone(), Instant::now() + lifetime);
        (token, lifetime)
    }

    fn expire_tokens(&self) {
        lock(&self.world).tokens.clear();
    }

    fn drop_sockets(&self) {
        for c in &mut lock(&self.world).channels {
            if let Some(s) = c.socket.take() {
                let _ = s.send(Outgoing::Close);
            }
        }
    }

    fn publish(&self, call: &str) {
        let snapshot = {
            let world = lock(&self.world);
            world.calls.get(call).map(|c| snapshot(call, c))
        };
        if let Some(body) = snapshot {
            let frame = json!({
                "topicName": format!("v2.users.{AGENT_ID}.conversations.calls"),
                "version": "2",
                "eventBody": body,
                "metadata": {"CorrelationId": format!("corr-{}", self.next.fetch_add(1, Ordering::Relaxed))},
            });
            self.broadcast(&frame.to_string());
        }
    }

    fn broadcast(&self, frame: &str) {
        let topic = format!("v2.users.{AGENT_ID}.conversations.calls");
        for c in &lock(&self.world).channels {
            if let Some(s) = c.socket.as_ref().filter(|_| c.topics.contains(&topic)) {
                let _ = s.send(Outgoing::Text(frame.to_owned()));
            }
        }
    }
}

impl Drop for GenesysStandIn {
    fn drop(&mut self) {
        self.drop_sockets();
        self.task.abort();
    }
}

/// The conversation as Genesys sends it: customer, ACD, and the agent.
fn snapshot(id: &str, c: &CallState) -> Value {
    let mut agent = json!({
        "id": c.agent_participant, "purpose": "agent", "state": c.agent_state,
        "initialState": "alerting", "direction": "inbound",
        "user": {"id": AGENT_ID, "name": AGENT_NAME}, "queue": {"id": "queue-1"},
        "startTime": format!("2026-12-07T09:{:02}:00.000Z", c.started % 60),
        "attributes": {},
    });
    if c.consult {
        agent["consultParticipantId"] = json!("consult-far-end");
    }
    json!({
        "id": id,
        "participants": [
            {"id": format!("cust-{}", c.started), "purpose": "customer", "state": "connected",
             "direction": "inbound", "ani": "tel:+442079460958", "attributes": c.attributes},
            {"id": format!("acd-{}", c.started), "purpose": "acd", "state": "disconnected",
             "queue": {"id": "queue-1"}, "attributes": {}},
            agent,
        ],
        "recordingState": "none",
    })
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    record(&shared, "GET /oauth/authorize");
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let redirect = get("redirect_uri");
    let redirect_ok =
        redirect.starts_with("http://localhost") || redirect.starts_with("http://127.0.0.1");
    if !redirect_ok {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not registered for this client",
        );
    }
    let state = get("state");
    let to = |pairs: &[(&str, &str)]| {
        let mut url = redirect.to_owned();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish(),
        );
        (StatusCode::FOUND, [(header::LOCATION, url)]).into_response()
    };
    if get("client_id") != shared.config.client_id {
        return to(&[
            ("error", "unauthorized_client"),
            ("error_description", "Unknown client"),
            ("state", state),
        ]);
    }
    if get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || get("code_challenge").is_empty()
    {
        return to(&[
            ("error", "invalid_request"),
            ("error_description", "PKCE with S256 is required"),
            ("state", state),
        ]);
    }
    let code = format!("code-{}", shared.next.fetch_add(1, Ordering::Relaxed));
    lock(&shared.world).codes.insert(
        code.clone(),
        Grant {
            challenge: get("code_challenge").to_owned(),
            redirect: redirect.to_owned(),
        },
    );
    to(&[("code", &code), ("state", state)])
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    record(&shared, "POST /oauth/token");
    let mut world = lock(&shared.world);
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if get("grant_type") != "authorization_code" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only authorization_code is supported",
        );
    }
    if get("client_id") != shared.config.client_id {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client", "Unknown client");
    }
    let Some(grant) = world.codes.remove(get("code")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The code is unknown or was used already",
        );
    };
    if grant.redirect != get("redirect_uri") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri does not match",
        );
    }
    if challenge_of(get("code_verifier")) != grant.challenge {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        );
    }
    drop(world);
    let (token, lifetime) = shared.issue_token();
    Json(json!({"access_token": token, "token_type": "bearer",
        "expires_in": lifetime.as_secs()}))
    .into_response()
}

/// base64url(sha256(verifier)), without padding, as RFC 7636 says.
fn challenge_of(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

fn record(shared: &Shared, what: &str) {
    lock(&shared.world)
        .requests
        .push((Instant::now(), what.to_owned()));
}

/// Records the request, and answers the refusal when the rate limit or the token says no.
fn refusal(shared: &Shared, headers: &HeaderMap, what: String) -> Option<Response> {
    record(shared, &what);
    let world = lock(&shared.world);
    if let Some(seconds) = world.rate_limited {
        return Some((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
            Json(json!({"message": format!("Rate limit exceeded the maximum. Retry the request in [{seconds}] seconds"),
                "code": "too.many.requests.retry.after", "status": 429})),
        )
            .into_response());
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match world.tokens.get(token) {
        Some(until) if *until > Instant::now() => None,
        _ => Some((
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Authentication failed", "code": "authentication.required", "status": 401})),
        )
            .into_response()),
    }
}

async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&shared, &headers, "GET /api/v2/users/me".to_owned()) {
        return refused;
    }
    Json(
        json!({"id": AGENT_ID, "name": AGENT_NAME, "email": "sam.agent@example.com",
        "username": "sam.agent@example.com", "selfUri": format!("/api/v2/users/{AGENT_ID}")}),
    )
    .into_response()
}

async fn new_channel(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(
        &shared,
        &headers,
        "POST /api/v2/notifications/channels".to_owned(),
    ) {
        return refused;
    }
    let id = format!(
        "streaming-0-{:016x}",
        shared.next.fetch_add(1, Ordering::Relaxed)
    );
    let mut world = lock(&shared.world);
    if world.channels.len() >= CHANNEL_CAP {
        // The least recently used, unconnected first.
        let evict = world
            .channels
            .iter()
            .position(|c| c.socket.is_none())
            .unwrap_or(0);
        world.channels.remove(evict);
    }
    world.channels.push(Channel {
        id: id.clone(),
        topics: Vec::new(),
        socket: None,
        opened: 0,
    });
    Json(
        json!({"connectUri": format!("ws://{}/channels/{id}", shared.addr), "id": id,
        "expires": "2099-01-01T00:00:00.000Z"}),
    )
    .into_response()
}

async fn channel_alive(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = refusal(
        &shared,
        &headers,
        "HEAD /api/v2/notifications/channels/{id}".to_owned(),
    ) {
        return refused;
    }
    if lock(&shared.world).channels.iter().any(|c| c.id == id) {
        StatusCode::OK.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

async fn subscribe(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(topics): Json<Vec<Value>>,
) -> Response {
    if let Some(refused) = refusal(
        &shared,
        &headers,
        "PUT /api/v2/notifications/channels/{id}/subscriptions".to_owned(),
    ) {
        return refused;
    }
    let mut world = lock(&shared.world);
    let Some(channel) = world.channels.iter_mut().find(|c| c.id == id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "Channel not found", "status": 404})),
        )
            .into_response();
    };
    channel.topics = topics
        .iter()
        .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let entities: Vec<Value> = channel.topics.iter().map(|t| json!({"id": t})).collect();
    Json(json!({"entities": entities})).into_response()
}

async fn active_calls(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(
        &shared,
        &headers,
        "GET /api/v2/conversations/calls".to_owned(),
    ) {
        return refused;
    }
    let world = lock(&shared.world);
    let entities: Vec<Value> = world
        .calls
        .iter()
        .filter(|(_, c)| !matches!(c.agent_state.as_str(), "disconnected" | "terminated"))
        .map(|(id, c)| snapshot(id, c))
        .collect();
    Json(json!({"entities": entities})).into_response()
}

async fn stream(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let (tx, rx) = mpsc::unbounded_channel();
    {
        record(&shared, "GET /channels/{id} (WebSocket)");
        let mut world = lock(&shared.world);
        let Some(channel) = world.channels.iter_mut().find(|c| c.id == id) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        // One connection per channel: a new one replaces the old.
        if let Some(old) = channel.socket.replace(tx.clone()) {
            let _ = old.send(Outgoing::Close);
        }
        channel.opened += 1;
    }
    upgrade.on_upgrade(move |socket| serve_socket(shared, socket, tx, rx))
}

async fn serve_socket(
    shared: Arc<Shared>,
    mut socket: WebSocket,
    tx: mpsc::UnboundedSender<Outgoing>,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
    let mut beat = tokio::time::interval(shared.config.heartbeat);
    beat.tick().await;
    let heartbeat =
        json!({"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}})
            .to_string();
    let pong =
        json!({"topicName": "channel.metadata", "eventBody": {"message": "pong"}}).to_string();
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Text(t)) => {
                    if socket.send(Message::Text(t.into())).await.is_err() { break; }
                }
                Some(Outgoing::Close) | None => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
            },
            _ = beat.tick() => {
                if lock(&shared.world).heartbeats
                    && socket.send(Message::Text(heartbeat.clone().into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    let ping = serde_json::from_str::<Value>(&t).ok()
                        .is_some_and(|v| v.get("message").and_then(Value::as_str) == Some("ping"));
                    if ping && lock(&shared.world).heartbeats
                        && socket.send(Message::Text(pong.clone().into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    // Forget the socket if it is still this one's.
    let mut world = lock(&shared.world);
    for c in &mut world.channels {
        if c.socket.as_ref().is_some_and(|s| s.same_channel(&tx)) {
            c.socket = None;
        }
    }
}
