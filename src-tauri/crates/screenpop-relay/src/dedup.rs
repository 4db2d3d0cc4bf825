//! The events already delivered, so a platform's retry pops nothing more: EventBridge retries
//! for a day, Twilio once. Held in memory; the seat also shows each event id once, so two relays
//! behind a load balancer that both take the same retry still pop once.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an event id is remembered (EventBridge's retry window).
pub(crate) const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// The most ids remembered; past it the oldest are forgotten first.
pub(crate) const CAPACITY: usize = 200_000;

/// Recent event ids.
#[derive(Default)]
pub(crate) struct Recent(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Recent {
    /// Claims `key` for delivery: `false` if it was delivered (or is being delivered) already.
    pub(crate) fn claim(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((at, old)) = inner.order.front().cloned() {
            if now.duration_since(at) < WINDOW && inner.order.len() < CAPACITY {
                break;
            }
            inner.order.pop_front();
            if inner.seen.get(&old) == Some(&at) {
                inner.seen.remove(&old);
            }
        }
        if inner.seen.contains_key(key) {
            return false;
        }
        inner.seen.insert(key.to_owned(), now);
        inner.order.push_back((now, key.to_owned()));
        true
    }

    /// Gives `key` back after a failed delivery, so the platform's retry is delivered.
    pub(crate) fn release(&self, key: &str) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        inner.seen.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_claimed_once_until_released() {
        let r = Recent::default();
        assert!(r.claim("twilio:EV1"));
        assert!(!r.claim("twilio:EV1"));
        assert!(r.claim("connect:EV1"));
        r.release("twilio:EV1");
        assert!(r.claim("twilio:EV1"));
    }
}
