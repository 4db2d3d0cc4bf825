//! What the page is sent, and what it sends: the core's results in the shapes the page renders,
//! with every name the page reads spelled by serde here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use screenpop_api::mask::CardNumbers;
use screenpop_api::retry::Retryable;
use screenpop_api::studio_url::StudioProject;
use screenpop_api::LookupBy;
use screenpop_api::{Arg, Message};
use screenpop_card::{shown_id, Card, CardLink, Field, HighlightGroup, Node, Scalar};
use screenpop_core::desk::FormTested;
use screenpop_core::health::Health;
use screenpop_core::lookups::LookupResult;
use screenpop_core::pop::{Board, CardUpdate, Failure, Origin, Stage};
use screenpop_core::push::{SourceState, SourceStatus};
use screenpop_core::Error;
use screenpop_settings::config::PopAction;
use screenpop_settings::i18n::{Catalogue, Chosen, Language};
use screenpop_settings::policy::Policy;
use screenpop_settings::profiles::{ProfileForm, ProfileInput, ProfileList};

use screenpop_settings::setting::Setting;

/// An error as the page shows it: a stable `kind` to pick the words and next step in the
/// agent's language, the facts they need, an English sentence (for what the card does not
/// word itself), and what the API said (its reason, its correlation id) verbatim.
#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    kind: &'static str,
    message: String,
    correlation_id: Option<String>,
    /// What refused the agent's input, for the page to word in their language (boxed: most
    /// errors have none).
    refusal: Option<Box<RefusalView>>,
    /// Boxed: every command's error is this, and most never get that far.
    #[serde(flatten)]
    facts: Box<Facts>,
}

/// A refusal as the page words it: `t(key, args)`, each of `words` (fact name → catalogue key)
/// worded first, then `t(hint)` when there is one.
#[derive(Debug, Clone, Serialize)]
struct RefusalView {
    key: &'static str,
    args: BTreeMap<&'static str, String>,
    words: BTreeMap<&'static str, &'static str>,
    hint: Option<&'static str>,
}

impl From<&Message> for RefusalView {
    fn from(m: &Message) -> Self {
        let mut args = BTreeMap::new();
        let mut words = BTreeMap::new();
        for (name, arg) in m.args() {
            match arg {
                Arg::Text(text) => {
                    args.insert(*name, text.clone());
                }
                Arg::Word(key) => {
                    words.insert(*name, *key);
                }
            }
        }
        Self {
            key: m.key(),
            args,
            words,
            hint: m.hint(),
        }
    }
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
            refusal: f.refusal.as_deref().map(|m| Box::new(RefusalView::from(m))),
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
pub struct PopView {
    version: u64,
    seq: u64,
    #[serde(with = "OriginName")]
    origin: Origin,
    /// Whether the caller was pushed to the agent (rather than asked for in the window): then
    /// the lookup box shows what is being looked up.
    pushed: bool,
    by: Option<LookupBy>,
    query: Option<String>,
    /// The id as the card's meta line shows it (inert, cut short).
    shown_id: Option<String>,
    profile: Option<String>,
    at_ms: u64,
    stage: StageName,
    waiting: Option<Waiting>,
    result: Option<ResultView>,
    error: Option<UiError>,
}

/// Where a pop came from, by the names the page reads.
#[derive(Serialize)]
#[serde(remote = "Origin", rename_all = "snake_case")]
enum OriginName {
    Link,
    Trigger,
    Clipboard,
    Demo,
    Typed,
    Recent,
    Genesys,
    Relay,
}

/// What the card shows, by the names the page reads.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum StageName {
    Empty,
    Pending,
    Waiting,
    Card,
    Failure,
}

/// Why a lookup still waits.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum Waiting {
    NotFound,
    RateLimited,
    Transient,
}

impl From<Retryable> for Waiting {
    fn from(why: Retryable) -> Self {
        match why {
            Retryable::NotFound => Self::NotFound,
            Retryable::RateLimited(_) => Self::RateLimited,
            Retryable::Transient => Self::Transient,
        }
    }
}

impl From<&CardUpdate> for PopView {
    fn from(s: &CardUpdate) -> Self {
        let (stage, waiting, result, error) = match &s.stage {
            Stage::Empty => (StageName::Empty, None, None, None),
            Stage::Pending => (StageName::Pending, None, None, None),
            Stage::Waiting(why) => (StageName::Waiting, Some((*why).into()), None, None),
            Stage::Card(r) => (StageName::Card, None, Some(ResultView::from(&**r)), None),
            Stage::Failed(f) => (StageName::Failure, None, None, Some(f.clone().into())),
        };
        Self {
            version: s.version,
            seq: s.seq,
            origin: s.origin,
            pushed: s.origin.is_pushed(),
            by: s.asked.as_ref().map(|a| a.by),
            query: s.asked.as_ref().map(|a| a.query.clone()),
            shown_id: s.asked.as_ref().map(|a| shown_id(&a.query)),
            profile: s.asked.as_ref().and_then(|a| a.profile.clone()),
            at_ms: s.at_ms,
            stage,
            waiting,
            result,
            error,
        }
    }
}

