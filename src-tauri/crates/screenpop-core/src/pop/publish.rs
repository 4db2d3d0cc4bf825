//! The last stage of a pop: what the pipeline tells the shell. Every change of the card is one
//! [`CardUpdate`]; the shell turns it into an event for the page, and [`Alert`]s into a
//! notification or a raised window when the agent is looking elsewhere.

use std::sync::Arc;

use crate::lookups::LookupResult;
use crate::Error;
use screenpop_api::retry::Retryable;
use screenpop_api::Error as ApiError;
use screenpop_api::{ErrorKind, LookupBy, Message};
use screenpop_settings::config::PopAction;
use screenpop_settings::Error as SettingsError;

/// Where a transfer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A `screenpop://` link (the desktop, a second launch, `screenpop pop`).
    Link,
    /// The local trigger (a CTI system on this computer).
    Trigger,
    /// The clipboard shortcut, or the tray's "look up the clipboard".
    Clipboard,
    /// The demo's "Simulate transfer" (and the demo's first caller).
    Demo,
    /// An id typed or pasted in the window.
    Typed,
    /// A caller picked from the recent list.
    Recent,
    /// Genesys Cloud: the agent answered a call (a push source).
    Genesys,
    /// The relay: the platform said the agent accepted a call (a push source).
    Relay,
}

impl Origin {
    /// Whether the transfer was pushed to the agent (then it may be a duplicate, and it
    /// notifies when the window is not in front) rather than asked for in the window.
    pub fn is_pushed(self) -> bool {
        !matches!(self, Self::Typed | Self::Recent)
    }
}

/// A failure as the card shows it: its kind picks the words (in the agent's language, on the
/// page), the facts fill them in, and what the API or the system said stays as it was said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, by kind (the card's title and next step are picked by it).
    pub kind: ErrorKind,
    /// The whole sentence in English, as the command line and the logs say it.
    pub message: String,
    /// The HTTP status, for a refused key or a failing API.
    pub status: Option<u16>,
    /// Whole seconds: how long the lookup waited (timeout), or when to try again (rate limit).
    pub seconds: Option<u64>,
    /// The host that could not be reached.
    pub host: Option<String>,
    /// The profile that has no key.
    pub profile: Option<String>,
    /// What the network, the keychain, the settings or the id check said, verbatim.
    pub detail: Option<String>,
    /// The API's own `error_message`, verbatim.
    pub server_message: Option<String>,
    /// The API's correlation id, verbatim, when it sent one.
    pub correlation_id: Option<String>,
    /// What refused the agent's input, to be worded in their language (then `detail` is its
    /// English). Boxed: few failures have one.
    pub refusal: Option<Box<Message>>,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        let mut f = Self {
            kind: e.kind(),
            message: e.to_string(),
            status: None,
            seconds: None,
            host: None,
            profile: None,
            detail: None,
            server_message: None,
            correlation_id: e.correlation_id().map(str::to_owned),
            refusal: None,
        };
        match e {
            Error::BadInput(text) | Error::Config(text) => f.detail = Some(text.clone()),
            Error::WebViewMissing { detail }
            | Error::PushNotConnected { detail }
            | Error::RelayUnavailable { detail }
            | Error::Relay {
                message: detail, ..
            } => {
                f.detail = Some(detail.clone());
            }
            Error::Api(api) => f.api_facts(api),
            Error::Settings(settings) => f.settings_facts(settings),
        }
        // An API that answers with a blank reason has said nothing.
        f.server_message = f.server_message.filter(|m| !m.trim().is_empty());
        f
    }
}

impl Failure {
    fn api_facts(&mut self, e: &ApiError) {
        match e {
            ApiError::BadInput(text) | ApiError::Config(text) => self.detail = Some(text.clone()),
            ApiError::Refused(message) => {
                self.detail = Some(message.to_string());
                self.refusal = Some(Box::new(message.clone()));
            }
            ApiError::KeyRejected {
                status,
                server_message,
                ..
            }
            | ApiError::Server {
                status,
                server_message,
                ..
            } => {
                self.status = Some(*status);
                self.server_message = server_message.clone();
            }
            ApiError::NotFound { server_message, .. } => {
                self.server_message = server_message.clone();
            }
            ApiError::RateLimited { retry_after, .. } => {
                self.seconds = retry_after.map(whole_seconds);
            }
            ApiError::Timeout { after } => self.seconds = Some(whole_seconds(*after).max(1)),
            ApiError::Unreachable { host, reason } => {
                self.host = Some(host.clone());
                self.detail = Some(reason.clone());
            }
            ApiError::Malformed { detail, .. } => self.detail = Some(detail.clone()),
        }
    }

