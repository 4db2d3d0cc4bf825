//! `screenpop key …`: the key is read from standard input, never from the command line, and
//! never printed.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;
use screenpop_core::config::Settings;
use screenpop_core::secret::{KeyStore, Keychain};
use screenpop_core::{ApiKey, Error, Result};

use crate::{settings_path, ProfileArg};

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
    let settings = Settings::load(&settings_path()?)?;
    match cmd {
        KeyCommand::Set(p) => {
            let name = settings.profile(p.profile.as_deref())?.name.clone();
            let key = read_key(&name)?;
            Keychain.set(&name, &key)?;
            println!("Stored the API key for profile \"{name}\" in the system keychain.");
        }
        KeyCommand::Status(p) => {
            let name = &settings.profile(p.profile.as_deref())?.name;
            match Keychain.get(name)? {
                Some(_) => println!("An API key is stored for profile \"{name}\"."),
                None => {
                    return Err(Error::NoKey {
                        profile: name.clone(),
                    })
                }
            }
        }
        KeyCommand::Delete(p) => {
            let name = &settings.profile(p.profile.as_deref())?.name;
            if Keychain.delete(name)? {
                println!("Deleted the API key of profile \"{name}\".");
            } else {
                println!("No API key was stored for profile \"{name}\".");
            }
        }
    }
    Ok(())
}

fn read_key(profile: &str) -> Result<ApiKey> {
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
    ApiKey::new(&raw)
}
