//! The health check of one seat: can this desk pop a card? Per profile: the key is stored (never
//! shown), the API host resolves and connects (timed), the key is accepted (a lookup of an id
//! that cannot exist: 404 means yes). For the seat: the keychain answers, the policy was read,
//! the window's web engine is there (on Windows, the WebView2 Runtime), `screenpop://` is
//! registered to this installation, the trigger listens where the settings say, and the
//! version. `screenpop doctor` prints it (text or JSON) and the window's
//! Diagnostics page shows the same text, which an agent copies for the helpdesk: it never holds
//! a key or caller data.
//!
//! The JSON form is a contract with fleet tools (documented in the README), so the shapes here
//! are serialised as they are.

mod scheme;
mod webview;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::desk::Desk;
use crate::push::SourceState;
use crate::Error;
use screenpop_api::{ErrorKind, Message};
use screenpop_settings::config::Settings;
use screenpop_settings::i18n::{system_locale, Catalogue};
use screenpop_settings::policy::Policy;
use screenpop_settings::relay::RelayConfig;
use screenpop_settings::setting::Setting;
use screenpop_settings::Profile;

/// One check: whether it passed, what was found, how long it took, and the error's code.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// Whether it passed.
    pub ok: bool,
    /// What was found, in a sentence (English: the JSON is a contract).
    pub detail: String,
    /// How long it took, for network checks.
    pub ms: Option<u64>,
    /// The error's stable code (`no_key`, `key_rejected`, `unreachable`…) when it failed.
    pub code: Option<&'static str>,
    /// `detail` as a message, for the text in the reader's language (what the network, the
    /// keychain or a platform said stays as said).
    #[serde(skip)]
    said: Vec<Message>,
}

impl Check {
    fn pass(detail: impl Into<String>) -> Self {
        Self {
            ok: true,
            detail: detail.into(),
            ms: None,
            code: None,
            said: Vec::new(),
        }
    }

    /// A check that passed, found as `message` says.
    fn passed(message: Message) -> Self {
        Self::found(vec![message])
    }

    /// A check that passed, found as `said` says, sentence by sentence.
    fn found(said: Vec<Message>) -> Self {
        Self {
            detail: said
                .iter()
                .map(Message::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            said,
            ..Self::pass(String::new())
        }
    }

    /// A check that failed as `message` says, without an error of its own.
    fn failed(message: Message) -> Self {
        Self {
            ok: false,
            ..Self::passed(message)
        }
    }

    /// A push source that would not pop calls, for want of what `said` says.
    fn missing(said: Vec<Message>) -> Self {
        Self {
            ok: false,
            code: Some(ErrorKind::PushNotConnected.code()),
            ..Self::found(said)
        }
    }

    /// What was found, in `words`' language.
    fn detail_in(&self, words: &Catalogue) -> String {
        if self.said.is_empty() {
            self.detail.clone()
        } else {
            Message::say_all(&self.said, words)
        }
    }

    fn fail(e: &Error) -> Self {
        Self {
            ok: false,
            detail: e.to_string(),
            ms: None,
            code: Some(e.kind().code()),
            said: Vec::new(),
        }
    }

    fn timed(mut self, started: Instant) -> Self {
        self.ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        self
    }
}

/// The fleet policy as the check found it.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyHealth {
    /// Whether it was read without error (or there is none).
    pub ok: bool,
    /// `file`, `registry` or `none`.
    pub source: &'static str,
    /// The file or registry key.
    pub place: String,
    /// Whether a policy is there.
    pub present: bool,
    /// Why it could not be read: place and reason.
    pub error: Option<String>,
    /// What was ignored in it, and the agent's profiles it hides.
    pub warnings: Vec<String>,
}

