//! The stand-in's control interface over HTTP, for what runs it in another process
//! (`screenpop sandbox`, a trainer's script): sign the agent in, place a call and move it along,
//! expire the tokens, drop the sockets. The same moves as [`super::GenesysStandIn`]'s methods.
//!
//! - `POST /_sandbox/sign-in` → `{"access_token", "expires_in"}`
//! - `POST /_sandbox/calls` `{"attributes": {…}, "state": "connected"}` → `{"id", "state"}`
//!   (the call rings first; `state` is optional)
//! - `POST /_sandbox/calls/{id}` `{"state": "disconnected"}` → `{"id", "state"}`
//! - `DELETE /_sandbox/tokens`, `DELETE /_sandbox/sockets` → 204
//!
//! Bodies must be JSON (`Content-Type: application/json`), so a web page cannot drive it with a
//! plain form.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::Shared;

/// The states a participant of a call can be moved to, as Genesys names them.
const STATES: &[&str] = &[
    "alerting",
    "dialing",
    "contacting",
    "offering",
    "connected",
    "disconnected",
    "terminated",
];

/// The control routes, to be merged into the stand-in's router.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sandbox/sign-in", post(sign_in))
        .route("/_sandbox/calls", post(place))
        .route("/_sandbox/calls/{id}", post(moved))
        .route("/_sandbox/tokens", delete(expire))
        .route("/_sandbox/sockets", delete(drop_sockets))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCall {
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    state: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    state: String,
}

fn refused(status: StatusCode, message: String) -> Response {
    (
        status,
        Json(json!({"message": message, "status": status.as_u16()})),
    )
        .into_response()
}

/// The refusal of `state`, if it is not a participant state.
fn unknown_state(state: &str) -> Option<Response> {
    if STATES.contains(&state) {
        None
    } else {
        Some(refused(
            StatusCode::BAD_REQUEST,
            format!(
                "\"{state}\" is not a participant state; use one of {}.",
                STATES.join(", ")
            ),
        ))
    }
}

async fn sign_in(State(shared): State<Arc<Shared>>) -> Response {
    let (token, lifetime) = shared.issue_token();
    Json(json!({"access_token": token, "expires_in": lifetime.as_secs()})).into_response()
}

async fn place(State(shared): State<Arc<Shared>>, Json(call): Json<NewCall>) -> Response {
    if let Some(refusal) = call.state.as_deref().and_then(unknown_state) {
        return refusal;
    }
    let id = shared.place_call(call.attributes);
    let state = match call.state {
        Some(state) => {
            shared.set_agent_state(&id, &state);
            state
        }
        None => "alerting".to_owned(),
    };
    (StatusCode::CREATED, Json(json!({"id": id, "state": state}))).into_response()
}

async fn moved(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(to): Json<Move>,
) -> Response {
    if let Some(refusal) = unknown_state(&to.state) {
        return refusal;
    }
    if shared.set_agent_state(&id, &to.state) {
        Json(json!({"id": id, "state": to.state})).into_response()
    } else {
        refused(StatusCode::NOT_FOUND, format!("No call \"{id}\"."))
    }
}

async fn expire(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.expire_tokens();
    StatusCode::NO_CONTENT
}

async fn drop_sockets(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.drop_sockets();
    StatusCode::NO_CONTENT
}
