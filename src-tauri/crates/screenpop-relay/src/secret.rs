//! A secret the relay holds (an auth token, an API key, a signing secret, its NATS password):
//! read from a file or an environment variable, never from the command line, and never printed.

use std::fmt;
use std::path::Path;

use subtle::ConstantTimeEq;

use crate::{Error, Result};

/// A secret value; its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// The secret in `path` (one line; a trailing newline is not part of it).
    pub fn from_file(path: &Path, what: &str) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("{what}: cannot read {}: {e}.", path.display())))?;
        Self::checked(text.trim_end_matches(['\r', '\n']).to_owned(), what)
    }

    /// The secret in the environment variable `name`.
    pub fn from_env(name: &str, what: &str) -> Result<Self> {
        let value = std::env::var(name).map_err(|_| {
            Error::Config(format!(
                "{what}: the environment variable {name} is not set."
            ))
        })?;
        Self::checked(value, what)
    }

    /// A secret given in code (tests, generated passwords).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    fn checked(value: String, what: &str) -> Result<Self> {
        if value.trim().is_empty() {
            return Err(Error::Config(format!("{what} is empty.")));
        }
        Ok(Self(value))
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `given` is this secret, compared in constant time.
    pub fn matches(&self, given: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(given).into()
    }
}
