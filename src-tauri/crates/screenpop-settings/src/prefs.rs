//! The agent's preferences: what a transfer does when the window is not in front, the clipboard
//! shortcut, the local trigger and its token, and the kind of id each profile looks up.

use std::sync::Arc;

use crate::config::{PopAction, TriggerSettings};
use crate::i18n::{Chosen, LanguageChoice};
use crate::keys::Keys;
use crate::setting::{check_hotkey, check_port, Setting};
use crate::store::SettingsStore;
use crate::{Error, Result};
use screenpop_api::{ApiKey, LookupBy};

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

    /// The language in force: the setting, resolved against the system locale.
    pub fn language(&self) -> Chosen {
        self.store.language()
    }

    /// Chooses the language (refused when the policy locks it).
    pub fn set_language(&self, choice: LanguageChoice) -> Result<()> {
        self.store.change(|s| {
            s.language = choice;
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
        let hotkey = check_hotkey(hotkey).map_err(Error::BadInput)?;
        self.store.change(|s| {
            s.hotkey = hotkey;
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
        check_port(trigger.port).map_err(Error::BadInput)?;
        self.store.change(|s| {
            s.trigger = trigger;
            Ok(())
        })
    }

    /// Whether screenpop should start at login, when the agent or the policy has decided it;
    /// `None` leaves the system's login items as they are.
    pub fn autostart(&self) -> Option<bool> {
        let decided = self.store.read(|s| s.chose(Setting::Autostart))
            || self.store.policy().decides(Setting::Autostart);
        decided.then(|| self.store.read(|s| s.autostart))
    }

    /// Records the agent's choice to start at login or not (the window changes the login item).
    pub fn set_autostart(&self, enabled: bool) -> Result<()> {
        self.store.change(|s| {
            s.autostart = enabled;
            Ok(())
        })
    }

    /// Whether `setting` is locked by the policy (or the policy is broken and might lock it).
    pub fn locked(&self, setting: Setting) -> bool {
        self.store.policy().locks(setting)
    }

    /// Every setting by name with its value in force and whether it is locked.
    pub fn all(&self) -> Vec<(Setting, toml::Value, bool)> {
        let policy = self.store.policy();
        self.store.read(|s| {
            Setting::ALL
                .into_iter()
                .map(|setting| (setting, setting.get(s), policy.locks(setting)))
                .collect()
        })
    }

    /// Sets `setting` from text typed on the command line (`screenpop settings set`).
    pub fn set_text(&self, setting: Setting, text: &str) -> Result<()> {
        let value = setting.parse_text(text);
        self.store
            .change(|s| setting.put(s, &value).map_err(Error::BadInput))
    }

    /// The local trigger's token, created on first use. Kept in the keychain beside the API
    /// keys, under a name no profile can have.
    pub async fn trigger_token(&self) -> Result<String> {
        self.make_trigger_token(Token::Keep).await
    }

    /// Replaces the local trigger's token with a new one (the old one stops working).
    pub async fn new_trigger_token(&self) -> Result<String> {
        self.make_trigger_token(Token::Replace).await
    }

    async fn make_trigger_token(&self, token: Token) -> Result<String> {
        self.keys
            .blocking(move |keys| {
                if token == Token::Keep {
                    if let Some(token) = keys.get(TRIGGER_TOKEN_ENTRY)? {
                        return Ok(token.expose_secret().to_owned());
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

/// Whether a stored trigger token is kept or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Keep,
    Replace,
}
