//! `screenpop relay …`: connect a profile to the contact centre's relay (its NATS servers, the
//! tenant, this seat), provision the seat's password into the keychain (from standard input,
//! as a key is), and say how it stands.

use clap::{Args, Subcommand};
use screenpop_api::Message;
use screenpop_core::push::{read_published, Kind};
use screenpop_core::{Error, Result};
use screenpop_settings::relay::{KeyHolder, RelayConfig};

use crate::key::read_secret;
use crate::{desk, runtime, say, words, ProfileArg};

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
    let facts = [("profile", name.as_str())];
    println!("{}", say("cli.relay_setup_done", &facts));
    if keyless {
        println!("{}", say("cli.relay_keyless", &facts));
    }
    Ok(())
}

fn configured(profile: Option<&str>) -> Result<(screenpop_core::desk::Desk, String, RelayConfig)> {
    let desk = desk()?;
    let p = desk.profiles.get(profile)?;
    let config = p
        .relay
        .clone()
        .ok_or_else(|| Error::Config(say("cli.relay_not_set_up", &[("profile", &p.name)])))?;
    Ok((desk, p.name, config))
}

fn set(args: &crate::key::SetArgs) -> Result<()> {
    let (desk, name, _) = configured(args.profile.profile.as_deref())?;
    let rt = runtime()?;
    if args.if_missing && rt.block_on(desk.relay_credentials.get(&name))?.is_some() {
        // Standard input is left unread: the script's secret goes nowhere.
        println!("{}", say("cli.relay_password_kept", &[("profile", &name)]));
        return Ok(());
    }
    let password = read_secret(
        &say("cli.relay_password_prompt", &[("profile", &name)]),
        "password",
    )?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.trim().is_empty() {
        return Err(Error::BadInput(say("cli.relay_password_empty", &[])));
    }
    rt.block_on(desk.relay_credentials.set(&name, password))?;
    println!(
        "{}",
        say("cli.relay_password_stored", &[("profile", &name)])
    );
    Ok(())
}

fn delete(profile: Option<&str>) -> Result<()> {
    let (desk, name, _) = configured(profile)?;
    let said = if runtime()?.block_on(desk.relay_credentials.delete(&name))? {
        "cli.relay_password_deleted"
    } else {
        "cli.relay_password_was_missing"
    };
    println!("{}", say(said, &[("profile", &name)]));
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
    let servers = config.servers.join(", ");
    let facts = [
        ("profile", name.as_str()),
        ("servers", &servers),
        ("tenant", &config.tenant),
    ];
    println!("{}", say("cli.relay_status_profile", &facts));
    match &seat {
        Ok(seat) => println!("{}", say("cli.relay_seat", &[("seat", seat)])),
        Err(why) => println!("{}", say("cli.relay_no_seat", &[("why", &why.to_string())])),
    }
    if config.keyless() {
        println!("{}", say("cli.relay_holds_key", &[]));
    }
    let password = if stored {
        "cli.relay_password_is_stored"
    } else {
        "cli.relay_no_password"
    };
    println!("{}", say(password, &facts));
    match live {
        // What the window reports of its connection, its reasons as it gave them.
        Some(s) => println!("{}", Message::say_all(&s.describe(), words())),
        None => println!("{}", say("cli.relay_no_window", &[])),
    }
    Ok(())
}
