//! `screenpop lookup …`

use clap::Args;
use screenpop_core::card::Card;
use screenpop_core::config::Settings;
use screenpop_core::secret::{KeyStore, Keychain};
use screenpop_core::{Error, HandoffClient, HandoffState, Lookup, Profile, Result};

use crate::{runtime, settings_path, CallerArgs};

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    #[command(flatten)]
    caller: CallerArgs,
    /// Print the raw handoff state as JSON.
    #[arg(long)]
    json: bool,
    /// Make a single attempt: do not wait for a state that is not written yet.
    #[arg(long)]
    no_wait: bool,
}

pub(crate) fn run(args: LookupArgs) -> Result<()> {
    let c = &args.caller;
    let lookup = Lookup::new(c.id.as_deref(), c.shared_id.as_deref())?;
    let settings = Settings::load(&settings_path()?)?;
    let profile = settings.profile(c.profile.as_deref())?.clone();
    // The keychain's D-Bus round trips and the TLS set-up (reading the system's CA certificates)
    // each take a few milliseconds: do them at the same time.
    let name = profile.name.clone();
    let key = std::thread::spawn(move || Keychain.get(&name));
    let client = HandoffClient::new(profile, settings.timeouts)?;
    let key = key
        .join()
        .map_err(|_| Error::KeychainUnavailable {
            detail: "the keychain call stopped unexpectedly".to_owned(),
        })??
        .ok_or_else(|| Error::NoKey {
            profile: client.profile().name.clone(),
        })?;
    let state = runtime()?.block_on(async {
        if args.no_wait {
            client.lookup_once(&key, &lookup).await
        } else {
            client.lookup(&key, &lookup).await
        }
    })?;
    print_state(&state, client.profile(), args.json);
    Ok(())
}

/// Prints a state as JSON or as the text card.
pub(crate) fn print_state(state: &HandoffState, profile: &Profile, json: bool) {
    if json {
        match serde_json::to_string_pretty(state) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("screenpop: cannot encode the state: {e}"),
        }
        return;
    }
    let link = state
        .id
        .as_deref()
        .and_then(|id| profile.studio_conversation_url(id));
    print!("{}", Card::build(state, link.as_ref()).to_text());
}
