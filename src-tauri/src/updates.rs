//! New versions while the window runs, as the fleet policy allows: with `[updates] mode =
//! "notify"`, the policy's signed manifest is read soon after the window starts (at a random
//! moment of the first minute when it started at login, so a site's seats do not ask together)
//! and then every [`CHECK_EVERY`]. A newer version is said calmly, in Settings and as a line in
//! the tray; screenpop installs nothing (the fleet's tool does). With the policy's default, off,
//! nothing is asked.

use std::sync::Mutex;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use screenpop_core::update::{self, UpdateStatus, CHECK_EVERY};
use screenpop_settings::updates::UpdateMode;

use crate::AppContext;

/// What the last check found, when it found a newer version.
#[derive(Default)]
pub(crate) struct Updates(Mutex<Option<UpdateStatus>>);

impl Updates {
    /// The newer version found, if one was.
    pub(crate) fn available(&self) -> Option<UpdateStatus> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, found: Option<UpdateStatus>) -> bool {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let changed = *held != found;
        *held = found;
        changed
    }
}

/// Checks for the life of the app; `at_login` spreads the first check over a minute.
pub(crate) async fn watch<R: Runtime>(app: AppHandle<R>, at_login: bool) {
    let first = if at_login {
        Duration::from_secs(60).mul_f64(fastrand::f64())
    } else {
        Duration::from_secs(1)
    };
    tokio::time::sleep(first).await;
    loop {
        check(&app).await;
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

async fn check<R: Runtime>(app: &AppHandle<R>) {
    let desk = &app.state::<AppContext>().desk;
    let policy = desk.policy().updates();
    if policy.mode == UpdateMode::Off {
        return;
    }
    let timeouts = desk.settings().timeouts;
    // A failed check is doctor's and Diagnostics' to say; the agent is told only of a version.
    let found = update::check(&policy, &timeouts, env!("CARGO_PKG_VERSION"))
        .await
        .ok()
        .filter(|s| matches!(s, UpdateStatus::Available { .. }));
    if app.state::<Updates>().set(found.clone()) {
        let _ = app.emit("update", found);
        crate::shell::refresh_tray(app);
    }
}
