//! The generic webhook, for any other flow (a Genesys data action, a Five9 connector, a Lambda):
//! a JSON body signed with HMAC-SHA256 over `<timestamp>.<body>`, sent as
//! `Screenpop-Signature: t=<Unix seconds>,v1=<hex>`, refused when older than five minutes.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::event::{Outcome, Pop};
use screenpop_api::relay::Platform;

/// The header the signature travels in.
pub const HEADER: &str = "screenpop-signature";

/// How old (or how far ahead) a signature may be.
pub const TOLERANCE_SECS: u64 = 300;

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No signature, or not `t=…,v1=…`.
    Missing,
    /// Signed more than five minutes from now.
    Stale,
    /// The signature does not match.
    Wrong,
}

/// The signature of `body` at `timestamp`: hex HMAC-SHA256 of `"<timestamp>.<body>"`.
pub fn sign(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The header's value for `body` signed at `timestamp` (what a sender writes).
pub fn header_value(secret: &str, timestamp: u64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

/// Checks `header` against `body` at `now` (Unix seconds).
pub fn verify(secret: &str, header: Option<&str>, body: &[u8], now: u64) -> Result<(), Refusal> {
    let header = header.ok_or(Refusal::Missing)?;
    let mut timestamp = None;
    let mut given = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<u64>().ok(),
            Some(("v1", v)) => given.push(v.to_owned()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Refusal::Missing)?;
    if given.is_empty() {
        return Err(Refusal::Missing);
    }
    if now.abs_diff(timestamp) > TOLERANCE_SECS {
        return Err(Refusal::Stale);
    }
    let expected = sign(secret, timestamp, body);
    // Several v1 values may be sent while a secret is being rolled over.
    if !expected.is_empty()
        && given
            .iter()
            .any(|g| bool::from(expected.as_bytes().ct_eq(g.as_bytes())))
    {
        Ok(())
    } else {
        Err(Refusal::Wrong)
    }
}

/// The body a sender posts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// The sender's own id for this event: a retry carries the same.
    pub event_id: String,
    /// The seat that answered.
    pub seat: String,
    /// The PolyAI conversation id.
    pub id: Option<String>,
    /// The PolyAI shared id.
    pub shared_id: Option<String>,
    /// The sender's call id, for the logs.
    pub call_id: Option<String>,
}

/// What a verified body means.
pub fn read(body: Body) -> Outcome {
    Pop::checked(
        Platform::Generic,
        body.event_id,
        body.call_id,
        body.seat,
        body.id,
        body.shared_id,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_signature_holds_for_its_body_and_five_minutes() {
        let body = br#"{"event_id":"e1","seat":"alice","id":"conv-1"}"#;
        let h = header_value("s3cret", 1_700_000_000, body);
        assert_eq!(verify("s3cret", Some(&h), body, 1_700_000_000), Ok(()));
        assert_eq!(verify("s3cret", Some(&h), body, 1_700_000_300), Ok(()));
        assert_eq!(
            verify("s3cret", Some(&h), body, 1_700_000_301),
            Err(Refusal::Stale)
        );
        let mut changed = body.to_vec();
        changed[10] ^= 1;
        assert_eq!(
            verify("s3cret", Some(&h), &changed, 1_700_000_000),
            Err(Refusal::Wrong)
        );
        assert_eq!(
            verify("other", Some(&h), body, 1_700_000_000),
            Err(Refusal::Wrong)
        );
        assert_eq!(
            verify("s3cret", None, body, 1_700_000_000),
            Err(Refusal::Missing)
        );
        assert_eq!(
            verify("s3cret", Some("v1=abc"), body, 1_700_000_000),
            Err(Refusal::Missing)
        );
        // A rolled secret: either signature passes.
        let both = format!("{h},v1={}", sign("next", 1_700_000_000, body));
        assert_eq!(verify("next", Some(&both), body, 1_700_000_000), Ok(()));
    }
}
