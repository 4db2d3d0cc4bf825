//! The Tauri commands: each one passes its call to the core and maps the answer for the page.
//! The API key only ever travels from the page to Rust (`save_setup`, `test_setup`), never back. Lookups are
//! handed to the pipeline and answered as `pop` events, never as a command's result.

use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_autostart::AutoLaunchManager;

use screenpop_api::studio_url::parse_studio_url as parse_studio;
use screenpop_api::LookupBy;
use screenpop_card::Scalar;
use screenpop_core::health;
use screenpop_core::pop::Pipeline;
use screenpop_core::Error;
use screenpop_settings::config::{PopAction, TriggerSettings};
use screenpop_settings::i18n::{Catalogue, LanguageChoice};

use crate::AppContext;
use screenpop_core::push::Kind;
use screenpop_page::views::{
    AppInfo, BoardView, DiagnosticsView, PolicyView, ProfileFormView, ProfilesView, PushView,
    RecentView, SetupTested, StudioView, TriggerView, UiError,
};

type Res<T> = Result<T, UiError>;

#[tauri::command]
pub(crate) fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppContext>) -> AppInfo {
    let autostart = app
        .try_state::<AutoLaunchManager>()
        .and_then(|l| l.is_enabled().ok())
        .unwrap_or(false);
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        demo: state.demo.is_some(),
        startup_error: state.startup_error.clone(),
        pop_action: state.desk.prefs.pop_action(),
        hotkey: state.desk.prefs.hotkey(),
        autostart,
        paint_log: state.paint_log.is_on(),
        policy: PolicyView::from(state.desk.policy().as_ref()),
        language: state.desk.prefs.language().into(),
    }
}

#[tauri::command]
pub(crate) async fn profiles(state: State<'_, AppContext>) -> Res<ProfilesView> {
    Ok(state.desk.profiles.list().await.into())
}

#[tauri::command]
pub(crate) fn parse_studio_url(url: String) -> Res<StudioView> {
    let p = parse_studio(&url)?;
    Ok(StudioView::from(&p))
}

/// The profile form's Save: the profile (or, for a managed one, only making it active) and the
/// key if one was typed, decided in the core.
#[tauri::command]
pub(crate) async fn save_setup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    form: ProfileFormView,
) -> Res<ProfilesView> {
    state.desk.profiles.save_form(&form.into()).await?;
    crate::shell::profiles_changed(&app);
    Ok(state.desk.profiles.list().await.into())
}

/// The profile form's Test: saved first when it must be tested as typed, then asked of the API.
/// A failed test is part of the answer (the profile may have been saved); a failed save is the
/// error.
#[tauri::command]
pub(crate) async fn test_setup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    form: ProfileFormView,
) -> Res<SetupTested> {
    let tested = state.desk.test_form(&form.into()).await?;
    crate::shell::profiles_changed(&app);
    Ok(SetupTested::new(state.desk.profiles.list().await, tested))
}

#[tauri::command]
pub(crate) async fn delete_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    name: String,
) -> Res<ProfilesView> {
    let (_, key) = state.desk.profiles.delete(&name).await?;
    crate::shell::profiles_changed(&app);
    key?;
    Ok(state.desk.profiles.list().await.into())
}

#[tauri::command]
pub(crate) async fn use_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    name: String,
) -> Res<ProfilesView> {
    state.desk.profiles.activate(&name)?;
    crate::shell::profiles_changed(&app);
    Ok(state.desk.profiles.list().await.into())
}

/// Looks up an id typed or pasted in the window: handed to the pipeline, answered by events.
#[tauri::command]
pub(crate) fn look_up(
    pipeline: State<'_, Pipeline>,
    by: LookupBy,
    query: String,
    profile: Option<String>,
) {
    pipeline.submit_typed(by, &query, profile.as_deref());
}

/// Shows a caller from the recent list again (newest first).
#[tauri::command]
pub(crate) fn show_recent(pipeline: State<'_, Pipeline>, index: usize) -> Res<()> {
    Ok(pipeline.show_recent(index)?)
}

/// A failure card's Retry (or "try as a shared id", with `by`): the pipeline looks up again
/// what pop `seq` asked for.
#[tauri::command]
pub(crate) fn retry(pipeline: State<'_, Pipeline>, seq: u64, by: Option<LookupBy>) -> Res<()> {
    Ok(pipeline.retry(seq, by)?)
}

/// Clears the card (Esc).
#[tauri::command]
pub(crate) fn clear_card(pipeline: State<'_, Pipeline>) {
    pipeline.clear();
}

/// What the card shows now and the last refusal, for a page that starts after a pop began.
#[tauri::command]
pub(crate) fn board(pipeline: State<'_, Pipeline>) -> BoardView {
    pipeline.board().into()
}

#[tauri::command]
pub(crate) fn set_pop_action(state: State<'_, AppContext>, action: PopAction) -> Res<()> {
    Ok(state.desk.prefs.set_pop_action(action)?)
}

