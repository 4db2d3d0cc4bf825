//! `screenpop profile …`

use clap::{Args, Subcommand};
use screenpop_core::Result;
use screenpop_settings::profiles::ProfileInput;
use screenpop_settings::Profile;

use crate::{desk, runtime};

#[derive(Debug, Subcommand)]
pub(crate) enum ProfileCommand {
    /// Add a profile from a Studio URL, a region, or a custom base URL.
    Add(AddArgs),
    /// List profiles; the active one is marked with *.
    List,
    /// Make a profile the active one.
    Use {
        /// Profile name.
        name: String,
    },
    /// Remove a profile and its key.
    Remove {
        /// Profile name.
        name: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("where").required(true).args(["studio_url", "region", "base_url"])))]
pub(crate) struct AddArgs {
    /// A name for the profile, e.g. the brand or project.
    name: String,
    /// Your Agent Studio address, e.g. https://studio.uk.poly.ai/acme-uk/acme-team-4/agent.
    #[arg(long, value_name = "URL", conflicts_with_all = ["account", "project"])]
    studio_url: Option<String>,
    /// PolyAI region: us-1, uk-1, euw-1 or studio.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// A custom base URL (https, or http on 127.0.0.1/localhost for the sandbox).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Account id (slug or ws-…).
    #[arg(long, value_name = "ID", required_unless_present = "studio_url")]
    account: Option<String>,
    /// Project id (slug or PROJECT-…).
    #[arg(long, value_name = "ID", required_unless_present = "studio_url")]
    project: Option<String>,
}

pub(crate) fn run(cmd: ProfileCommand) -> Result<()> {
    let desk = desk()?;
    let (policy, profiles) = (desk.policy(), desk.profiles.clone());
    match cmd {
        ProfileCommand::Add(args) => {
            let profile = profiles.add(args.into_input())?;
            println!("Added profile {}.", describe(&profile));
            println!(
                "Next: store its API key with `screenpop key set --profile {}`.",
                profile.name
            );
        }
        ProfileCommand::List => {
            let (names, active) = profiles.names();
            if names.is_empty() {
                println!(
                    "No profiles yet. Add one with `screenpop profile add NAME --studio-url URL`."
                );
            }
            for name in names {
                let mark = if active.as_deref() == Some(name.as_str()) {
                    "*"
                } else {
                    " "
                };
                let managed = if policy.manages(&name) {
                    "   (managed by your organisation)"
                } else {
                    ""
                };
                println!("{mark} {}{managed}", describe(&profiles.get(Some(&name))?));
            }
            for hidden in desk.hidden_profiles() {
                eprintln!("screenpop: {hidden}");
            }
        }
        ProfileCommand::Use { name } => {
            let name = profiles.activate(&name)?;
            println!("Profile \"{name}\" is now active.");
        }
        ProfileCommand::Remove { name } => match runtime()?.block_on(profiles.delete(&name))? {
            (removed, Ok(())) => {
                println!("Removed profile \"{}\" and its API key.", removed.name)
            }
            (removed, Err(e)) => {
                println!("Removed profile \"{}\".", removed.name);
                eprintln!("screenpop: its API key could not be deleted from the keychain: {e}");
            }
        },
    }
    Ok(())
}

impl AddArgs {
    /// The same input the window's settings form gives, so both build a profile one way.
    fn into_input(self) -> ProfileInput {
        ProfileInput {
            name: self.name,
            studio_url: self.studio_url,
            region: self.region,
            base_url: self.base_url,
            account: self.account.unwrap_or_default(),
            project: self.project.unwrap_or_default(),
        }
    }
}

fn describe(p: &Profile) -> String {
    format!(
        "\"{}\": account {}, project {}, {}",
        p.name, p.account, p.project, p.endpoint
    )
}
