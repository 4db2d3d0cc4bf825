//! The settings crate's error. Every variant maps to a next step the user can take, and onto one
//! of the stable codes in [`ErrorKind`].

use screenpop_api::ErrorKind;

/// Result alias for the settings crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong reading or changing settings, profiles, the policy or the keychain.
///
/// Messages never contain the API key: no variant stores it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the user typed or passed cannot be used (a profile name, a setting's value…).
    #[error("{0}")]
    BadInput(String),

    /// No API key is stored in the keychain for this profile.
    #[error("No API key is stored for profile \"{profile}\". Store one with `screenpop key set --profile {profile}`.")]
    NoKey {
        /// The profile that has no key.
        profile: String,
    },

    /// The OS keychain (Secret Service, Keychain, Credential Manager) cannot be used.
    #[error("The system keychain is not available ({detail}). {}", keychain_hint())]
    KeychainUnavailable {
        /// What the keychain layer said.
        detail: String,
    },

    /// The settings are unusable or incomplete (no profile, bad settings file…).
    #[error("{0}")]
    Config(String),

    /// The fleet policy forbids the change (a locked setting, a managed profile, a profile the
    /// policy does not allow), or is broken and so forbids it until fixed.
    #[error("{0}")]
    Policy(String),

    /// An id, endpoint or Studio URL in the settings was refused by the API crate's checks.
    #[error(transparent)]
    Api(#[from] screenpop_api::Error),
}

impl Error {
    /// The coarse kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::BadInput(_) => ErrorKind::BadInput,
            Self::NoKey { .. } => ErrorKind::NoKey,
            Self::KeychainUnavailable { .. } => ErrorKind::KeychainUnavailable,
            Self::Config(_) => ErrorKind::Config,
            Self::Policy(_) => ErrorKind::Policy,
            Self::Api(e) => e.kind(),
        }
    }
}

fn keychain_hint() -> &'static str {
    if cfg!(target_os = "linux") {
        "screenpop keeps API keys only in the keychain and never in a file: start and unlock a Secret Service provider (for example gnome-keyring or KeePassXC) in your desktop session, then try again."
    } else if cfg!(target_os = "macos") {
        "screenpop keeps API keys only in the keychain and never in a file: unlock your login keychain, then try again."
    } else {
        "screenpop keeps API keys only in the keychain and never in a file: make sure Windows Credential Manager is available, then try again."
    }
}
