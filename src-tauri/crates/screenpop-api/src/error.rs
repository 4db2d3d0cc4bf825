//! The API crate's error, and the stable codes ([`ErrorKind`]) every screenpop error is classified
//! by: the settings crate and the core have their own errors, which map onto the same codes, so a
//! program (exit codes, the card's words) needs only this list.

use std::time::Duration;

pub use screenpop_words::{Arg, Message};

/// Result alias for the API crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong reading ids and reaching the Handoff API, worded for the person who has to fix it.
///
/// Messages never contain the API key: the key is only ever held in [`crate::ApiKey`], whose
/// `Debug` redacts it, and no variant stores it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the user typed or passed cannot be used (an id, a URL, a profile name…).
    #[error("{0}")]
    BadInput(String),

    /// What an agent typed (an id, a URL, a key, a shortcut) is refused: worded in their
    /// language where it is shown, their input in it verbatim; English here.
    #[error("{0}")]
    Refused(Message),

    /// The API refused the key (401 or 403).
    #[error("{}", key_rejected_message(*.status, .server_message.as_deref(), .correlation_id.as_deref()))]
    KeyRejected {
        /// 401 or 403.
        status: u16,
        /// `error_message` from the response body, if any.
        server_message: Option<String>,
        /// `X-PolyAI-Correlation-Id` of the response, for PolyAI support.
        correlation_id: Option<String>,
    },

    /// The API has no handoff state for this id (404 after the wait window).
    #[error("{}", with_details("No handoff state was found for this id. Check the id, and that the call was handed over by this project's voice agent.", .server_message.as_deref(), .correlation_id.as_deref()))]
    NotFound {
        /// `error_message` from the response body, if any.
        server_message: Option<String>,
        /// `X-PolyAI-Correlation-Id` of the response.
        correlation_id: Option<String>,
    },

    /// The API asked us to slow down (429) for longer than the lookup may wait.
    #[error("{}", rate_limited_message(*.retry_after, .correlation_id.as_deref()))]
    RateLimited {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// `X-PolyAI-Correlation-Id` of the response.
        correlation_id: Option<String>,
    },

    /// The API failed (5xx, or another status it should not send) and retries did not help.
    #[error("{}", with_details(&format!("The PolyAI API failed with HTTP {status}. Try again in a moment; if it persists, contact PolyAI support."), .server_message.as_deref(), .correlation_id.as_deref()))]
    Server {
        /// The HTTP status.
        status: u16,
        /// `error_message` from the response body, if any.
        server_message: Option<String>,
        /// `X-PolyAI-Correlation-Id` of the response.
        correlation_id: Option<String>,
    },

    /// No answer arrived in time.
    #[error("The PolyAI API did not answer within {}. Check the network connection and try again.", human_duration(*.after))]
    Timeout {
        /// How long we waited in total.
        after: Duration,
    },

    /// The API could not be reached at all (DNS, refused connection, TLS, reset).
    #[error("Could not reach the PolyAI API at {host}: {reason}. Check the network connection and the profile's region or base URL.")]
    Unreachable {
        /// Host (and port) that could not be reached.
        host: String,
        /// What the network layer said, without the URL.
        reason: String,
    },

    /// The API answered something that is not a handoff state.
    #[error("{}", with_details(&format!("The PolyAI API sent a response screenpop cannot read: {detail}."), None, .correlation_id.as_deref()))]
    Malformed {
        /// What was wrong with it.
        detail: String,
        /// `X-PolyAI-Correlation-Id` of the response.
        correlation_id: Option<String>,
    },

    /// The client cannot be set up as asked (bad timeouts, a refused redirect).
    #[error("{0}")]
    Config(String),
}

/// A stable, coarse classification of every screenpop error for programs: exit codes, UI states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// See [`Error::BadInput`].
    BadInput,
    /// No API key is stored in the keychain for the profile (the settings crate).
    NoKey,
    /// See [`Error::KeyRejected`].
    KeyRejected,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::RateLimited`].
    RateLimited,
    /// See [`Error::Server`].
    Server,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Unreachable`].
    Unreachable,
    /// See [`Error::Malformed`].
    Malformed,
    /// The OS keychain cannot be used (the settings crate).
    KeychainUnavailable,
    /// The settings, or the client's set-up, are unusable.
    Config,
    /// The fleet policy forbids the change, or is broken (the settings crate).
    Policy,
    /// The window's web engine is missing (the core).
    WebViewMissing,
    /// A push source (Genesys Cloud) is set up but not connected: not signed in, expired, or no
    /// window connected (the core).
    PushNotConnected,
    /// A profile whose PolyAI key the relay holds cannot ask the relay (not reachable, no seat
    /// password, its key refused): the contact centre's IT must act (the core).
    RelayUnavailable,
}

