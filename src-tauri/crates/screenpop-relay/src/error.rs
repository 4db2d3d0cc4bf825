//! The relay's one error type: each message says what to change.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file, or a secret it names, is missing or wrong.
    #[error("{0}")]
    Config(String),
    /// NATS refused or could not be reached.
    #[error("NATS: {0}")]
    Nats(String),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
}

/// The relay's results.
pub type Result<T> = std::result::Result<T, Error>;
