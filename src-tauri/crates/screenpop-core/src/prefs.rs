//! The agent's preferences: what a transfer does when the window is not in front, the clipboard
//! shortcut, the local trigger and its token, and the kind of id each profile looks up.

use std::sync::Arc;

use crate::config::{PopAction, TriggerSettings};
use crate::keys::Keys;
use crate::store::SettingsStore;
use crate::{ApiKey, Error, LookupBy, Result};

/// The keychain entry of the local trigger's token ('@' cannot start a profile name).
pub const TRIGGER_TOKEN_ENTRY: &str = "@local-trigger";

/// The preferences service.
#[derive(Debug, Clone)]
pub struct Preferences {
    store: Arc<SettingsStore>,
    keys: Arc<Keys>,
}

impl Preferences {
    /// Preferences kept in `store`; the trigger's token in `keys`.
    pub fn new(store: Arc<SettingsStore>, keys: Arc<Keys>) -> Self {
        Self { store, keys }
    }

    /// What a pushed transfer does when the window is not in front.
    pub fn pop_action(&self) -> PopAction {
        self.store.read(|s| s.pop_action)
    }

    /// Chooses what a pushed transfer does.
    pub fn set_pop_action(&self, action: PopAction) -> Result<()> {
        self.store.change(|s| {
            s.pop_action = action;
            Ok(())
        })
    }

    /// The kind of id the active profile looks up (what the clipboard shortcut uses).
    pub fn active_lookup_by(&self) -> LookupBy {
        self.store
            .read(|s| s.active().map(|name| s.lookup_by(name)).unwrap_or_default())
    }

    /// Remembers the kind of id last typed for `profile` (the active one when `None`). A
    /// convenience: a settings file that cannot be written must not stop a lookup.
    pub fn remember_lookup_by(&self, profile: Option<&str>, by: LookupBy) {
        let Ok(name) = self
            .store
            .read(|s| s.profile(profile).map(|p| p.name.clone()))
        else {
            return;
        };
        if self.store.read(|s| s.lookup_by(&name)) != by {
            let _ = self.store.change(|s| s.set_lookup_by(&name, by));
        }
    }

    /// The clipboard shortcut, empty when turned off.
    pub fn hotkey(&self) -> String {
        self.store.read(|s| s.hotkey.clone())
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
        self.store.change(|s| {
            s.hotkey = hotkey.to_owned();
            Ok(())
        })
    }

    /// The local trigger's settings.
    pub fn trigger(&self) -> TriggerSettings {
        self.store.read(|s| s.trigger)
    }

    /// Turns the local trigger on or off, on `port` (1024 or above, or 0 for a free port picked
    /// per session; see [`crate::session`]).
    pub fn set_trigger(&self, trigger: TriggerSettings) -> Result<()> {
        if trigger.port != 0 && trigger.port < 1024 {
            return Err(Error::BadInput(format!(
                "The local trigger's port must be between 1024 and 65535, or 0 for a free port in each session, not {}.",
                trigger.port
            )));
        }
        self.store.change(|s| {
            s.trigger = trigger;
            Ok(())
        })
    }

    /// The local trigger's token, created on first use; `fresh` replaces it. Kept in the
    /// keychain beside the API keys, under a name no profile can have.
    pub async fn trigger_token(&self, fresh: bool) -> Result<String> {
        self.keys
            .blocking(move |keys| {
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
}
