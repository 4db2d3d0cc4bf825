//! `screenpop settings …`: the settings in force, and changing one. A setting the fleet policy
//! locks is refused with exit code 2 and "Set by your organisation".

use clap::Subcommand;
use screenpop_core::{Error, Result};
use screenpop_settings::setting::Setting;

use crate::{desk, say};

#[derive(Debug, Subcommand)]
pub(crate) enum SettingsCommand {
    /// List every setting with its value; locked ones are marked.
    List,
    /// Change a setting (`screenpop settings set wait_window_ms 3000`).
    Set {
        /// The setting's name, as `screenpop settings list` prints it.
        name: String,
        /// Its new value.
        value: String,
    },
}

pub(crate) fn run(cmd: SettingsCommand) -> Result<()> {
    let prefs = desk()?.prefs;
    match cmd {
        SettingsCommand::List => {
            for (setting, value, locked) in prefs.all() {
                let lock = if locked {
                    format!("   ({})", say("settings.locked", &[]))
                } else {
                    String::new()
                };
                println!("{setting} = {value}{lock}");
            }
        }
        SettingsCommand::Set { name, value } => {
            let setting = Setting::named(name.trim()).ok_or_else(|| {
                let names: Vec<&str> = Setting::ALL.iter().map(|s| s.name()).collect();
                let names = names.join(", ");
                Error::BadInput(say(
                    "cli.no_such_setting",
                    &[("name", name.trim()), ("names", &names)],
                ))
            })?;
            prefs.set_text(setting, &value)?;
            let setting = setting.to_string();
            let facts = [("setting", setting.as_str()), ("value", value.trim())];
            println!("{}", say("cli.setting_now", &facts));
        }
    }
    Ok(())
}
