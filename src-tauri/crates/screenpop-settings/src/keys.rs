//! The API keys as the services use them: read from the keychain once and then held in memory,
//! so a pop does not wait for a keychain round trip. The one place that talks to the
//! [`KeyStore`]; keychain calls block (D-Bus on Linux), so they run on Tokio's blocking pool.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::secret::KeyStore;
use crate::store::lock;
use crate::{Error, Result};
use screenpop_api::ApiKey;

/// The keychain with a memory of what it answered.
pub struct Keys {
    store: Arc<dyn KeyStore>,
    cache: Arc<Mutex<HashMap<String, ApiKey>>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

impl Keys {
    /// Keys kept in `store`.
    pub fn new(store: Arc<dyn KeyStore>) -> Self {
        Self {
            store,
            cache: Arc::default(),
        }
    }

    /// Runs `f` against the keychain on the blocking pool.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn KeyStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(|e| Error::KeychainUnavailable {
                detail: format!("the keychain call did not finish: {e}"),
            })?
    }

    /// The key of profile `name`, from memory when it was read before. The keychain read starts
    /// now, on the blocking pool, not when the answer is awaited: a caller can build its HTTP
    /// client meanwhile.
    pub fn get(&self, name: &str) -> impl Future<Output = Result<ApiKey>> + Send + 'static {
        let cached = lock(&self.cache).get(name).cloned();
        let read = cached.is_none().then(|| {
            let (store, owned) = (self.store.clone(), name.to_owned());
            tokio::task::spawn_blocking(move || {
                store.get(&owned)?.ok_or(Error::NoKey { profile: owned })
            })
        });
        let (cache, name) = (self.cache.clone(), name.to_owned());
        async move {
            if let Some(key) = cached {
                return Ok(key);
            }
            let key = match read {
                Some(read) => read.await.map_err(|e| Error::KeychainUnavailable {
                    detail: format!("the keychain call did not finish: {e}"),
                })??,
                None => return Err(Error::NoKey { profile: name }),
            };
            lock(&cache).insert(name, key.clone());
            Ok(key)
        }
    }

    /// Whether a key is stored for each of `names` (asking the keychain, not the memory).
    pub async fn stored(&self, names: Vec<String>) -> Result<Vec<bool>> {
        self.blocking(move |keys| {
            names
                .iter()
                .map(|n| keys.get(n).map(|k| k.is_some()))
                .collect()
        })
        .await
    }

    /// Stores the key of profile `name`.
    pub async fn set(&self, name: &str, key: ApiKey) -> Result<()> {
        self.forget(name);
        let owned = name.to_owned();
        self.blocking(move |keys| keys.set(&owned, &key)).await
    }

    /// Deletes the key of profile `name`; `true` if there was one.
    pub async fn delete(&self, name: &str) -> Result<bool> {
        self.forget(name);
        let owned = name.to_owned();
        self.blocking(move |keys| keys.delete(&owned)).await
    }

    /// Moves a key to a renamed profile.
    pub async fn rename(&self, old: &str, new: &str) -> Result<()> {
        self.forget(old);
        self.forget(new);
        let (old, new) = (old.to_owned(), new.to_owned());
        self.blocking(move |keys| {
            if let Some(key) = keys.get(&old)? {
                keys.set(&new, &key)?;
                keys.delete(&old)?;
            }
            Ok(())
        })
        .await
    }

    /// Drops the remembered key of `name` (it was rejected, or may have been replaced).
    pub fn forget(&self, name: &str) {
        lock(&self.cache).remove(name);
    }

    /// Drops every remembered key.
    pub fn forget_all(&self) {
        lock(&self.cache).clear();
    }
}