/// One profile's checks.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileHealth {
    /// The profile's name.
    pub name: String,
    /// Whether the policy provides it.
    pub managed: bool,
    /// Whether it is the active profile.
    pub active: bool,
    /// Whether every check of it passed.
    pub ok: bool,
    /// The API's host; the relay's NATS host when the relay holds the key.
    pub host: String,
    /// A key is stored in the keychain (or the relay holds it).
    pub key: Check,
    /// The host resolves to an address.
    pub resolve: Check,
    /// A connection to the host opens.
    pub connect: Check,
    /// The API accepts the key for this project (or the relay answers, and its key works).
    pub key_accepted: Check,
    /// Genesys Cloud, when the profile is set up for it: signed in, and a window connected.
    pub genesys: Option<Check>,
    /// The relay, when the profile is set up for it: the seat's password stored, and a window
    /// connected.
    pub relay: Option<Check>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Whether a pop would work: the keychain answers, the policy is readable, and every checked
    /// profile passed.
    pub ok: bool,
    /// The first problem that stops a pop: its code and sentence.
    pub problem: Option<Problem>,
    /// screenpop's version.
    pub version: &'static str,
    /// The fleet policy.
    pub policy: PolicyHealth,
    /// The system keychain answers.
    pub keychain: Check,
    /// The window's web engine is installed (on Windows, the WebView2 Runtime and its version).
    pub webview: Check,
    /// `screenpop://` links open this installation.
    pub scheme: Check,
    /// The local trigger listens where the settings say (or is off).
    pub trigger: Check,
    /// The language the window speaks, and what chose it (always passes).
    pub language: Check,
    /// New versions, as the policy allows: off, current, or available and where (a failed check
    /// is shown, but does not stop a pop).
    pub updates: Check,
    /// Each profile checked.
    pub profiles: Vec<ProfileHealth>,
}

/// The first problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Its stable code (see [`ErrorKind::code`]).
    pub code: &'static str,
    /// Its sentence.
    pub message: String,
    #[serde(skip)]
    kind: Option<ErrorKind>,
}

impl Problem {
    /// The kind of error, for exit codes; `None` for a problem of the policy itself.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.kind
    }
}

/// Checks the seat and `only` that profile (every profile when `None`).
pub async fn check(desk: &Desk, only: Option<&str>) -> Health {
    let settings = desk.settings();
    let policy = desk.policy();
    let mut warnings = policy.warnings().to_vec();
    warnings.extend(desk.hidden_profiles());
    let policy_health = PolicyHealth {
        ok: policy.broken_reason().is_none(),
        source: policy.source().kind(),
        place: policy.source().place(),
        present: policy.source().present(),
        error: policy.broken_reason().map(str::to_owned),
        warnings,
    };
    let mut problems: Vec<Error> = Vec::new();
    if let Some(why) = policy.broken_reason() {
        problems.push(
            screenpop_settings::Error::Policy(format!(
                "Your organisation's screenpop policy cannot be used: {why}."
            ))
            .into(),
        );
    }
    let webview = match webview::check() {
        Ok(found) => Check::pass(found),
        Err(e) => {
            let c = Check::fail(&e);
            problems.push(e);
            c
        }
    };
    let keychain = match desk.profiles.probe_keychain().await {
        Ok(()) => Check::passed(Message::new("doctor.keychain_answers")),
        Err(e) => {
            let e = Error::from(e);
            let c = Check::fail(&e);
            problems.push(e);
            c
        }
    };
    let chosen: Vec<&Profile> = match only {
        Some(name) => match settings.profile(Some(name)) {
            Ok(p) => vec![p],
            Err(e) => {
                problems.push(e.into());
                Vec::new()
            }
        },
        None => settings.profiles().iter().collect(),
    };
    if chosen.is_empty() && problems.is_empty() {
        problems.push(Error::Config(
            "No profile is set up yet. Add one with `screenpop profile add NAME --studio-url URL`."
                .to_owned(),
        ));
    }
    let mut profiles = Vec::new();
    for p in chosen {
        let (health, problem) = profile(desk, &settings, p, keychain.ok).await;
        problems.extend(problem);
        profiles.push(health);
    }
    let problem = problems.into_iter().next().map(|e| Problem {
        code: e.kind().code(),
        message: e.to_string(),
        kind: Some(e.kind()),
    });
    Health {
        ok: problem.is_none(),
        problem,
        version: env!("CARGO_PKG_VERSION"),
        policy: policy_health,
        keychain,
        webview,
        scheme: scheme::check(),
        trigger: trigger(&settings),
        language: language(&settings, &policy),
        updates: updates(&policy, &settings).await,
        profiles,
    }
}

/// What the policy's update manifest says (nothing is asked when the policy says off).
async fn updates(policy: &Policy, settings: &Settings) -> Check {
    let current = env!("CARGO_PKG_VERSION");
    let started = Instant::now();
    match crate::update::check(&policy.updates(), &settings.timeouts, current).await {
        Ok(status) => Check::passed(status.describe(current)).timed(started),
        Err(e) => Check::fail(&e).timed(started),
    }
}

