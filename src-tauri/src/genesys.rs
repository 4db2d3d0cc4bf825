//! The shell's side of the Genesys Cloud push source: the active profile's source, if it is set
//! up for Genesys, runs for as long as the window does. Its answers go into the pop pipeline; its
//! status is published for `screenpop genesys status` and `doctor`; when the sign-in ends, the
//! agent is told once, in a notification.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::watch;

use screenpop_core::pop::{Origin, Pipeline};
use screenpop_core::push::genesys::events::Answered;
use screenpop_core::push::genesys::signin::SignIn;
use screenpop_core::push::genesys::source::{login_delay, GenesysSource, Timing, LOGIN_SPREAD};
use screenpop_core::push::{self, SourceState, SourceStatus};
use screenpop_core::Error;
use screenpop_page::views::GenesysView;

use crate::AppContext;

/// How long a sign-in from Settings waits for the browser.
const SIGN_IN_WINDOW: Duration = Duration::from_secs(300);

/// The running source's status, for Settings.
#[derive(Default)]
pub(crate) struct Genesys(Mutex<Option<watch::Receiver<SourceStatus>>>);

impl Genesys {
    /// The source's status now, when one runs.
    pub(crate) fn view(&self) -> Option<GenesysView> {
        let running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        running.as_ref().map(|s| GenesysView::from(&*s.borrow()))
    }

    /// The catalogue key of the tray's line for the source, when one runs.
    pub(crate) fn tray_key(&self) -> Option<&'static str> {
        let running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        running.as_ref().map(|s| tray_key(&s.borrow().state))
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

/// Starts the active profile's source, if it has one; after a random wait of up to 30 s when the
/// window was started at login, so a site's seats do not reach Genesys in the same second.
pub(crate) fn start<R: Runtime>(app: &AppHandle<R>, at_login: bool) {
    let state = app.state::<AppContext>();
    let Ok(profile) = state.desk.profiles.get(None) else {
        return;
    };
    let Some(config) = profile.genesys.clone() else {
        return;
    };
    let source = GenesysSource::new(
        &profile.name,
        config,
        state.desk.genesys_tokens.clone(),
        Timing::default(),
    );
    let mut status = source.status();
    if let Some(g) = app.try_state::<Genesys>() {
        *g.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(source.status());
    }
    let pipeline = app.state::<Pipeline>().inner().clone();
    let name = profile.name.clone();
    let on_answer = Arc::new(move |answered: Answered| match answered.transfer(&name) {
        Ok(t) => pipeline.submit(t, Origin::Genesys),
        Err(e) => pipeline.refuse(e.to_string()),
    });
    let delay = if at_login {
        login_delay(LOGIN_SPREAD)
    } else {
        Duration::ZERO
    };
    tauri::async_runtime::spawn(source.run(delay, on_answer));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut told = false;
        let mut shown = "";
        loop {
            let now = status.borrow_and_update().clone();
            // The tray is redrawn when its line changes, not for every count.
            if tray_key(&now.state) != shown {
                shown = tray_key(&now.state);
                crate::shell::refresh_tray(&app);
            }
            // Best effort: the command line and doctor read it; the source runs either way.
            let _ = push::publish(&now);
            let _ = app.emit("genesys", GenesysView::from(&now));
            let ended = matches!(now.state, SourceState::SignInAgain { .. });
            if ended && !told {
                crate::notify::sign_in_again(&app);
            }
            told = ended;
            if status.changed().await.is_err() {
                return;
            }
        }
    });
}
