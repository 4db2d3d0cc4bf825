//! `screenpop key …`: the key is read from standard input, never from the command line, and
//! never printed.

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use screenpop_core::{Error, Result};

use crate::{desk, runtime, say, ProfileArg};

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Store the profile's API key, read from standard input (hidden on a terminal).
    Set(SetArgs),
    /// Say whether a key is stored (never what it is).
    Status(StatusArgs),
    /// Delete the profile's key from the keychain.
    Delete(ProfileArg),
}

/// What storing a secret from standard input takes: the profile, and whether to leave one
/// already stored (the API key, the relay password).
#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    #[command(flatten)]
    pub(crate) profile: ProfileArg,
    /// Do nothing when one is already stored (a login script runs this at every login).
    #[arg(long)]
    pub(crate) if_missing: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// Print `{"profile": NAME, "stored": true|false}` and exit 0 either way.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: KeyCommand) -> Result<()> {
    let profiles = desk()?.profiles;
    let rt = runtime()?;
    match cmd {
        KeyCommand::Set(args) => {
            let name = profiles.get(args.profile.profile.as_deref())?.name;
            if args.if_missing && rt.block_on(profiles.has_key(Some(&name)))?.1 {
                // Standard input is left unread: the script's secret goes nowhere.
                println!("{}", say("cli.key_already_stored", &[("profile", &name)]));
                return Ok(());
            }
            let key = read_key(&name)?;
            rt.block_on(profiles.store_key(Some(&name), &key))?;
            println!("{}", say("cli.key_stored", &[("profile", &name)]));
        }
        KeyCommand::Status(args) => {
            match rt.block_on(profiles.has_key(args.profile.profile.as_deref()))? {
                (profile, stored) if args.json => println!(
                    "{}",
                    serde_json::json!({ "profile": profile, "stored": stored })
                ),
                (name, true) => println!("{}", say("cli.key_is_stored", &[("profile", &name)])),
                (profile, false) => return Err(screenpop_settings::Error::NoKey { profile }.into()),
            }
        }
        KeyCommand::Delete(p) => match rt.block_on(profiles.delete_key(p.profile.as_deref()))? {
            (name, true) => println!("{}", say("cli.key_deleted", &[("profile", &name)])),
            (name, false) => println!("{}", say("cli.key_was_missing", &[("profile", &name)])),
        },
    }
    Ok(())
}

/// The key as typed; checked when it is stored.
fn read_key(profile: &str) -> Result<String> {
    read_secret(&format!("API key for profile \"{profile}\""), "key")
}

/// A secret (`what`, asked for as `prompt`) from standard input: hidden on a terminal, one line
/// from a script; never from the command line.
pub(crate) fn read_secret(prompt: &str, what: &str) -> Result<String> {
    let raw = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{prompt} (input hidden): ")).map_err(|e| {
            Error::BadInput(format!("Cannot read the {what} from the terminal: {e}."))
        })?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            Error::BadInput(format!("Cannot read the {what} from standard input: {e}."))
        })?;
        line
    };
    Ok(raw)
}
