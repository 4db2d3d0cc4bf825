//! The desktop around the window: the clipboard shortcut and the tray icon. Closing the window
//! keeps screenpop in the tray so transfers still pop.

use std::str::FromStr;

use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Modifiers, Shortcut, ShortcutState};

use screenpop_api::Message;
use screenpop_core::pop::Pipeline;
use screenpop_core::Error;
use screenpop_settings::i18n::Catalogue;

use crate::AppContext;

/// Whether the tray icon exists (then closing the window hides it).
pub(crate) struct Tray(pub(crate) bool);

/// Registers the clipboard shortcut from the settings; an error says why it is not active.
pub(crate) fn register_hotkey<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let hotkey = app.state::<AppContext>().desk.prefs.hotkey();
    listen(app, &hotkey).map_err(|e| {
        format!(
            "The shortcut \"{hotkey}\" could not be registered ({e}); choose another in Settings."
        )
    })
}

/// Makes `hotkey` pop the clipboard; nothing for `""` (off).
fn listen<R: Runtime>(
    app: &AppHandle<R>,
    hotkey: &str,
) -> Result<(), tauri_plugin_global_shortcut::Error> {
    if hotkey.trim().is_empty() {
        return Ok(());
    }
    app.global_shortcut()
        .on_shortcut(hotkey, |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                crate::sources::clipboard(app);
            }
        })
}

/// A shortcut refused, worded where it is shown.
fn refused(message: Message) -> Error {
    screenpop_api::Error::Refused(message).into()
}

/// Replaces the clipboard shortcut (`""` turns it off). The new one must parse, hold Ctrl, Alt or
/// Super (a bare key or Shift+key would swallow typing in every program), and be free: it is
/// registered with the desktop before the settings change, and if anything fails the old one
/// is back in place and nothing is saved.
pub(crate) fn change_hotkey<R: Runtime>(app: &AppHandle<R>, hotkey: &str) -> Result<(), Error> {
    let hotkey = hotkey.trim();
    let prefs = &app.state::<AppContext>().desk.prefs;
    let old = prefs.hotkey();
    if hotkey == old {
        return Ok(());
    }
    if !hotkey.is_empty() {
        let parsed = Shortcut::from_str(hotkey).map_err(|e| {
            refused(
                Message::new("refusal.hotkey_unreadable")
                    .with("input", hotkey)
                    .with("why", e),
            )
        })?;
        if !parsed
            .mods
            .intersects(Modifiers::CONTROL | Modifiers::ALT | Modifiers::SUPER)
        {
            return Err(refused(
                Message::new("refusal.hotkey_no_modifier").with("input", hotkey),
            ));
        }
    }
    let shortcuts = app.global_shortcut();
    if !old.trim().is_empty() {
        let _ = shortcuts.unregister(old.as_str());
    }
    let result = listen(app, hotkey)
        .map_err(|e| {
            refused(
                Message::new("refusal.hotkey_taken")
                    .with("input", hotkey)
                    .with("why", e),
            )
        })
        .and_then(|()| Ok(prefs.set_hotkey(hotkey)?));
    if result.is_err() {
        if !hotkey.is_empty() {
            let _ = shortcuts.unregister(hotkey);
        }
        let _ = listen(app, &old);
    }
    result
}

/// Menu ids of profiles start with this.
const PROFILE_ITEM: &str = "profile:";

/// The tray menu: show, look up the clipboard, the profiles (the active one checked), the Genesys
/// Cloud connection's state (when one runs), quit.
fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let desk = &app.state::<AppContext>().desk;
    let (names, active) = desk.profiles.names();
    let words = Catalogue::of(desk.prefs.language().language);
    let show = MenuItem::with_id(app, "show", words.text("tray.show"), true, None::<&str>)?;
    let clipboard = MenuItem::with_id(
        app,
        "clipboard",
        words.text("tray.clipboard"),
        true,
        None::<&str>,
    )?;
    let profiles = Submenu::with_id(
        app,
        "profiles",
        words.text("tray.profile"),
        !names.is_empty(),
    )?;
    for name in &names {
        let checked = active.as_deref() == Some(name.as_str());
        let item = CheckMenuItem::with_id(
            app,
            format!("{PROFILE_ITEM}{name}"),
            name,
            true,
            checked,
            None::<&str>,
        )?;
        profiles.append(&item)?;
    }
    let separator = PredefinedMenuItem::separator(app)?;
    let quit = MenuItem::with_id(app, "quit", words.text("tray.quit"), true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &clipboard, &profiles, &separator, &quit])?;
    // How each push source is doing, when one runs, and a newer version when the fleet's
    // manifest offers one: a click shows the window.
    let mut lines = app
        .try_state::<crate::push::Push>()
        .map(|p| p.tray_keys())
        .unwrap_or_default();
    if app
        .try_state::<crate::updates::Updates>()
        .is_some_and(|u| u.available().is_some())
    {
        lines.push("tray.update_available");
    }
    for (i, said) in lines.into_iter().enumerate() {
        let line = MenuItem::with_id(
            app,
            format!("push-{i}"),
            words.text(said),
            true,
            None::<&str>,
        )?;
        menu.insert(&line, 3 + i)?;
    }
    Ok(menu)
}

/// The tray icon.
pub(crate) fn tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let mut builder = TrayIconBuilder::with_id("screenpop")
        .tooltip("screenpop")
        .menu(&menu(app)?)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "show" => crate::notify::bring_forward(app),
            id if id.starts_with("push-") => crate::notify::bring_forward(app),
            "clipboard" => crate::sources::clipboard(app),
            "quit" => app.exit(0),
            id => {
                if let Some(name) = id.strip_prefix(PROFILE_ITEM) {
                    switch_profile(app, name);
                }
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

fn switch_profile<R: Runtime>(app: &AppHandle<R>, name: &str) {
    match app.state::<AppContext>().desk.profiles.activate(name) {
        // The page reloads its switcher; the tray redraws its checks.
        Ok(_) => {
            let _ = app.emit("profiles-changed", ());
            profiles_changed(app);
        }
        Err(e) => app.state::<Pipeline>().refuse(e.to_string()),
    }
}

/// What follows a change to the profiles (made in the window, or by the fleet policy): the
/// Genesys Cloud source follows the active profile, and the tray menu is redrawn.
pub(crate) fn profiles_changed<R: Runtime>(app: &AppHandle<R>) {
    crate::push::follow(app, false);
    refresh_tray(app);
}

/// Redraws the tray menu after the profiles or the language changed.
pub(crate) fn refresh_tray<R: Runtime>(app: &AppHandle<R>) {
    if let (Some(tray), Ok(menu)) = (app.tray_by_id("screenpop"), menu(app)) {
        let _ = tray.set_menu(Some(menu));
    }
}