/// A successful lookup as the page shows it: on the card, and in the recent list.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    profile: String,
    by: LookupBy,
    /// The id as the card's meta line shows it (inert, cut short).
    shown_id: String,
    at_ms: u64,
    card: CardView,
    /// The card as plain text, for "copy all".
    text: String,
    /// The state as the raw view shows it.
    raw_json: String,
}

impl From<&LookupResult> for ResultView {
    fn from(r: &LookupResult) -> Self {
        Self {
            profile: r.profile.clone(),
            by: r.by,
            shown_id: shown_id(&r.query),
            at_ms: r.at_ms,
            card: CardView::from(&r.card),
            text: r.text.clone(),
            raw_json: r.raw_json.clone(),
        }
    }
}

/// One line of the recent list: who called, why and when. Only what the line shows crosses to
/// the page (not the whole card, its text and raw JSON, 20 times over, on every pop); picking
/// a line asks Rust to show that card again.
#[derive(Debug, Clone, Serialize)]
pub struct RecentView {
    title: String,
    reason: Option<String>,
    at_ms: u64,
}

impl From<&LookupResult> for RecentView {
    fn from(r: &LookupResult) -> Self {
        Self {
            title: r.card.title.clone(),
            reason: r.card.reason.clone(),
            at_ms: r.at_ms,
        }
    }
}

/// The caller card as the page draws it: the card's own fields, and for every node what its
/// copy button copies and whether it counts as empty, as the card crate decides them.
#[derive(Debug, Clone, Serialize)]
struct CardView {
    title: String,
    title_is_name: bool,
    conversation_id: Option<String>,
    shared_id: Option<String>,
    studio_url: Option<String>,
    reason: Option<String>,
    highlights: Vec<HighlightView>,
    fields: Vec<FieldView>,
    empty_count: usize,
    value_count: usize,
    links: Vec<CardLink>,
    auto_open: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct HighlightView {
    group: HighlightGroup,
    #[serde(flatten)]
    field: FieldView,
}

#[derive(Debug, Clone, Serialize)]
struct FieldView {
    path: String,
    label: String,
    value: NodeView,
}

#[derive(Debug, Clone, Serialize)]
struct NodeView {
    #[serde(flatten)]
    shape: ShapeView,
    /// What its copy button copies.
    text: String,
    /// Whether it is hidden behind "show empty fields".
    empty: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "node", rename_all = "snake_case")]
enum ShapeView {
    Value {
        value: Scalar,
    },
    Section {
        fields: Vec<FieldView>,
        collapsed: bool,
    },
    List {
        items: Vec<NodeView>,
    },
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<Option<Scalar>>>,
    },
}

impl From<&Card> for CardView {
    fn from(c: &Card) -> Self {
        Self {
            title: c.title.clone(),
            title_is_name: c.title_is_name,
            conversation_id: c.conversation_id.clone(),
            shared_id: c.shared_id.clone(),
            studio_url: c.studio_url.clone(),
            reason: c.reason.clone(),
            highlights: c
                .highlights
                .iter()
                .map(|h| HighlightView {
                    group: h.group,
                    field: FieldView::from(&h.field),
                })
                .collect(),
            fields: c.fields.iter().map(FieldView::from).collect(),
            empty_count: c.empty_count,
            value_count: c.value_count,
            links: c.links.clone(),
            auto_open: c.auto_open.clone(),
        }
    }
}

impl From<&Field> for FieldView {
    fn from(f: &Field) -> Self {
        Self {
            path: f.path.clone(),
            label: f.label.clone(),
            value: NodeView::from(&f.value),
        }
    }
}

impl From<&Node> for NodeView {
    fn from(n: &Node) -> Self {
        let shape = match n {
            Node::Value { value } => ShapeView::Value {
                value: value.clone(),
            },
            Node::Section { fields, collapsed } => ShapeView::Section {
                fields: fields.iter().map(FieldView::from).collect(),
                collapsed: *collapsed,
            },
            Node::List { items } => ShapeView::List {
                items: items.iter().map(NodeView::from).collect(),
            },
            Node::Table { columns, rows } => ShapeView::Table {
                columns: columns.clone(),
                rows: rows.clone(),
            },
        };
        Self {
            shape,
            text: n.copied(),
            empty: n.is_empty(),
        }
    }
}

