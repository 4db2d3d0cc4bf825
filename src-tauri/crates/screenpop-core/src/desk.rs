//! Everything the window needs, without the window: the settings, the keys, one HTTP client per
//! profile, and the recent lookups of this session. The Tauri commands are one-line calls into
//! this; the CLI could use it too.
//!
//! Keychain calls block (D-Bus on Linux), so they run on Tokio's blocking pool.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde::Serialize;
use url::Url;

use crate::card::Card;
use crate::config::{PopAction, Settings, TriggerSettings};
use crate::endpoint::Endpoint;
use crate::recent::Recent;
use crate::retry::Retryable;
use crate::secret::KeyStore;
use crate::transfer::Transfer;
use crate::{ApiKey, Error, HandoffClient, HandoffState, Lookup, LookupBy, Profile, Result};

/// The keychain entry of the local trigger's token ('@' cannot start a profile name).
pub const TRIGGER_TOKEN_ENTRY: &str = "@local-trigger";

/// A profile as the window lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileView {
    /// Name.
    pub name: String,
    /// Region name, for region profiles.
    pub region: Option<String>,
    /// Base URL, for custom endpoints.
    pub base_url: Option<String>,
    /// Account id.
    pub account: String,
    /// Project id.
    pub project: String,
    /// Whether a key is stored; `None` when the keychain cannot be asked.
    pub has_key: Option<bool>,
    /// The kind of id last looked up with it.
    pub lookup_by: LookupBy,
}

/// All profiles and which is active.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profiles {
    /// In the order they were added.
    pub profiles: Vec<ProfileView>,
    /// The active profile's name.
    pub active: Option<String>,
    /// Why `has_key` is unknown, when the keychain cannot be reached.
    pub keychain_error: Option<String>,
}

/// A profile as entered in the settings form.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    /// Name.
    pub name: String,
    /// An Agent Studio URL, which gives region, account and project at once.
    pub studio_url: Option<String>,
    /// A region name, with `account` and `project`.
    pub region: Option<String>,
    /// A custom base URL, with `account` and `project`.
    pub base_url: Option<String>,
    /// Account id.
    pub account: String,
    /// Project id.
    pub project: String,
}

impl ProfileInput {
    /// Validates the input into a profile.
    pub fn into_profile(self) -> Result<Profile> {
        let nonblank = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(url) = nonblank(&self.studio_url) {
            return Profile::from_studio_url(&self.name, &url);
        }
        let endpoint = match (nonblank(&self.region), nonblank(&self.base_url)) {
            (_, Some(url)) => Endpoint::custom(&url)?,
            (Some(region), None) => Endpoint::Region(region.parse()?),
            (None, None) => {
                return Err(Error::BadInput(
                    "Paste the Agent Studio URL, or choose a region (or a custom base URL)."
                        .to_owned(),
                ))
            }
        };
        Profile::new(&self.name, endpoint, &self.account, &self.project)
    }
}

/// A successful lookup, as the window shows it and the recent list keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupResult {
    /// The profile it was looked up with.
    pub profile: String,
    /// What was typed, trimmed.
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

/// How often an idle app refreshes its connection with [`Desk::warm_up`]: under the 60 s after
/// which load balancers commonly drop idle connections.
pub const WARM_INTERVAL: std::time::Duration = std::time::Duration::from_secs(45);

