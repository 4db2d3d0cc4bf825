//! The Genesys Cloud access token of a profile's agent, kept in the OS keychain beside the PolyAI
//! key and nowhere else: never in a file, an argument, a log or the page. PKCE clients get no
//! refresh token, so what is kept is the token and when it expires; past that the agent signs in
//! again.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use screenpop_api::ApiKey;

use crate::keys::Keys;
use crate::{Error, Result};

/// The keychain entry of `profile`'s Genesys token ('@' cannot start a profile name).
pub fn entry(profile: &str) -> String {
    format!("@genesys:{profile}")
}

/// An access token and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The token itself, redacted in `Debug` like an API key.
    pub token: ApiKey,
    /// When Genesys stops accepting it.
    pub expires: SystemTime,
}

impl AccessToken {
    /// Whether it has expired (or will within `margin`).
    pub fn expired(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.expires
    }

    /// As the keychain holds it: `<expiry, Unix seconds>:<token>`.
    fn encode(&self) -> Result<ApiKey> {
        let at = self
            .expires
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        ApiKey::new(&format!("{at}:{}", self.token.expose_secret())).map_err(Error::from)
    }

    fn decode(stored: &ApiKey) -> Option<Self> {
        let (at, token) = stored.expose_secret().split_once(':')?;
        Some(Self {
            token: ApiKey::new(token).ok()?,
            expires: UNIX_EPOCH + Duration::from_secs(at.parse().ok()?),
        })
    }
}

/// The Genesys tokens, one per profile, in the keychain.
#[derive(Debug, Clone)]
pub struct Tokens {
    keys: Arc<Keys>,
}

impl Tokens {
    /// Tokens kept through `keys`.
    pub fn new(keys: Arc<Keys>) -> Self {
        Self { keys }
    }

    /// `profile`'s token, if the agent signed in (expired or not: the caller decides).
    pub async fn get(&self, profile: &str) -> Result<Option<AccessToken>> {
        let entry = entry(profile);
        let stored = self.keys.blocking(move |k| k.get(&entry)).await?;
        Ok(stored.as_ref().and_then(AccessToken::decode))
    }

    /// Keeps `token` as `profile`'s.
    pub async fn set(&self, profile: &str, token: &AccessToken) -> Result<()> {
        let (entry, value) = (entry(profile), token.encode()?);
        self.keys.blocking(move |k| k.set(&entry, &value)).await
    }

    /// Forgets `profile`'s token (signing out); `false` if there was none.
    pub async fn delete(&self, profile: &str) -> Result<bool> {
        let entry = entry(profile);
        self.keys.blocking(move |k| k.delete(&entry)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_and_its_expiry_survive_the_keychain() {
        let t = AccessToken {
            token: ApiKey::new("tok-en.1").unwrap(),
            expires: UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        };
        assert_eq!(AccessToken::decode(&t.encode().unwrap()), Some(t.clone()));
        assert!(!t.expired(Duration::ZERO));
        assert_eq!(
            AccessToken::decode(&ApiKey::new("no-expiry").unwrap()),
            None
        );
        assert!(!format!("{t:?}").contains("tok-en"), "redacted");
    }
}
