//! Looking handoff states up: one HTTP client per profile, kept with its warm connection, and
//! the keys it needs; or, for a profile whose key the relay holds, the relay ([`Keyless`]).
//! Both the window's pipeline and `screenpop lookup` go through here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::keyless::Keyless;
use crate::Result;
use screenpop_api::retry::{Retryable, Timeouts};
use screenpop_api::{ErrorKind, HandoffClient, HandoffState, Lookup, LookupBy};
use screenpop_card::Card;
use screenpop_settings::i18n::Catalogue;
use screenpop_settings::keys::Keys;
use screenpop_settings::relay::{RelayConfig, RelayCredentials};
use screenpop_settings::store::{lock, SettingsStore};
use screenpop_settings::Profile;

/// How often an idle app refreshes its connection with [`Lookups::warm_up`]: under the 60 s
/// after which load balancers commonly drop idle connections.
pub const WARM_INTERVAL: Duration = Duration::from_secs(45);

/// A successful lookup, as the window shows it and the recent list keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupResult {
    /// The profile it was looked up with.
    pub profile: String,
    /// The id shown on the card (the shared id when both were sent), inert.
    pub query: String,
    /// As which kind of id.
    pub by: LookupBy,
    /// When it was looked up, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The caller card.
    pub card: Card,
    /// The card as plain text, for "copy all".
    pub text: String,
    /// The state as pretty JSON, with invisible characters escaped, for the raw view.
    pub raw_json: String,
}

/// How a lookup waits for a state that is not saved yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Retries within the profile's wait window (the window, `screenpop lookup`).
    Retry,
    /// One attempt (`screenpop lookup --no-wait`).
    Once,
}

#[derive(Default)]
struct Clients {
    generation: u64,
    by_profile: HashMap<String, (HandoffClient, Profile)>,
}

/// A profile whose PolyAI key the relay holds, with what its lookups need, from one read.
struct KeylessProfile {
    profile: Profile,
    relay: RelayConfig,
    timeouts: Timeouts,
}

/// The lookups service.
#[derive(Clone)]
pub struct Lookups {
    store: Arc<SettingsStore>,
    keys: Arc<Keys>,
    clients: Arc<Mutex<Clients>>,
    keyless: Keyless,
}

impl std::fmt::Debug for Lookups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookups").finish_non_exhaustive()
    }
}

impl Lookups {
    /// Lookups with the profiles in `store` and the keys in `keys`.
    pub fn new(store: Arc<SettingsStore>, keys: Arc<Keys>) -> Self {
        Self {
            store,
            keyless: Keyless::new(RelayCredentials::new(keys.clone())),
            keys,
            clients: Arc::default(),
        }
    }

    /// The client of `profile` (the active one when `None`) and the profile. Clients hold warm
    /// connections: they are rebuilt only when a profile or the timeouts changed.
    pub fn client(&self, profile: Option<&str>) -> Result<(HandoffClient, Profile)> {
        let generation = self.store.endpoints_generation();
        let (p, timeouts) = self
            .store
            .read(|s| s.profile(profile).map(|p| (p.clone(), s.timeouts)))?;
        let mut clients = lock(&self.clients);
        if clients.generation != generation {
            clients.by_profile.clear();
            clients.generation = generation;
            self.keys.forget_all();
        }
        if let Some(served) = clients.by_profile.get(&p.name) {
            return Ok(served.clone());
        }
        let cards = self.store.policy().card_numbers();
        let client = HandoffClient::new(&p.target(), timeouts)?.with_card_numbers(cards);
        clients
            .by_profile
            .insert(p.name.clone(), (client.clone(), p.clone()));
        Ok((client, p))
    }

    /// Whether a profile named `name` exists, as an error naming it when it does not: what a
    /// transfer naming a profile is admitted on, without building its client.
    pub fn profile_exists(&self, name: &str) -> Result<()> {
        Ok(self.store.read(|s| s.profile(Some(name)).map(|_| ()))?)
    }

    /// Readies the active profile for the next pop: reads its key and opens (or keeps open) the
    /// connection to its API host, so a transfer costs one round trip. Failures are silent: the
    /// next lookup reports them properly.
    pub async fn warm_up(&self) {
        if let Ok(Some(k)) = self.keyless_profile(None) {
            return self
                .keyless
                .warm(&k.profile.name, &k.relay, &k.timeouts)
                .await;
        }
        let Ok((client, profile)) = self.client(None) else {
            return;
        };
        if self.keys.get(&profile.name).await.is_ok() {
            client.warm().await;
        }
    }

