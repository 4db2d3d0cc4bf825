//! What the page is sent: the core's results in the shapes the page renders. Only the shell
//! knows about the page, so these live here and not in the core.

use serde::Serialize;

use screenpop_api::mask::CardNumbers;
use screenpop_api::retry::Retryable;
use screenpop_api::LookupBy;
use screenpop_core::health::Health;
use screenpop_core::lookups::LookupResult;
use screenpop_core::pop::{Board, CardUpdate, Failure, Origin, Stage};
use screenpop_core::Error;
use screenpop_settings::i18n::{Catalogue, Chosen, Language};
use screenpop_settings::policy::Policy;
use screenpop_settings::profiles::ProfileList;
use screenpop_settings::setting::Setting;

/// An error as the page shows it: a stable `kind` to pick the words and next step in the
/// agent's language, the facts they need, an English sentence (for what the card does not
/// word itself), and what the API said (its reason, its correlation id) verbatim.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UiError {
    kind: &'static str,
    message: String,
    correlation_id: Option<String>,
    /// Boxed: every command's error is this, and most never get that far.
    #[serde(flatten)]
    facts: Box<Facts>,
}

/// What a failure card's words are filled in with (see [`Failure`]).
#[derive(Debug, Clone, Serialize)]
struct Facts {
    status: Option<u16>,
    seconds: Option<u64>,
    host: Option<String>,
    profile: Option<String>,
    detail: Option<String>,
    server_message: Option<String>,
}

impl From<Error> for UiError {
    fn from(e: Error) -> Self {
        Failure::from(&e).into()
    }
}

impl From<screenpop_settings::Error> for UiError {
    fn from(e: screenpop_settings::Error) -> Self {
        Error::from(e).into()
    }
}

impl From<screenpop_api::Error> for UiError {
    fn from(e: screenpop_api::Error) -> Self {
        Error::from(e).into()
    }
}

impl From<Failure> for UiError {
    fn from(f: Failure) -> Self {
        Self {
            kind: f.kind.code(),
            message: f.message,
            correlation_id: f.correlation_id,
            facts: Box::new(Facts {
                status: f.status,
                seconds: f.seconds,
                host: f.host,
                profile: f.profile,
                detail: f.detail,
                server_message: f.server_message,
            }),
        }
    }
}

/// One change of the card (the `pop` event, and the board a late page reads).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PopView {
    version: u64,
    seq: u64,
    origin: &'static str,
    by: Option<LookupBy>,
    query: Option<String>,
    profile: Option<String>,
    at_ms: u64,
    /// `empty`, `pending`, `waiting`, `card` or `failure`.
    stage: &'static str,
    /// Why a waiting lookup waits: `not_found`, `rate_limited` or `transient`.
    waiting: Option<&'static str>,
    result: Option<LookupResult>,
    error: Option<UiError>,
}

impl From<&CardUpdate> for PopView {
    fn from(s: &CardUpdate) -> Self {
        let (stage, waiting, result, error) = match &s.stage {
            Stage::Empty => ("empty", None, None, None),
            Stage::Pending => ("pending", None, None, None),
            Stage::Waiting(why) => ("waiting", Some(waiting(*why)), None, None),
            Stage::Card(r) => ("card", None, Some((**r).clone()), None),
            Stage::Failed(f) => ("failure", None, None, Some(f.clone().into())),
        };
        Self {
            version: s.version,
            seq: s.seq,
            origin: origin(s.origin),
            by: s.asked.as_ref().map(|a| a.by),
            query: s.asked.as_ref().map(|a| a.query.clone()),
            profile: s.asked.as_ref().and_then(|a| a.profile.clone()),
            at_ms: s.at_ms,
            stage,
            waiting,
            result,
            error,
        }
    }
}

fn waiting(why: Retryable) -> &'static str {
    match why {
        Retryable::NotFound => "not_found",
        Retryable::RateLimited(_) => "rate_limited",
        Retryable::Transient => "transient",
    }
}

fn origin(o: Origin) -> &'static str {
    match o {
        Origin::Link => "link",
        Origin::Trigger => "trigger",
        Origin::Clipboard => "clipboard",
        Origin::Demo => "demo",
        Origin::Typed => "typed",
        Origin::Recent => "recent",
    }
}

/// What a page that starts late shows at once.
#[derive(Debug, Serialize)]
pub(crate) struct BoardView {
    current: Option<PopView>,
    refused: Option<String>,
}