/// The window's back end.
pub struct Desk {
    path: Option<PathBuf>,
    settings: Mutex<Settings>,
    keys: Arc<dyn KeyStore>,
    clients: Mutex<HashMap<String, HandoffClient>>,
    /// Keys read from the keychain, so a pop does not wait for a D-Bus round trip. Dropped when
    /// a key is stored or rejected, or its profile changes.
    key_cache: Mutex<HashMap<String, ApiKey>>,
    recent: Mutex<Recent>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the data consistent, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Desk {
    /// Loads the settings at `path` (written back on every change) with keys in `keys`.
    pub fn open(path: PathBuf, keys: Arc<dyn KeyStore>) -> Result<Self> {
        let settings = Settings::load(&path)?;
        Ok(Self::new(Some(path), settings, keys))
    }

    /// Settings held in memory only (the demo): nothing is written to disk.
    pub fn in_memory(settings: Settings, keys: Arc<dyn KeyStore>) -> Self {
        Self::new(None, settings, keys)
    }

    fn new(path: Option<PathBuf>, settings: Settings, keys: Arc<dyn KeyStore>) -> Self {
        Self {
            path,
            settings: Mutex::new(settings),
            keys,
            clients: Mutex::new(HashMap::new()),
            key_cache: Mutex::new(HashMap::new()),
            recent: Mutex::new(Recent::default()),
        }
    }

    /// Applies `change` to the settings and saves them; nothing changes if saving fails.
    fn change<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let mut guard = lock(&self.settings);
        let mut next = guard.clone();
        let out = change(&mut next)?;
        if let Some(path) = &self.path {
            next.save(path)?;
        }
        // Clients hold warm connections: rebuild them only when what they were built from changed,
        // not when a lookup remembers its id kind or a preference is set.
        if next.profiles() != guard.profiles() || next.timeouts != guard.timeouts {
            lock(&self.clients).clear();
            lock(&self.key_cache).clear();
        }
        *guard = next;
        Ok(out)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn KeyStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let keys = self.keys.clone();
        tokio::task::spawn_blocking(move || f(keys.as_ref()))
            .await
            .map_err(|e| Error::KeychainUnavailable {
                detail: format!("the keychain call did not finish: {e}"),
            })?
    }

    /// The profiles, with whether each has a key.
    pub async fn profiles(&self) -> Profiles {
        let settings = lock(&self.settings).clone();
        let names: Vec<String> = settings.profiles().iter().map(|p| p.name.clone()).collect();
        let has_keys = self
            .blocking(move |keys| {
                names
                    .iter()
                    .map(|n| keys.get(n).map(|k| k.is_some()))
                    .collect::<Result<Vec<bool>>>()
            })
            .await;
        let (has_keys, keychain_error) = match has_keys {
            Ok(v) => (v.into_iter().map(Some).collect(), None),
            Err(e) => (vec![None; settings.profiles().len()], Some(e.to_string())),
        };
        Profiles {
            profiles: settings
                .profiles()
                .iter()
                .zip(has_keys)
                .map(|(p, has_key)| ProfileView {
                    name: p.name.clone(),
                    region: p.endpoint.region().map(|r| r.name().to_owned()),
                    base_url: p.endpoint.custom_url().map(Url::to_string),
                    account: p.account.to_string(),
                    project: p.project.to_string(),
                    has_key,
                    lookup_by: settings.lookup_by(&p.name),
                })
                .collect(),
            active: settings.active().map(str::to_owned),
            keychain_error,
        }
    }

