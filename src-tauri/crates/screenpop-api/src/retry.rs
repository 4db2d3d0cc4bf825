//! When a failed attempt is tried again, and after how long. Pure logic: time and randomness
//! are passed in, so every rule is unit-tested without waiting.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Time limits of a lookup. Defaults suit a live transfer: an agent has seconds, not minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timeouts {
    /// Time allowed to open a connection (TCP and TLS), in milliseconds.
    pub connect_ms: u64,
    /// Time allowed for one request, from sending to the last byte, in milliseconds.
    pub attempt_ms: u64,
    /// How long a 404 (or a 429) may be retried while the voice agent is still writing the state,
    /// in milliseconds. Zero makes every lookup a single attempt.
    pub wait_window_ms: u64,
    /// Hard limit for a whole lookup including retries, in milliseconds.
    pub deadline_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect_ms: 3_000,
            attempt_ms: 5_000,
            wait_window_ms: 4_000,
            deadline_ms: 10_000,
        }
    }
}

impl Timeouts {
    /// Connect timeout.
    pub fn connect(&self) -> Duration {
        Duration::from_millis(self.connect_ms)
    }
    /// Per-attempt timeout.
    pub fn attempt(&self) -> Duration {
        Duration::from_millis(self.attempt_ms)
    }
    /// Wait window for states not written yet.
    pub fn wait_window(&self) -> Duration {
        Duration::from_millis(self.wait_window_ms)
    }
    /// Overall deadline of a lookup.
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }

    /// Checks the values make sense together.
    pub fn validate(&self) -> Result<(), String> {
        let in_range = |name: &str, v: u64, min: u64, max: u64| {
            if (min..=max).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "{name} must be between {min} and {max} milliseconds, not {v}"
                ))
            }
        };
        in_range("connect_ms", self.connect_ms, 100, 60_000)?;
        in_range("attempt_ms", self.attempt_ms, 100, 120_000)?;
        in_range("wait_window_ms", self.wait_window_ms, 0, 60_000)?;
        in_range("deadline_ms", self.deadline_ms, 100, 300_000)?;
        if self.deadline_ms < self.wait_window_ms {
            return Err("deadline_ms must not be shorter than wait_window_ms".to_owned());
        }
        Ok(())
    }
}

/// A failed attempt that may be worth repeating. Anything not listed here (400, 401, 403,
/// malformed bodies, refused redirects) is final and never retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retryable {
    /// 404: the state may not be written yet.
    NotFound,
    /// 429, with the server's `Retry-After` if it sent one.
    RateLimited(Option<Duration>),
    /// 5xx, a reset connection, or an attempt that timed out.
    Transient,
}

/// The retry budget of one lookup.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    wait_window: Duration,
    deadline: Duration,
    not_found_retries: u32,
    transient_retries_left: u32,
    rate_limited_retries_left: u32,
}

/// A missing state is not retried when less than this is left of the wait window.
const LAST_CHANCE: Duration = Duration::from_millis(100);

/// How many times 5xx, resets and timeouts are retried within one lookup.
pub const MAX_TRANSIENT_RETRIES: u32 = 2;

/// How many times a 429 is retried within one lookup. One: when hundreds of desks share a
/// rate-limited key, each lookup costs at most two requests, and a second refusal is shown to
/// the agent rather than added to the load.
pub const MAX_RATE_LIMITED_RETRIES: u32 = 1;

impl RetryBudget {
    /// A fresh budget for one lookup.
    pub fn new(timeouts: &Timeouts) -> Self {
        Self {
            wait_window: timeouts.wait_window(),
            deadline: timeouts.deadline(),
            not_found_retries: 0,
            transient_retries_left: MAX_TRANSIENT_RETRIES,
            rate_limited_retries_left: MAX_RATE_LIMITED_RETRIES,
        }
    }

