//! The relay's wire: what `screenpop-relay` publishes over NATS when a platform says an agent
//! accepted a call, and the subjects it uses. One definition for the relay, the seat generator
//! and the desktop, so they cannot drift.
//!
//! A pop goes to `screenpop.pop.<tenant>.<seat>`; tenants and seats become one subject token each
//! through [`token`], so a seat named by an email address (dots and all) is still one token and
//! cannot reach another seat's subject.

use serde::{Deserialize, Serialize};

use crate::state::HandoffState;
use crate::{Error, Result};

/// The version of [`PopMessage`] this build writes and reads.
pub const VERSION: u32 = 1;

/// Every pop subject starts with this.
pub const POP_PREFIX: &str = "screenpop.pop";

/// Every lookup subject (a keyless seat asking the relay) starts with this.
pub const LOOKUP_PREFIX: &str = "screenpop.lookup";

/// The JetStream stream that keeps each pop for [`KEPT_SECS`], so a seat that reconnects in
/// time still gets it.
pub const STREAM: &str = "SCREENPOP_POPS";

/// How long a pop stays worth showing: older ones are dropped, not shown.
pub const KEPT_SECS: u64 = 60;

/// The longest tenant or seat name, before escaping.
pub const MAX_NAME: usize = 128;

/// Where the pop came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Twilio TaskRouter (Flex): `reservation.accepted`.
    Twilio,
    /// Amazon Connect: `CONNECTED_TO_AGENT` through EventBridge.
    Connect,
    /// Any other flow, through the signed generic webhook.
    Generic,
}

/// A pop for one seat, as it crosses NATS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopMessage {
    /// [`VERSION`].
    pub v: u32,
    /// The platform's own event id: the seat shows each once.
    pub event_id: String,
    /// Where it came from.
    pub platform: Platform,
    /// The platform's call (Twilio's call or task, Connect's contact), for the logs.
    pub call_id: Option<String>,
    /// The seat it is for.
    pub seat: String,
    /// The PolyAI conversation id, if the platform had it.
    pub id: Option<String>,
    /// The PolyAI shared id, if the platform had it.
    pub shared_id: Option<String>,
    /// The screenpop profile to look it up with, if the relay was told.
    pub profile: Option<String>,
    /// When the relay sent it (Unix milliseconds).
    pub ts: u64,
    /// The handoff state, when the relay holds the PolyAI key and looked it up (card numbers
    /// and secrets already masked): the seat needs no key of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<HandoffState>,
}

/// What a keyless seat asks the relay to look up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    /// The PolyAI conversation id.
    pub id: Option<String>,
    /// The PolyAI shared id.
    pub shared_id: Option<String>,
    /// Whether the relay waits for a state the voice agent has not saved yet (its wait window),
    /// as the window's lookups do; `false` asks once (`screenpop lookup --no-wait`).
    #[serde(default)]
    pub wait: bool,
    /// A check, not a lookup (`screenpop doctor`, Settings' Test): no ids; the relay tests its
    /// own PolyAI key and answers [`LookupAnswer::Ready`].
    #[serde(default)]
    pub check: bool,
}

/// The relay's answer to a [`LookupRequest`]: the masked state, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupAnswer {
    /// The state, masked.
    State(HandoffState),
    /// The answer to a check: the relay's key works for its project.
    Ready,
    /// Why not: an `ErrorKind` code (`not_found`, `rate_limited`…) and words for the agent.
    Refused {
        /// The code.
        kind: String,
        /// What happened, for the agent.
        message: String,
    },
}

impl PopMessage {
    /// Whether it is still worth showing at `now_ms`.
    pub fn fresh(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.ts) <= KEPT_SECS * 1000
    }

    /// Reads a message from the wire; refuses another version or a message without an id.
    pub fn read(bytes: &[u8]) -> Result<Self> {
        let message: Self = serde_json::from_slice(bytes)
            .map_err(|e| Error::BadInput(format!("Not a pop message: {e}.")))?;
        if message.v != VERSION {
            return Err(Error::BadInput(format!(
                "A pop message of version {} (this screenpop reads version {VERSION}): update one of them.",
                message.v
            )));
        }
        if message.id.is_none() && message.shared_id.is_none() {
            return Err(Error::BadInput(
                "A pop message names neither an id nor a shared id.".to_owned(),
            ));
        }
        Ok(message)
    }
}

