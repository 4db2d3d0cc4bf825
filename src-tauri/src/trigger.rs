//! Starts and stops the local trigger (`screenpop-trigger`) as the settings say, and publishes
//! where it listens for this session's CTI connector (`screenpop_settings::session`); what it
//! accepts goes into the pop pipeline.

use std::sync::Arc;

use screenpop_page::views::TriggerView;
use tauri::{AppHandle, Manager, Runtime};

use screenpop_core::pop::{Origin, Pipeline};
use screenpop_settings::session::{self, TriggerAddress};
use screenpop_trigger::Trigger;

use crate::AppContext;

/// (Re)starts or stops the trigger to match the settings. The demo never listens.
pub(crate) async fn apply<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppContext>();
    let settings = state.desk.prefs.trigger();
    // Stop first, so a changed port is free to reuse.
    *lock(&state) = Ok(None);
    session::withdraw();
    if !settings.enabled || state.demo.is_some() {
        return;
    }
    let outcome = match state.desk.prefs.trigger_token().await {
        Ok(token) => {
            let pipeline = app.state::<Pipeline>().inner().clone();
            let on_pop = Arc::new(move |t| pipeline.submit(t, Origin::Trigger));
            Trigger::start(settings.port, token, on_pop)
                .await
                .map(Some)
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    if let Ok(Some(trigger)) = &outcome {
        if let Err(e) = session::publish(&TriggerAddress::here(trigger.addr().port())) {
            eprintln!("screenpop: {e}");
        }
    }
    *lock(&state) = outcome;
}

/// Takes the published address back as the window quits, so no connector pops into a closed
/// window's port.
pub(crate) fn withdraw() {
    session::withdraw();
}

fn lock<'a>(state: &'a AppContext) -> std::sync::MutexGuard<'a, Result<Option<Trigger>, String>> {
    state.trigger.lock().unwrap_or_else(|p| p.into_inner())
}

/// The current state, with the token while the trigger is on.
pub(crate) async fn view(state: &AppContext) -> TriggerView {
    let settings = state.desk.prefs.trigger();
    let (listening, error) = match &*lock(state) {
        Ok(t) => (t.as_ref().map(|t| t.addr().port()), None),
        Err(e) => (None, Some(e.clone())),
    };
    let published = listening
        .and_then(|_| session::trigger_file().ok())
        .map(|p| p.display().to_string());
    let token = if settings.enabled {
        state.desk.prefs.trigger_token().await.ok()
    } else {
        None
    };
    TriggerView {
        enabled: settings.enabled,
        port: settings.port,
        running: listening.is_some(),
        listening,
        published,
        error,
        token,
    }
}
