//! `screenpop --demo`: the sandbox runs inside the app, with a demo profile and its key held in
//! memory only. Nothing is written to the keychain or the settings.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use screenpop_api::endpoint::Endpoint;
use screenpop_api::ApiKey;
use screenpop_core::desk::Desk;
use screenpop_core::transfer::Transfer;
use screenpop_core::Error;
use screenpop_sandbox::{Sandbox, SandboxConfig};
use screenpop_settings::config::Settings;
use screenpop_settings::secret::{KeyStore, MemoryKeys};
use screenpop_settings::Profile;

use crate::AppContext;

/// Name of the demo profile.
pub(crate) const DEMO_PROFILE: &str = "Demo";

/// Starts the sandbox and builds the demo's state.
pub(crate) fn start() -> Result<AppContext, Box<dyn std::error::Error>> {
    let sandbox = tauri::async_runtime::block_on(Sandbox::start(SandboxConfig::default()))?;
    let profile = Profile::new(
        DEMO_PROFILE,
        Endpoint::custom(&sandbox.base_url())?,
        "demo",
        "demo",
    )?;
    let mut settings = Settings::default();
    settings.add_profile(profile)?;
    let keys = MemoryKeys::default();
    keys.set(DEMO_PROFILE, &ApiKey::new(sandbox.key())?)?;
    let desk = Desk::in_memory(settings, Arc::new(keys));
    Ok(AppContext::with_desk(desk, Some(sandbox)))
}

/// The demo's next caller: it opens on the first of its callers, and each simulated transfer
/// brings the one after, so each press shows a different kind of card (and a trainer knows
/// which comes next).
pub(crate) fn next_transfer(state: &AppContext) -> screenpop_core::Result<Transfer> {
    let not_demo = || {
        Error::BadInput("Simulated transfers exist only in the demo (screenpop --demo).".to_owned())
    };
    let states = state.demo.as_ref().ok_or_else(not_demo)?.states();
    let n = state.demo_turn.fetch_add(1, Ordering::Relaxed);
    let picked = states
        .get(n % states.len().max(1))
        .ok_or_else(|| Error::Config("The demo has no states to transfer.".to_owned()))?;
    Transfer::new(picked.id.as_deref(), picked.shared_id.as_deref(), None)
}
