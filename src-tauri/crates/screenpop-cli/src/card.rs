//! `screenpop card preview`: the card a profile's layout makes of a handoff written to a file,
//! so an admin can shape a layout without a call. The data is masked as the API's would be.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use screenpop_api::HandoffState;
use screenpop_card::Card;
use screenpop_core::{Error, Result};
use screenpop_settings::i18n::{process_language, Catalogue};

use crate::desk;

#[derive(Debug, Subcommand)]
pub(crate) enum CardCommand {
    /// Print the card a profile's layout makes of the handoff data in a file.
    Preview(PreviewArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PreviewArgs {
    /// Profile whose layout shapes the card (default: the active profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// A JSON file: a handoff state (`{"id", "shared_id", "data"}`) or only its data object.
    #[arg(long, value_name = "FILE.json")]
    data: PathBuf,
    /// Print the card model the window renders, as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: CardCommand) -> Result<()> {
    let CardCommand::Preview(args) = cmd;
    let desk = desk()?;
    let settings = desk.settings();
    let profile = settings.profile(args.profile.as_deref())?;
    let shown = |e: &dyn std::fmt::Display| {
        Error::BadInput(format!(
            "Cannot use {} as handoff data: {e}.",
            args.data.display()
        ))
    };
    let text = std::fs::read(&args.data).map_err(|e| shown(&e))?;
    let state =
        HandoffState::from_example(&text, desk.policy().card_numbers()).map_err(|e| shown(&e))?;
    let card = Card::of(&state, &profile.target(), &profile.card);
    if args.json {
        let text = serde_json::to_string_pretty(&card)
            .map_err(|e| Error::Config(format!("Cannot encode the card: {e}.")))?;
        println!("{text}");
    } else {
        print!("{}", card.to_text(Catalogue::of(process_language())));
    }
    Ok(())
}
