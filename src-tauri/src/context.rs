//! The app context: what the running app keeps, managed by Tauri and reached from every
//! command and source (the desk of services, the demo, the local trigger, the paint log).

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use screenpop_core::desk::Desk;
use screenpop_sandbox::Sandbox;
use screenpop_settings::config::{default_path, Settings};
use screenpop_settings::secret::Keychain;

use screenpop_trigger::Trigger;

use crate::paint::PaintLog;

/// The app context, managed by Tauri. The pop pipeline is managed beside it (see
/// [`crate::start_pipeline`]), as it needs the running app to publish to.
pub struct AppContext {
    /// The services.
    pub(crate) desk: Desk,
    /// Why the settings could not be loaded, shown in the window. The desk then runs on empty
    /// in-memory settings so the broken file is never overwritten.
    pub(crate) startup_error: Option<String>,
    /// The demo's sandbox, kept alive for the life of the window.
    pub(crate) demo: Option<Sandbox>,
    /// Which of the demo's callers comes next (see `demo::next_transfer`).
    pub(crate) demo_turn: AtomicUsize,
    /// The local trigger while it runs, or why it could not start.
    pub(crate) trigger: Mutex<Result<Option<Trigger>, String>>,
    /// Where painted cards are logged, when a benchmark asks for it.
    pub(crate) paint_log: PaintLog,
}

impl AppContext {
    /// The normal app: settings from the config directory, keys in the OS keychain.
    pub fn open() -> Self {
        match default_path()
            .map_err(screenpop_core::Error::from)
            .and_then(|path| Desk::open(path, Arc::new(Keychain)))
        {
            Ok(desk) => Self::with_desk(desk, None),
            Err(e) => {
                let desk = Desk::in_memory(Settings::default(), Arc::new(Keychain));
                // The agent's file is broken, not the admin's policy: it still applies.
                desk.reload_policy();
                Self {
                    startup_error: Some(e.to_string()),
                    ..Self::with_desk(desk, None)
                }
            }
        }
    }

    /// A state over an existing desk (tests, the demo).
    pub fn with_desk(desk: Desk, demo: Option<Sandbox>) -> Self {
        Self {
            desk,
            startup_error: None,
            demo,
            demo_turn: AtomicUsize::new(0),
            trigger: Mutex::new(Ok(None)),
            paint_log: PaintLog::from_env(),
        }
    }
}
