//! `screenpop profile …`

use clap::{Args, Subcommand};
use screenpop_core::Result;
use screenpop_settings::profiles::ProfileInput;
use screenpop_settings::Profile;

use crate::{desk, runtime, say};

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
            println!(
                "{}",
                say("cli.profile_added", &[("profile", &describe(&profile))])
            );
            println!("{}", say("cli.profile_next", &[("profile", &profile.name)]));
        }
        ProfileCommand::List => {
            let (names, active) = profiles.names();
            if names.is_empty() {
                println!("{}", say("cli.no_profiles", &[]));
            }
            for name in names {
                let mark = if active.as_deref() == Some(name.as_str()) {
                    "*"
                } else {
                    " "
                };
                let managed = if policy.manages(&name) {
                    format!("   {}", say("cli.profile_managed", &[]))
                } else {
                    String::new()
                };
                println!("{mark} {}{managed}", describe(&profiles.get(Some(&name))?));
            }
            for hidden in desk.hidden_profiles() {
                eprintln!("screenpop: {hidden}");
            }
        }
        ProfileCommand::Use { name } => {
            let name = profiles.activate(&name)?;
            println!("{}", say("cli.profile_active", &[("profile", &name)]));
        }
        ProfileCommand::Remove { name } => match runtime()?.block_on(profiles.delete(&name))? {
            (removed, Ok(())) => {
                println!(
                    "{}",
                    say(
                        "cli.profile_removed_with_key",
                        &[("profile", &removed.name)]
                    )
                )
            }
            (removed, Err(e)) => {
                println!(
                    "{}",
                    say("cli.profile_removed", &[("profile", &removed.name)])
                );
                let why = e.to_string();
                eprintln!(
                    "screenpop: {}",
                    say("cli.key_not_deleted", &[("why", &why)])
                );
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
    let (account, project, endpoint) = (
        p.account.to_string(),
        p.project.to_string(),
        p.endpoint.to_string(),
    );
    say(
        "cli.profile",
        &[
            ("name", &p.name),
            ("account", &account),
            ("project", &project),
            ("endpoint", &endpoint),
        ],
    )
}
