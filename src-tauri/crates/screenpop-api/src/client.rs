//! The Handoff API client: one long-lived HTTP client per profile, bounded in time, and careful
//! with the key.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::{redirect, Response, StatusCode};
use url::Url;

use crate::mask::CardNumbers;
use crate::retry::{RetryBudget, Retryable, Timeouts};
use crate::state::{error_message, HandoffState};
use crate::{ApiKey, Error, Lookup, Project, Result};

/// Bodies larger than this are refused without being read whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("screenpop/", env!("CARGO_PKG_VERSION"));

const CORRELATION_HEADER: &str = "x-polyai-correlation-id";

/// A client for one project's Handoff API. Cheap to clone; clones share connections, so keep one
/// per profile for the life of the program and the connection to the API stays warm.
#[derive(Debug, Clone)]
pub struct HandoffClient {
    http: reqwest::Client,
    url: Url,
    timeouts: Timeouts,
    cards: CardNumbers,
}

/// How one attempt ended when it did not produce a state.
enum AttemptError {
    /// Try again if the budget allows; `Error` is what the user sees if it does not.
    Retry(Retryable, Error),
    /// Never retried.
    Final(Error),
}

impl HandoffClient {
    /// Builds the client for `project`.
    pub fn new(project: &Project, timeouts: Timeouts) -> Result<Self> {
        timeouts
            .validate()
            .map_err(|why| Error::Config(format!("Invalid timeouts: {why}.")))?;
        // reqwest is built without a default TLS provider; the first client installs ring for
        // the process (later calls find it installed, which is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = project.handoff_url();
        let loopback = project.endpoint.is_loopback();
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(timeouts.connect())
            // reqwest forwards custom headers such as x-api-key on redirects to another host;
            // only same-origin redirects are followed, so the key never leaves its origin.
            .redirect(redirect::Policy::custom(|attempt| {
                let same = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| first.origin() == attempt.url().origin());
                if same && attempt.previous().len() < 5 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .referer(false)
            .https_only(!loopback)
            .tcp_keepalive(Duration::from_secs(30))
            // Agents sit idle between calls; keep the connection long enough that the next pop
            // does not pay for TCP and TLS again.
            .pool_idle_timeout(Duration::from_secs(300));
        if loopback {
            // A corporate proxy must never see (or break) requests to this machine.
            builder = builder.no_proxy();
        }
        if url.scheme() == "http" {
            // Plain HTTP is only allowed to this machine (the sandbox), and redirects never leave
            // the origin: no TLS will happen, so the system's CA certificates (hundreds of
            // files, milliseconds of CPU on every `screenpop lookup`) are not read.
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let http = builder.build().map_err(|e| {
            Error::Config(format!(
                "Cannot set up the HTTP client: {}.",
                root_cause(&e)
            ))
        })?;
        Ok(Self {
            http,
            url,
            timeouts,
            cards: CardNumbers::Masked,
        })
    }

    /// The client with card numbers masked or shown as `cards` says (masked unless told).
    pub fn with_card_numbers(self, cards: CardNumbers) -> Self {
        Self { cards, ..self }
    }

    /// The time limits in force.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// Looks up a handoff state, retrying within the profile's wait window while the state is
    /// not written yet (404) or the API asks to slow down (429), and a bounded number of times
    /// on 5xx, resets and timeouts. 400, 401 and 403 are never retried.
    pub async fn lookup(&self, key: &ApiKey, lookup: &Lookup) -> Result<HandoffState> {
        self.lookup_within(key, lookup, self.timeouts, &|_| {})
            .await
    }

    /// Like [`HandoffClient::lookup`], and tells `on_retry` why each retry happens, so a window
    /// can say "waiting for the voice agent to save the handoff" while it waits.
    pub async fn lookup_observed(
        &self,
        key: &ApiKey,
        lookup: &Lookup,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<HandoffState> {
        self.lookup_within(key, lookup, self.timeouts, on_retry)
            .await
    }

    /// A single-attempt variant for manual checks: no wait window for a missing state.
    pub async fn lookup_once(&self, key: &ApiKey, lookup: &Lookup) -> Result<HandoffState> {
        let timeouts = Timeouts {
            wait_window_ms: 0,
            ..self.timeouts
        };
        self.lookup_within(key, lookup, timeouts, &|_| {}).await
    }

    /// Checks that the key and the ids work by looking up an id that cannot exist: a 404 means
    /// the API accepted the key for this project; anything else is returned as the error it is.
    pub async fn check_connection(&self, key: &ApiKey) -> Result<()> {
        let probe = format!("screenpop-connection-test-{:016x}", fastrand::u64(..));
        match self.lookup_once(key, &Lookup::by_id(&probe)?).await {
            Err(Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
            // Only a misbehaving server answers a state for a random id; the key still worked.
            Ok(_) => Ok(()),
        }
    }

    async fn lookup_within(
        &self,
        key: &ApiKey,
        lookup: &Lookup,
        timeouts: Timeouts,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<HandoffState> {
        let started = Instant::now();
        let deadline = timeouts.deadline();
        let work = async {
            let mut budget = RetryBudget::new(&timeouts);
            loop {
                let remaining = deadline.saturating_sub(started.elapsed());
                let attempt_timeout = timeouts.attempt().min(remaining);
                let failure = match self.attempt(key, lookup, attempt_timeout, started).await {
                    Ok(state) => return Ok(state),
                    Err(AttemptError::Final(e)) => return Err(e),
                    Err(AttemptError::Retry(kind, e)) => (kind, e),
                };
                let (kind, error) = failure;
                match budget.next_delay(kind, started.elapsed(), fastrand::f64()) {
                    Some(delay)
                        if started.elapsed() + delay + Duration::from_millis(50) < deadline =>
                    {
                        on_retry(kind);
                        tokio::time::sleep(delay).await;
                    }
                    _ => return Err(error),
                }
            }
        };
        match tokio::time::timeout(deadline, work).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                after: started.elapsed(),
            }),
        }
    }

    /// Opens (or keeps open) a pooled connection to the API's host with a `HEAD /` that
    /// carries no key and no id, so the next lookup skips the TCP and TLS handshakes.
    pub async fn warm(&self) {
        let mut origin = self.url.clone();
        origin.set_path("/");
        origin.set_query(None);
        let _ = self
            .http
            .head(origin)
            .timeout(self.timeouts.attempt())
            .send()
            .await;
    }

    async fn attempt(
        &self,
        key: &ApiKey,
        lookup: &Lookup,
        timeout: Duration,
        started: Instant,
    ) -> std::result::Result<HandoffState, AttemptError> {
        let mut key_header = HeaderValue::from_str(key.expose_secret()).map_err(|_| {
            AttemptError::Final(Error::BadInput(
                "The stored API key cannot be sent in a header; store it again.".to_owned(),
            ))
        })?;
        // Marks the value as secret for HTTP/2 header compression and for hyper's Debug output.
        key_header.set_sensitive(true);
        let response = self
            .http
            .get(self.url.clone())
            .query(&lookup.query_pairs())
            .header("x-api-key", key_header)
            .header(ACCEPT, "application/json")
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| self.transport_error(e, started))?;
        self.read(response, started).await
    }

    async fn read(
        &self,
        response: Response,
        started: Instant,
    ) -> std::result::Result<HandoffState, AttemptError> {
        let status = response.status();
        let headers = response.headers().clone();
        let correlation_id = correlation_id(&headers);
        let body = read_limited(response).await.map_err(|e| match e {
            BodyError::TooLarge => AttemptError::Final(Error::Malformed {
                detail: format!(
                    "the response is larger than {} MiB",
                    MAX_BODY_BYTES / (1024 * 1024)
                ),
                correlation_id: correlation_id.clone(),
            }),
            BodyError::Transport(e) => self.transport_error(e, started),
        })?;
        let server_message = error_message(&body);
        match status {
            s if s.is_success() => {
                if let Some(kind) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
                    if !is_json(kind) {
                        return Err(AttemptError::Final(Error::Malformed {
                            detail: format!("expected JSON but got \"{}\"", clip(kind, 60)),
                            correlation_id,
                        }));
                    }
                }
                HandoffState::from_body(&body, self.cards).map_err(|why| {
                    AttemptError::Final(Error::Malformed {
                        detail: why.0,
                        correlation_id,
                    })
                })
            }
            s if s.is_redirection() => {
                let target = headers
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| self.url.join(loc).ok())
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_else(|| "an unknown address".to_owned());
                Err(AttemptError::Final(Error::Config(format!(
                    "The API at {} redirected to {target}. screenpop does not follow redirects to another host, so the API key is never sent there; check the profile's region or base URL.",
                    self.url.origin().ascii_serialization()
                ))))
            }
            StatusCode::BAD_REQUEST => Err(AttemptError::Final(Error::BadInput(format!(
                "The PolyAI API refused the request as invalid (HTTP 400){}",
                server_message
                    .map(|m| format!(": \"{m}\"."))
                    .unwrap_or_else(|| ".".to_owned())
            )))),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Err(AttemptError::Final(Error::KeyRejected {
                    status: status.as_u16(),
                    server_message,
                    correlation_id,
                }))
            }
            StatusCode::NOT_FOUND => Err(AttemptError::Retry(
                Retryable::NotFound,
                Error::NotFound {
                    server_message,
                    correlation_id,
                },
            )),
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                Err(AttemptError::Retry(
                    Retryable::RateLimited(retry_after),
                    Error::RateLimited {
                        retry_after,
                        correlation_id,
                    },
                ))
            }
            s if s.is_server_error() => Err(AttemptError::Retry(
                Retryable::Transient,
                Error::Server {
                    status: s.as_u16(),
                    server_message,
                    correlation_id,
                },
            )),
            s => Err(AttemptError::Final(Error::Server {
                status: s.as_u16(),
                server_message,
                correlation_id,
            })),
        }
    }

    /// Classifies a reqwest failure by its predicates (never by parsing strings); the URL is
    /// dropped from the message.
    fn transport_error(&self, e: reqwest::Error, started: Instant) -> AttemptError {
        // The URL carries the looked-up ids in its query; keep it out of messages.
        let e = e.without_url();
        if e.is_timeout() {
            return AttemptError::Retry(
                Retryable::Transient,
                Error::Timeout {
                    after: started.elapsed(),
                },
            );
        }
        let host = match (self.url.host_str(), self.url.port_or_known_default()) {
            (Some(h), Some(p)) if Some(p) != default_port(self.url.scheme()) => format!("{h}:{p}"),
            (Some(h), _) => h.to_owned(),
            (None, _) => "the API".to_owned(),
        };
        AttemptError::Retry(
            Retryable::Transient,
            Error::Unreachable {
                host,
                reason: root_cause(&e),
            },
        )
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

/// Reads the body chunk by chunk and stops as soon as it passes [`MAX_BODY_BYTES`].
async fn read_limited(mut response: Response) -> std::result::Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn is_json(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || mime.ends_with("+json")
}

fn correlation_id(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(CORRELATION_HEADER)?.to_str().ok()?.trim();
    (!v.is_empty()).then(|| clip(v, 128))
}

fn clip(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// `Retry-After` as seconds or as an HTTP date relative to `now`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The innermost cause of an error, which is the part that says what happened
/// ("Connection refused") rather than where ("error sending request for url …"). Every HTTP
/// caller's messages quote it (the update check's too), so they read alike.
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(5)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/html"));
    }
}
