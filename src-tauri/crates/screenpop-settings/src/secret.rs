//! Where API keys are kept.
//!
//! This is the only module that touches the `keyring` crate. A key is stored per profile in the
//! OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) and
//! nowhere else: when no keychain is available the caller gets
//! [`Error::KeychainUnavailable`], never a plaintext fallback. On Linux, reads try the quicker
//! path in [`linux`] first, which speaks the same encrypted Secret Service protocol.

use std::collections::HashMap;
use std::sync::Mutex;

use screenpop_api::ApiKey;

use crate::{Error, Result};

#[cfg(target_os = "linux")]
pub mod linux;

/// The service name under which screenpop's keys are stored in the keychain; the profile name is
/// the user/account attribute.
pub const KEYCHAIN_SERVICE: &str = "screenpop";

/// Where API keys are kept, one per profile name.
pub trait KeyStore: Send + Sync {
    /// The key of `profile`, or `None` if none is stored.
    fn get(&self, profile: &str) -> Result<Option<ApiKey>>;
    /// Stores (or replaces) the key of `profile`.
    fn set(&self, profile: &str, key: &ApiKey) -> Result<()>;
    /// Deletes the key of `profile`; `Ok(false)` if there was none.
    fn delete(&self, profile: &str) -> Result<bool>;
}

/// The OS keychain.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keychain;

impl Keychain {
    fn entry(profile: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYCHAIN_SERVICE, profile).map_err(keychain_error)
    }
}

fn invalid_stored_key(profile: &str) -> Error {
    Error::KeychainUnavailable {
        detail: format!(
            "the key stored for profile \"{profile}\" is not a valid API key; store it again"
        ),
    }
}

impl KeyStore for Keychain {
    fn get(&self, profile: &str) -> Result<Option<ApiKey>> {
        #[cfg(target_os = "linux")]
        if let Some(raw) = linux::read(KEYCHAIN_SERVICE, profile) {
            return ApiKey::new(&raw)
                .map(Some)
                .map_err(|_| invalid_stored_key(profile));
        }
        match Self::entry(profile)?.get_password() {
            Ok(raw) => ApiKey::new(&raw)
                .map(Some)
                .map_err(|_| invalid_stored_key(profile)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, profile: &str, key: &ApiKey) -> Result<()> {
        Self::entry(profile)?
            .set_password(key.expose_secret())
            .map_err(keychain_error)
    }

    fn delete(&self, profile: &str) -> Result<bool> {
        match Self::entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// Keys held in this process's memory only: for the demo, which must never touch the keychain.
#[derive(Debug, Default)]
pub struct MemoryKeys(Mutex<HashMap<String, ApiKey>>);

impl KeyStore for MemoryKeys {
    fn get(&self, profile: &str) -> Result<Option<ApiKey>> {
        Ok(self.lock().get(profile).cloned())
    }

    fn set(&self, profile: &str, key: &ApiKey) -> Result<()> {
        self.lock().insert(profile.to_owned(), key.clone());
        Ok(())
    }

    fn delete(&self, profile: &str) -> Result<bool> {
        Ok(self.lock().remove(profile).is_some())
    }
}

impl MemoryKeys {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ApiKey>> {
        // A poisoned map of keys is still a valid map.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Turns keyring's platform-specific errors into one stable message. D-Bus strings differ by
/// distribution and locale, so only their gist is kept.
fn keychain_error(e: keyring::Error) -> Error {
    let detail = match &e {
        keyring::Error::NoDefaultStore => {
            "no keychain service could be reached when screenpop started; restart screenpop after starting it".to_owned()
        }
        keyring::Error::NoStorageAccess(inner) => format!("access was refused or the keychain is locked: {inner}"),
        keyring::Error::PlatformFailure(inner) => format!("the keychain service failed: {inner}"),
        other => other.to_string(),
    };
    Error::KeychainUnavailable { detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keys_behave_like_a_store() {
        let m = MemoryKeys::default();
        assert_eq!(m.get("p").ok().flatten(), None);
        m.set("p", &ApiKey::new("k1").expect("valid")).expect("set");
        assert_eq!(
            m.get("p").ok().flatten(),
            Some(ApiKey::new("k1").expect("valid"))
        );
        assert!(m.delete("p").expect("delete"));
        assert!(!m.delete("p").expect("delete again"), "idempotent");
    }
}