impl ErrorKind {
    /// A short machine-readable code, stable across releases (`"not_found"`, `"key_rejected"`…).
    pub fn code(self) -> &'static str {
        match self {
            Self::BadInput => "bad_input",
            Self::NoKey => "no_key",
            Self::KeyRejected => "key_rejected",
            Self::NotFound => "not_found",
            Self::RateLimited => "rate_limited",
            Self::Server => "server_error",
            Self::Timeout => "timeout",
            Self::Unreachable => "unreachable",
            Self::Malformed => "malformed_response",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::Config => "bad_configuration",
            Self::Policy => "set_by_policy",
            Self::WebViewMissing => "webview_missing",
            Self::PushNotConnected => "push_not_connected",
            Self::RelayUnavailable => "relay_unavailable",
        }
    }

    /// The kind whose [`ErrorKind::code`] is `code`, as another program (the relay) sent it.
    pub fn from_code(code: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|k| k.code() == code)
    }
}

/// Every kind, for [`ErrorKind::from_code`].
const ALL_KINDS: [ErrorKind; 15] = [
    ErrorKind::BadInput,
    ErrorKind::NoKey,
    ErrorKind::KeyRejected,
    ErrorKind::NotFound,
    ErrorKind::RateLimited,
    ErrorKind::Server,
    ErrorKind::Timeout,
    ErrorKind::Unreachable,
    ErrorKind::Malformed,
    ErrorKind::KeychainUnavailable,
    ErrorKind::Config,
    ErrorKind::Policy,
    ErrorKind::WebViewMissing,
    ErrorKind::PushNotConnected,
    ErrorKind::RelayUnavailable,
];

impl Error {
    /// The coarse kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::BadInput(_) | Self::Refused(_) => ErrorKind::BadInput,
            Self::KeyRejected { .. } => ErrorKind::KeyRejected,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::Server { .. } => ErrorKind::Server,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Unreachable { .. } => ErrorKind::Unreachable,
            Self::Malformed { .. } => ErrorKind::Malformed,
            Self::Config(_) => ErrorKind::Config,
        }
    }

    /// The `X-PolyAI-Correlation-Id` of the response that caused this error, if there was one.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::KeyRejected { correlation_id, .. }
            | Self::NotFound { correlation_id, .. }
            | Self::RateLimited { correlation_id, .. }
            | Self::Server { correlation_id, .. }
            | Self::Malformed { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }
}

fn key_rejected_message(status: u16, server: Option<&str>, correlation: Option<&str>) -> String {
    let what = if status == 403 {
        "The PolyAI API refused the API key (HTTP 403: forbidden). The key may have been revoked or may lack the Handoff permission; replace it with `screenpop key set`."
    } else {
        "The PolyAI API rejected the API key (HTTP 401: unauthorized). Check that the key belongs to this project and region, or replace it with `screenpop key set`."
    };
    with_details(what, server, correlation)
}

fn rate_limited_message(retry_after: Option<Duration>, correlation: Option<&str>) -> String {
    let what = match retry_after {
        Some(wait) => format!(
            "The PolyAI API is rate limiting requests. Try again in {}.",
            human_duration(wait)
        ),
        None => "The PolyAI API is rate limiting requests. Try again in a few seconds.".to_owned(),
    };
    with_details(&what, None, correlation)
}

/// Appends the server's own reason and the correlation id, which support needs to trace a call.
fn with_details(what: &str, server: Option<&str>, correlation: Option<&str>) -> String {
    let mut out = what.to_owned();
    if let Some(reason) = server.filter(|s| !s.trim().is_empty()) {
        out.push_str(&format!(" The server said: \"{}\".", reason.trim()));
    }
    if let Some(id) = correlation {
        out.push_str(&format!(" (Correlation id: {id}.)"));
    }
    out
}

fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        let s = ms / 1000;
        format!("{s} second{}", if s == 1 { "" } else { "s" })
    } else {
        format!("{:.1} seconds", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_server_reason_and_correlation_id() {
        let e = Error::NotFound {
            server_message: Some("No handoff state found".into()),
            correlation_id: Some("corr-1".into()),
        };
        let m = e.to_string();
        assert!(m.contains("No handoff state found"), "{m}");
        assert!(
            m.contains("corr-1"),
            "support needs the correlation id: {m}"
        );
        assert_eq!(e.kind().code(), "not_found");
    }

    #[test]
    fn every_code_reads_back_as_its_kind() {
        for kind in ALL_KINDS {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ErrorKind::from_code("gone_fishing"), None);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_millis(250)), "250 ms");
        assert_eq!(human_duration(Duration::from_secs(1)), "1 second");
        assert_eq!(human_duration(Duration::from_secs(4)), "4 seconds");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5 seconds");
    }

    #[test]
    fn key_rejected_differs_for_401_and_403() {
        let e401 = Error::KeyRejected {
            status: 401,
            server_message: None,
            correlation_id: None,
        };
        let e403 = Error::KeyRejected {
            status: 403,
            server_message: None,
            correlation_id: None,
        };
        assert!(e401.to_string().contains("401"));
        assert!(e403.to_string().contains("Handoff permission"));
    }
}
