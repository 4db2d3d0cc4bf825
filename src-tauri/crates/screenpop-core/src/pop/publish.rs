//! The last stage of a pop: what the pipeline tells the shell. Every change of the card is one
//! [`PopState`]; the shell turns it into an event for the page, and [`Alert`]s into a
//! notification or a raised window when the agent is looking elsewhere.

use std::sync::Arc;

use crate::config::PopAction;
use crate::lookups::LookupResult;
use crate::retry::Retryable;
use crate::{Error, ErrorKind, LookupBy};

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
}

impl Origin {
    /// Whether the transfer was pushed to the agent (then it may be a duplicate, and it
    /// notifies when the window is not in front) rather than asked for in the window.
    pub fn is_pushed(self) -> bool {
        !matches!(self, Self::Typed | Self::Recent)
    }
}

/// A failure as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, by kind (the card's title and next step are picked by it).
    pub kind: ErrorKind,
    /// A sentence the agent can act on.
    pub message: String,
    /// The API's correlation id, verbatim, when it sent one.
    pub correlation_id: Option<String>,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
            correlation_id: e.correlation_id().map(str::to_owned),
        }
    }
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
pub struct PopState {
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
    /// The card changed. Called in order of [`PopState::version`].
    fn publish(&self, state: &PopState);
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