    /// Keeps the active profile warm for as long as it is polled: [`Lookups::warm_up`] now and
    /// then every `interval`, so the connection is refreshed before a load balancer drops it.
    pub async fn keep_warm(&self, interval: Duration) {
        loop {
            self.warm_up().await;
            tokio::time::sleep(interval).await;
        }
    }

    /// Tests the profile's key and ids against the API (see [`HandoffClient::check_connection`]).
    pub async fn test_connection(&self, profile: Option<&str>) -> Result<()> {
        if let Some(k) = self.keyless_profile(profile)? {
            return self
                .keyless
                .check(&k.profile.name, &k.relay, &k.timeouts)
                .await;
        }
        let (client, profile) = self.client(profile)?;
        let key = self.keys.get(&profile.name).await?;
        Ok(client.check_connection(&key).await?)
    }

    /// Looks `lookup` up with `profile` (the active one when `None`) and answers the state with
    /// the profile it came through. `on_retry` hears why a lookup is still waiting.
    pub async fn state(
        &self,
        profile: Option<&str>,
        lookup: &Lookup,
        wait: Wait,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<(HandoffState, Profile)> {
        if let Some(k) = self.keyless_profile(profile)? {
            let state = self
                .keyless
                .state(&k.profile.name, &k.relay, lookup, wait, &k.timeouts)
                .await?;
            return Ok((state.masked(self.store.policy().card_numbers()), k.profile));
        }
        // The keychain read (a D-Bus round trip on a cold start) runs while the client is built.
        let name = self
            .store
            .read(|s| s.profile(profile).map(|p| p.name.clone()))?;
        let key = self.keys.get(&name);
        let (client, profile) = self.client(profile)?;
        let key = key.await?;
        let answer = match wait {
            Wait::Retry => client.lookup_observed(&key, lookup, on_retry).await,
            Wait::Once => client.lookup_once(&key, lookup).await,
        };
        match answer {
            Err(e) if e.kind() == ErrorKind::KeyRejected => {
                // The key may have been replaced from another program: read it again next time.
                self.keys.forget(&profile.name);
                Err(e.into())
            }
            other => Ok((other?, profile)),
        }
    }

    /// `profile` (the active one when `None`) with its relay and the timeouts, read at once,
    /// when the relay holds its PolyAI key.
    fn keyless_profile(&self, profile: Option<&str>) -> Result<Option<KeylessProfile>> {
        Ok(self.store.read(|s| {
            s.profile(profile).map(|p| {
                p.relay
                    .clone()
                    .filter(RelayConfig::keyless)
                    .map(|relay| KeylessProfile {
                        profile: p.clone(),
                        relay,
                        timeouts: s.timeouts,
                    })
            })
        })?)
    }

    /// The caller card of a state that came with its pop (the relay looked it up): masked again
    /// as this seat's policy says, and built as a looked-up one would be.
    pub fn known(
        &self,
        profile: Option<&str>,
        lookup: &Lookup,
        state: HandoffState,
    ) -> Result<LookupResult> {
        let profile = self.store.read(|s| s.profile(profile).cloned())?;
        let state = state.masked(self.store.policy().card_numbers());
        Ok(result(&profile, lookup, &state, self.words()))
    }

    /// Looks `lookup` up and builds the caller card.
    pub async fn fetch(
        &self,
        profile: Option<&str>,
        lookup: &Lookup,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<LookupResult> {
        let (state, profile) = self.state(profile, lookup, Wait::Retry, on_retry).await?;
        Ok(result(&profile, lookup, &state, self.words()))
    }

    /// The agent's language, which "copy all" is written in.
    fn words(&self) -> &'static Catalogue {
        Catalogue::of(self.store.language().language)
    }
}

/// The card, its text and its raw JSON for one state.
fn result(
    profile: &Profile,
    lookup: &Lookup,
    state: &HandoffState,
    words: &Catalogue,
) -> LookupResult {
    let (by, query) = lookup.shown();
    let card = Card::of(state, &profile.target(), &profile.card);
    LookupResult {
        profile: profile.name.clone(),
        query: screenpop_card::inert(query),
        by,
        at_ms: now_ms(),
        text: card.to_text(words),
        card,
        raw_json: raw_json(&screenpop_card::shown_state(state, &profile.card)),
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    crate::push::unix_ms(SystemTime::now())
}

/// Pretty JSON with bidi and zero-width characters written as `\u` escapes, so the raw view
/// shows them instead of obeying them. Still valid JSON with the same value.
fn raw_json(state: &HandoffState) -> String {
    let pretty = serde_json::to_string_pretty(state).unwrap_or_default();
    let mut out = String::with_capacity(pretty.len());
    for c in pretty.chars() {
        if screenpop_card::is_invisible_format(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
