//! The shell's side of the Genesys Cloud push source: the active profile's source, if it is set
//! up for Genesys, runs while that profile is the active one. Its answers go into the pop
//! pipeline; its status goes to Settings and the tray, and is published for `screenpop genesys
//! status` and `doctor`; when the sign-in ends, the agent is told once, in a notification.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::watch;

use screenpop_core::pop::{Origin, Pipeline};
use screenpop_core::push::genesys::events::Answered;
use screenpop_core::push::genesys::signin::SignIn;
use screenpop_core::push::genesys::source::{login_delay, GenesysSource, Timing, LOGIN_SPREAD};
use screenpop_core::push::{self, SourceState, SourceStatus};
use screenpop_core::Error;
use screenpop_page::views::GenesysView;
use screenpop_settings::genesys::GenesysConfig;

use crate::AppContext;

/// How long a sign-in from Settings waits for the browser.
const SIGN_IN_WINDOW: Duration = Duration::from_secs(300);

/// The source running for the active profile, if it is set up for Genesys Cloud.
#[derive(Default)]
pub(crate) struct Genesys {
    running: Mutex<Option<Running>>,
    /// Bumped for each source started, so a stopped one's last word is never shown.
    generation: Arc<AtomicU64>,
}

/// A running source: what it was started for, its status, and its tasks (stopped on drop).
struct Running {
    profile: String,
    config: GenesysConfig,
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

impl Genesys {
    fn running(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The source's status now, when one runs.
    pub(crate) fn view(&self) -> Option<GenesysView> {
        self.running()
            .as_ref()
            .map(|r| GenesysView::from(&*r.status.borrow()))
    }

    /// The catalogue key of the tray's line for the source, when one runs.
    pub(crate) fn tray_key(&self) -> Option<&'static str> {
        self.running()
            .as_ref()
            .map(|r| tray_key(&r.status.borrow().state))
    }

    /// Waits up to `within` for the running source to be connected; answers whether it is.
    pub(crate) async fn connected(&self, within: Duration) -> bool {
        let Some(mut status) = self.running().as_ref().map(|r| r.status.clone()) else {
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

/// The tray's words for `state`.
fn tray_key(state: &SourceState) -> &'static str {
    match state {
        SourceState::SignedOut => "tray.genesys_signed_out",
        SourceState::Connecting => "tray.genesys_connecting",
        SourceState::Connected { .. } => "tray.genesys_connected",
        SourceState::Reconnecting { .. } => "tray.genesys_reconnecting",
        SourceState::SignInAgain { .. } => "tray.genesys_sign_in_again",
    }
}

/// Signs the active profile's agent in from Settings: the browser opens, and the call answers
/// once the agent is back (or gave up). The running source picks the new token up by itself.
pub(crate) async fn sign_in(state: &AppContext) -> Result<(), Error> {
    let profile = state.desk.profiles.get(None)?;
    let config = profile.genesys.ok_or_else(|| {
        Error::Config(format!(
            "Profile \"{}\" is not set up for Genesys Cloud.",
            profile.name
        ))
    })?;
    let sign_in = SignIn::start(&config).await?;
    crate::browser::open(sign_in.address().as_str())?;
    let token = sign_in.finish(SIGN_IN_WINDOW).await?;
    state.desk.genesys_tokens.set(&profile.name, &token).await?;
    Ok(())
}

/// Forgets the active profile's Genesys sign-in.
pub(crate) async fn sign_out(state: &AppContext) -> Result<(), Error> {
    let profile = state.desk.profiles.get(None)?;
    state.desk.genesys_tokens.delete(&profile.name).await?;
    Ok(())
}

/// Makes the running source match the active profile: started when the profile is set up for
/// Genesys Cloud, stopped when not, restarted when the profile or its setup changed (the agent
/// chose another profile, the fleet policy changed a managed one). Called at start, after a
/// random wait of up to 30 s when the window was started at login (so a site's seats do not
/// reach Genesys in the same second), and after every change to the profiles.
pub(crate) fn follow<R: Runtime>(app: &AppHandle<R>, at_login: bool) {
    let Some(genesys) = app.try_state::<Genesys>() else {
        return;
    };
    let state = app.state::<AppContext>();
    let wanted = state
        .desk
        .profiles
        .get(None)
        .ok()
        .and_then(|p| p.genesys.map(|config| (p.name, config)));
    let mut running = genesys.running();
    let same = match (running.as_ref(), wanted.as_ref()) {
        (Some(r), Some((name, config))) => r.profile == *name && r.config == *config,
        (None, None) => true,
        _ => false,
    };
    if same {
        return;
    }
    // Dropping the old one stops it.
    *running = None;
    let generation = genesys.generation.fetch_add(1, Ordering::SeqCst) + 1;
    let Some((name, config)) = wanted else {
        drop(running);
        if state.demo.is_none() {
            // Best effort, as publishing is.
            let _ = push::withdraw();
        }
        let _ = app.emit("genesys", None::<GenesysView>);
        crate::shell::refresh_tray(app);
        return;
    };
    let delay = if at_login {
        login_delay(LOGIN_SPREAD)
    } else {
        Duration::ZERO
    };
    let source = GenesysSource::new(
        &name,
        config.clone(),
        state.desk.genesys_tokens.clone(),
        Timing::default(),
    );
    let status = source.status();
    let pipeline = app.state::<Pipeline>().inner().clone();
    let pops_as = name.clone();
    let on_answer = Arc::new(
        move |answered: Answered| match answered.transfer(&pops_as) {
            Ok(t) => pipeline.submit(t, Origin::Genesys),
            Err(e) => pipeline.refuse(e.to_string()),
        },
    );
    let run = tauri::async_runtime::spawn(source.run(delay, on_answer));
    let told = tauri::async_runtime::spawn(tell(
        app.clone(),
        status.clone(),
        Said {
            generation,
            current: genesys.generation.clone(),
            // The demo's stand-in is no one's business outside the window.
            publish: state.demo.is_none(),
        },
    ));
    *running = Some(Running {
        profile: name,
        config,
        status,
        tasks: [run, told],
    });
}

/// Whose words a status watcher speaks, and where.
struct Said {
    generation: u64,
    current: Arc<AtomicU64>,
    publish: bool,
}

/// Tells the page, the tray, the session file and (once, when the sign-in ends) a notification
/// how the source is doing, for as long as it runs.
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
        if tray_key(&now.state) != shown {
            shown = tray_key(&now.state);
            crate::shell::refresh_tray(&app);
        }
        if said.publish {
            // Best effort: the command line and doctor read it; the source runs either way.
            let _ = push::publish(&now);
        }
        let _ = app.emit("genesys", Some(GenesysView::from(&now)));
        let ended = matches!(now.state, SourceState::SignInAgain { .. });
        if ended && !told {
            crate::notify::sign_in_again(&app);
        }
        told = ended;
        if status.changed().await.is_err() {
            return;
        }
    }
}

/// Takes the published status back as the window closes (the demo published none).
pub(crate) fn withdraw<R: Runtime>(app: &AppHandle<R>) {
    let running = app
        .try_state::<Genesys>()
        .is_some_and(|g| g.running().is_some());
    let demo = app
        .try_state::<AppContext>()
        .is_some_and(|s| s.demo.is_some());
    if running && !demo {
        let _ = push::withdraw();
    }
}
