//! Push sources: a contact-centre platform telling screenpop that the agent answered, so the card
//! pops with nothing pasted. A source owns its connection, says how it is doing ([`SourceStatus`]),
//! deduplicates its own events, and hands what it finds to the one pop pipeline as transfers
//! (the same admission, newest-wins, recent list and notification as every other way in): Genesys
//! Cloud ([`genesys`]) and the contact centre's relay ([`relay`]).

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use screenpop_settings::session;

use crate::Result;
use screenpop_api::Message;

pub mod genesys;
pub mod relay;

/// How a push source is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceState {
    /// Nobody is signed in.
    SignedOut,
    /// Signing in to the channel, subscribing, opening the socket.
    Connecting,
    /// Events arrive; since when (Unix milliseconds).
    Connected {
        /// When the socket opened.
        since_ms: u64,
    },
    /// The connection was lost; the next attempt is in `in_secs`.
    Reconnecting {
        /// Seconds until the next attempt.
        in_secs: u64,
        /// Why it was lost.
        why: String,
    },
    /// The sign-in ended (expired, revoked): the agent signs in again; pops by the other ways
    /// keep working meanwhile.
    SignInAgain {
        /// Why.
        why: String,
    },
}

/// What a source has counted since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Call events read.
    pub events: u64,
    /// Cards popped.
    pub pops: u64,
    /// Calls the agent answered that carried no PolyAI id.
    pub without_ids: u64,
    /// Calls whose id attribute held something that cannot be an id (dropped).
    pub refused: u64,
    /// Frames dropped unread: too large, not JSON, or not a call.
    pub dropped: u64,
    /// When the last call event arrived (Unix milliseconds).
    pub last_event_ms: Option<u64>,
    /// When the last card popped (Unix milliseconds).
    pub last_pop_ms: Option<u64>,
}

/// A source's status, as the window, the tray, `screenpop genesys status` and `doctor` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// The profile it pops with.
    pub profile: String,
    /// How it is doing.
    #[serde(flatten)]
    pub state: SourceState,
    /// Who is signed in, once the platform said.
    pub signed_in_as: Option<String>,
    /// When the token expires (Unix milliseconds).
    pub token_expires_ms: Option<u64>,
    /// The notification channel in use.
    pub channel: Option<String>,
    /// What it has counted.
    pub counts: Counts,
}

impl SourceStatus {
    /// A source of `profile` that has not started.
    pub fn new(profile: &str) -> Self {
        Self {
            profile: profile.to_owned(),
            state: SourceState::SignedOut,
            signed_in_as: None,
            token_expires_ms: None,
            channel: None,
            counts: Counts::default(),
        }
    }
}

impl SourceStatus {
    /// How it stands, in a few sentences to be worded in the reader's language (`status` on the
    /// command line, `doctor`, Diagnostics).
    pub fn describe(&self) -> Vec<Message> {
        let when =
            |ms: u64| httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
        let state = match &self.state {
            SourceState::SignedOut => Message::new("doctor.push_signed_out"),
            SourceState::Connecting => Message::new("doctor.push_connecting"),
            SourceState::Connected { since_ms } => {
                Message::new("doctor.push_connected").with("since", when(*since_ms))
            }
            SourceState::Reconnecting { in_secs: 0, why } => {
                Message::new("doctor.push_reconnecting_now").with("why", why)
            }
            SourceState::Reconnecting { in_secs, why } => Message::new("doctor.push_reconnecting")
                .with("why", why)
                .with("seconds", in_secs),
            SourceState::SignInAgain { why } => {
                Message::new("doctor.push_sign_in_again").with("why", why)
            }
        };
        let c = &self.counts;
        let mut out = vec![
            state,
            Message::new("doctor.push_counts")
                .with("events", c.events)
                .with("pops", c.pops)
                .with("without", c.without_ids)
                .with("refused", c.refused)
                .with("dropped", c.dropped),
        ];
        if let Some(ms) = c.last_event_ms {
            out.push(Message::new("doctor.push_last_event").with("at", when(ms)));
        }
        if let Some(ms) = c.last_pop_ms {
            out.push(Message::new("doctor.push_last_pop").with("at", when(ms)));
        }
        out
    }
}

/// Which push source a status is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Genesys Cloud.
    Genesys,
    /// The contact centre's relay.
    Relay,
}

impl Kind {
    /// The name of the file the window publishes the source's status in, for the command line
    /// and `doctor` (no token, no password, no caller data).
    fn stem(self) -> &'static str {
        match self {
            Self::Genesys => "genesys",
            Self::Relay => "relay",
        }
    }
}

/// Publishes `status` of a `kind` source for the other programs of this session.
pub fn publish(kind: Kind, status: &SourceStatus) -> Result<()> {
    session::publish_file(kind.stem(), status)?;
    Ok(())
}

/// Takes back what was published: no `kind` source runs in this session's window any more (the
/// profile changed, or the window closed).
pub fn withdraw(kind: Kind) -> Result<()> {
    session::remove_file(kind.stem())?;
    Ok(())
}

/// What this session's window last published of its `kind` source, if it did.
pub fn read_published(kind: Kind) -> Result<Option<SourceStatus>> {
    Ok(session::read_file(kind.stem())?)
}

/// TLS as the rest of screenpop does it: ring, and the platform's certificate verifier (the
/// Genesys socket, the relay's NATS).
pub(crate) fn platform_tls() -> std::result::Result<rustls::ClientConfig, String> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    rustls::ClientConfig::with_platform_verifier().map_err(|e| format!("cannot set up TLS: {e}"))
}

/// Milliseconds since the Unix epoch of `t`.
pub(crate) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Waits that grow from `min` to `max`, each with up to a half again of jitter, so seats that
/// lost the same connection do not come back in the same second.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            next: min,
        }
    }

    /// The next wait.
    pub(crate) fn next(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter = base.mul_f64(fastrand::f64() * 0.5);
        (base + jitter).min(self.max)
    }

    /// Back to the shortest wait, after a connection that worked.
    pub(crate) fn reset(&mut self) {
        self.next = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_the_limit_and_start_again_after_a_success() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(90));
        let first = b.next();
        assert!(first >= Duration::from_secs(2) && first <= Duration::from_secs(3));
        let waits: Vec<Duration> = (0..10).map(|_| b.next()).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(90)));
        assert_eq!(waits.last(), Some(&Duration::from_secs(90)));
        b.reset();
        assert!(b.next() <= Duration::from_secs(3));
    }
}