/// What a page that starts late shows at once.
#[derive(Debug, Serialize)]
pub struct BoardView {
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
pub struct ProfileView {
    name: String,
    region: Option<String>,
    base_url: Option<String>,
    account: String,
    project: String,
    /// `None` when the keychain cannot be asked.
    has_key: Option<bool>,
    /// The relay holds its PolyAI key (keyless mode): Settings show no key field.
    key_at_relay: bool,
    lookup_by: LookupBy,
    /// Provided by the fleet policy: only its key can be changed.
    managed: bool,
}

/// All profiles, which is active, and why key states are unknown if they are.
#[derive(Debug, Serialize)]
pub struct ProfilesView {
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
                    key_at_relay: e.profile.relay.as_ref().is_some_and(|r| r.keyless()),
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
pub struct PolicyView {
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
pub struct DiagnosticsView {
    ok: bool,
    text: String,
}

impl DiagnosticsView {
    /// The report, its text in `words`' language (the agent's).
    pub fn new(h: &Health, words: &Catalogue) -> Self {
        Self {
            ok: h.ok,
            text: h.to_text(words),
        }
    }
}

/// The language in force, for the page: its words, the locale of its dates and numbers, and
/// what Settings offers.
#[derive(Debug, Serialize)]
pub struct LanguageView {
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
pub struct LanguageItem {
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

/// What the page asks for first: the version, the seat's choices, the policy and the language.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// screenpop's version.
    pub version: &'static str,
    /// Whether this is the demo (`--demo`).
    pub demo: bool,
    /// Why the settings could not be read at start, if they could not.
    pub startup_error: Option<String>,
    /// What a pushed caller does when the window is not in front.
    pub pop_action: PopAction,
    /// The clipboard shortcut (empty: off).
    pub hotkey: String,
    /// Whether screenpop starts at login.
    pub autostart: bool,
    /// Whether the page should report painted cards (`SCREENPOP_PAINT_LOG` is set).
    pub paint_log: bool,
    /// The fleet policy: its place, its problems, the locked settings.
    pub policy: PolicyView,
    /// The language in force and its words.
    pub language: LanguageView,
}

/// What a pasted Agent Studio URL points at, previewed under the field.
#[derive(Debug, Serialize)]
pub struct StudioView {
    region: &'static str,
    account: String,
    project: String,
}

impl From<&StudioProject> for StudioView {
    fn from(p: &StudioProject) -> Self {
        Self {
            region: p.region.name(),
            account: p.account.to_string(),
            project: p.project.to_string(),
        }
    }
}

/// The trigger as the settings page shows it.
#[derive(Debug, Serialize)]
pub struct TriggerView {
    /// Whether the trigger is on.
    pub enabled: bool,
    /// The port in the settings (0: a free one per session).
    pub port: u16,
    /// Whether it listens now.
    pub running: bool,
    /// The port it listens on (the one picked, for port 0).
    pub listening: Option<u16>,
    /// The file this session's address is published in, for CTI connectors.
    pub published: Option<String>,
    /// Why it does not listen, if it should and does not.
    pub error: Option<String>,
    /// Shown only while the trigger is on, for the admin to paste into the CTI system.
    pub token: Option<String>,
}

/// A push source's connection (Genesys Cloud, the relay) as Settings shows it (the page hides
/// the section when the active profile is not set up for it).
#[derive(Debug, Clone, Serialize)]
pub struct PushView {
    profile: String,
    /// `signed_out`, `connecting`, `connected`, `reconnecting` or `sign_in_again`, with what
    /// each says (`since_ms`; `in_secs` and `why`; `why`).
    #[serde(flatten)]
    state: SourceState,
    signed_in_as: Option<String>,
    pops: u64,
}

impl From<&SourceStatus> for PushView {
    fn from(s: &SourceStatus) -> Self {
        Self {
            profile: s.profile.clone(),
            state: s.state.clone(),
            signed_in_as: s.signed_in_as.clone(),
            pops: s.counts.pops,
        }
    }
}

/// The profile form as the page sends it: the profile as typed, the one being edited, and a key
/// if one was typed (never sent back).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileFormView {
    editing: Option<String>,
    name: String,
    studio_url: Option<String>,
    region: Option<String>,
    base_url: Option<String>,
    account: String,
    project: String,
    key: String,
}

impl From<ProfileFormView> for ProfileForm {
    fn from(f: ProfileFormView) -> Self {
        Self {
            editing: f.editing,
            input: ProfileInput {
                name: f.name,
                studio_url: f.studio_url,
                region: f.region,
                base_url: f.base_url,
                account: f.account,
                project: f.project,
            },
            key: f.key,
        }
    }
}

/// What the profile form's Test answers: the profiles as they are now, which profile was tested
/// and whether the form was saved first (then the page shows it as saved), and why the test
/// failed, if it did.
#[derive(Debug, Serialize)]
pub struct SetupTested {
    profiles: ProfilesView,
    profile: Option<String>,
    saved: bool,
    error: Option<UiError>,
}

impl SetupTested {
    /// The answer for `profiles` as they are now and the form's [`FormTested`].
    pub fn new(profiles: ProfileList, tested: FormTested) -> Self {
        Self {
            profiles: profiles.into(),
            profile: tested.profile,
            saved: tested.saved,
            error: tested.outcome.err().map(UiError::from),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use screenpop_api::mask::CardNumbers;
    use screenpop_api::HandoffState;
    use screenpop_core::pop::Asked;
    use serde_json::{json, Value};

    use super::*;

    fn result() -> LookupResult {
        let state = HandoffState::from_example(
            br#"{"id": "conv-1\u202e", "data": {"caller_name": "Priya Raman",
                "phone_number": "+44 20 7946 0958", "notes": null, "cvv": "123",
                "address": {"line": "1 High St", "city": null}}}"#,
            CardNumbers::Masked,
        )
        .unwrap();
        let card = Card::build(&state, None);
        LookupResult {
            profile: "Acme".to_owned(),
            query: "conv-1\u{202e}".to_owned(),
            by: LookupBy::Id,
            at_ms: 1,
            text: card.to_text(Catalogue::of(Language::En)),
            card,
            raw_json: String::new(),
        }
    }

