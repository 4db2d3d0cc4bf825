//! Transfers pushed to the running app: deep links from the desktop, `screenpop pop`, a second
//! launch. Each is validated by the core, let through once, and handed to the page, which looks
//! it up exactly as it looks up a pasted id.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use screenpop_core::transfer::{PopGate, Transfer};

use crate::AppState;

/// Transfers that arrived before the page was listening, and the duplicate filter.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    ready: bool,
    pending: Vec<Transfer>,
    refused: Vec<String>,
    gate: PopGate,
}

/// What the page picks up when it starts.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Pending {
    transfers: Vec<Transfer>,
    refused: Vec<String>,
}

fn lock(inbox: &Mutex<Inbox>) -> MutexGuard<'_, Inbox> {
    inbox.lock().unwrap_or_else(|p| p.into_inner())
}

/// Marks the page ready and hands it what arrived before.
pub(crate) fn take_pending(inbox: &Mutex<Inbox>) -> Pending {
    let mut inbox = lock(inbox);
    inbox.ready = true;
    Pending {
        transfers: std::mem::take(&mut inbox.pending),
        refused: std::mem::take(&mut inbox.refused),
    }
}

pub use screenpop_core::transfer::is_link;

/// Handles the arguments of a launch (the first one, or a second one forwarded by the single
/// instance plugin): links pop; `--hidden` (the login autostart) leaves the window as it is; any
/// other launch shows the window.
pub(crate) fn receive_args<R: Runtime>(app: &AppHandle<R>, args: &[String]) {
    let links: Vec<&String> = args.iter().skip(1).filter(|a| is_link(a)).collect();
    if links.is_empty() {
        if args.iter().skip(1).any(|a| a == "--hidden") {
            return;
        }
        // The agent started screenpop again (from the menu, or `--demo` while the real desk
        // runs): bring the one window forward rather than seem to do nothing.
        crate::notify::raise(app, true);
        return;
    }
    for raw in links {
        receive_link(app, raw);
    }
}

/// Validates one link and delivers it, or shows why it was refused.
pub(crate) fn receive_link<R: Runtime>(app: &AppHandle<R>, raw: &str) {
    match Transfer::from_link(raw) {
        Ok(t) => receive_transfer(app, t),
        Err(e) => refuse(app, e.to_string()),
    }
}

/// Shows why something that arrived was not looked up.
pub(crate) fn refuse<R: Runtime>(app: &AppHandle<R>, message: String) {
    let state = app.state::<AppState>();
    let mut inbox = lock(&state.inbox);
    if inbox.ready {
        let _ = app.emit("transfer-refused", &message);
    } else {
        inbox.refused.push(message);
    }
}

/// Delivers a validated transfer to the page once (see [`PopGate`]).
pub(crate) fn receive_transfer<R: Runtime>(app: &AppHandle<R>, t: Transfer) {
    let state = app.state::<AppState>();
    let mut inbox = lock(&state.inbox);
    if !inbox.gate.admit(&t, Instant::now()) {
        return;
    }
    if inbox.ready {
        let _ = app.emit("transfer", &t);
    } else {
        inbox.pending.push(t);
    }
}
