//! Letting the agent notice a pop: a desktop notification with the caller's name and the reason
//! only, and bringing the window forward when asked. The keyboard is taken only when the agent
//! asks for the window (a click on the notification, a second launch).

use notify_rust::{Notification, Timeout};
use tauri::{AppHandle, Manager, Runtime};

use screenpop_core::card::{Card, HighlightGroup, Node};
use screenpop_core::config::PopAction;

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

/// Shows the window; with `focus`, also gives it the keyboard.
pub(crate) fn raise<R: Runtime>(app: &AppHandle<R>, focus: bool) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        if focus {
            let _ = w.set_focus();
        }
    }
}

/// After a pushed transfer's card is ready: notify and/or raise as the settings say, unless the
/// agent is already looking at the window.
pub(crate) fn caller_arrived<R: Runtime>(app: &AppHandle<R>, card: &Card, action: PopAction) {
    if window_in_front(app) {
        return;
    }
    if action.raises() {
        raise(app, false);
    }
    if action.notifies() {
        show(app.clone(), card);
    }
}

/// The reason highlight as one short line.
fn reason(card: &Card) -> String {
    let text = card
        .highlights
        .iter()
        .find(|h| h.group == HighlightGroup::Reason)
        .and_then(|h| match &h.field.value {
            Node::Value { value } => Some(value.plain()),
            _ => None,
        })
        .unwrap_or_default();
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

fn show<R: Runtime>(app: AppHandle<R>, card: &Card) {
    let title = card.title.clone();
    let body = reason(card);
    // The D-Bus calls block; the click is awaited on its own thread.
    std::thread::spawn(move || {
        let markup = notify_rust::get_capabilities()
            .map(|caps| caps.iter().any(|c| c == "body-markup"))
            .unwrap_or(false);
        let body = if markup { escape_markup(&body) } else { body };
        let shown = Notification::new()
            .appname("screenpop")
            .summary(&title)
            .body(&body)
            .icon("call-start")
            .action("default", "Show caller")
            .timeout(Timeout::Milliseconds(10_000))
            .show();
        match shown {
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    raise(&app, true);
                }
            }),
            Err(e) => eprintln!("screenpop: the notification could not be shown: {e}"),
        }
    });
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