    fn field<'a>(card: &'a Value, path: &str) -> &'a Value {
        card["fields"]
            .as_array()
            .unwrap()
            .iter()
            .chain(card["highlights"].as_array().unwrap())
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no field {path} in {card}"))
    }

    #[test]
    fn a_card_arrives_with_its_copy_text_and_emptiness_decided() {
        let view = serde_json::to_value(ResultView::from(&result())).unwrap();
        assert_eq!(view["shown_id"], "conv-1\u{FFFD}", "inert");
        let card = &view["card"];
        let phone = &field(card, "phone_number")["value"];
        assert_eq!(phone["node"], "value");
        assert_eq!(phone["value"]["kind"], "phone");
        assert_eq!(
            phone["text"], "+442079460958",
            "a phone copies as it is dialled"
        );
        assert_eq!(phone["empty"], false);
        assert_eq!(field(card, "notes")["value"]["empty"], true);
        let address = &field(card, "address")["value"];
        assert_eq!(address["node"], "section");
        assert_eq!(address["text"], "Line: 1 High St\nCity: ");
        assert_eq!(address["fields"][1]["value"]["empty"], true);
        let text = view.to_string();
        assert!(
            !text.contains("\"123\""),
            "the CVV never reaches the page: {text}"
        );
    }

    #[test]
    fn a_pop_says_where_it_came_from_and_what_it_shows_by_the_pages_names() {
        let update = |origin, stage| CardUpdate {
            version: 3,
            seq: 2,
            origin,
            asked: Some(Asked {
                by: LookupBy::SharedId,
                query: "x".repeat(130),
                profile: None,
            }),
            at_ms: 1,
            stage,
        };
        let view = |u: &CardUpdate| serde_json::to_value(PopView::from(u)).unwrap();
        let waiting = view(&update(
            Origin::Trigger,
            Stage::Waiting(Retryable::RateLimited(None)),
        ));
        assert_eq!(waiting["origin"], "trigger");
        assert_eq!(waiting["pushed"], true);
        assert_eq!(waiting["stage"], "waiting");
        assert_eq!(waiting["waiting"], "rate_limited");
        assert_eq!(waiting["by"], "shared_id");
        assert_eq!(
            waiting["shown_id"].as_str().unwrap().chars().count(),
            121,
            "cut short"
        );
        let typed = view(&update(Origin::Typed, Stage::Pending));
        assert_eq!(typed["origin"], "typed");
        assert_eq!(typed["pushed"], false);
        assert_eq!(typed["stage"], "pending");
        let card = view(&update(Origin::Recent, Stage::Card(result().into())));
        assert_eq!(card["stage"], "card");
        assert_eq!(card["pushed"], false);
        assert_eq!(card["result"]["card"]["title"], json!("Priya Raman"));
    }
}
