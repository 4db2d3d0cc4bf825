//! `screenpop key …`: the key is read from standard input, never from the command line, and
//! never printed.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;
use screenpop_core::{Error, Result};

use crate::{desk, runtime, ProfileArg};

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Store the profile's API key, read from standard input (hidden on a terminal).
    Set(ProfileArg),
    /// Say whether a key is stored (never what it is).
    Status(ProfileArg),
    /// Delete the profile's key from the keychain.
    Delete(ProfileArg),
}

pub(crate) fn run(cmd: KeyCommand) -> Result<()> {
    let profiles = desk()?.profiles;
    let rt = runtime()?;
    match cmd {
        KeyCommand::Set(p) => {
            let name = profiles.get(p.profile.as_deref())?.name;
            let key = read_key(&name)?;
            rt.block_on(profiles.store_key(Some(&name), &key))?;
            println!("Stored the API key for profile \"{name}\" in the system keychain.");
        }
        KeyCommand::Status(p) => match rt.block_on(profiles.has_key(p.profile.as_deref()))? {
            (name, true) => println!("An API key is stored for profile \"{name}\"."),
            (profile, false) => return Err(Error::NoKey { profile }),
        },
        KeyCommand::Delete(p) => match rt.block_on(profiles.delete_key(p.profile.as_deref()))? {
            (name, true) => println!("Deleted the API key of profile \"{name}\"."),
            (name, false) => println!("No API key was stored for profile \"{name}\"."),
        },
    }
    Ok(())
}

/// The key as typed; checked when it is stored.
fn read_key(profile: &str) -> Result<String> {
    let raw = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!(
            "API key for profile \"{profile}\" (input hidden): "
        ))
        .map_err(|e| Error::BadInput(format!("Cannot read the key from the terminal: {e}.")))?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            Error::BadInput(format!("Cannot read the key from standard input: {e}."))
        })?;
        line
    };
    Ok(raw)
}