    /// Adds a profile (`original` is `None`) or replaces one, and makes it active. A renamed
    /// profile keeps its key.
    pub async fn save_profile(&self, original: Option<String>, input: ProfileInput) -> Result<()> {
        let profile = input.into_profile()?;
        let name = profile.name.clone();
        let renamed_from = self.change(|s| {
            let renamed = match &original {
                Some(old) => {
                    let old_name = s.profile(Some(old))?.name.clone();
                    s.replace_profile(old, profile)?;
                    (old_name != name).then_some(old_name)
                }
                None => {
                    s.add_profile(profile)?;
                    None
                }
            };
            s.use_profile(&name)?;
            Ok(renamed)
        })?;
        if let Some(old) = renamed_from {
            let new = name.clone();
            self.blocking(move |keys| {
                if let Some(key) = keys.get(&old)? {
                    keys.set(&new, &key)?;
                    keys.delete(&old)?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// Removes a profile and its key.
    pub async fn delete_profile(&self, name: &str) -> Result<()> {
        let removed = self.change(|s| s.remove_profile(name))?;
        self.blocking(move |keys| keys.delete(&removed.name).map(|_| ()))
            .await
    }

    /// Makes `name` the active profile.
    pub fn use_profile(&self, name: &str) -> Result<()> {
        self.change(|s| s.use_profile(name))
    }

    /// Stores the key of `profile`; the key can never be read back through the desk.
    pub async fn store_key(&self, profile: &str, raw_key: String) -> Result<()> {
        let name = lock(&self.settings).profile(Some(profile))?.name.clone();
        let key = ApiKey::new(&raw_key)?;
        drop(raw_key);
        lock(&self.key_cache).remove(&name);
        self.blocking(move |keys| keys.set(&name, &key)).await
    }

    fn client_and_name(&self, profile: Option<&str>) -> Result<(HandoffClient, String)> {
        let settings = lock(&self.settings);
        let p = settings.profile(profile)?;
        let mut clients = lock(&self.clients);
        if let Some(c) = clients.get(&p.name) {
            return Ok((c.clone(), p.name.clone()));
        }
        let client = HandoffClient::new(p.clone(), settings.timeouts)?;
        clients.insert(p.name.clone(), client.clone());
        Ok((client, p.name.clone()))
    }

    async fn key_of(&self, name: &str) -> Result<ApiKey> {
        if let Some(key) = lock(&self.key_cache).get(name) {
            return Ok(key.clone());
        }
        let owned = name.to_owned();
        let key = self
            .blocking(move |keys| {
                keys.get(&owned)?.ok_or_else(|| Error::NoKey {
                    profile: owned.clone(),
                })
            })
            .await?;
        lock(&self.key_cache).insert(name.to_owned(), key.clone());
        Ok(key)
    }

    /// Readies the active profile for the next pop: reads its key from the keychain and opens
    /// (or keeps open) the connection to its API host, so a transfer costs one round trip.
    /// Called at start and then periodically while the app idles; failures are silent, as the
    /// next lookup reports them properly.
    pub async fn warm_up(&self) {
        let Ok((client, name)) = self.client_and_name(None) else {
            return;
        };
        if self.key_of(&name).await.is_ok() {
            client.warm().await;
        }
    }

    /// Keeps the active profile warm for as long as it is polled: [`Desk::warm_up`] now and then
    /// every `interval` ([`WARM_INTERVAL`] in the app), so the connection is refreshed before a
    /// load balancer drops it as idle, and reopened if it was dropped anyway.
    pub async fn keep_warm(&self, interval: std::time::Duration) {
        loop {
            self.warm_up().await;
            tokio::time::sleep(interval).await;
        }
    }

    /// Tests the profile's key and ids against the API (see [`HandoffClient::check_connection`]).
    pub async fn test_connection(&self, profile: Option<&str>) -> Result<()> {
        let (client, name) = self.client_and_name(profile)?;
        let key = self.key_of(&name).await?;
        client.check_connection(&key).await
    }

    /// Looks `query` up as `by` with `profile` (the active one when `None`), remembers the kind
    /// of id for the profile, and keeps the result in this session's recent list.
    pub async fn lookup(
        &self,
        profile: Option<&str>,
        by: LookupBy,
        query: &str,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<LookupResult> {
        let lookup = Lookup::of(by, query)?;
        let name = lock(&self.settings).profile(profile)?.name.clone();
        if lock(&self.settings).lookup_by(&name) != by {
            // Remembering the choice is a convenience: a settings file that cannot be written
            // must not stop a lookup.
            let _ = self.change(|s| s.set_lookup_by(&name, by));
        }
        self.run(Some(&name), &lookup, on_retry).await
    }

    /// Looks up a pushed transfer, with its own profile when it names one. Both ids are sent
    /// when both are given; the card then shows the shared id, which the API uses.
    pub async fn lookup_transfer(
        &self,
        transfer: &Transfer,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<LookupResult> {
        self.run(transfer.profile.as_deref(), &transfer.lookup()?, on_retry)
            .await
    }

    async fn run(
        &self,
        profile: Option<&str>,
        lookup: &Lookup,
        on_retry: &(dyn Fn(Retryable) + Send + Sync),
    ) -> Result<LookupResult> {
        let (client, name) = self.client_and_name(profile)?;
        let key = self.key_of(&name).await?;
        let state = match client.lookup_observed(&key, lookup, on_retry).await {
            Err(e) if e.kind() == crate::ErrorKind::KeyRejected => {
                // The key may have been replaced from another program: read it again next time.
                lock(&self.key_cache).remove(&name);
                return Err(e);
            }
            other => other?,
        };
        let (by, query) = match (lookup.shared_id(), lookup.id()) {
            (Some(sid), _) => (LookupBy::SharedId, sid),
            (None, Some(id)) => (LookupBy::Id, id),
            (None, None) => (LookupBy::Id, ""),
        };
        let result = self.result(&name, client.profile(), by, query, &state);
        lock(&self.recent).push(result.clone());
        Ok(result)
    }

    fn result(
        &self,
        name: &str,
        profile: &Profile,
        by: LookupBy,
        query: &str,
        state: &HandoffState,
    ) -> LookupResult {
        let link = state
            .id
            .as_deref()
            .and_then(|id| profile.studio_conversation_url(id));
        let card = Card::build(state, link.as_ref());
        LookupResult {
            profile: name.to_owned(),
            query: crate::card::inert(query),
            by,
            at_ms: SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            text: card.to_text(),
            card,
            raw_json: raw_json(state),
        }
    }

    /// What a pushed transfer does when the window is not in front.
    pub fn pop_action(&self) -> PopAction {
        lock(&self.settings).pop_action
    }

    /// Chooses what a pushed transfer does.
    pub fn set_pop_action(&self, action: PopAction) -> Result<()> {
        self.change(|s| {
            s.pop_action = action;
            Ok(())
        })
    }

    /// The profiles' names and the active one, without asking the keychain.
    pub fn profile_names(&self) -> (Vec<String>, Option<String>) {
        let settings = lock(&self.settings);
        (
            settings.profiles().iter().map(|p| p.name.clone()).collect(),
            settings.active().map(str::to_owned),
        )
    }

    /// The kind of id the active profile looks up (what the clipboard shortcut uses).
    pub fn active_lookup_by(&self) -> LookupBy {
        let settings = lock(&self.settings);
        settings
            .active()
            .map(|name| settings.lookup_by(name))
            .unwrap_or_default()
    }

    /// The clipboard shortcut, empty when turned off.
    pub fn hotkey(&self) -> String {
        lock(&self.settings).hotkey.clone()
    }

    /// Saves the clipboard shortcut (`""` turns it off). The window registers it with the desktop
    /// first; this only refuses text that cannot be a shortcut at all.
    pub fn set_hotkey(&self, hotkey: &str) -> Result<()> {
        let hotkey = hotkey.trim();
        if hotkey.len() > 64 || hotkey.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::BadInput(
                "A shortcut is keys joined by +, such as Ctrl+Alt+P.".to_owned(),
            ));
        }
        self.change(|s| {
            s.hotkey = hotkey.to_owned();
            Ok(())
        })
    }

    /// The local trigger's settings.
    pub fn trigger(&self) -> TriggerSettings {
        lock(&self.settings).trigger
    }

    /// Turns the local trigger on or off, on `port` (1024 or above).
    pub fn set_trigger(&self, trigger: TriggerSettings) -> Result<()> {
        if trigger.port < 1024 {
            return Err(Error::BadInput(format!(
                "The local trigger's port must be between 1024 and 65535, not {}.",
                trigger.port
            )));
        }
        self.change(|s| {
            s.trigger = trigger;
            Ok(())
        })
    }

    /// The local trigger's token, created on first use; `fresh` replaces it. Kept in the
    /// keychain beside the API keys, under a name no profile can have.
    pub async fn trigger_token(&self, fresh: bool) -> Result<String> {
        self.blocking(move |keys| {
            if !fresh {
                if let Some(token) = keys.get(TRIGGER_TOKEN_ENTRY)? {
                    return Ok(token.expose().to_owned());
                }
            }
            let mut bytes = [0u8; 24];
            getrandom::fill(&mut bytes)
                .map_err(|e| Error::Config(format!("No randomness for a token: {e}.")))?;
            let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            keys.set(TRIGGER_TOKEN_ENTRY, &ApiKey::new(&token)?)?;
            Ok(token)
        })
        .await
    }

    /// This session's successful lookups, newest first.
    pub fn recent(&self) -> Vec<LookupResult> {
        lock(&self.recent).entries()
    }
}

/// Pretty JSON with bidi and zero-width characters written as `\u` escapes, so the raw view
/// shows them instead of obeying them. Still valid JSON with the same value.
fn raw_json(state: &HandoffState) -> String {
    let pretty = serde_json::to_string_pretty(state).unwrap_or_default();
    let mut out = String::with_capacity(pretty.len());
    for c in pretty.chars() {
        if crate::card::is_invisible_format(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
