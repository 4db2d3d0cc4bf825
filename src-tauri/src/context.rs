//! The app context: what the running app keeps, managed by Tauri and reached from every
//! command and source (the desk of services, the demo, the local trigger, the paint log).

use std::sync::{Arc, Mutex};

use screenpop_core::desk::Desk;
use screenpop_settings::config::{default_path, Settings};
use screenpop_settings::secret::Keychain;

use screenpop_trigger::Trigger;

use crate::demo::Demo;
use crate::paint::PaintLog;

/// The app context, managed by Tauri. The pop pipeline is managed beside it (see
/// [`crate::start_pipeline`]), as it needs the running app to publish to.
pub struct AppContext {
    /// The services.
    pub(crate) desk: Desk,
    /// Why the settings could not be loaded, shown in the window. The desk then runs on empty
    /// in-memory settings so the broken file is never overwritten.
    pub(crate) startup_error: Option<String>,
    /// The demo's sandbox and Genesys Cloud stand-in, kept alive for the life of the window.
    pub(crate) demo: Option<Demo>,
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
            Ok(desk) => Self::with_desk(desk),
            Err(e) => {
                let desk = Desk::in_memory(Settings::default(), Arc::new(Keychain));
                // The agent's file is broken, not the admin's policy: it still applies.
                desk.reload_policy();
                Self {
                    startup_error: Some(e.to_string()),
                    ..Self::with_desk(desk)
                }
            }
        }
    }

    /// The demo (`--demo`): a sandbox and a Genesys Cloud stand-in in the app, the demo
    /// profile connected to both, nothing kept outside it.
    pub fn demo() -> Result<Self, Box<dyn std::error::Error>> {
        crate::demo::start()
    }

    /// A state over an existing desk (tests).
    pub fn with_desk(desk: Desk) -> Self {
        Self::with(desk, None)
    }

    pub(crate) fn with_demo(desk: Desk, demo: Demo) -> Self {
        Self::with(desk, Some(demo))
    }

    fn with(desk: Desk, demo: Option<Demo>) -> Self {
        Self {
            desk,
            startup_error: None,
            demo,
            trigger: Mutex::new(Ok(None)),
            paint_log: PaintLog::from_env(),
        }
    }
}
