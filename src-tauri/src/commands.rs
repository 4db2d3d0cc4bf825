//! The Tauri commands: each one passes its call to the core and maps the error for the page.
//! The API key only ever travels from the page to Rust (`store_key`), never back.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_autostart::AutoLaunchManager;

use screenpop_core::config::{PopAction, TriggerSettings};
use screenpop_core::desk::{LookupResult, ProfileInput, Profiles};
use screenpop_core::retry::Retryable;
use screenpop_core::studio_url::parse_studio_url as parse_studio;
use screenpop_core::transfer::Transfer;
use screenpop_core::{Error, LookupBy};

use crate::AppState;

/// An error as the page shows it: a stable `kind` to pick the failure state, and a sentence.
#[derive(Debug, Serialize)]
pub(crate) struct UiError {
    kind: &'static str,
    message: String,
    correlation_id: Option<String>,
}

impl From<Error> for UiError {
    fn from(e: Error) -> Self {
        Self {
            kind: e.kind().code(),
            correlation_id: e.correlation_id().map(str::to_owned),
            message: e.to_string(),
        }
    }
}

type Res<T> = Result<T, UiError>;

#[derive(Debug, Serialize)]
pub(crate) struct AppInfo {
    version: &'static str,
    demo: bool,
    startup_error: Option<String>,
    pop_action: PopAction,
    hotkey: String,
    autostart: bool,
    /// Whether the page should report painted cards (`SCREENPOP_PAINT_LOG` is set).
    paint_log: bool,
}

#[tauri::command]
pub(crate) fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        demo: state.demo.is_some(),
        startup_error: state.startup_error.clone(),
        pop_action: state.desk.pop_action(),
        hotkey: state.desk.hotkey(),
        autostart: app
            .try_state::<AutoLaunchManager>()
            .and_then(|l| l.is_enabled().ok())
            .unwrap_or(false),
        paint_log: state.paint_log.is_on(),
    }
}

#[tauri::command]
pub(crate) async fn profiles(state: State<'_, AppState>) -> Res<Profiles> {
    Ok(state.desk.profiles().await)
}

#[derive(Debug, Serialize)]
pub(crate) struct StudioView {
    region: &'static str,
    account: String,
    project: String,
}

#[tauri::command]
pub(crate) fn parse_studio_url(url: String) -> Res<StudioView> {
    let p = parse_studio(&url)?;
    Ok(StudioView {
        region: p.region.name(),
        account: p.account.to_string(),
        project: p.project.to_string(),
    })
}

#[tauri::command]
pub(crate) async fn save_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    original: Option<String>,
    input: ProfileInput,
) -> Res<Profiles> {
    state.desk.save_profile(original, input).await?;
    crate::shell::refresh_tray(&app);
    Ok(state.desk.profiles().await)
}

#[tauri::command]
pub(crate) async fn delete_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Res<Profiles> {
    state.desk.delete_profile(&name).await?;
    crate::shell::refresh_tray(&app);
    Ok(state.desk.profiles().await)
}

#[tauri::command]
pub(crate) async fn use_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Res<Profiles> {
    state.desk.use_profile(&name)?;
    crate::shell::refresh_tray(&app);
    Ok(state.desk.profiles().await)
}

#[tauri::command]
pub(crate) async fn store_key(state: State<'_, AppState>, profile: String, key: String) -> Res<()> {
    Ok(state.desk.store_key(&profile, key).await?)
}

#[tauri::command]
pub(crate) async fn test_connection(
    state: State<'_, AppState>,
    profile: Option<String>,
) -> Res<()> {
    Ok(state.desk.test_connection(profile.as_deref()).await?)
}

#[derive(Debug, Clone, Serialize)]
struct RetryNotice {
    ticket: u64,
    reason: &'static str,
}

#[tauri::command]
pub(crate) async fn lookup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ticket: u64,
    by: LookupBy,
    query: String,
) -> Res<LookupResult> {
    let notify = retry_notifier(app, ticket);
    newest_only(&state, ticket, async {
        Ok(state.desk.lookup(None, by, &query, &notify).await?)
    })
    .await
}

/// Runs the lookup of `ticket` unless the page starts a newer one first: in a burst of pops the
/// earlier lookups stop (no more retries, no notification) and the last caller's card wins.
async fn newest_only<T>(
    state: &AppState,
    ticket: u64,
    work: impl std::future::Future<Output = Res<T>>,
) -> Res<T> {
    state.latest.send_if_modified(|newest| {
        let newer = ticket > *newest;
        if newer {
            *newest = ticket;
        }
        newer
    });
    let mut newest = state.latest.subscribe();
    tokio::select! {
        result = work => result,
        _ = newest.wait_for(|n| *n > ticket) => Err(UiError {
            kind: "superseded",
            message: "A newer lookup replaced this one.".to_owned(),
            correlation_id: None,
        }),
    }
}