/// Chooses the language (`system` or a tag); the page loads again in it, the tray is redrawn.
#[tauri::command]
pub(crate) fn set_language<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    choice: String,
) -> Res<()> {
    let choice = LanguageChoice::named(&choice).map_err(Error::BadInput)?;
    state.desk.prefs.set_language(choice)?;
    crate::shell::refresh_tray(&app);
    Ok(())
}

/// Changes the clipboard shortcut (`""` turns it off); answers the one now in force.
#[tauri::command]
pub(crate) fn set_hotkey<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    hotkey: String,
) -> Res<String> {
    crate::shell::change_hotkey(&app, &hotkey)?;
    Ok(state.desk.prefs.hotkey())
}

#[tauri::command]
pub(crate) fn recent(pipeline: State<'_, Pipeline>) -> Vec<RecentView> {
    pipeline.recent().iter().map(RecentView::from).collect()
}

/// Opens an http(s) link in the system browser; no other scheme is ever opened.
#[tauri::command]
pub(crate) fn open_link(url: String) -> Res<()> {
    Ok(crate::browser::open(&url)?)
}

/// The value of a sensitive field of the card the agent sees (`version`), when they ask.
#[tauri::command]
pub(crate) fn reveal(pipeline: State<'_, Pipeline>, version: u64, path: String) -> Res<Scalar> {
    Ok(pipeline.reveal(version, &path)?)
}

/// Demo only: the demo agent answers the next caller in the Genesys Cloud stand-in.
#[tauri::command]
pub(crate) async fn simulate_transfer(
    state: State<'_, AppContext>,
    push: State<'_, crate::push::Push>,
) -> Res<()> {
    Ok(crate::demo::simulate(&state, &push).await?)
}

#[tauri::command]
pub(crate) async fn trigger_info(state: State<'_, AppContext>) -> Res<TriggerView> {
    Ok(crate::trigger::view(&state).await)
}

#[tauri::command]
pub(crate) async fn set_trigger<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    enabled: bool,
    port: u16,
) -> Res<TriggerView> {
    state
        .desk
        .prefs
        .set_trigger(TriggerSettings { enabled, port })?;
    crate::trigger::apply(&app).await;
    Ok(crate::trigger::view(&state).await)
}

#[tauri::command]
pub(crate) async fn regenerate_trigger_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
) -> Res<TriggerView> {
    state.desk.prefs.new_trigger_token().await?;
    crate::trigger::apply(&app).await;
    Ok(crate::trigger::view(&state).await)
}

/// Starts screenpop at login, hidden in the tray, or stops doing so; returns the new state.
/// Refused when the fleet policy locks it.
#[tauri::command]
pub(crate) fn set_autostart<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppContext>,
    enabled: bool,
) -> Res<bool> {
    let Some(launcher) = app.try_state::<AutoLaunchManager>() else {
        return Err(Error::Config("Starting at login is not available here.".to_owned()).into());
    };
    state.desk.prefs.set_autostart(enabled)?;
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
pub(crate) fn card_painted(state: State<'_, AppContext>, painted: crate::paint::Painted) {
    state.paint_log.record(&painted);
}

/// The seat's health check, as `screenpop doctor` runs it: the page shows its text, which the
/// agent copies for the helpdesk (no key, no caller data).
#[tauri::command]
pub(crate) async fn diagnostics(state: State<'_, AppContext>) -> Res<DiagnosticsView> {
    let report = health::check(&state.desk, None).await;
    let words = Catalogue::of(state.desk.prefs.language().language);
    Ok(DiagnosticsView::new(&report, words))
}

/// The Genesys Cloud connection, for Settings (`null` when the active profile has none).
#[tauri::command]
pub(crate) fn genesys_status(push: State<'_, crate::push::Push>) -> Option<PushView> {
    push.view(Kind::Genesys)
}

/// The relay connection, for Settings (`null` when the active profile has none).
#[tauri::command]
pub(crate) fn relay_status(push: State<'_, crate::push::Push>) -> Option<PushView> {
    push.view(Kind::Relay)
}

/// The newer version the fleet's manifest offers, if the policy lets screenpop look and it does.
#[tauri::command]
pub(crate) fn update_available(
    updates: State<'_, crate::updates::Updates>,
) -> Option<screenpop_core::update::UpdateStatus> {
    updates.available()
}

/// Signs in to Genesys Cloud in the browser; answers when the agent is back.
#[tauri::command]
pub(crate) async fn genesys_sign_in(state: State<'_, AppContext>) -> Res<()> {
    Ok(crate::genesys::sign_in(&state).await?)
}

/// Forgets the Genesys Cloud sign-in.
#[tauri::command]
pub(crate) async fn genesys_sign_out(state: State<'_, AppContext>) -> Res<()> {
    Ok(crate::genesys::sign_out(&state).await?)
}
