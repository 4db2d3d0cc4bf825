//! The desktop around the window: the clipboard shortcut and the tray icon. Closing the window
//! keeps screenpop in the tray so transfers still pop.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

use screenpop_core::transfer::Transfer;
use screenpop_core::LookupBy;

use crate::AppState;

/// Whether the tray icon exists (then closing the window hides it).
pub(crate) struct Tray(pub(crate) bool);

/// Looks up the id on the clipboard with the active profile, and brings the card forward. The
/// clipboard is read here, when the agent asks, and never watched.
pub(crate) fn pop_clipboard<R: Runtime>(app: &AppHandle<R>) {
    crate::notify::raise(app, true);
    let text = app.clipboard().read_text().unwrap_or_default();
    let text = text.trim();
    let transfer = match app.state::<AppState>().desk.active_lookup_by() {
        LookupBy::Id => Transfer::new(Some(text), None, None),
        LookupBy::SharedId => Transfer::new(None, Some(text), None),
    };
    match transfer {
        Ok(t) => crate::pops::receive_transfer(app, t),
        Err(e) => crate::pops::refuse(
            app,
            format!("The clipboard does not hold an id to look up. {e}"),
        ),
    }
}

/// Registers the clipboard shortcut from the settings; an error says why it is not active.
pub(crate) fn register_hotkey<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let hotkey = app.state::<AppState>().desk.hotkey();
    if hotkey.trim().is_empty() {
        return Ok(());
    }
    app.global_shortcut()
        .on_shortcut(hotkey.as_str(), |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                pop_clipboard(app);
            }
        })
        .map_err(|e| {
            format!("The shortcut \"{hotkey}\" could not be registered ({e}); change `hotkey` in the settings file.")
        })
}

/// The tray icon: show the window, look up the clipboard, quit.
pub(crate) fn tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show screenpop", true, None::<&str>)?;
    let clipboard = MenuItem::with_id(
        app,
        "clipboard",
        "Look up the clipboard",
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit screenpop", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &clipboard, &quit])?;
    let mut builder = TrayIconBuilder::with_id("screenpop")
        .tooltip("screenpop")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "show" => crate::notify::raise(app, true),
            "clipboard" => pop_clipboard(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}
