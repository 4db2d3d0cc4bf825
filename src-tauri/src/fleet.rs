//! The fleet policy while the window runs: read again every few seconds, and when it changed,
//! what it governs outside the settings (the clipboard shortcut, the trigger, the login item)
//! follows and the page redraws Settings. The card on screen is left alone.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;
use tauri_plugin_global_shortcut::GlobalShortcutExt;

use screenpop_core::pop::Pipeline;

use crate::AppContext;

/// How often the policy is read again: a change takes effect within this (well under the 10 s
/// admins are promised). Reading one small file or registry key costs microseconds, and a poll
/// also sees a file replaced by a configuration tool's rename, or a share that came back.
pub(crate) const POLL: Duration = Duration::from_secs(3);

/// Reads the policy again every [`POLL`] for the life of the app.
pub(crate) async fn watch<R: Runtime>(app: AppHandle<R>) {
    loop {
        tokio::time::sleep(POLL).await;
        let desk = &app.state::<AppContext>().desk;
        let trigger = desk.prefs.trigger();
        if desk.reload_policy() {
            changed(&app, trigger != desk.prefs.trigger()).await;
        }
    }
}

async fn changed<R: Runtime>(app: &AppHandle<R>, trigger_changed: bool) {
    // The shortcut in force may be another now: listen for that one only.
    let _ = app.global_shortcut().unregister_all();
    if let Err(e) = crate::shell::register_hotkey(app) {
        app.state::<Pipeline>().refuse(e);
    }
    if trigger_changed {
        crate::trigger::apply(app).await;
    }
    sync_autostart(app);
    crate::shell::profiles_changed(app);
    let _ = app.emit("settings-changed", ());
}

/// Makes the login item match what the agent or the policy decided, if either did.
pub(crate) fn sync_autostart<R: Runtime>(app: &AppHandle<R>) {
    let Some(wanted) = app.state::<AppContext>().desk.prefs.autostart() else {
        return;
    };
    let Some(launcher) = app.try_state::<AutoLaunchManager>() else {
        return;
    };
    if launcher.is_enabled().ok() != Some(wanted) {
        let done = if wanted {
            launcher.enable()
        } else {
            launcher.disable()
        };
        if let Err(e) = done {
            eprintln!("screenpop: starting at login could not be changed: {e}");
        }
    }
}
