//! The shell's side of the push sources: each source the active profile is set up for (Genesys
//! Cloud, the relay) runs while that profile is the active one. What they find goes into the pop
//! pipeline; how each is doing goes to Settings and the tray, and is published for the command
//! line and `doctor`; when a Genesys sign-in ends, the agent is told once, in a notification.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::watch;

use screenpop_api::relay::PopMessage;
use screenpop_core::pop::{Origin, Pipeline};
use screenpop_core::push::genesys::events::Answered;
use screenpop_core::push::genesys::source::{login_delay, GenesysSource, Timing, LOGIN_SPREAD};
use screenpop_core::push::relay::{RelaySource, Timing as RelayTiming};
use screenpop_core::push::{self, Kind, SourceState, SourceStatus};
use screenpop_core::transfer::Transfer;
use screenpop_page::views::PushView;
use screenpop_settings::genesys::GenesysConfig;
use screenpop_settings::relay::RelayConfig;
use screenpop_settings::Profile;

use crate::AppContext;

/// The sources running for the active profile.
#[derive(Default)]
pub(crate) struct Push {
    genesys: Slot,
    relay: Slot,
}

/// One kind of source: the one running, if any.
#[derive(Default)]
struct Slot {
    running: Mutex<Option<Running>>,
    /// Bumped for each source started, so a stopped one's last word is never shown.
    generation: Arc<AtomicU64>,
}

/// What a source was started for: a change to it restarts the source.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Setup {
    Genesys(Box<GenesysConfig>),
    Relay(RelayConfig),
}

impl Setup {
    fn kind(&self) -> Kind {
        match self {
            Self::Genesys(_) => Kind::Genesys,
            Self::Relay(_) => Kind::Relay,
        }
    }
}

/// A running source: what it was started for, its status, and its tasks (stopped on drop).
struct Running {
    profile: String,
    setup: Setup,
    status: watch::Receiver<SourceStatus>,
    tasks: [JoinHandle<()>; 2],
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Slot {
    fn running(&self) -> MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn view(&self) -> Option<PushView> {
        self.running()
            .as_ref()
            .map(|r| PushView::from(&*r.status.borrow()))
    }
}

impl Push {
    fn slot(&self, kind: Kind) -> &Slot {
        match kind {
            Kind::Genesys => &self.genesys,
            Kind::Relay => &self.relay,
        }
    }

    /// The `kind` source's status now, when one runs.
    pub(crate) fn view(&self, kind: Kind) -> Option<PushView> {
        self.slot(kind).view()
    }

    /// The catalogue keys of the tray's lines for the running sources.
    pub(crate) fn tray_keys(&self) -> Vec<&'static str> {
        [Kind::Genesys, Kind::Relay]
            .into_iter()
            .filter_map(|kind| {
                let running = self.slot(kind).running();
                running
                    .as_ref()
                    .map(|r| tray_key(kind, &r.status.borrow().state))
            })
            .collect()
    }

    /// Waits up to `within` for the Genesys source to be connected; answers whether it is.
    pub(crate) async fn genesys_connected(&self, within: Duration) -> bool {
        let Some(mut status) = self.genesys.running().as_ref().map(|r| r.status.clone()) else {
            return false;
        };
        let up = tokio::time::timeout(
            within,
            status.wait_for(|s| matches!(s.state, SourceState::Connected { .. })),
        )
        .await;
        matches!(up, Ok(Ok(_)))
    }
}

/// The tray's words for a `kind` source in `state`.
fn tray_key(kind: Kind, state: &SourceState) -> &'static str {
    match (kind, state) {
        (Kind::Genesys, SourceState::SignedOut) => "tray.genesys_signed_out",
        (Kind::Genesys, SourceState::Connecting) => "tray.genesys_connecting",
        (Kind::Genesys, SourceState::Connected { .. }) => "tray.genesys_connected",
        (Kind::Genesys, SourceState::Reconnecting { .. }) => "tray.genesys_reconnecting",
        (Kind::Genesys, SourceState::SignInAgain { .. }) => "tray.genesys_sign_in_again",
        (Kind::Relay, SourceState::SignedOut) => "tray.relay_no_password",
        (Kind::Relay, SourceState::Connecting) => "tray.relay_connecting",
        (Kind::Relay, SourceState::Connected { .. }) => "tray.relay_connected",
        (Kind::Relay, SourceState::Reconnecting { .. }) => "tray.relay_reconnecting",
        (Kind::Relay, SourceState::SignInAgain { .. }) => "tray.relay_refused",
    }
}

/// The page's event for a `kind` source.
fn event(kind: Kind) -> &'static str {
    match kind {
        Kind::Genesys => "genesys",
        Kind::Relay => "relay",
    }
}