/// Tells the page why a lookup is still waiting ("not saved yet", "rate limited", "retrying").
fn retry_notifier<R: Runtime>(app: AppHandle<R>, ticket: u64) -> impl Fn(Retryable) + Send + Sync {
    move |why: Retryable| {
        let reason = match why {
            Retryable::NotFound => "not_found",
            Retryable::RateLimited(_) => "rate_limited",
            Retryable::Transient => "transient",
        };
        let _ = app.emit("lookup-retry", RetryNotice { ticket, reason });
    }
}

/// Looks up a pushed transfer, then lets the agent notice it (see `notify`).
#[tauri::command]
pub(crate) async fn lookup_transfer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ticket: u64,
    transfer: Transfer,
) -> Res<LookupResult> {
    let notify = retry_notifier(app.clone(), ticket);
    newest_only(&state, ticket, async {
        let result = state.desk.lookup_transfer(&transfer, &notify).await?;
        crate::notify::caller_arrived(&app, &result.card, state.desk.pop_action());
        Ok(result)
    })
    .await
}

/// Transfers that arrived before the page listened; from now on they arrive as events.
#[tauri::command]
pub(crate) fn take_pending(state: State<'_, AppState>) -> crate::pops::Pending {
    crate::pops::take_pending(&state.inbox)
}

#[tauri::command]
pub(crate) fn set_pop_action(state: State<'_, AppState>, action: PopAction) -> Res<()> {
    Ok(state.desk.set_pop_action(action)?)
}

/// Changes the clipboard shortcut (`""` turns it off); answers the one now in force.
#[tauri::command]
pub(crate) fn set_hotkey<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    hotkey: String,
) -> Res<String> {
    crate::shell::change_hotkey(&app, &hotkey)?;
    Ok(state.desk.hotkey())
}

#[tauri::command]
pub(crate) fn recent(state: State<'_, AppState>) -> Vec<LookupResult> {
    state.desk.recent()
}

/// Opens an http(s) link in the system browser; no other scheme is ever opened.
#[tauri::command]
pub(crate) fn open_link(url: String) -> Res<()> {
    let parsed = url::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let Some(parsed) = parsed else {
        return Err(Error::BadInput("Only http and https links can be opened.".to_owned()).into());
    };
    tauri_plugin_opener::open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| Error::Config(format!("The browser could not be opened: {e}.")).into())
}

/// Demo only: a transfer of a random built-in state, delivered exactly as a deep link is.
#[tauri::command]
pub(crate) fn simulate_transfer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Res<Transfer> {
    let Some(sandbox) = &state.demo else {
        return Err(Error::BadInput(
            "Simulated transfers exist only in the demo (screenpop --demo).".to_owned(),
        )
        .into());
    };
    let transfer = crate::demo::next_transfer(sandbox, &state.demo_turn)?;
    crate::pops::receive_link(&app, &transfer.to_link());
    Ok(transfer)
}

#[tauri::command]
pub(crate) async fn trigger_info(state: State<'_, AppState>) -> Res<crate::trigger::TriggerView> {
    Ok(crate::trigger::view(&state).await)
}

#[tauri::command]
pub(crate) async fn set_trigger<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    enabled: bool,
    port: u16,
) -> Res<crate::trigger::TriggerView> {
    state.desk.set_trigger(TriggerSettings { enabled, port })?;
    crate::trigger::apply(&app).await;
    Ok(crate::trigger::view(&state).await)
}

#[tauri::command]
pub(crate) async fn regenerate_trigger_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Res<crate::trigger::TriggerView> {
    state.desk.trigger_token(true).await?;
    crate::trigger::apply(&app).await;
    Ok(crate::trigger::view(&state).await)
}

/// Starts screenpop at login, hidden in the tray, or stops doing so; returns the new state.
#[tauri::command]
pub(crate) fn set_autostart<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Res<bool> {
    let Some(launcher) = app.try_state::<AutoLaunchManager>() else {
        return Err(Error::Config("Starting at login is not available here.".to_owned()).into());
    };
    let done = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| Error::Config(format!("Starting at login could not be changed: {e}.")))?;
    Ok(launcher.is_enabled().unwrap_or(enabled))
}

/// The page painted a card: logged when `SCREENPOP_PAINT_LOG` is set (see `paint.rs`).
#[tauri::command]
pub(crate) fn card_painted(
    state: State<'_, AppState>,
    card: String,
    id: String,
    at_ms: f64,
    render_ms: f64,
    page_ms: f64,
) {
    state.paint_log.record(&crate::paint::Painted {
        card: &card,
        id: &id,
        at_ms,
        render_ms,
        page_ms,
    });
}
