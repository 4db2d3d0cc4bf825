//! The relay source: this seat's subject on the contact centre's NATS, where `screenpop-relay`
//! publishes a pop the moment Twilio Flex, Amazon Connect or a flow says the agent accepted a
//! call. On every (re)connection it asks JetStream for the newest pop kept for the seat (a
//! minute), so a pop sent while the seat was away still arrives; each event id pops once, and a
//! pop older than a minute is dropped, not shown. Reconnects wait a random time up to a growing
//! cap (full jitter), so a site's seats do not come back in step after a server restart.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::{Client, Event};
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use screenpop_api::relay::PopMessage;
use screenpop_api::ApiKey;
use screenpop_settings::relay::{RelayConfig, RelayCredentials};

use super::{unix_ms, SourceState, SourceStatus};
use crate::seat::{connect, refused_password, Refused, Seat};

/// How the source waits. The defaults suit a site; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// The first reconnect's cap; each next one doubles it.
    pub reconnect_min: Duration,
    /// The largest cap.
    pub reconnect_max: Duration,
    /// How often the keychain is asked whether the seat's password changed.
    pub credential_poll: Duration,
    /// How long a connection or the catch-up may take.
    pub within: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            // A site's seats lose the server together: the first wait spreads them over 8 s, so
            // 500 seats put about 6 in each 100 ms (4 s put 12, and a busy host bunched them past
            // 25); a pop sent meanwhile is asked for when each is back.
            reconnect_min: Duration::from_secs(8),
            reconnect_max: Duration::from_secs(30),
            credential_poll: Duration::from_secs(3),
            within: Duration::from_secs(10),
        }
    }
}

/// The wait before reconnect attempt `attempt` (from 1): uniform between zero and a cap that
/// doubles from `min` to `max`.
pub fn full_jitter(attempt: usize, timing: &Timing) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).min(16)).unwrap_or(16);
    let cap = timing
        .reconnect_min
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(timing.reconnect_max);
    cap.mul_f64(fastrand::f64())
}

/// How many event ids are remembered to show each pop once.
const REMEMBERED: usize = 256;

/// One profile's relay source.
pub struct RelaySource {
    profile: String,
    config: RelayConfig,
    credentials: RelayCredentials,
    timing: Timing,
    status: watch::Sender<SourceStatus>,
}

/// Why a connection ended.
enum End {
    /// The relay refused the seat's credentials, or none are provisioned.
    Credentials(String),
    /// The password in the keychain changed: connect again with it.
    Changed,
    /// Could not connect; try again after the back-off.
    Lost(String),
}

impl RelaySource {
    /// The source of `profile`, configured by `config`, its password in `credentials`.
    pub fn new(
        profile: &str,
        config: RelayConfig,
        credentials: RelayCredentials,
        timing: Timing,
    ) -> Self {
        Self {
            profile: profile.to_owned(),
            config,
            credentials,
            timing,
            status: watch::Sender::new(SourceStatus::new(profile)),
        }
    }

    /// What the source says about itself, now and as it changes.
    pub fn status(&self) -> watch::Receiver<SourceStatus> {
        self.status.subscribe()
    }

    /// Runs until dropped: after `delay`, connects and hands each new pop to `on_pop`.
    pub async fn run(self, delay: Duration, on_pop: Arc<dyn Fn(PopMessage) + Send + Sync>) {
        tokio::time::sleep(delay).await;
        let mut seen = VecDeque::with_capacity(REMEMBERED);
        let mut attempt = 0usize;
        loop {
            let password = match self.credentials.get(&self.profile).await {
                Ok(Some(p)) => p,
                Ok(None) => {
                    self.set_state(SourceState::SignedOut);
                    self.until_changed(None).await;
                    continue;
                }
                Err(e) => {
                    attempt += 1;
                    self.lost(e.to_string(), full_jitter(attempt, &self.timing))
                        .await;
                    continue;
                }
            };
            self.set_state(SourceState::Connecting);
            match self
                .session(&password, &mut seen, &on_pop, &mut attempt)
                .await
            {
                End::Credentials(why) => {
                    self.set_state(SourceState::SignInAgain { why });
                    self.until_changed(Some(&password)).await;
                }
                End::Changed => {}
                End::Lost(why) => {
                    attempt += 1;
                    self.lost(why, full_jitter(attempt, &self.timing)).await;
                }
            }
        }
    }

