//! The bench's one error type.

/// Why a measurement could not be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BenchError {
    /// A step failed; the text says which and why.
    #[error("{0}")]
    Step(String),
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl BenchError {
    /// A failed step.
    pub(crate) fn step(what: impl Into<String>) -> Self {
        Self::Step(what.into())
    }

    /// An I/O error while doing `what`.
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}

/// Results of this crate.
pub(crate) type Result<T> = std::result::Result<T, BenchError>;