/// Makes the running sources match the active profile: each started when the profile is set up
/// for it, stopped when not, restarted when the profile or its setup changed (the agent chose
/// another profile, the fleet policy changed a managed one). Called at start, after a random
/// wait of up to 30 s when the window was started at login (so a site's seats do not connect
/// in the same second), and after every change to the profiles.
pub(crate) fn follow<R: Runtime>(app: &AppHandle<R>, at_login: bool) {
    let Some(push) = app.try_state::<Push>() else {
        return;
    };
    let state = app.state::<AppContext>();
    let profile = state.desk.profiles.get(None).ok();
    let wanted = |kind: Kind| -> Option<(String, Setup)> {
        let p: &Profile = profile.as_ref()?;
        let setup = match kind {
            Kind::Genesys => Setup::Genesys(Box::new(p.genesys.clone()?)),
            Kind::Relay => Setup::Relay(p.relay.clone()?),
        };
        Some((p.name.clone(), setup))
    };
    let delay = if at_login {
        login_delay(LOGIN_SPREAD)
    } else {
        Duration::ZERO
    };
    for kind in [Kind::Genesys, Kind::Relay] {
        follow_one(app, &state, push.slot(kind), kind, wanted(kind), delay);
    }
}

fn follow_one<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppContext,
    slot: &Slot,
    kind: Kind,
    wanted: Option<(String, Setup)>,
    delay: Duration,
) {
    let mut running = slot.running();
    let same = match (running.as_ref(), wanted.as_ref()) {
        (Some(r), Some((name, setup))) => r.profile == *name && r.setup == *setup,
        (None, None) => true,
        _ => false,
    };
    if same {
        return;
    }
    // Dropping the old one stops it.
    *running = None;
    let generation = slot.generation.fetch_add(1, Ordering::SeqCst) + 1;
    // The demo's stand-in is no one's business outside the window.
    let publish = state.demo.is_none();
    let Some((name, setup)) = wanted else {
        drop(running);
        if publish {
            // Best effort, as publishing is.
            let _ = push::withdraw(kind);
        }
        let _ = app.emit(event(kind), None::<PushView>);
        crate::shell::refresh_tray(app);
        return;
    };
    let pipeline = app.state::<Pipeline>().inner().clone();
    let (status, run) = match &setup {
        Setup::Genesys(config) => {
            let source = GenesysSource::new(
                &name,
                (**config).clone(),
                state.desk.genesys_tokens.clone(),
                Timing::default(),
            );
            let pops_as = name.clone();
            let on_answer = Arc::new(
                move |answered: Answered| match answered.transfer(&pops_as) {
                    Ok(t) => pipeline.submit(t, Origin::Genesys),
                    Err(e) => pipeline.refuse(e.to_string()),
                },
            );
            (
                source.status(),
                tauri::async_runtime::spawn(source.run(delay, on_answer)),
            )
        }
        Setup::Relay(config) => {
            let source = RelaySource::new(
                &name,
                config.clone(),
                state.desk.relay_credentials.clone(),
                RelayTiming::default(),
            );
            let pops_as = name.clone();
            let on_pop = Arc::new(move |m: PopMessage| {
                // The relay may name the profile its pops are looked up with; else this one.
                let profile = m.profile.as_deref().unwrap_or(&pops_as);
                match Transfer::new(m.id.as_deref(), m.shared_id.as_deref(), Some(profile)) {
                    // A relay holding the PolyAI key sends the state: no lookup from here.
                    Ok(t) => pipeline.submit_with(t, Origin::Relay, m.state),
                    Err(e) => pipeline.refuse(e.to_string()),
                }
            });
            (
                source.status(),
                tauri::async_runtime::spawn(source.run(delay, on_pop)),
            )
        }
    };
    let told = tauri::async_runtime::spawn(tell(
        app.clone(),
        status.clone(),
        Said {
            kind: setup.kind(),
            generation,
            current: slot.generation.clone(),
            publish,
        },
    ));
    *running = Some(Running {
        profile: name,
        setup,
        status,
        tasks: [run, told],
    });
}

/// Whose words a status watcher speaks, and where.
struct Said {
    kind: Kind,
    generation: u64,
    current: Arc<AtomicU64>,
    publish: bool,
}

/// Tells the page, the tray, the session file and (once, when a Genesys sign-in ends) a
/// notification how the source is doing, for as long as it runs.
async fn tell<R: Runtime>(
    app: AppHandle<R>,
    mut status: watch::Receiver<SourceStatus>,
    said: Said,
) {
    let mut told = false;
    let mut shown = "";
    loop {
        let now = status.borrow_and_update().clone();
        if said.current.load(Ordering::SeqCst) != said.generation {
            return;
        }
        // The tray is redrawn when its line changes, not for every count.
        if tray_key(said.kind, &now.state) != shown {
            shown = tray_key(said.kind, &now.state);
            crate::shell::refresh_tray(&app);
        }
        if said.publish {
            // Best effort: the command line and doctor read it; the source runs either way.
            let _ = push::publish(said.kind, &now);
        }
        let _ = app.emit(event(said.kind), Some(PushView::from(&now)));
        let ended =
            said.kind == Kind::Genesys && matches!(now.state, SourceState::SignInAgain { .. });
        if ended && !told {
            crate::notify::sign_in_again(&app);
        }
        told = ended;
        if status.changed().await.is_err() {
            return;
        }
    }
}

/// Takes the published statuses back as the window closes (the demo published none).
pub(crate) fn withdraw<R: Runtime>(app: &AppHandle<R>) {
    let demo = app
        .try_state::<AppContext>()
        .is_some_and(|s| s.demo.is_some());
    let Some(push) = app.try_state::<Push>() else {
        return;
    };
    for kind in [Kind::Genesys, Kind::Relay] {
        if !demo && push.slot(kind).running().is_some() {
            let _ = push::withdraw(kind);
        }
    }
}
