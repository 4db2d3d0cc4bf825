//! The services of one running screenpop over one settings file and one keychain: the window
//! and the command line each build a `Desk` and use its parts, so a profile is built, renamed
//! and deleted with its key in one place, whoever asks.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Settings;
use crate::keys::Keys;
use crate::lookups::Lookups;
use crate::prefs::Preferences;
use crate::profiles::Profiles;
use crate::secret::KeyStore;
use crate::store::SettingsStore;
use crate::Result;

/// The services.
#[derive(Debug, Clone)]
pub struct Desk {
    /// Profiles with their keys.
    pub profiles: Profiles,
    /// Lookups, their clients and warm connections.
    pub lookups: Lookups,
    /// The agent's preferences.
    pub prefs: Preferences,
}

impl Desk {
    /// Settings from `path` (written back on every change), keys in `keys`.
    pub fn open(path: PathBuf, keys: Arc<dyn KeyStore>) -> Result<Self> {
        Ok(Self::over(SettingsStore::open(path)?, keys))
    }

    /// Settings held in memory only (the demo, a broken settings file): nothing is written.
    pub fn in_memory(settings: Settings, keys: Arc<dyn KeyStore>) -> Self {
        Self::over(SettingsStore::in_memory(settings), keys)
    }

    fn over(store: SettingsStore, keys: Arc<dyn KeyStore>) -> Self {
        let store = Arc::new(store);
        let keys = Arc::new(Keys::new(keys));
        Self {
            profiles: Profiles::new(store.clone(), keys.clone()),
            lookups: Lookups::new(store.clone(), keys.clone()),
            prefs: Preferences::new(store, keys),
        }
    }
}
