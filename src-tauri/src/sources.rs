//! Where transfers come from, adapted to the pipeline: a launch's arguments (the first one, or
//! a second one the single-instance plugin forwards), the clipboard shortcut and the tray's
//! "look up the clipboard". The local trigger and the demo hand theirs over in `trigger.rs`
//! and `demo.rs`; typed ids arrive as the `look_up` command.

use std::ffi::OsString;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

use screenpop_core::argv::{classify, Launch};
use screenpop_core::pop::Pipeline;

/// A launch's arguments: links pop; `--hidden` (the login autostart) leaves the window as it
/// is; any other launch brings the window forward.
pub(crate) fn launched<R: Runtime>(app: &AppHandle<R>, args: &[String]) {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    match classify(&args) {
        Ok(Launch::Window(w)) if !w.links.is_empty() => {
            let pipeline = app.state::<Pipeline>();
            for link in &w.links {
                pipeline.submit_link(link);
            }
        }
        Ok(Launch::Window(w)) if w.hidden => {}
        // The agent started screenpop again (from the menu, or `--demo` while the real desk
        // runs): bring the one window forward rather than seem to do nothing.
        _ => crate::notify::bring_forward(app),
    }
}

/// Looks up the id on the clipboard with the active profile, and brings the card forward. The
/// clipboard is read here, when the agent asks, and never watched.
pub(crate) fn clipboard<R: Runtime>(app: &AppHandle<R>) {
    crate::notify::bring_forward(app);
    let text = app.clipboard().read_text().unwrap_or_default();
    app.state::<Pipeline>().submit_clipboard(&text);
}
