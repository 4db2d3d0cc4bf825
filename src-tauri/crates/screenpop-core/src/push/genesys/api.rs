//! The few Genesys Cloud REST calls a push source makes, each bounded in time, with the agent's
//! token: who the agent is, their notification channel (kept alive, never churned), its one
//! subscription, and their active calls (the catch-up after a reconnect).

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::{redirect, Method, RequestBuilder, StatusCode};
use serde::Deserialize;
use url::Url;

use screenpop_api::ApiKey;

use super::events::Call;

/// Time allowed to open a connection to the API.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call to the API did not answer what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: the token expired or was revoked; the agent must sign in again.
    SignIn,
    /// 429: asked to wait this long.
    RateLimited(Duration),
    /// 404: the thing asked for (a channel) is gone.
    Gone,
    /// Anything else: unreachable, a timeout, a 5xx, an answer that does not read.
    Failed(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn => f.write_str("Genesys Cloud no longer accepts the sign-in"),
            Self::RateLimited(d) => write!(f, "Genesys Cloud asked to wait {} s", d.as_secs()),
            Self::Gone => f.write_str("the notification channel is gone"),
            Self::Failed(why) => f.write_str(why),
        }
    }
}

/// The signed-in agent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Me {
    /// Their Genesys user id: the subscription's topic, and how their participants are found.
    pub id: String,
    /// Their name, for status.
    #[serde(default)]
    pub name: String,
}

/// A notification channel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// Its id.
    pub id: String,
    /// The WebSocket address to open (never built by hand).
    pub connect_uri: String,
}

#[derive(Deserialize)]
struct Calls {
    #[serde(default)]
    entities: Vec<Call>,
}

/// The API of one org, with one agent's token.
#[derive(Debug, Clone)]
pub struct GenesysApi {
    http: reqwest::Client,
    base: Url,
    token: ApiKey,
}

impl GenesysApi {
    /// The API at `base`, called with `token`. Plain `http` only when `base` is this machine.
    pub fn new(base: &Url, token: ApiKey, loopback: bool) -> Result<Self, ApiError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(screenpop_api::client::USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // The bearer token must never follow a redirect anywhere.
            .redirect(redirect::Policy::none())
            .https_only(!loopback)
            .build()
            .map_err(|e| ApiError::Failed(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.clone(),
            token,
        })
    }

    /// `GET /api/v2/users/me`.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let response = self
            .send(self.request(Method::GET, "api/v2/users/me")?)
            .await?;
        read(response).await
    }

    /// `HEAD /api/v2/notifications/channels/{id}`: whether the channel still lives.
    pub async fn channel_alive(&self, id: &str) -> Result<bool, ApiError> {
        let path = format!("api/v2/notifications/channels/{}", segment(id));
        match self.send(self.request(Method::HEAD, &path)?).await {
            Ok(_) => Ok(true),
            Err(ApiError::Gone) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `POST /api/v2/notifications/channels`: a new channel.
    pub async fn new_channel(&self) -> Result<Channel, ApiError> {
        let response = self
            .send(self.request(Method::POST, "api/v2/notifications/channels")?)
            .await?;
        read(response).await
    }

    /// `PUT /api/v2/notifications/channels/{id}/subscriptions`: exactly `me`'s calls.
    pub async fn subscribe(&self, channel: &str, me: &str) -> Result<(), ApiError> {
        let path = format!(
            "api/v2/notifications/channels/{}/subscriptions",
            segment(channel)
        );
        let topics = serde_json::json!([{ "id": format!("v2.users.{me}.conversations.calls") }]);
        self.send(self.request(Method::PUT, &path)?.json(&topics))
            .await
            .map(|_| ())
    }

    /// `GET /api/v2/conversations/calls`: the agent's active calls.
    pub async fn active_calls(&self) -> Result<Vec<Call>, ApiError> {
        let response = self
            .send(self.request(Method::GET, "api/v2/conversations/calls")?)
            .await?;
        Ok(read::<Calls>(response).await?.entities)
    }

    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder, ApiError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| ApiError::Failed(format!("bad API address: {e}")))?;
        Ok(self.http.request(method, url).header(
            AUTHORIZATION,
            format!("Bearer {}", self.token.expose_secret()),
        ))
    }

    async fn send(&self, request: RequestBuilder) -> Result<reqwest::Response, ApiError> {
        let response = request.send().await.map_err(|e| {
            ApiError::Failed(if e.is_timeout() {
                "Genesys Cloud did not answer in time".to_owned()
            } else {
                format!(
                    "could not reach Genesys Cloud at {}",
                    self.base.host_str().unwrap_or_default()
                )
            })
        })?;
        match response.status() {
            s if s.is_success() => Ok(response),
            StatusCode::UNAUTHORIZED => Err(ApiError::SignIn),
            StatusCode::NOT_FOUND => Err(ApiError::Gone),
            StatusCode::TOO_MANY_REQUESTS => {
                let wait = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(60);
                Err(ApiError::RateLimited(Duration::from_secs(
                    wait.clamp(1, 600),
                )))
            }
            s => Err(ApiError::Failed(format!("Genesys Cloud answered HTTP {s}"))),
        }
    }
}

async fn read<T: for<'de> Deserialize<'de>>(response: reqwest::Response) -> Result<T, ApiError> {
    response.json().await.map_err(|_| {
        ApiError::Failed("Genesys Cloud sent an answer screenpop cannot read".to_owned())
    })
}

/// An id as one path segment.
fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}
