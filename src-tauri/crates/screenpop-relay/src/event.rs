//! What every input turns a platform's event into: a pop for one seat, or why there is none.
//! The ids are checked here once for all inputs: an id that cannot be one (control characters,
//! too long) or that holds a card number is never sent on.

use std::borrow::Cow;

use screenpop_api::mask::mask_text;
use screenpop_api::relay::{token, Platform, PopMessage, VERSION};
use screenpop_api::Lookup;

/// A pop, before it is addressed and stamped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop {
    /// Where it came from.
    pub platform: Platform,
    /// The platform's event id (what duplicates share).
    pub event_id: String,
    /// The platform's call, for the logs.
    pub call_id: Option<String>,
    /// The seat, as the platform named it.
    pub seat: String,
    /// The PolyAI conversation id.
    pub id: Option<String>,
    /// The PolyAI shared id.
    pub shared_id: Option<String>,
}

/// What an event means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A seat pops.
    Pop(Pop),
    /// Not an event that pops (another type, another state).
    Ignored(String),
    /// It would pop, but no seat is known for its agent.
    Unmapped(String),
    /// It would pop, but carries no usable PolyAI id.
    NoIds(String),
    /// It is not what the platform sends.
    Malformed(String),
}

/// The longest event or call id kept.
const MAX_REF: usize = 256;

fn clean_ref(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v.len() <= MAX_REF && !v.chars().any(char::is_control)).then(|| v.to_owned())
}

/// `value` if it can be looked up and holds no card number.
fn usable_id(value: Option<String>) -> Option<String> {
    let v = value?;
    let ok = Lookup::by_id(&v).is_ok() && matches!(mask_text(&v), Cow::Borrowed(_));
    ok.then(|| v.trim().to_owned())
}

impl Pop {
    /// A checked pop, or why it is none.
    pub fn checked(
        platform: Platform,
        event_id: String,
        call_id: Option<String>,
        seat: String,
        id: Option<String>,
        shared_id: Option<String>,
    ) -> Outcome {
        let Some(event_id) = clean_ref(&event_id) else {
            return Outcome::Malformed("the event id is empty, too long or not text".into());
        };
        if token(&seat).is_err() {
            return Outcome::Unmapped(
                "the seat name is empty, too long or holds control characters".into(),
            );
        }
        let (id, shared_id) = (usable_id(id), usable_id(shared_id));
        if id.is_none() && shared_id.is_none() {
            return Outcome::NoIds("no usable PolyAI id".into());
        }
        Outcome::Pop(Self {
            platform,
            event_id,
            call_id: call_id.as_deref().and_then(clean_ref),
            seat: seat.trim().to_owned(),
            id,
            shared_id,
        })
    }

    /// The message for the seat, sent at `ts` (Unix milliseconds).
    pub fn message(&self, profile: Option<&str>, ts: u64) -> PopMessage {
        PopMessage {
            v: VERSION,
            event_id: self.event_id.clone(),
            platform: self.platform,
            call_id: self.call_id.clone(),
            seat: self.seat.clone(),
            id: self.id.clone(),
            shared_id: self.shared_id.clone(),
            profile: profile.map(str::to_owned),
            ts,
            state: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn pop(id: &str) -> Outcome {
        Pop::checked(
            Platform::Generic,
            "ev-1".into(),
            None,
            "alice".into(),
            Some(id.into()),
            None,
        )
    }

    #[test]
    fn ids_that_cannot_be_looked_up_or_hold_card_numbers_never_leave() {
        assert!(matches!(pop("conv-1"), Outcome::Pop(_)));
        assert!(matches!(pop("4111 1111 1111 1111"), Outcome::NoIds(_)));
        assert!(matches!(pop("bad\u{0}id"), Outcome::NoIds(_)));
        assert!(matches!(pop(""), Outcome::NoIds(_)));
        let seatless = Pop::checked(
            Platform::Generic,
            "ev".into(),
            None,
            "a\u{7}".into(),
            Some("c".into()),
            None,
        );
        assert!(matches!(seatless, Outcome::Unmapped(_)));
        let eventless = Pop::checked(
            Platform::Generic,
            " ".into(),
            None,
            "a".into(),
            Some("c".into()),
            None,
        );
        assert!(matches!(eventless, Outcome::Malformed(_)));
    }
}
