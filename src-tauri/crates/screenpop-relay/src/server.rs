//! The relay's HTTP side: the three inputs, each authenticated before anything is read, each
//! answered within the platforms' time limits; a health endpoint; a graceful stop.
//!
//! - `POST /v1/twilio/taskrouter`: TaskRouter's form, `X-Twilio-Signature` (403 when wrong);
//!   answered 204 with a JSON content type, as Twilio asks.
//! - `POST /v1/aws/connect`: an EventBridge API destination's JSON, an API key header (401).
//! - `POST /v1/pop`: the signed generic webhook (401 when unsigned, wrong or stale).
//! - `GET /healthz`: 200 while NATS is connected, 503 otherwise.
//!
//! A pop is answered 2xx only once JetStream has kept it; a failed delivery answers 503 so the
//! platform sends it again. Bodies over [`MAX_BODY`] get 413, another content type 415.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::config::Config;
use crate::dedup::Recent;
use crate::deliver::{now_ms, Delivery};
use crate::event::Outcome;
use crate::keyless::Keyless;
use crate::{connect, generic, log, twilio, Error, Result};

/// The largest body read (TaskRouter's events are a few KiB; attributes are capped at 16 KiB).
pub const MAX_BODY: usize = 64 * 1024;

/// A running relay's state.
pub struct Relay {
    config: Config,
    delivery: Delivery,
    recent: Recent,
    keyless: Option<Arc<Keyless>>,
}

impl Relay {
    /// A relay delivering through `delivery`; in keyless mode (`[polyai]`) it also answers the
    /// seats' lookups on the same connection, for as long as that lasts.
    pub fn new(config: Config, delivery: Delivery) -> Result<Self> {
        let keyless = config
            .polyai
            .as_ref()
            .map(Keyless::new)
            .transpose()?
            .map(Arc::new);
        if let Some(k) = keyless.clone() {
            let (client, tenant) = (delivery.client().clone(), config.tenant.clone());
            tokio::spawn(async move {
                if let Err(e) = k.answer_lookups(&client, &tenant).await {
                    log::line("error", "lookups stopped", json!({"why": e.to_string()}));
                }
            });
        }
        Ok(Self {
            config,
            delivery,
            recent: Recent::default(),
            keyless,
        })
    }
}

/// The relay's routes (only the inputs configured answer; the others are 404).
pub fn router(relay: Arc<Relay>) -> Router {
    let mut app = Router::new().route("/healthz", get(health));
    if relay.config.twilio.is_some() {
        app = app.route("/v1/twilio/taskrouter", post(twilio_event));
    }
    if relay.config.connect.is_some() {
        app = app.route("/v1/aws/connect", post(connect_event));
    }
    if relay.config.generic.is_some() {
        app = app.route("/v1/pop", post(generic_event));
    }
    app.fallback(|| async { refuse(StatusCode::NOT_FOUND, "No such endpoint.") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(relay)
}

/// Connects to NATS, listens on `config.listen`, and serves until SIGTERM or Ctrl+C.
pub async fn serve(config: Config) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Error::Config(format!("listen: cannot listen on {}: {e}.", config.listen)))?;
    serve_on(listener, config).await
}

/// [`serve`] on a listener already bound (a test's, on a free port).
pub async fn serve_on(listener: tokio::net::TcpListener, config: Config) -> Result<()> {
    let delivery = Delivery::connect(&config).await?;
    let at = listener
        .local_addr()
        .map_or_else(|_| config.listen.to_string(), |a| a.to_string());
    log::line(
        "info",
        "listening",
        json!({"listen": at, "tenant": config.tenant,
            "inputs": inputs(&config), "nats": config.nats.servers}),
    );
    let relay = Arc::new(Relay::new(config, delivery.clone())?);
    axum::serve(listener, router(relay))
        .with_graceful_shutdown(stopped())
        .await
        .map_err(|e| Error::Io(format!("The HTTP server stopped: {e}.")))?;
    delivery.flush().await;
    log::line("info", "stopped", json!({}));
    Ok(())
}

fn inputs(config: &Config) -> Vec<&'static str> {
    let mut on = Vec::new();
    if config.twilio.is_some() {
        on.push("twilio");
    }
    if config.connect.is_some() {
        on.push("connect");
    }
    if config.generic.is_some() {
        on.push("generic");
    }
    on
}

/// Resolves on SIGTERM (systemd's stop) or Ctrl+C.
async fn stopped() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

fn content_type_is(headers: &HeaderMap, wanted: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

async fn health(State(relay): State<Arc<Relay>>) -> Response {
    if relay.delivery.connected() {
        Json(json!({"status": "ok", "nats": "connected"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "nats": "disconnected"})),
        )
            .into_response()
    }
}