/// `name` as one NATS subject token: letters, digits, `-` and `_` as they are (lower-cased), every
/// other character as `%` and its UTF-8 bytes in hex, so distinct names stay distinct and none
/// can add a token or a wildcard. Refuses empty names, names over [`MAX_NAME`] and control
/// characters.
pub fn token(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::BadInput(format!(
            "A tenant or seat name must have 1 to {MAX_NAME} characters."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::BadInput(
            "A tenant or seat name cannot hold control characters.".to_owned(),
        ));
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Ok(out)
}

/// The subject `seat` of `tenant` receives its pops on.
pub fn pop_subject(tenant: &str, seat: &str) -> Result<String> {
    Ok(format!("{POP_PREFIX}.{}.{}", token(tenant)?, token(seat)?))
}

/// The subject a keyless `seat` of `tenant` sends its lookups to.
pub fn lookup_subject(tenant: &str, seat: &str) -> Result<String> {
    Ok(format!(
        "{LOOKUP_PREFIX}.{}.{}",
        token(tenant)?,
        token(seat)?
    ))
}

/// The inbox prefix a seat's requests are answered on: its own, so no seat can read another's
/// answers.
pub fn seat_inbox(tenant: &str, seat: &str) -> Result<String> {
    Ok(format!("_INBOX.{}.{}", token(tenant)?, token(seat)?))
}

/// The subject a seat asks NATS for the newest pop kept for it (a JetStream direct get).
pub fn catch_up_subject(tenant: &str, seat: &str) -> Result<String> {
    Ok(format!(
        "$JS.API.DIRECT.GET.{STREAM}.{}",
        pop_subject(tenant, seat)?
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_become_one_token_each_and_stay_distinct() {
        assert_eq!(token("Alice").unwrap(), "alice");
        assert_eq!(token("alice@acme.com").unwrap(), "alice%40acme%2Ecom");
        assert_ne!(token("a.b").unwrap(), token("a_b").unwrap());
        assert_ne!(token("a%2Eb").unwrap(), token("a.b").unwrap());
        for wild in ["*", ">", "a.>", "a b"] {
            let t = token(wild).unwrap();
            assert!(!t.contains(['.', '*', '>', ' ']), "{wild} -> {t}");
        }
        assert_eq!(token("Zoë").unwrap(), "zo%C3%AB");
        assert!(token("").is_err());
        assert!(token("bad\u{7}").is_err());
        assert!(token(&"x".repeat(MAX_NAME + 1)).is_err());
        assert_eq!(
            pop_subject("Acme", "alice@acme.com").unwrap(),
            "screenpop.pop.acme.alice%40acme%2Ecom"
        );
    }

    #[test]
    fn a_message_reads_back_and_goes_stale_after_a_minute() {
        let m = PopMessage {
            v: VERSION,
            event_id: "EV1".into(),
            platform: Platform::Twilio,
            call_id: Some("CA1".into()),
            seat: "alice".into(),
            id: Some("conv-1".into()),
            shared_id: None,
            profile: None,
            ts: 1_000_000,
            state: None,
        };
        let bytes = serde_json::to_vec(&m).unwrap();
        assert_eq!(PopMessage::read(&bytes).unwrap(), m);
        assert!(m.fresh(1_000_000 + 60_000));
        assert!(!m.fresh(1_000_000 + 60_001));
        let mut other = m.clone();
        other.v = 2;
        assert!(PopMessage::read(&serde_json::to_vec(&other).unwrap()).is_err());
        other = m;
        other.id = None;
        assert!(PopMessage::read(&serde_json::to_vec(&other).unwrap()).is_err());
        assert!(PopMessage::read(b"{").is_err());
    }
}