    /// After a failed attempt, `elapsed` into the lookup: how long to wait before the next
    /// attempt, or `None` to give up. `unit_random` is a number in `[0, 1)` used for jitter, so
    /// that hundreds of desktops retrying at once do not hit the API in waves.
    pub fn next_delay(
        &mut self,
        failure: Retryable,
        elapsed: Duration,
        unit_random: f64,
    ) -> Option<Duration> {
        let r = unit_random.clamp(0.0, 1.0);
        let (delay, limit) = match failure {
            Retryable::NotFound => {
                // 250 ms, 500 ms, 750 ms, then every second: quick at first, because the state
                // is usually written within moments of the transfer.
                let step = 250 * u64::from(self.not_found_retries.min(3) + 1);
                self.not_found_retries += 1;
                let remaining = self.wait_window.saturating_sub(elapsed);
                if remaining < LAST_CHANCE {
                    return None;
                }
                // The last retry is pulled in to the end of the window rather than dropped: a
                // state written just before the window closes is still found.
                return Some(jittered(Duration::from_millis(step), r).min(remaining));
            }
            Retryable::RateLimited(after) => {
                if self.rate_limited_retries_left == 0 {
                    return None;
                }
                self.rate_limited_retries_left -= 1;
                let base = after.unwrap_or(Duration::from_secs(1));
                // Spread the retries of many clients over up to half the wait again.
                let spread = base.max(Duration::from_millis(500)).mul_f64(0.5 * r);
                (base + spread, self.wait_window)
            }
            Retryable::Transient => {
                if self.transient_retries_left == 0 {
                    return None;
                }
                let n = MAX_TRANSIENT_RETRIES - self.transient_retries_left;
                self.transient_retries_left -= 1;
                let cap = Duration::from_millis(200 * 2u64.pow(n));
                // Full jitter, at least 50 ms.
                (cap.mul_f64(r).max(Duration::from_millis(50)), self.deadline)
            }
        };
        (elapsed + delay < limit).then_some(delay)
    }
}

/// ±20 % around `base`.
fn jittered(base: Duration, unit_random: f64) -> Duration {
    base.mul_f64(0.8 + 0.4 * unit_random)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn not_found_is_retried_only_inside_the_wait_window() {
        let mut b = RetryBudget::new(&Timeouts::default());
        let mut elapsed = ms(20);
        let mut attempts = 1;
        while let Some(d) = b.next_delay(Retryable::NotFound, elapsed, 0.5) {
            elapsed += d + ms(20);
            attempts += 1;
        }
        assert!(
            elapsed < ms(4_000) + ms(1_100),
            "stops near the 4 s window, took {elapsed:?}"
        );
        assert!(
            (5..=8).contains(&attempts),
            "a handful of attempts, got {attempts}"
        );
        let mut zero = RetryBudget::new(&Timeouts {
            wait_window_ms: 0,
            ..Timeouts::default()
        });
        assert_eq!(
            zero.next_delay(Retryable::NotFound, ms(10), 0.5),
            None,
            "no window, no retry"
        );
    }

    #[test]
    fn rate_limits_honour_retry_after_within_the_window() {
        let mut b = RetryBudget::new(&Timeouts::default());
        let d = b
            .next_delay(Retryable::RateLimited(Some(ms(1_000))), ms(100), 0.0)
            .expect("fits");
        assert_eq!(d, ms(1_000));
        assert_eq!(
            b.next_delay(Retryable::RateLimited(Some(ms(1_000))), ms(1_200), 0.0),
            None,
            "a second 429 ends the lookup"
        );
        let d = RetryBudget::new(&Timeouts::default())
            .next_delay(Retryable::RateLimited(Some(ms(1_000))), ms(100), 0.99)
            .expect("fits");
        assert!(d > ms(1_000) && d < ms(1_500), "{d:?}");
        assert_eq!(
            RetryBudget::new(&Timeouts::default()).next_delay(
                Retryable::RateLimited(Some(ms(30_000))),
                ms(100),
                0.0
            ),
            None,
            "a Retry-After beyond the window ends the lookup as rate limited"
        );
    }

    #[test]
    fn transient_failures_have_a_bounded_count() {
        let mut b = RetryBudget::new(&Timeouts::default());
        assert!(b.next_delay(Retryable::Transient, ms(10), 0.3).is_some());
        assert!(b.next_delay(Retryable::Transient, ms(10), 0.3).is_some());
        assert_eq!(b.next_delay(Retryable::Transient, ms(10), 0.3), None);
    }

    #[test]
    fn nothing_is_retried_past_the_deadline() {
        let mut b = RetryBudget::new(&Timeouts::default());
        assert_eq!(b.next_delay(Retryable::Transient, ms(9_990), 0.9), None);
    }

    #[test]
    fn jitter_spreads_clients() {
        let lo = RetryBudget::new(&Timeouts::default()).next_delay(Retryable::NotFound, ms(0), 0.0);
        let hi =
            RetryBudget::new(&Timeouts::default()).next_delay(Retryable::NotFound, ms(0), 0.99);
        assert_ne!(lo, hi);
    }

    #[test]
    fn timeouts_validate() {
        assert!(Timeouts::default().validate().is_ok());
        assert!(Timeouts {
            connect_ms: 0,
            ..Timeouts::default()
        }
        .validate()
        .is_err());
        assert!(Timeouts {
            deadline_ms: 1_000,
            ..Timeouts::default()
        }
        .validate()
        .is_err());
    }
}
