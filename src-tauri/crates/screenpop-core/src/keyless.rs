//! Lookups of a profile whose PolyAI key the relay holds (keyless mode): the seat has no key,
//! so an id it looks up (pasted, a deep link, a pushed pop that came without its state) is
//! asked of the relay over NATS, on the seat's own lookup subject. One connection per profile is
//! kept open for them, as the API's warm connection is for a profile with a key.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::client::RequestErrorKind;
use async_nats::connection::State;
use async_nats::Client;
use tokio::sync::Mutex;

use screenpop_api::relay::{LookupAnswer, LookupRequest};
use screenpop_api::retry::Timeouts;
use screenpop_api::{ErrorKind, HandoffState, Lookup};
use screenpop_settings::relay::{RelayConfig, RelayCredentials};

use crate::lookups::Wait;
use crate::seat::{connect, Refused, Seat};
use crate::{Error, Result};

/// A profile's open connection, and what it was made for: another configuration makes another.
struct Held {
    config: RelayConfig,
    seat: Seat,
    client: Client,
}

/// The keyless lookups of every profile.
#[derive(Clone)]
pub struct Keyless {
    credentials: RelayCredentials,
    held: Arc<Mutex<HashMap<String, Held>>>,
}

impl std::fmt::Debug for Keyless {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyless").finish_non_exhaustive()
    }
}

/// What went wrong, for IT: keyless lookups cannot be fixed at the seat.
fn unavailable(profile: &str, why: &str) -> Error {
    Error::RelayUnavailable {
        detail: format!(
            "Profile \"{profile}\" looks callers up through the contact centre's relay, which cannot be asked: {why}. Ask IT; `screenpop doctor` says more."
        ),
    }
}

impl Keyless {
    /// Keyless lookups with the seats' passwords in `credentials`.
    pub fn new(credentials: RelayCredentials) -> Self {
        Self {
            credentials,
            held: Arc::default(),
        }
    }

    /// Looks `lookup` up through the relay for `profile`; the state as the relay masked it.
    pub async fn state(
        &self,
        profile: &str,
        config: &RelayConfig,
        lookup: &Lookup,
        wait: Wait,
        timeouts: &Timeouts,
    ) -> Result<HandoffState> {
        let request = LookupRequest {
            id: lookup.id().map(str::to_owned),
            shared_id: lookup.shared_id().map(str::to_owned),
            wait: wait == Wait::Retry,
            check: false,
        };
        match self.ask(profile, config, &request, timeouts).await? {
            LookupAnswer::State(state) => Ok(state),
            LookupAnswer::Ready => Err(unavailable(profile, "it answered a lookup as a check")),
            LookupAnswer::Refused { kind, message } => Err(refusal(profile, &kind, message)),
        }
    }

    /// Checks that the relay answers this seat and that its PolyAI key works (`doctor`,
    /// Settings' Test).
    pub async fn check(
        &self,
        profile: &str,
        config: &RelayConfig,
        timeouts: &Timeouts,
    ) -> Result<()> {
        let request = LookupRequest {
            id: None,
            shared_id: None,
            wait: false,
            check: true,
        };
        match self.ask(profile, config, &request, timeouts).await? {
            LookupAnswer::Ready => Ok(()),
            LookupAnswer::State(_) => Err(unavailable(profile, "it answered a check as a lookup")),
            LookupAnswer::Refused { kind, message } => Err(refusal(profile, &kind, message)),
        }
    }

    /// Opens `profile`'s connection now, so its first lookup costs one round trip. Failures
    /// are silent: the lookup reports them.
    pub async fn warm(&self, profile: &str, config: &RelayConfig, timeouts: &Timeouts) {
        let _ = self.client(profile, config, timeouts).await;
    }

    async fn ask(
        &self,
        profile: &str,
        config: &RelayConfig,
        request: &LookupRequest,
        timeouts: &Timeouts,
    ) -> Result<LookupAnswer> {
        let (client, subject) = self.client(profile, config, timeouts).await?;
        let payload = serde_json::to_vec(request)
            .map_err(|e| unavailable(profile, &format!("the request cannot be written ({e})")))?;
        // The relay's own lookup waits within its wait window: the seat waits for its whole
        // deadline, and a second more for the answer to travel.
        let within = timeouts.deadline() + Duration::from_secs(1);
        let asked = tokio::time::timeout(within, client.request(subject, payload.into())).await;
        let answer = match asked {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => {
                // The connection may hold a password replaced since: make a new one next time.
                self.held.lock().await.remove(profile);
                return Err(match e.kind() {
                    RequestErrorKind::NoResponders => unavailable(
                        profile,
                        "no relay answers lookups for this tenant (is keyless mode, [polyai], set up on the relay?)",
                    ),
                    RequestErrorKind::TimedOut => timed_out(within),
                    _ => unavailable(profile, &e.to_string()),
                });
            }
            Err(_) => return Err(timed_out(within)),
        };
        serde_json::from_slice(&answer.payload).map_err(|e| {
            unavailable(
                profile,
                &format!("its answer cannot be read ({e}); update the relay or screenpop"),
            )
        })
    }

    /// `profile`'s connection and lookup subject, made when there is none or its configuration
    /// changed.
    async fn client(
        &self,
        profile: &str,
        config: &RelayConfig,
        timeouts: &Timeouts,
    ) -> Result<(Client, String)> {
        let mut held = self.held.lock().await;
        // A connection that is down is not waited on (async-nats would hold the request until
        // it is back): a new one is tried, and fails at once if the relay is gone.
        if let Some(h) = held
            .get(profile)
            .filter(|h| h.config == *config && h.client.connection_state() == State::Connected)
        {
            return Ok((h.client.clone(), h.seat.lookups.clone()));
        }
        let seat = Seat::of(config).map_err(|why| unavailable(profile, &why))?;
        let password = self
            .credentials
            .get(profile)
            .await?
            .ok_or_else(|| {
                unavailable(
                    profile,
                    &format!("this computer has no relay password for seat \"{}\" (`screenpop relay credentials set --profile \"{profile}\"`)", seat.name),
                )
            })?;
        let client = connect(
            config,
            seat.options(&password, timeouts.connect()),
            timeouts.connect(),
        )
        .await
        .map_err(|refused| match refused {
            Refused::Credentials(why) | Refused::Unreachable(why) => unavailable(profile, &why),
        })?;
        let subject = seat.lookups.clone();
        held.insert(
            profile.to_owned(),
            Held {
                config: config.clone(),
                seat,
                client: client.clone(),
            },
        );
        Ok((client, subject))
    }
}

/// The relay's refusal, as the seat reports it: what only IT can fix (its key, its set-up)
/// says so; the rest (not found, rate limited, the API down) keeps the API's kind.
fn refusal(profile: &str, code: &str, message: String) -> Error {
    match ErrorKind::from_code(code) {
        Some(ErrorKind::NoKey | ErrorKind::KeyRejected | ErrorKind::Config) | None => {
            unavailable(profile, &format!("the relay said: {message}"))
        }
        Some(kind) => Error::Relay { kind, message },
    }
}

fn timed_out(after: Duration) -> Error {
    Error::from(screenpop_api::Error::Timeout { after })
}
