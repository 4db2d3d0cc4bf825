//! Starts and stops the local trigger (`screenpop-trigger`) as the settings say; what it
//! accepts goes into the pop pipeline.

use std::sync::Arc;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

use screenpop_core::pop::{Origin, Pipeline};
use screenpop_trigger::Trigger;

use crate::AppState;

/// The trigger as the settings page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct TriggerView {
    enabled: bool,
    port: u16,
    running: bool,
    error: Option<String>,
    /// Shown only while the trigger is on, for the admin to paste into the CTI system.
    token: Option<String>,
}

/// (Re)starts or stops the trigger to match the settings. The demo never listens.
pub(crate) async fn apply<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let settings = state.desk.prefs.trigger();
    // Stop first, so a changed port is free to reuse.
    *lock(&state) = Ok(None);
    if !settings.enabled || state.demo.is_some() {
        return;
    }
    let outcome = match state.desk.prefs.trigger_token(false).await {
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
    *lock(&state) = outcome;
}

fn lock<'a>(state: &'a AppState) -> std::sync::MutexGuard<'a, Result<Option<Trigger>, String>> {
    state.trigger.lock().unwrap_or_else(|p| p.into_inner())
}

/// The current state, with the token while the trigger is on.
pub(crate) async fn view(state: &AppState) -> TriggerView {
    let settings = state.desk.prefs.trigger();
    let (running, error) = match &*lock(state) {
        Ok(t) => (t.is_some(), None),
        Err(e) => (false, Some(e.clone())),
    };
    let token = if settings.enabled {
        state.desk.prefs.trigger_token(false).await.ok()
    } else {
        None
    };
    TriggerView {
        enabled: settings.enabled,
        port: settings.port,
        running,
        error,
        token,
    }
}
