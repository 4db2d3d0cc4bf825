//! Letting the agent notice a pop: a desktop notification with the caller's name and the reason
//! only, and bringing the window forward when asked. The keyboard is taken only when the agent
//! asks for the window (a click on the notification, a second launch).

#[cfg(all(unix, not(target_os = "macos")))]
use std::sync::OnceLock;

use notify_rust::{Notification, Timeout};
use tauri::{AppHandle, Manager, Runtime};

use screenpop_core::pop::Alert;
use screenpop_settings::i18n::Catalogue;

use crate::AppContext;

/// The main window's label.
const MAIN: &str = "main";
/// Longest reason put in a notification.
const MAX_REASON_CHARS: usize = 140;

/// Whether the agent is looking at the window now.
pub(crate) fn window_in_front<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window(MAIN)
        .and_then(|w| Some(w.is_visible().ok()? && w.is_focused().ok()?))
        .unwrap_or(false)
}

/// Shows the window without taking the keyboard from what the agent is typing in.
pub(crate) fn raise<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
    }
}

/// Shows the window and gives it the keyboard: the agent asked for it.
pub(crate) fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    raise(app);
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.set_focus();
    }
}

/// A pushed caller arrived while the agent looked elsewhere (the pipeline checked): notify
/// and/or raise as the agent chose.
pub(crate) fn caller_arrived<R: Runtime>(app: &AppHandle<R>, alert: &Alert) {
    if alert.action.raises() {
        raise(app);
    }
    if alert.action.notifies() {
        let words = Catalogue::of(app.state::<AppContext>().desk.prefs.language().language);
        let title = match alert.title.as_str() {
            "" => words.text("card.unknown_caller"),
            name => name,
        };
        let action = words.text("notification.show_caller");
        show(app.clone(), title, short(&alert.reason), action);
    }
}

/// A notification shows a line or two: long reasons are cut.
/// The Genesys Cloud sign-in ended: calls no longer pop on answer until the agent signs in again.
pub(crate) fn sign_in_again<R: Runtime>(app: &AppHandle<R>) {
    let words = Catalogue::of(app.state::<AppContext>().desk.prefs.language().language);
    show(
        app.clone(),
        words.text("genesys.sign_in_again"),
        words.text("genesys.sign_in_again_body").to_owned(),
        words.text("tray.show"),
    );
}

fn short(text: &str) -> String {
    let mut short: String = text.chars().take(MAX_REASON_CHARS).collect();
    if text.chars().count() > MAX_REASON_CHARS {
        short.push('…');
    }
    short
}

/// Notification servers that render markup would otherwise obey markup in caller data.
fn escape_markup(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn show<R: Runtime>(app: AppHandle<R>, title: &str, body: String, action: &str) {
    let (title, action) = (title.to_owned(), action.to_owned());
    // The calls block (D-Bus, WinRT); the click is awaited on its own thread.
    std::thread::spawn(move || {
        let body = if renders_markup() {
            escape_markup(&body)
        } else {
            body
        };
        let mut notification = Notification::new();
        notification
            .appname("screenpop")
            .summary(&title)
            .body(&body)
            .icon("call-start")
            .action("default", &action)
            .timeout(Timeout::Milliseconds(10_000));
        // Without it Windows files the toast under PowerShell; the installer puts the same id
        // on the Start-menu shortcut, which is what makes Windows accept it.
        #[cfg(windows)]
        notification.app_id(APP_USER_MODEL_ID);
        match notification.show() {
            Ok(handle) => wait_for_click(handle, move || bring_forward(&app)),
            Err(e) => eprintln!("screenpop: the notification could not be shown: {e}"),
        }
    });
}

/// Runs `clicked` when the agent clicks the notification's body or its "Show caller" button.
#[cfg(not(windows))]
fn wait_for_click(handle: notify_rust::NotificationHandle, clicked: impl FnOnce()) {
    // "default" is both the body (freedesktop servers) and the button.
    handle.wait_for_action(|action| {
        if action == "default" {
            clicked();
        }
    });
}

/// Runs `clicked` when the agent clicks the toast's body or its "Show caller" button.
#[cfg(windows)]
fn wait_for_click(handle: notify_rust::NotificationHandle, clicked: impl FnOnce()) {
    use notify_rust::NotificationResponse;
    // A click on a toast's body is its own response there, not an action named "default".
    let _ = handle.wait_for_response(|response: &NotificationResponse| match response {
        NotificationResponse::Default => clicked(),
        NotificationResponse::Action(action) if action == "default" => clicked(),
        _ => {}
    });
}

/// The Windows AppUserModelID toasts carry: the app's identifier, as on the installer's
/// Start-menu shortcut (`src-tauri/packaging/windows/screenpop.nsi`).
#[cfg(windows)]
pub(crate) const APP_USER_MODEL_ID: &str = "ai.screenpop.desktop";

/// Whether the notification server renders markup in the body (only freedesktop servers
/// may; Windows and macOS show text as text).
fn renders_markup() -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        // Asked once: a second D-Bus round trip on every pop would delay the notification.
        static MARKUP: OnceLock<bool> = OnceLock::new();
        *MARKUP.get_or_init(|| {
            notify_rust::get_capabilities()
                .map(|caps| caps.iter().any(|c| c == "body-markup"))
                .unwrap_or(false)
        })
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_markup("<b>a</b> & c"),
            "&lt;b&gt;a&lt;/b&gt; &amp; c"
        );
    }
}