    fn settings_facts(&mut self, e: &SettingsError) {
        match e {
            SettingsError::BadInput(text)
            | SettingsError::Config(text)
            | SettingsError::Policy(text) => self.detail = Some(text.clone()),
            SettingsError::NoKey { profile } => self.profile = Some(profile.clone()),
            SettingsError::KeychainUnavailable { detail } => self.detail = Some(detail.clone()),
            SettingsError::Api(api) => self.api_facts(api),
        }
    }
}

/// A duration in whole seconds, rounded up (a wait of 1.2 s is not "1 second").
fn whole_seconds(d: std::time::Duration) -> u64 {
    d.as_millis().div_ceil(1000).try_into().unwrap_or(u64::MAX)
}

/// What the card shows now.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Nothing: the agent cleared it.
    Empty,
    /// Looking up.
    Pending,
    /// Still looking up, and why (not saved yet, rate limited, retrying).
    Waiting(Retryable),
    /// The caller's card.
    Card(Arc<LookupResult>),
    /// The lookup failed.
    Failed(Failure),
}

/// What was asked for, as the card's header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The kind of id shown.
    pub by: LookupBy,
    /// The id shown (the shared id when both were given), as sent.
    pub query: String,
    /// The profile named by the transfer, if any (a retry uses it again).
    pub profile: Option<String>,
}

/// One change of what the card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CardUpdate {
    /// Grows with every state published, so a view that hears states out of order keeps the
    /// newest.
    pub version: u64,
    /// The pop this state belongs to.
    pub seq: u64,
    /// Where it came from.
    pub origin: Origin,
    /// What was asked for (`None` for [`Stage::Empty`]).
    pub asked: Option<Asked>,
    /// When the pop started, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// What the card shows.
    pub stage: Stage,
}

/// A caller arrived while the agent was looking elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The caller's name (the card's title).
    pub title: String,
    /// The card's reason line, empty when there is none.
    pub reason: String,
    /// What the agent chose a transfer to do.
    pub action: PopAction,
}

/// What the pipeline needs from the shell around it.
pub trait Sink: Send + Sync {
    /// The card changed. Called in order of [`CardUpdate::version`].
    fn publish(&self, state: &CardUpdate);
    /// Something that arrived could not be looked up, and why.
    fn refused(&self, message: &str);
    /// Whether the agent is looking at the window now.
    fn in_front(&self) -> bool;
    /// Lets the agent notice a caller (notification and/or window brought forward).
    fn alert(&self, alert: &Alert);
    /// Opens the caller's record in the system browser (a layout's `auto_open` link: https,
    /// or http to this computer).
    fn open_record(&self, url: &str);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn failure(e: impl Into<Error>) -> Failure {
        Failure::from(&e.into())
    }

    #[test]
    fn a_failure_keeps_the_facts_its_words_need_and_the_apis_own_verbatim() {
        let f = failure(ApiError::KeyRejected {
            status: 403,
            server_message: Some("Key revoked «x»".into()),
            correlation_id: Some("corr-9".into()),
        });
        assert_eq!(f.kind, ErrorKind::KeyRejected);
        assert_eq!(f.status, Some(403));
        assert_eq!(f.server_message.as_deref(), Some("Key revoked «x»"));
        assert_eq!(f.correlation_id.as_deref(), Some("corr-9"));
        assert!(f.message.contains("403"), "{}", f.message);

        let f = failure(ApiError::Timeout {
            after: Duration::from_millis(8_200),
        });
        assert_eq!(f.seconds, Some(9));
        let f = failure(ApiError::RateLimited {
            retry_after: None,
            correlation_id: None,
        });
        assert_eq!(f.seconds, None);
        let f = failure(ApiError::Unreachable {
            host: "api.uk-1.platform.polyai.app".into(),
            reason: "connection refused".into(),
        });
        assert_eq!(f.host.as_deref(), Some("api.uk-1.platform.polyai.app"));
        assert_eq!(f.detail.as_deref(), Some("connection refused"));
        let f = failure(ApiError::NotFound {
            server_message: Some("  ".into()),
            correlation_id: None,
        });
        assert_eq!(f.server_message, None, "a blank reason says nothing");
        let f = failure(SettingsError::NoKey {
            profile: "Acme UK".into(),
        });
        assert_eq!(f.profile.as_deref(), Some("Acme UK"));
    }
}