    async fn session(
        &self,
        password: &ApiKey,
        seen: &mut VecDeque<String>,
        on_pop: &Arc<dyn Fn(PopMessage) + Send + Sync>,
        attempt: &mut usize,
    ) -> End {
        let seat = match Seat::of(&self.config) {
            Ok(s) => s,
            Err(why) => return End::Credentials(why),
        };
        let (events, mut heard) = mpsc::unbounded_channel();
        let timing = self.timing;
        // async-nats calls the delay before the first connection too: that one goes at once.
        let ever = Arc::new(AtomicBool::new(false));
        let was_up = ever.clone();
        let options = seat
            .options(password, self.timing.within)
            .reconnect_delay_callback(move |n| {
                if was_up.load(Ordering::Relaxed) {
                    full_jitter(n, &timing)
                } else {
                    Duration::ZERO
                }
            })
            .event_callback(move |e| {
                let events = events.clone();
                // When it happened: a busy seat reads it later.
                let at = Instant::now();
                async move {
                    let _ = events.send((e, at));
                }
            });
        let client = match connect(&self.config, options, self.timing.within).await {
            Ok(c) => c,
            Err(Refused::Credentials(why)) => return End::Credentials(why),
            Err(Refused::Unreachable(why)) => return End::Lost(why),
        };
        ever.store(true, Ordering::Relaxed);
        let mut pops = match client.subscribe(seat.pops.clone()).await {
            Ok(s) => s,
            Err(e) => return End::Lost(e.to_string()),
        };
        *attempt = 0;
        let up_at = Instant::now();
        self.connected(&seat.name);
        // The catch-up runs beside the loop: a JetStream slow to answer must not hold live
        // pops or the connection's events (ended with the session).
        let mut asking = JoinSet::new();
        asking.spawn(catch_up(
            client.clone(),
            seat.catch_up.clone(),
            self.timing.within,
        ));
        let mut poll = tokio::time::interval(self.timing.credential_poll);
        poll.tick().await;
        loop {
            tokio::select! {
                message = pops.next() => match message {
                    Some(m) => self.heard(&m.payload, &seat, seen, on_pop),
                    None => return End::Lost("the subscription ended".to_owned()),
                },
                Some(kept) = asking.join_next(), if !asking.is_empty() => {
                    if let Ok(Some(payload)) = kept {
                        self.heard(&payload, &seat, seen, on_pop);
                    }
                }
                event = heard.recv() => match event {
                    // The first connection's own event is older than the session's start.
                    Some((Event::Connected, at)) if at > up_at => {
                        self.connected(&seat.name);
                        asking.spawn(catch_up(client.clone(), seat.catch_up.clone(), self.timing.within));
                    }
                    Some((Event::Disconnected, _)) => self.set_state(SourceState::Reconnecting {
                        in_secs: 0,
                        why: "the connection to the relay was lost".to_owned(),
                    }),
                    Some((Event::ServerError(e), _)) if refused_password(&e.to_string()) => {
                        return End::Credentials("the relay's NATS server refused this seat's password".to_owned());
                    }
                    Some(_) => {}
                    None => return End::Lost("the connection closed".to_owned()),
                },
                _ = poll.tick() => match self.credentials.get(&self.profile).await {
                    Ok(Some(p)) if p == *password => {}
                    Ok(Some(_)) => return End::Changed,
                    Ok(None) => return End::Credentials("no relay password is provisioned".to_owned()),
                    Err(_) => {}
                },
            }
        }
    }

    /// One message on the seat's subject: shown once if it is a fresh pop for this seat.
    fn heard(
        &self,
        payload: &[u8],
        seat: &Seat,
        seen: &mut VecDeque<String>,
        on_pop: &Arc<dyn Fn(PopMessage) + Send + Sync>,
    ) {
        let now = unix_ms(std::time::SystemTime::now());
        let message = match PopMessage::read(payload) {
            Ok(m) if m.fresh(now) && seat.is(&m.seat) => m,
            _ => {
                self.status.send_modify(|s| s.counts.dropped += 1);
                return;
            }
        };
        self.status.send_modify(|s| {
            s.counts.events += 1;
            s.counts.last_event_ms = Some(now);
        });
        if seen.contains(&message.event_id) {
            return;
        }
        if seen.len() == REMEMBERED {
            seen.pop_front();
        }
        seen.push_back(message.event_id.clone());
        self.status.send_modify(|s| {
            s.counts.pops += 1;
            s.counts.last_pop_ms = Some(now);
        });
        on_pop(message);
    }

    fn connected(&self, seat: &str) {
        let since_ms = unix_ms(std::time::SystemTime::now());
        self.status.send_modify(|s| {
            s.state = SourceState::Connected { since_ms };
            s.signed_in_as = Some(seat.to_owned());
        });
    }

    fn set_state(&self, state: SourceState) {
        self.status.send_modify(|s| {
            if matches!(state, SourceState::SignedOut) {
                s.signed_in_as = None;
            }
            s.state = state;
        });
    }

    async fn lost(&self, why: String, wait: Duration) {
        self.set_state(SourceState::Reconnecting {
            in_secs: wait.as_secs(),
            why,
        });
        tokio::time::sleep(wait).await;
    }

    /// Waits until the keychain holds a password other than `old`.
    async fn until_changed(&self, old: Option<&ApiKey>) {
        loop {
            tokio::time::sleep(self.timing.credential_poll).await;
            if let Ok(Some(p)) = self.credentials.get(&self.profile).await {
                if Some(&p) != old {
                    return;
                }
            }
        }
    }
}

/// Asks JetStream for the newest pop kept on `subject`, the seat's: its bytes, if one is kept.
async fn catch_up(client: Client, subject: String, within: Duration) -> Option<Vec<u8>> {
    let asked = tokio::time::timeout(within, client.request(subject, "".into())).await;
    // No pop kept answers with a status and no body: nothing to show.
    match asked {
        Ok(Ok(m)) if m.status.is_none() && !m.payload.is_empty() => Some(m.payload.to_vec()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_waits_are_spread_under_a_growing_cap() {
        let t = Timing::default();
        for attempt in 1..40 {
            let wait = full_jitter(attempt, &t);
            assert!(wait <= t.reconnect_max);
        }
        let first: Vec<_> = (0..200).map(|_| full_jitter(1, &t)).collect();
        assert!(first.iter().all(|w| *w <= t.reconnect_min));
        assert!(
            first.iter().any(|w| *w < t.reconnect_min / 4),
            "spread from zero"
        );
    }
}
