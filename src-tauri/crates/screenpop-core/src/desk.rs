//! The services of one running screenpop over one settings file and one keychain: the window
//! and the command line each build a `Desk` and use its parts, so a profile is built, renamed
//! and deleted with its key in one place, whoever asks.

use std::path::PathBuf;
use std::sync::Arc;

use crate::lookups::Lookups;
use crate::Result;
use screenpop_settings::config::Settings;
use screenpop_settings::genesys::token::Tokens;
use screenpop_settings::keys::Keys;
use screenpop_settings::policy::{self, Policy};
use screenpop_settings::prefs::Preferences;
use screenpop_settings::profiles::{ProfileForm, Profiles};
use screenpop_settings::relay::RelayCredentials;
use screenpop_settings::secret::KeyStore;
use screenpop_settings::store::SettingsStore;

/// What the profile form's Test found.
#[derive(Debug)]
pub struct FormTested {
    /// The profile tested (`None`: the active one).
    pub profile: Option<String>,
    /// Whether the form was saved first.
    pub saved: bool,
    /// The API's answer.
    pub outcome: Result<()>,
}

/// One agent's desk, in the contact centre's sense: the services over this seat's settings
/// file, fleet policy and keychain (profiles with their keys, lookups, preferences). The
/// window and each command build one; clones share it.
#[derive(Debug, Clone)]
pub struct Desk {
    /// Profiles with their keys.
    pub profiles: Profiles,
    /// Lookups, their clients and warm connections.
    pub lookups: Lookups,
    /// The agent's preferences.
    pub prefs: Preferences,
    /// The Genesys Cloud sign-ins, one per profile, in the keychain.
    pub genesys_tokens: Tokens,
    /// The seats' relay passwords, in the keychain.
    pub relay_credentials: RelayCredentials,
    store: Arc<SettingsStore>,
}

impl Desk {
    /// Settings from `path` (written back on every change) under this machine's fleet policy,
    /// keys in `keys`.
    pub fn open(path: PathBuf, keys: Arc<dyn KeyStore>) -> Result<Self> {
        Ok(Self::over(SettingsStore::open(path, policy::load())?, keys))
    }

    /// Settings held in memory only, without a policy (the demo, a broken settings file, whose
    /// window then calls [`Desk::set_policy`]): nothing is written.
    pub fn in_memory(settings: Settings, keys: Arc<dyn KeyStore>) -> Self {
        Self::over(SettingsStore::in_memory(settings, Policy::none()), keys)
    }

    /// The settings in force (the policy laid over the agent's).
    pub fn settings(&self) -> Settings {
        self.store.get()
    }

    /// The fleet policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        self.store.policy()
    }

    /// Puts `policy` in force; answers whether it differs from the one in force.
    pub fn set_policy(&self, policy: Policy) -> bool {
        self.store.set_policy(policy)
    }

    /// Reads this machine's policy again and puts it in force; answers whether it changed.
    pub fn reload_policy(&self) -> bool {
        self.set_policy(policy::load())
    }

    /// Why some of the agent's own profiles are not used under the policy, one sentence each.
    pub fn hidden_profiles(&self) -> Vec<String> {
        self.store.policy().hidden_profiles(&self.store.user())
    }

    /// The profile form's Test: the form is saved first when it must be tested as typed (see
    /// [`ProfileForm::needs_saving_to_test`]), then the API is asked with the profile's key. A
    /// failed save is the error; a failed test is part of the answer, since the profile may
    /// have been saved before it.
    pub async fn test_form(&self, form: &ProfileForm) -> Result<FormTested> {
        let saved = form.needs_saving_to_test();
        let profile = if saved {
            Some(self.profiles.save_form(form).await?)
        } else {
            form.editing.clone()
        };
        let outcome = self.lookups.test_connection(profile.as_deref()).await;
        Ok(FormTested {
            profile,
            saved,
            outcome,
        })
    }

    fn over(store: SettingsStore, keys: Arc<dyn KeyStore>) -> Self {
        let store = Arc::new(store);
        let keys = Arc::new(Keys::new(keys));
        Self {
            profiles: Profiles::new(store.clone(), keys.clone()),
            lookups: Lookups::new(store.clone(), keys.clone()),
            prefs: Preferences::new(store.clone(), keys.clone()),
            genesys_tokens: Tokens::new(keys.clone()),
            relay_credentials: RelayCredentials::new(keys),
            store,
        }
    }
}
