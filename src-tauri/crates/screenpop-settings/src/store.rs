//! The settings shared by the services of one running screenpop (window or command line): the
//! agent's own settings with the fleet policy laid over them, held in memory, written back on
//! every change, and never half-changed. The one place the policy is enforced: every change
//! goes through [`SettingsStore::change`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::Settings;
use crate::i18n::{system_locale, Chosen};
use crate::policy::Policy;
use crate::Result;

/// The settings and where they are saved.
#[derive(Debug)]
pub struct SettingsStore {
    path: Option<PathBuf>,
    layers: Mutex<Layers>,
    /// Bumped whenever what HTTP clients are built from (profiles, timeouts, masking) changes, so the
    /// lookups service knows to drop its clients and cached keys.
    endpoints: AtomicU64,
}

#[derive(Debug)]
struct Layers {
    /// The agent's settings, as in their file.
    user: Settings,
    policy: Arc<Policy>,
    /// `policy` applied to `user`: what every service reads.
    effective: Settings,
}

/// Locks `m`, poisoned or not: the services share their state under such locks.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the data consistent, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SettingsStore {
    /// Loads the settings at `path` (written back on every change), under `policy`.
    pub fn open(path: PathBuf, policy: Policy) -> Result<Self> {
        let settings = Settings::load(&path)?;
        Ok(Self::new(Some(path), settings, policy))
    }

    /// Settings held in memory only (the demo, a broken settings file): nothing is written.
    pub fn in_memory(settings: Settings, policy: Policy) -> Self {
        Self::new(None, settings, policy)
    }

    fn new(path: Option<PathBuf>, user: Settings, policy: Policy) -> Self {
        Self {
            path,
            layers: Mutex::new(Layers {
                effective: policy.apply(&user),
                user,
                policy: Arc::new(policy),
            }),
            endpoints: AtomicU64::new(0),
        }
    }

    /// A copy of the settings in force now.
    pub fn get(&self) -> Settings {
        lock(&self.layers).effective.clone()
    }

    /// Reads the settings in force without copying them.
    pub fn read<T>(&self, f: impl FnOnce(&Settings) -> T) -> T {
        f(&lock(&self.layers).effective)
    }

    /// The language in force: the setting (or the policy's), resolved against the system
    /// locale as the window resolves it.
    pub fn language(&self) -> Chosen {
        self.read(|s| s.language)
            .resolve(system_locale().as_deref())
    }

    /// The agent's own settings, before the policy (Settings says which profiles it hides).
    pub fn user(&self) -> Settings {
        lock(&self.layers).user.clone()
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        lock(&self.layers).policy.clone()
    }

    /// Applies `change` to the settings in force; the policy decides what reaches the agent's
    /// settings, which are then saved. If anything is refused or fails, nothing changes.
    pub fn change<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let mut layers = lock(&self.layers);
        let mut next = layers.effective.clone();
        let out = change(&mut next)?;
        let user = layers
            .policy
            .absorb(&layers.user, &layers.effective, next)?;
        if let Some(path) = &self.path {
            user.save(path)?;
        }
        let effective = layers.policy.apply(&user);
        self.replace(&mut layers, user, effective);
        Ok(out)
    }

    /// Puts `policy` in force if it differs from the one in force; answers whether it did. The
    /// agent's settings are untouched: a policy that stops locking a setting gives the agent's
    /// own value back.
    pub fn set_policy(&self, policy: Policy) -> bool {
        let mut layers = lock(&self.layers);
        if *layers.policy == policy {
            return false;
        }
        let effective = policy.apply(&layers.user);
        if policy.card_numbers() != layers.policy.card_numbers() {
            // Clients mask as they were built: build them again.
            self.endpoints.fetch_add(1, Ordering::Relaxed);
        }
        layers.policy = Arc::new(policy);
        let user = layers.user.clone();
        self.replace(&mut layers, user, effective);
        true
    }

    fn replace(&self, layers: &mut Layers, user: Settings, effective: Settings) {
        if effective.profiles() != layers.effective.profiles()
            || effective.timeouts != layers.effective.timeouts
        {
            self.endpoints.fetch_add(1, Ordering::Relaxed);
        }
        layers.user = user;
        layers.effective = effective;
    }

    /// Changes whenever a profile or the timeouts change (see [`SettingsStore::change`]).
    pub fn endpoints_generation(&self) -> u64 {
        self.endpoints.load(Ordering::Relaxed)
    }
}
