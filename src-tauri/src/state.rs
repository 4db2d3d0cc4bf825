//! What the app keeps while it runs.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use screenpop_core::config::{default_path, Settings};
use screenpop_core::desk::Desk;
use screenpop_core::secret::Keychain;
use screenpop_sandbox::Sandbox;

use screenpop_trigger::Trigger;

use crate::paint::PaintLog;
use crate::pops::Inbox;

/// The app's state, managed by Tauri.
pub struct AppState {
    /// The back end.
    pub(crate) desk: Desk,
    /// Why the settings could not be loaded, shown in the window. The desk then runs on empty
    /// in-memory settings so the broken file is never overwritten.
    pub(crate) startup_error: Option<String>,
    /// The demo's sandbox, kept alive for the life of the window.
    pub(crate) demo: Option<Sandbox>,
    /// Which of the demo's callers comes next (see `demo::next_transfer`).
    pub(crate) demo_turn: AtomicUsize,
    /// Transfers waiting for the page, and the duplicate filter.
    pub(crate) inbox: Mutex<Inbox>,
    /// The page's newest lookup ticket: older lookups still running are abandoned.
    pub(crate) latest: tokio::sync::watch::Sender<u64>,
    /// The local trigger while it runs, or why it could not start.
    pub(crate) trigger: Mutex<Result<Option<Trigger>, String>>,
    /// Where painted cards are logged, when a benchmark asks for it.
    pub(crate) paint_log: PaintLog,
}

impl AppState {
    /// The normal app: settings from the config directory, keys in the OS keychain.
    pub fn open() -> Self {
        let opened = default_path().and_then(|path| Desk::open(path, Arc::new(Keychain)));
        match opened {
            Ok(desk) => Self {
                desk,
                startup_error: None,
                demo: None,
                demo_turn: AtomicUsize::new(0),
                inbox: Mutex::default(),
                trigger: Mutex::new(Ok(None)),
                latest: tokio::sync::watch::Sender::new(0),
                paint_log: PaintLog::from_env(),
            },
            Err(e) => Self {
                desk: Desk::in_memory(Settings::default(), Arc::new(Keychain)),
                startup_error: Some(e.to_string()),
                demo: None,
                demo_turn: AtomicUsize::new(0),
                inbox: Mutex::default(),
                trigger: Mutex::new(Ok(None)),
                latest: tokio::sync::watch::Sender::new(0),
                paint_log: PaintLog::from_env(),
            },
        }
    }

    /// A state over an existing desk (tests, the demo).
    pub fn with_desk(desk: Desk, demo: Option<Sandbox>) -> Self {
        Self {
            desk,
            startup_error: None,
            demo,
            demo_turn: AtomicUsize::new(0),
            inbox: Mutex::default(),
            trigger: Mutex::new(Ok(None)),
            latest: tokio::sync::watch::Sender::new(0),
            paint_log: PaintLog::from_env(),
        }
    }
}
