//! `screenpop relay …`: connect a profile to the contact centre's relay (its NATS servers, the
//! tenant, this seat), provision the seat's password into the keychain (from standard input,
//! as a key is), and say how it stands.

use clap::{Args, Subcommand};
use screenpop_core::push::{read_published, Kind};
use screenpop_core::{Error, Result};
use screenpop_settings::relay::{KeyHolder, RelayConfig};

use crate::key::read_secret;
use crate::{desk, runtime, ProfileArg};

#[derive(Debug, Subcommand)]
pub(crate) enum RelayCommand {
    /// Connect a profile to the relay: its NATS servers, the tenant and this seat.
    Setup(SetupArgs),
    /// The seat's relay password.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Say whether the seat's password is stored and how the window's connection is.
    Status(StatusArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsCommand {
    /// Store the seat's password, read from standard input (hidden on a terminal).
    Set(crate::key::SetArgs),
    /// Delete the seat's password from the keychain.
    Delete(ProfileArg),
}

#[derive(Debug, Args)]
pub(crate) struct SetupArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// A NATS server of the relay (tls://, wss://; nats:// and ws:// only to this machine);
    /// repeat for each server of the cluster.
    #[arg(long = "server", value_name = "URL", required = true)]
    servers: Vec<String>,
    /// The contact centre, as the relay's configuration names it.
    #[arg(long)]
    tenant: String,
    /// This seat, as the platform names the agent (`%USERNAME%` or `$USER`: the login name).
    #[arg(long)]
    seat: String,
    /// Where the profile's PolyAI key is held: in this computer's keychain, or by the relay
    /// (keyless mode: this computer holds none, and asks the relay for every lookup).
    #[arg(long, value_name = "keychain|relay", default_value = "keychain", value_parser = holder)]
    polyai_key: KeyHolder,
}

fn holder(word: &str) -> std::result::Result<KeyHolder, String> {
    KeyHolder::parse(word)
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: RelayCommand) -> Result<()> {
    match cmd {
        RelayCommand::Setup(args) => setup(args),
        RelayCommand::Credentials(CredentialsCommand::Set(args)) => set(&args),
        RelayCommand::Credentials(CredentialsCommand::Delete(p)) => delete(p.profile.as_deref()),
        RelayCommand::Status(args) => status(&args),
    }
}

fn setup(args: SetupArgs) -> Result<()> {
    let config = RelayConfig::new(args.servers, &args.tenant, &args.seat)
        .map_err(|why| Error::BadInput(format!("Relay setup: {why}.")))?
        .with_polyai_key(args.polyai_key);
    let keyless = config.keyless();
    let name = desk()?
        .profiles
        .set_relay(args.profile.profile.as_deref(), Some(config))?;
    println!("Profile \"{name}\" pops calls the relay sends this seat once its password is stored: `screenpop relay credentials set --profile \"{name}\"`.");
    if keyless {
        println!("The relay holds its PolyAI key: every lookup goes through the relay, and an API key stored for it on this computer is not used (`screenpop key delete --profile \"{name}\"` removes it).");
    }
    Ok(())
}

fn configured(profile: Option<&str>) -> Result<(screenpop_core::desk::Desk, String, RelayConfig)> {
    let desk = desk()?;
    let p = desk.profiles.get(profile)?;
    let config = p.relay.clone().ok_or_else(|| {
        Error::Config(format!(
            "Profile \"{}\" is not connected to a relay. Set it up with `screenpop relay setup --profile \"{}\" --server URL --tenant NAME --seat NAME`.",
            p.name, p.name
        ))
    })?;
    Ok((desk, p.name, config))
}

fn set(args: &crate::key::SetArgs) -> Result<()> {
    let (desk, name, _) = configured(args.profile.profile.as_deref())?;
    let rt = runtime()?;
    if args.if_missing && rt.block_on(desk.relay_credentials.get(&name))?.is_some() {
        // Standard input is left unread: the script's secret goes nowhere.
        println!("A relay password is already stored for profile \"{name}\"; left as it is.");
        return Ok(());
    }
    let password = read_secret(
        &format!("Relay password for profile \"{name}\""),
        "password",
    )?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.trim().is_empty() {
        return Err(Error::BadInput("The password is empty.".to_owned()));
    }
    rt.block_on(desk.relay_credentials.set(&name, password))?;
    println!("Stored the relay password for profile \"{name}\" in the system keychain.");
    Ok(())
}

fn delete(profile: Option<&str>) -> Result<()> {
    let (desk, name, _) = configured(profile)?;
    if runtime()?.block_on(desk.relay_credentials.delete(&name))? {
        println!("Deleted the relay password of profile \"{name}\".");
    } else {
        println!("No relay password was stored for profile \"{name}\".");
    }
    Ok(())
}

fn status(args: &StatusArgs) -> Result<()> {
    let (desk, name, config) = configured(args.profile.profile.as_deref())?;
    let stored = runtime()?
        .block_on(desk.relay_credentials.get(&name))?
        .is_some();
    let seat = config.seat_name();
    let live = read_published(Kind::Relay)
        .ok()
        .flatten()
        .filter(|s| s.profile == name);
    if args.json {
        let out = serde_json::json!({
            "profile": name,
            "servers": config.servers,
            "tenant": config.tenant,
            "seat": seat.as_deref().ok(),
            "password_stored": stored,
            "polyai_key": config.polyai_key.as_str(),
            "window": live,
        });
        println!("{out:#}");
        return Ok(());
    }
    println!(
        "Profile \"{name}\": relay at {}, tenant \"{}\".",
        config.servers.join(", "),
        config.tenant
    );
    match &seat {
        Ok(seat) => println!("Seat \"{seat}\"."),
        Err(why) => println!("No seat: {why}."),
    }
    if config.keyless() {
        println!("The relay holds the PolyAI key: lookups go through the relay.");
    }
    if stored {
        println!("The seat's password is stored in the system keychain.");
    } else {
        println!("No password stored: `screenpop relay credentials set --profile \"{name}\"`.");
    }
    match live {
        Some(s) => println!("{}", s.describe()),
        None => println!(
            "No screenpop window in this session is connected to the relay for this profile."
        ),
    }
    Ok(())
}