impl From<Board> for BoardView {
    fn from(b: Board) -> Self {
        Self {
            current: b.current.as_ref().map(PopView::from),
            refused: b.refused,
        }
    }
}

/// A profile as the window lists it.
#[derive(Debug, Serialize)]
pub(crate) struct ProfileView {
    name: String,
    region: Option<String>,
    base_url: Option<String>,
    account: String,
    project: String,
    /// `None` when the keychain cannot be asked.
    has_key: Option<bool>,
    lookup_by: LookupBy,
    /// Provided by the fleet policy: only its key can be changed.
    managed: bool,
}

/// All profiles, which is active, and why key states are unknown if they are.
#[derive(Debug, Serialize)]
pub(crate) struct ProfilesView {
    profiles: Vec<ProfileView>,
    active: Option<String>,
    keychain_error: Option<String>,
    can_add: bool,
    hidden: Vec<String>,
}

impl From<ProfileList> for ProfilesView {
    fn from(list: ProfileList) -> Self {
        Self {
            profiles: list
                .entries
                .into_iter()
                .map(|e| ProfileView {
                    region: e.profile.endpoint.region().map(|r| r.name().to_owned()),
                    base_url: e.profile.endpoint.custom_url().map(|u| u.to_string()),
                    account: e.profile.account.to_string(),
                    project: e.profile.project.to_string(),
                    name: e.profile.name,
                    has_key: e.has_key,
                    lookup_by: e.lookup_by,
                    managed: e.managed,
                })
                .collect(),
            active: list.active,
            keychain_error: list.keychain_error,
            can_add: list.can_add,
            hidden: list.hidden,
        }
    }
}

/// The fleet policy as Settings shows it: where it came from, what is wrong with it, and which
/// settings carry a lock.
#[derive(Debug, Serialize)]
pub(crate) struct PolicyView {
    /// The file or registry key, empty when this system has none.
    place: String,
    present: bool,
    /// Its place and reason, when it cannot be used.
    error: Option<String>,
    warnings: Vec<String>,
    /// The names of the locked settings (`hotkey`, `trigger_port`…).
    locked: Vec<&'static str>,
    /// Whether it turned card-number masking off (the window says so at its foot).
    card_numbers_shown: bool,
}

impl From<&Policy> for PolicyView {
    fn from(p: &Policy) -> Self {
        Self {
            place: p.source().place(),
            present: p.source().present(),
            error: p.broken_reason().map(str::to_owned),
            warnings: p.warnings().to_vec(),
            locked: Setting::ALL
                .into_iter()
                .filter(|s| p.locks(*s))
                .map(Setting::name)
                .collect(),
            card_numbers_shown: p.card_numbers() == CardNumbers::Shown,
        }
    }
}

/// The health check as the Diagnostics page shows it: the same text `screenpop doctor` prints.
#[derive(Debug, Serialize)]
pub(crate) struct DiagnosticsView {
    ok: bool,
    text: String,
}

impl From<Health> for DiagnosticsView {
    fn from(h: Health) -> Self {
        Self {
            ok: h.ok,
            text: h.to_text(),
        }
    }
}

/// The language in force, for the page: its words, the locale of its dates and numbers, and
/// what Settings offers.
#[derive(Debug, Serialize)]
pub(crate) struct LanguageView {
    /// The setting: `system` or a language tag.
    choice: &'static str,
    /// The tag of the language in force.
    language: &'static str,
    /// The BCP 47 locale for `Intl`.
    locale: String,
    /// The system's language, by its own name ("As the system: Deutsch").
    system: &'static str,
    /// Every language, by tag and own name.
    languages: Vec<LanguageItem>,
    /// The catalogue of the language in force.
    messages: &'static std::collections::BTreeMap<String, String>,
}

/// One language Settings offers.
#[derive(Debug, Serialize)]
pub(crate) struct LanguageItem {
    tag: &'static str,
    name: &'static str,
}

impl From<Chosen> for LanguageView {
    fn from(c: Chosen) -> Self {
        Self {
            choice: c.choice.name(),
            language: c.language.tag(),
            locale: c.locale,
            system: c.system.endonym(),
            languages: Language::ALL
                .into_iter()
                .map(|l| LanguageItem {
                    tag: l.tag(),
                    name: l.endonym(),
                })
                .collect(),
            messages: Catalogue::of(c.language).messages(),
        }
    }
}
