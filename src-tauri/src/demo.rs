//! `screenpop --demo`: the Handoff API sandbox and the Genesys Cloud stand-in run inside the app,
//! with a demo profile connected to both; its PolyAI key and its agent's Genesys sign-in are held
//! in memory only. Nothing is written to the keychain, the settings or the session's files.
//! **Simulate transfer** places a call on the stand-in and answers it, so the card arrives the
//! way it will in production: from Genesys Cloud, through the profile's push source.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use screenpop_api::endpoint::Endpoint;
use screenpop_api::ApiKey;
use screenpop_core::desk::Desk;
use screenpop_core::transfer::Transfer;
use screenpop_core::Error;
use screenpop_sandbox::genesys::{GenesysConfig as StandInConfig, GenesysStandIn};
use screenpop_sandbox::{Sandbox, SandboxConfig, StoredState};
use screenpop_settings::config::Settings;
use screenpop_settings::genesys::token::AccessToken;
use screenpop_settings::genesys::{GenesysConfig, GenesysPlace, IdSources};
use screenpop_settings::secret::{KeyStore, MemoryKeys};
use screenpop_settings::Profile;

use crate::push::Push;
use crate::AppContext;

/// Name of the demo profile.
pub(crate) const DEMO_PROFILE: &str = "Demo";

/// The participant-data attributes the demo's calls carry PolyAI's ids in.
const ID_ATTRIBUTE: &str = "polyai_conversation_id";
const SHARED_ID_ATTRIBUTE: &str = "polyai_shared_id";

/// How long a simulated transfer waits for the demo's Genesys connection (made as the window
/// opens, on loopback: well under a second).
const CONNECTED_WITHIN: Duration = Duration::from_secs(10);

/// What the demo runs, kept alive for the life of the window.
pub(crate) struct Demo {
    sandbox: Sandbox,
    genesys: GenesysStandIn,
    /// Which of the demo's callers comes next.
    turn: AtomicUsize,
    /// The call the demo agent is on, hung up when the next one arrives.
    on_call: Mutex<Option<String>>,
}

/// Starts the sandbox and the stand-in, and builds the demo's state.
pub(crate) fn start() -> Result<AppContext, Box<dyn std::error::Error>> {
    let (sandbox, genesys) = tauri::async_runtime::block_on(async {
        let sandbox = Sandbox::start(SandboxConfig::default()).await?;
        let genesys = GenesysStandIn::start(StandInConfig::default()).await?;
        Ok::<_, screenpop_sandbox::SandboxError>((sandbox, genesys))
    })?;
    let url = genesys.base_url();
    let mut profile = Profile::new(
        DEMO_PROFILE,
        Endpoint::custom(&sandbox.base_url())?,
        "demo",
        "demo",
    )?;
    profile.genesys = Some(GenesysConfig::new(
        GenesysPlace::Urls {
            login: &url,
            api: &url,
        },
        genesys.client_id(),
        IdSources {
            id_attribute: Some(ID_ATTRIBUTE.to_owned()),
            shared_id_attribute: Some(SHARED_ID_ATTRIBUTE.to_owned()),
            shared_id_from_conversation: false,
        },
    )?);
    let mut settings = Settings::default();
    settings.add_profile(profile)?;
    let keys = MemoryKeys::default();
    keys.set(DEMO_PROFILE, &ApiKey::new(sandbox.key())?)?;
    let desk = Desk::in_memory(settings, Arc::new(keys));
    // The demo agent is signed in to the stand-in already, as an agent is after their first day.
    let (token, lifetime) = genesys.sign_in_agent();
    let token = AccessToken {
        token: ApiKey::new(&token)?,
        expires: SystemTime::now() + lifetime,
    };
    tauri::async_runtime::block_on(desk.genesys_tokens.set(DEMO_PROFILE, &token))?;
    let demo = Demo {
        sandbox,
        genesys,
        turn: AtomicUsize::new(0),
        on_call: Mutex::new(None),
    };
    Ok(AppContext::with_demo(desk, demo))
}

impl Demo {
    /// The demo's next caller: it opens on the first of its callers, and each simulated
    /// transfer brings the one after, so each press shows a different kind of card (and a
    /// trainer knows which comes next).
    fn next_caller(&self) -> Result<StoredState, Error> {
        let states = self.sandbox.states();
        let n = self.turn.fetch_add(1, Ordering::Relaxed);
        states
            .get(n % states.len().max(1))
            .cloned()
            .ok_or_else(|| Error::Config("The demo has no states to transfer.".to_owned()))
    }

    /// The caller the window opens on, handed straight to the pipeline: the Genesys connection
    /// is still being made.
    pub(crate) fn opening_transfer(&self) -> Result<Transfer, Error> {
        let picked = self.next_caller()?;
        Transfer::new(picked.id.as_deref(), picked.shared_id.as_deref(), None)
    }

    /// The demo agent answers the next caller in Genesys Cloud (the stand-in): the previous
    /// call is hung up, the new one rings and is answered, carrying the caller's PolyAI ids as
    /// participant data.
    fn answer_next(&self) -> Result<(), Error> {
        let picked = self.next_caller()?;
        let mut attributes = Vec::new();
        if let Some(id) = picked.id.as_deref() {
            attributes.push((ID_ATTRIBUTE, id));
        }
        if let Some(shared) = picked.shared_id.as_deref() {
            attributes.push((SHARED_ID_ATTRIBUTE, shared));
        }
        let mut on_call = self.on_call.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = on_call.take() {
            self.genesys.set_agent_state(&previous, "disconnected");
        }
        let call = self.genesys.place_call(&attributes);
        self.genesys.set_agent_state(&call, "connected");
        *on_call = Some(call);
        Ok(())
    }
}

/// Simulate transfer: once the demo's Genesys connection is up, its agent answers the next
/// caller there, and the source pops the card.
pub(crate) async fn simulate(state: &AppContext, push: &Push) -> Result<(), Error> {
    let demo = state.demo.as_ref().ok_or_else(|| {
        Error::BadInput("Simulated transfers exist only in the demo (screenpop --demo).".to_owned())
    })?;
    if !push.genesys_connected(CONNECTED_WITHIN).await {
        return Err(Error::PushNotConnected {
            detail: "The demo's Genesys Cloud connection is not up yet; try again in a moment."
                .to_owned(),
        });
    }
    demo.answer_next()
}
