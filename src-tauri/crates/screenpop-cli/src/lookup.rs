//! `screenpop lookup …`

use clap::Args;
use screenpop_api::{HandoffState, Lookup};
use screenpop_card::{shown_state, Card};
use screenpop_core::lookups::Wait;
use screenpop_core::Result;
use screenpop_settings::i18n::{process_language, Catalogue};
use screenpop_settings::Profile;

use crate::{desk, runtime, CallerArgs};

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
    let lookups = desk()?.lookups;
    let wait = if args.no_wait {
        Wait::Once
    } else {
        Wait::Retry
    };
    let (state, profile) =
        runtime()?.block_on(lookups.state(c.profile.as_deref(), &lookup, wait, &|_| {}))?;
    print_state(&state, &profile, args.json);
    Ok(())
}

/// Prints a state as JSON or as the text card.
pub(crate) fn print_state(state: &HandoffState, profile: &Profile, json: bool) {
    if json {
        // Sensitive fields read as `••••` here as in the window's raw view.
        match serde_json::to_string_pretty(&shown_state(state, &profile.card)) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("screenpop: cannot encode the state: {e}"),
        }
        return;
    }
    let words = Catalogue::of(process_language());
    print!(
        "{}",
        Card::of(state, &profile.target(), &profile.card).to_text(words)
    );
}