/// The language in force and what chose it: the policy, the agent, or the system locale.
fn language(settings: &Settings, policy: &Policy) -> Check {
    let system = system_locale();
    let chosen = settings.language.resolve(system.as_deref());
    let key = if policy.locks(Setting::Language) {
        "doctor.language_locked"
    } else if settings.chose(Setting::Language) {
        "doctor.language_chosen"
    } else if policy.decides(Setting::Language) {
        "doctor.language_default"
    } else if system.is_some() {
        "doctor.language_system"
    } else {
        "doctor.language_none"
    };
    Check::passed(
        Message::new(key)
            .with("language", chosen.language.endonym())
            .with("locale", chosen.locale)
            .with("system", system.unwrap_or_default()),
    )
}

async fn profile(
    desk: &Desk,
    settings: &Settings,
    p: &Profile,
    keychain: bool,
) -> (ProfileHealth, Option<Error>) {
    let keyless = p.relay.as_ref().filter(|r| r.keyless());
    // A keyless seat never calls the API: what it must reach is the relay's NATS.
    let (host, port) = match keyless {
        Some(relay) => nats_address(relay),
        None => {
            let url = p.endpoint.base_url();
            let host = url.host_str().unwrap_or_default().to_owned();
            (host, url.port_or_known_default().unwrap_or(443))
        }
    };
    let mut problem = None;
    let key = if keyless.is_some() {
        Check::passed(Message::new("doctor.key_at_relay"))
    } else if !keychain {
        Check {
            code: Some(ErrorKind::KeychainUnavailable.code()),
            ..not_checked("doctor.why_keychain")
        }
    } else {
        match desk.profiles.has_key(Some(&p.name)).await {
            Ok((_, true)) => Check::passed(Message::new("doctor.key_is_stored")),
            Ok((name, false)) => {
                let e = Error::from(screenpop_settings::Error::NoKey { profile: name });
                let c = Check::fail(&e);
                problem.get_or_insert(e);
                c
            }
            Err(e) => {
                let e = Error::from(e);
                let c = Check::fail(&e);
                problem.get_or_insert(e);
                c
            }
        }
    };
    let connect_limit = settings.timeouts.connect();
    let started = Instant::now();
    let resolved = tokio::time::timeout(
        connect_limit,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await;
    let addresses: Vec<std::net::SocketAddr> = match resolved {
        Ok(Ok(found)) => found.collect(),
        _ => Vec::new(),
    };
    let unreachable = |reason: String| {
        Error::from(screenpop_api::Error::Unreachable {
            host: format!("{host}:{port}"),
            reason,
        })
    };
    let resolve = if addresses.is_empty() {
        let e = unreachable("the host name does not resolve".to_owned());
        let c = Check::fail(&e).timed(started);
        problem.get_or_insert(e);
        c
    } else {
        Check::passed(
            Message::new("doctor.resolves_to")
                .with("host", &host)
                .with("address", addresses[0].ip()),
        )
        .timed(started)
    };
    let started = Instant::now();
    let connect = match addresses.first() {
        None => not_checked("doctor.why_no_host"),
        Some(addr) => {
            match tokio::time::timeout(connect_limit, tokio::net::TcpStream::connect(addr)).await {
                Ok(Ok(_)) => Check::passed(Message::new("doctor.connected").with("address", addr))
                    .timed(started),
                Ok(Err(e)) => {
                    let e = unreachable(e.to_string());
                    let c = Check::fail(&e).timed(started);
                    problem.get_or_insert(e);
                    c
                }
                Err(_) => {
                    let e = Error::from(screenpop_api::Error::Timeout {
                        after: Duration::from_millis(settings.timeouts.connect_ms),
                    });
                    let c = Check::fail(&e).timed(started);
                    problem.get_or_insert(e);
                    c
                }
            }
        }
    };
    let started = Instant::now();
    let key_accepted = if !(key.ok && connect.ok) {
        not_checked("doctor.why_no_connection")
    } else {
        let accepted = if keyless.is_some() {
            "doctor.relay_accepted"
        } else {
            "doctor.accepted"
        };
        match desk.lookups.test_connection(Some(&p.name)).await {
            Ok(()) => Check::passed(Message::new(accepted)).timed(started),
            Err(e) => {
                let c = Check::fail(&e).timed(started);
                problem.get_or_insert(e);
                c
            }
        }
    };
    let mut push = |found: Result<Vec<Message>, Missing>| match found {
        Ok(said) => Check::found(said),
        Err(Missing::Said(said)) => {
            let c = Check::missing(said);
            problem.get_or_insert(Error::PushNotConnected {
                detail: c.detail.clone(),
            });
            c
        }
        Err(Missing::Error(e)) => {
            let c = Check::fail(&e);
            problem.get_or_insert(e);
            c
        }
    };
    let genesys = match &p.genesys {
        None => None,
        Some(_) => Some(push(genesys(desk, &p.name).await)),
    };
    let relay = match &p.relay {
        None => None,
        Some(config) => Some(push(relay(desk, &p.name, config).await)),
    };
    let health = ProfileHealth {
        name: p.name.clone(),
        managed: desk.policy().manages(&p.name),
        active: settings.active() == Some(p.name.as_str()),
        ok: problem.is_none(),
        host: host.clone(),
        key,
        resolve,
        connect,
        key_accepted,
        genesys,
        relay,
    };
    (health, problem)
}

/// Why a push source would not pop calls: what is missing, in sentences, or an error that
/// stopped the check (the keychain).
enum Missing {
    Said(Vec<Message>),
    Error(Error),
}

impl From<screenpop_settings::Error> for Missing {
    fn from(e: screenpop_settings::Error) -> Self {
        Self::Error(e.into())
    }
}

/// Whether calls answered in Genesys Cloud pop for profile `name`: a sign-in that has not
/// expired, and a window of this session connected with it.
async fn genesys(desk: &Desk, name: &str) -> Result<Vec<Message>, Missing> {
    let missing = |said: Message| Missing::Said(vec![said]);
    let token = desk.genesys_tokens.get(name).await?.ok_or_else(|| {
        missing(Message::new("doctor.genesys_not_signed_in").with("profile", name))
    })?;
    if token.expired(Duration::ZERO) {
        return Err(missing(
            Message::new("doctor.genesys_expired")
                .with("at", httpdate::fmt_http_date(token.expires))
                .with("profile", name),
        ));
    }
    let until = httpdate::fmt_http_date(token.expires);
    match crate::push::read_published(crate::push::Kind::Genesys)
        .ok()
        .flatten()
    {
        Some(s) if s.profile == name => match &s.state {
            SourceState::Connected { .. } => {
                let signed_in = match &s.signed_in_as {
                    Some(who) => Message::new("doctor.genesys_signed_in_as")
                        .with("name", screenpop_card::inert(who)),
                    None => Message::new("doctor.genesys_signed_in"),
                };
                Ok([vec![signed_in.with("until", &until)], s.describe()].concat())
            }
            _ => Err(Missing::Said(
                [
                    vec![Message::new("doctor.genesys_signed_in_but").with("until", &until)],
                    s.describe(),
                ]
                .concat(),
            )),
        },
        _ => Err(missing(
            Message::new("doctor.genesys_no_window").with("until", until),
        )),
    }
}

/// Whether pops from the relay reach profile `name`: the seat's password stored, and a window of
/// this session connected with it.
async fn relay(desk: &Desk, name: &str, config: &RelayConfig) -> Result<Vec<Message>, Missing> {
    let missing = |said: Message| Missing::Said(vec![said]);
    let seat = config
        .seat_name()
        .map_err(|why| missing(Message::new("doctor.relay_no_seat").with("why", why)))?;
    if desk.relay_credentials.get(name).await?.is_none() {
        return Err(missing(
            Message::new("doctor.relay_no_password")
                .with("seat", &seat)
                .with("profile", name),
        ));
    }
    match crate::push::read_published(crate::push::Kind::Relay)
        .ok()
        .flatten()
    {
        Some(s) if s.profile == name => match &s.state {
            SourceState::Connected { .. } => Ok([
                vec![Message::new("doctor.relay_seat_of")
                    .with("seat", &seat)
                    .with("tenant", &config.tenant)],
                s.describe(),
            ]
            .concat()),
            _ => Err(Missing::Said(
                [
                    vec![Message::new("doctor.relay_seat").with("seat", &seat)],
                    s.describe(),
                ]
                .concat(),
            )),
        },
        _ => Err(missing(
            Message::new("doctor.relay_no_window").with("seat", seat),
        )),
    }
}

/// The host and port of the relay's first NATS server, its scheme's port when none is given.
fn nats_address(relay: &RelayConfig) -> (String, u16) {
    let first = relay
        .servers
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let url = url::Url::parse(first).ok();
    let host = url
        .as_ref()
        .and_then(|u| u.host_str())
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_owned();
    let default = if first.starts_with("wss://") {
        443
    } else if first.starts_with("ws://") {
        80
    } else {
        4222
    };
    (host, url.and_then(|u| u.port()).unwrap_or(default))
}

/// A check not made, and why (a catalogue key).
fn not_checked(why: &'static str) -> Check {
    Check::failed(Message::new("doctor.not_checked").with_word("why", why))
}

fn trigger(settings: &Settings) -> Check {
    let t = settings.trigger;
    if !t.enabled {
        return Check::passed(Message::new("doctor.trigger_off"));
    }
    match screenpop_settings::session::listening() {
        Ok(Some(a)) if t.port == 0 || a.port == t.port => Check::passed(
            Message::new("doctor.listening")
                .with("url", &a.url)
                .with("pid", a.pid),
        ),
        Ok(Some(a)) => Check::failed(
            Message::new("doctor.listening_elsewhere")
                .with("url", &a.url)
                .with("port", t.port),
        ),
        Ok(None) if t.port != 0 && screenpop_settings::session::port_taken(t.port) => {
            Check::failed(Message::new("doctor.port_taken").with("port", t.port))
        }
        Ok(None) => Check::failed(Message::new("doctor.no_window")),
        Err(e) => Check::fail(&e.into()),
    }
}

impl Health {
    /// The report for a person (and the helpdesk), one line a check, in `words`' language: the
    /// labels and screenpop's own findings translated; what the network, the keychain, the
    /// policy or a platform said, and the problem's sentence, as they said it.
    pub fn to_text(&self, words: &Catalogue) -> String {
        let mark = |ok: bool| if ok { "ok  " } else { "FAIL" };
        let label = |key: &str| words.text(key).to_owned();
        let mut out = format!("screenpop {}\n", self.version);
        let place = [("place", self.policy.place.as_str())];
        let policy = match (&self.policy.error, self.policy.present) {
            (Some(e), _) => e.clone(),
            (None, true) => words.say("doctor.policy_read", &place),
            (None, false) if self.policy.place.is_empty() => label("doctor.policy_none"),
            (None, false) => words.say("doctor.policy_missing", &place),
        };
        out.push_str(&format!(
            "{} {}: {policy}\n",
            mark(self.policy.ok),
            label("doctor.policy")
        ));
        for w in &self.policy.warnings {
            out.push_str(&format!("     {}: {w}\n", label("doctor.note")));
        }
        for (name, c) in [
            ("doctor.keychain", &self.keychain),
            ("doctor.webview", &self.webview),
            ("doctor.links", &self.scheme),
            ("doctor.trigger", &self.trigger),
            ("doctor.language", &self.language),
            ("doctor.updates", &self.updates),
        ] {
            out.push_str(&format!(
                "{} {}: {}\n",
                mark(c.ok),
                label(name),
                c.detail_in(words)
            ));
        }
        for p in &self.profiles {
            let mut tags = Vec::new();
            if p.active {
                tags.push(label("doctor.active"));
            }
            if p.managed {
                tags.push(label("doctor.managed"));
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", tags.join(", "))
            };
            out.push_str(&words.say(
                "doctor.profile",
                &[("name", &p.name), ("tags", &tags), ("host", &p.host)],
            ));
            out.push('\n');
            let checks = [
                ("doctor.key_stored", Some(&p.key)),
                ("doctor.resolves", Some(&p.resolve)),
                ("doctor.connects", Some(&p.connect)),
                ("doctor.key_accepted", Some(&p.key_accepted)),
                ("doctor.genesys", p.genesys.as_ref()),
                ("doctor.relay", p.relay.as_ref()),
            ];
            for (name, c) in checks.into_iter().filter_map(|(n, c)| Some((n, c?))) {
                let ms = c.ms.map(|ms| format!(" [{ms} ms]")).unwrap_or_default();
                out.push_str(&format!(
                    "  {} {}: {}{ms}\n",
                    mark(c.ok),
                    label(name),
                    c.detail_in(words)
                ));
            }
        }
        match &self.problem {
            None => out.push_str(&label("doctor.pop_works")),
            Some(p) => out.push_str(&words.say("doctor.pop_fails", &[("message", &p.message)])),
        }
        out.push('\n');
        out
    }
}
