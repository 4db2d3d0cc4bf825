//! The settings shared by the services of one running screenpop (window or command line): held
//! in memory, written back on every change, and never half-changed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::config::Settings;
use crate::Result;

/// The settings and where they are saved.
#[derive(Debug)]
pub struct SettingsStore {
    path: Option<PathBuf>,
    settings: Mutex<Settings>,
    /// Bumped whenever what HTTP clients are built from (profiles, timeouts) changes, so the
    /// lookups service knows to drop its clients and cached keys.
    endpoints: AtomicU64,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the data consistent, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SettingsStore {
    /// Loads the settings at `path` (written back on every change).
    pub fn open(path: PathBuf) -> Result<Self> {
        let settings = Settings::load(&path)?;
        Ok(Self::new(Some(path), settings))
    }

    /// Settings held in memory only (the demo, a broken settings file): nothing is written.
    pub fn in_memory(settings: Settings) -> Self {
        Self::new(None, settings)
    }

    fn new(path: Option<PathBuf>, settings: Settings) -> Self {
        Self {
            path,
            settings: Mutex::new(settings),
            endpoints: AtomicU64::new(0),
        }
    }

    /// A copy of the settings now.
    pub fn get(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Reads the settings without copying them.
    pub fn read<T>(&self, f: impl FnOnce(&Settings) -> T) -> T {
        f(&lock(&self.settings))
    }

    /// Applies `change` and saves; if either fails, nothing changes.
    pub fn change<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let mut guard = lock(&self.settings);
        let mut next = guard.clone();
        let out = change(&mut next)?;
        if let Some(path) = &self.path {
            next.save(path)?;
        }
        if next.profiles() != guard.profiles() || next.timeouts != guard.timeouts {
            self.endpoints.fetch_add(1, Ordering::Relaxed);
        }
        *guard = next;
        Ok(out)
    }

    /// Changes whenever a profile or the timeouts change (see [`SettingsStore::change`]).
    pub fn endpoints_generation(&self) -> u64 {
        self.endpoints.load(Ordering::Relaxed)
    }
}
