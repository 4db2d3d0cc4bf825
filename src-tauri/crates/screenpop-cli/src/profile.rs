//! `screenpop profile …`

use clap::{Args, Subcommand};
use screenpop_core::config::Settings;
use screenpop_core::endpoint::Endpoint;
use screenpop_core::secret::{KeyStore, Keychain};
use screenpop_core::{Error, Profile, Result};

use crate::settings_path;

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
    let path = settings_path()?;
    let mut settings = Settings::load(&path)?;
    match cmd {
        ProfileCommand::Add(args) => {
            let profile = build(&args)?;
            let summary = describe(&profile);
            settings.add_profile(profile)?;
            settings.save(&path)?;
            println!("Added profile {summary}.");
            println!(
                "Next: store its API key with `screenpop key set --profile {}`.",
                args.name.trim()
            );
        }
        ProfileCommand::List => {
            if settings.profiles().is_empty() {
                println!(
                    "No profiles yet. Add one with `screenpop profile add NAME --studio-url URL`."
                );
            }
            for p in settings.profiles() {
                let mark = if settings.active() == Some(p.name.as_str()) {
                    "*"
                } else {
                    " "
                };
                println!("{mark} {}", describe(p));
            }
        }
        ProfileCommand::Use { name } => {
            settings.use_profile(&name)?;
            settings.save(&path)?;
            println!(
                "Profile \"{}\" is now active.",
                settings.active().unwrap_or_default()
            );
        }
        ProfileCommand::Remove { name } => {
            let removed = settings.remove_profile(&name)?;
            settings.save(&path)?;
            match Keychain.delete(&removed.name) {
                Ok(_) => println!("Removed profile \"{}\" and its API key.", removed.name),
                Err(e) => {
                    println!("Removed profile \"{}\".", removed.name);
                    eprintln!("screenpop: its API key could not be deleted from the keychain: {e}");
                }
            }
        }
    }
    Ok(())
}

fn build(args: &AddArgs) -> Result<Profile> {
    if let Some(url) = &args.studio_url {
        return Profile::from_studio_url(&args.name, url);
    }
    let endpoint = match (&args.region, &args.base_url) {
        (Some(r), None) => Endpoint::Region(r.parse()?),
        (None, Some(u)) => Endpoint::custom(u)?,
        _ => {
            return Err(Error::BadInput(
                "Give either --region or --base-url, not both.".to_owned(),
            ))
        }
    };
    Profile::new(
        &args.name,
        endpoint,
        args.account.as_deref().unwrap_or_default(),
        args.project.as_deref().unwrap_or_default(),
    )
}

fn describe(p: &Profile) -> String {
    format!(
        "\"{}\": account {}, project {}, {}",
        p.name, p.account, p.project, p.endpoint
    )
}