/// Delivers what an event means; answers a word for the log and the reply, or the refusal.
async fn deliver(
    relay: &Relay,
    platform: &str,
    outcome: Outcome,
) -> std::result::Result<&'static str, Response> {
    match outcome {
        Outcome::Pop(pop) => {
            let key = format!("{platform}:{}", pop.event_id);
            if !relay.recent.claim(&key) {
                log::line(
                    "info",
                    "duplicate",
                    json!({"platform": platform, "event_id": pop.event_id}),
                );
                return Ok("duplicate");
            }
            let state = match &relay.keyless {
                Some(k) => k.state_of(&pop).await,
                None => None,
            };
            match relay.delivery.publish_with(&pop, state).await {
                Ok(()) => {
                    log::line(
                        "info",
                        "popped",
                        json!({"platform": platform, "event_id": pop.event_id, "seat": pop.seat,
                            "call_id": pop.call_id}),
                    );
                    Ok("popped")
                }
                Err(e) => {
                    relay.recent.release(&key);
                    log::line(
                        "error",
                        "not delivered",
                        json!({"platform": platform, "event_id": pop.event_id, "seat": pop.seat,
                            "why": e.to_string()}),
                    );
                    Err(refuse(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The pop could not be delivered; send it again.",
                    ))
                }
            }
        }
        Outcome::Ignored(_) => Ok("ignored"),
        Outcome::Unmapped(why) => {
            log::line("warn", "no seat", json!({"platform": platform, "why": why}));
            Ok("unmapped")
        }
        Outcome::NoIds(why) => {
            log::line(
                "warn",
                "no PolyAI id",
                json!({"platform": platform, "why": why}),
            );
            Ok("no_ids")
        }
        Outcome::Malformed(why) => {
            log::line(
                "warn",
                "malformed",
                json!({"platform": platform, "why": why}),
            );
            Err(refuse(
                StatusCode::BAD_REQUEST,
                &format!("Not an event this endpoint reads: {why}."),
            ))
        }
    }
}

async fn twilio_event(
    State(relay): State<Arc<Relay>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Some(config), Some(public)) = (
        relay.config.twilio.as_ref(),
        relay.config.public_url.as_ref(),
    ) else {
        return refuse(StatusCode::NOT_FOUND, "No such endpoint.");
    };
    if !content_type_is(&headers, "application/x-www-form-urlencoded") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "TaskRouter events are form-encoded.",
        );
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let url = format!(
        "{}{}",
        public.as_str().trim_end_matches('/'),
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !twilio::valid(config.auth_token.expose(), &url, &params, given) {
        log::line("warn", "bad signature", json!({"platform": "twilio"}));
        return refuse(
            StatusCode::FORBIDDEN,
            "The X-Twilio-Signature does not match this request.",
        );
    }
    match deliver(&relay, "twilio", twilio::read(&params, config)).await {
        // Twilio asks for 204 with a JSON content type.
        Ok(_) => (
            StatusCode::NO_CONTENT,
            [(header::CONTENT_TYPE, "application/json")],
        )
            .into_response(),
        Err(refusal) => refusal,
    }
}

async fn connect_event(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(config) = relay.config.connect.as_ref() else {
        return refuse(StatusCode::NOT_FOUND, "No such endpoint.");
    };
    let key = headers
        .get(config.api_key_header.as_str())
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !config.api_key.matches(key) {
        log::line("warn", "bad API key", json!({"platform": "connect"}));
        return refuse(StatusCode::UNAUTHORIZED, "Missing or wrong API key.");
    }
    if !content_type_is(&headers, "application/json") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "EventBridge events are JSON.",
        );
    }
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "The body is not JSON.");
    };
    match deliver(&relay, "connect", connect::read(&event, config)).await {
        Ok(said) => Json(json!({"outcome": said})).into_response(),
        Err(refusal) => refusal,
    }
}

async fn generic_event(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(config) = relay.config.generic.as_ref() else {
        return refuse(StatusCode::NOT_FOUND, "No such endpoint.");
    };
    let signature = headers.get(generic::HEADER).and_then(|v| v.to_str().ok());
    if let Err(why) = generic::verify(config.secret.expose(), signature, &body, now_ms() / 1000) {
        log::line(
            "warn",
            "bad signature",
            json!({"platform": "generic", "why": format!("{why:?}")}),
        );
        let message = match why {
            generic::Refusal::Missing => "Sign the body: Screenpop-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\">.",
            generic::Refusal::Stale => "The signature is more than five minutes old (or ahead): check the sender's clock.",
            generic::Refusal::Wrong => "The signature does not match the body.",
        };
        return refuse(StatusCode::UNAUTHORIZED, message);
    }
    if !content_type_is(&headers, "application/json") {
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Send JSON.");
    }
    let body: generic::Body = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("Not a pop: {e}.")),
    };
    match deliver(&relay, "generic", generic::read(body)).await {
        Ok(said) => (StatusCode::ACCEPTED, Json(json!({"outcome": said}))).into_response(),
        Err(refusal) => refusal,
    }
}
