//! The core's error: what the shell and the command line report. The API's and the settings'
//! errors pass through it unchanged (same words, same [`ErrorKind`]); the core adds what only
//! it finds out.

use screenpop_api::ErrorKind;

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in screenpop, worded for the person who has to fix it.
///
/// Messages never contain the API key: the key is only ever held in [`screenpop_api::ApiKey`],
/// whose `Debug` redacts it, and no variant stores it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// What the user typed or passed cannot be used (a deep link, a command's argument…).
    #[error("{0}")]
    BadInput(String),

    /// Something on this computer is not set up as screenpop needs (a program, a runtime…).
    #[error("{0}")]
    Config(String),

    /// The window's web engine is missing: on Windows, the Microsoft Edge WebView2 Runtime.
    #[error("The Microsoft Edge WebView2 Runtime is not installed ({detail}), and screenpop's window cannot open without it. Ask your IT team to install it (Microsoft's Evergreen Standalone installer).")]
    WebViewMissing {
        /// Where it was looked for, or what its loader said.
        detail: String,
    },

    /// A push source is set up but calls do not pop by themselves: what is missing.
    #[error("{detail}")]
    PushNotConnected {
        /// What is missing, and what to do.
        detail: String,
    },

    /// A keyless profile cannot ask the relay (not reachable, no seat password, the relay's own
    /// key refused): what is wrong, for IT.
    #[error("{detail}")]
    RelayUnavailable {
        /// What is wrong, and what to do.
        detail: String,
    },

    /// The relay looked the id up for a keyless profile and could not answer: the API's
    /// refusal as the relay worded it.
    #[error("{message}")]
    Relay {
        /// The refusal's kind, as the relay coded it.
        kind: ErrorKind,
        /// The relay's words.
        message: String,
    },

    /// An id was refused, or the Handoff API could not answer.
    #[error(transparent)]
    Api(#[from] screenpop_api::Error),

    /// The settings, the policy or the keychain refused.
    #[error(transparent)]
    Settings(screenpop_settings::Error),
}

impl From<screenpop_settings::Error> for Error {
    /// An API error the settings passed on becomes [`Error::Api`], so every API error has one shape.
    fn from(e: screenpop_settings::Error) -> Self {
        match e {
            screenpop_settings::Error::Api(api) => Self::Api(api),
            other => Self::Settings(other),
        }
    }
}

impl Error {
    /// The coarse kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::BadInput(_) => ErrorKind::BadInput,
            Self::Config(_) => ErrorKind::Config,
            Self::WebViewMissing { .. } => ErrorKind::WebViewMissing,
            Self::PushNotConnected { .. } => ErrorKind::PushNotConnected,
            Self::RelayUnavailable { .. } => ErrorKind::RelayUnavailable,
            Self::Relay { kind, .. } => *kind,
            Self::Api(e) => e.kind(),
            Self::Settings(e) => e.kind(),
        }
    }

    /// What refused the agent's input, when that is what this is: the edge that shows it words
    /// it in the agent's language.
    pub fn refusal(&self) -> Option<&screenpop_api::Message> {
        match self {
            Self::Api(screenpop_api::Error::Refused(m)) => Some(m),
            _ => None,
        }
    }

    /// The `X-PolyAI-Correlation-Id` of the response that caused this error, if there was one.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.correlation_id(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_have_one_shape_however_they_arrive() {
        let refused = || screenpop_api::Error::BadInput("The account id is empty.".to_owned());
        let direct = Error::from(refused());
        let through_settings = Error::from(screenpop_settings::Error::from(refused()));
        assert!(matches!(direct, Error::Api(_)));
        assert!(matches!(through_settings, Error::Api(_)));
        assert_eq!(through_settings.to_string(), "The account id is empty.");
        assert_eq!(through_settings.kind(), ErrorKind::BadInput);
    }

    #[test]
    fn settings_errors_keep_their_words_and_kind() {
        let e = Error::from(screenpop_settings::Error::NoKey {
            profile: "acme".to_owned(),
        });
        assert_eq!(e.kind().code(), "no_key");
        assert!(e.to_string().contains("screenpop key set --profile acme"));
    }
}
