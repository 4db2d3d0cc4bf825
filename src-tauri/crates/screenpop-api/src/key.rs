//! The API key as a value: a redacting wrapper that cannot reach a log line or a page by accident.
//! Where it is kept (the OS keychain) is the settings crate's business.

use std::fmt;

use crate::{Error, Message, Result};

/// Longest key accepted. PolyAI does not document a format; this only stops pasting a novel.
const MAX_KEY_BYTES: usize = 4096;

/// A PolyAI API key. Its `Debug` is redacted, it has no `Display` and no `Serialize`, so it
/// cannot end up in a log line, an error message or an IPC payload by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Accepts any non-empty key (trimmed) that can be sent in an HTTP header.
    pub fn new(raw: &str) -> Result<Self> {
        let key = raw.trim();
        if key.is_empty() {
            return Err(Error::Refused(Message::new("refusal.key_empty")));
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(Error::Refused(
                Message::new("refusal.key_too_long").with("max", MAX_KEY_BYTES),
            ));
        }
        // Visible ASCII only: anything else cannot travel in the x-api-key header, and rejecting
        // it here names the problem instead of failing later with a transport error.
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Refused(Message::new("refusal.key_bad_chars")));
        }
        Ok(Self(key.to_owned()))
    }

    /// The secret itself, for the two places that need it: the request header (this crate's
    /// client) and the keychain (the settings crate). Nothing else may call it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let k = ApiKey::new("  sk-live-0123456789  ").expect("valid");
        assert_eq!(format!("{k:?}"), "ApiKey(<redacted>)");
        assert_eq!(k.expose_secret(), "sk-live-0123456789", "trimmed");
    }

    #[test]
    fn keys_must_be_sendable() {
        assert!(ApiKey::new("").is_err());
        assert!(ApiKey::new("a b").is_err());
        assert!(ApiKey::new("ключ").is_err());
        assert!(ApiKey::new(&"k".repeat(5000)).is_err());
        let err = ApiKey::new("abc\u{7}def").expect_err("control char");
        assert!(
            !err.to_string().contains("abc"),
            "errors never echo the key"
        );
    }
}
