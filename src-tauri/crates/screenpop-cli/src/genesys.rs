//! `screenpop genesys …`: connect a profile to Genesys Cloud, sign the agent in (in the system
//! browser, the address also printed for a session without one), sign out, and say how it stands.

use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};
use screenpop_api::Message;
use screenpop_core::push::genesys::api::GenesysApi;
use screenpop_core::push::genesys::signin::SignIn;
use screenpop_core::{Error, Result};
use screenpop_settings::genesys::{GenesysConfig, GenesysPlace, IdSources};

use crate::{desk, runtime, say, words, ProfileArg};

/// How long `login` waits for the browser to come back.
const SIGN_IN_WINDOW: Duration = Duration::from_secs(300);

#[derive(Debug, Subcommand)]
pub(crate) enum GenesysCommand {
    /// Connect a profile to a Genesys Cloud org: its region, the OAuth client, and where a
    /// call's PolyAI ids are found.
    Setup(SetupArgs),
    /// Sign in to Genesys Cloud in the browser (the address is printed too).
    Login(ProfileArg),
    /// Forget the Genesys Cloud sign-in.
    Logout(ProfileArg),
    /// Say whether the agent is signed in, until when, and how the window's connection is.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("place").required(true).args(["region", "login_url"])))]
#[command(group(clap::ArgGroup::new("ids").required(true).multiple(true).args(["id_attribute", "shared_id_attribute", "shared_id_from_conversation"])))]
pub(crate) struct SetupArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// The org's region, by host: mypurecloud.com, mypurecloud.ie, euw2.pure.cloud…
    #[arg(long, value_name = "HOST")]
    region: Option<String>,
    /// The OAuth client id (a "Code Authorization" client with PKCE, redirect http://localhost).
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// The participant-data attribute holding the PolyAI conversation id.
    #[arg(long, value_name = "NAME")]
    id_attribute: Option<String>,
    /// The participant-data attribute holding a shared id.
    #[arg(long, value_name = "NAME")]
    shared_id_attribute: Option<String>,
    /// The Genesys conversation id is the shared id (the PolyAI agent stores `x-inin-cnv`).
    #[arg(long)]
    shared_id_from_conversation: bool,
    /// Sign-in base URL, for private and test environments (with --api-url).
    #[arg(long, value_name = "URL", requires = "api_url")]
    login_url: Option<String>,
    /// API base URL, for private and test environments (with --login-url).
    #[arg(long, value_name = "URL", requires = "login_url")]
    api_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    profile: ProfileArg,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: GenesysCommand) -> Result<()> {
    match cmd {
        GenesysCommand::Setup(args) => setup(args),
        GenesysCommand::Login(p) => login(p.profile.as_deref()),
        GenesysCommand::Logout(p) => logout(p.profile.as_deref()),
        GenesysCommand::Status(args) => status(&args),
    }
}

fn setup(args: SetupArgs) -> Result<()> {
    let place = match (&args.region, &args.login_url, &args.api_url) {
        (Some(region), _, _) => GenesysPlace::Region(region),
        (None, Some(login), Some(api)) => GenesysPlace::Urls { login, api },
        _ => {
            return Err(Error::BadInput(
                "Give --region, or both --login-url and --api-url.".to_owned(),
            ))
        }
    };
    let ids = IdSources {
        id_attribute: args.id_attribute,
        shared_id_attribute: args.shared_id_attribute,
        shared_id_from_conversation: args.shared_id_from_conversation,
    };
    let config = GenesysConfig::new(place, &args.client_id, ids)
        .map_err(|why| Error::BadInput(format!("Genesys Cloud setup: {why}.")))?;
    let name = desk()?
        .profiles
        .set_genesys(args.profile.profile.as_deref(), Some(config))?;
    println!("{}", say("cli.genesys_setup_done", &[("profile", &name)]));
    Ok(())
}

fn configured(
    profile: Option<&str>,
) -> Result<(screenpop_core::desk::Desk, String, GenesysConfig)> {
    let desk = desk()?;
    let p = desk.profiles.get(profile)?;
    let config = p
        .genesys
        .clone()
        .ok_or_else(|| Error::Config(say("cli.genesys_not_set_up", &[("profile", &p.name)])))?;
    Ok((desk, p.name, config))
}

fn login(profile: Option<&str>) -> Result<()> {
    let (desk, name, config) = configured(profile)?;
    let rt = runtime()?;
    rt.block_on(async {
        let sign_in = SignIn::start(&config).await?;
        // Alone on its line, for a script or a session without a default browser.
        println!("{}", sign_in.address());
        let minutes = (SIGN_IN_WINDOW.as_secs() / 60).to_string();
        eprintln!(
            "screenpop: {}",
            say("cli.genesys_sign_in_waiting", &[("minutes", &minutes)])
        );
        if let Err(why) = crate::browser::open(sign_in.address().as_str()) {
            let why = why.to_string();
            eprintln!(
                "screenpop: {}",
                say("cli.genesys_open_yourself", &[("why", &why)])
            );
        }
        let token = sign_in.finish(SIGN_IN_WINDOW).await?;
        let api = GenesysApi::new(&config.api_url, token.token.clone(), config.is_loopback())
            .map_err(|e| Error::Config(format!("Genesys Cloud: {e}.")))?;
        let me = api.me().await.map_err(|e| {
            Error::Config(format!("Signed in, but Genesys Cloud then refused: {e}."))
        })?;
        desk.genesys_tokens.set(&name, &token).await?;
        let (who, until) = (
            screenpop_card::inert(&me.name),
            httpdate::fmt_http_date(token.expires),
        );
        let facts = [
            ("name", who.as_str()),
            ("profile", &name),
            ("until", &until),
        ];
        println!("{}", say("cli.genesys_signed_in", &facts));
        Ok(())
    })
}

fn logout(profile: Option<&str>) -> Result<()> {
    let desk = desk()?;
    let name = desk.profiles.get(profile)?.name;
    let was = runtime()?.block_on(desk.genesys_tokens.delete(&name))?;
    let said = if was {
        "cli.genesys_signed_out"
    } else {
        "cli.genesys_was_not_signed_in"
    };
    println!("{}", say(said, &[("profile", &name)]));
    Ok(())
}

fn status(args: &StatusArgs) -> Result<()> {
    let (desk, name, config) = configured(args.profile.profile.as_deref())?;
    let token = runtime()?.block_on(desk.genesys_tokens.get(&name))?;
    let expires = token.as_ref().map(|t| t.expires);
    let signed_in = token.is_some_and(|t| !t.expired(Duration::ZERO));
    let live = screenpop_core::push::read_published(screenpop_core::push::Kind::Genesys)
        .ok()
        .flatten()
        .filter(|s| s.profile == name);
    if args.json {
        let out = serde_json::json!({
            "profile": name,
            "region": config.region,
            "client_id": config.client_id,
            "signed_in": signed_in,
            "token_expires": expires.map(httpdate::fmt_http_date),
            "window": live,
        });
        println!("{out:#}");
        return Ok(());
    }
    let place = config
        .region
        .clone()
        .unwrap_or_else(|| config.api_url.to_string());
    let facts = [
        ("profile", name.as_str()),
        ("place", &place),
        ("client", &config.client_id),
    ];
    println!("{}", say("cli.genesys_status_profile", &facts));
    match expires {
        Some(at) if signed_in => {
            let until = httpdate::fmt_http_date(at);
            println!(
                "{}",
                say("cli.genesys_signed_in_until", &[("until", &until)])
            );
        }
        Some(at) if at <= SystemTime::now() => {
            let at = httpdate::fmt_http_date(at);
            println!("{}", say("cli.genesys_expired", &[("at", &at)]));
        }
        _ => println!(
            "{}",
            say("cli.genesys_not_signed_in", &[("profile", &name)])
        ),
    }
    match live {
        // What the window reports of its connection, its reasons as it gave them.
        Some(s) => println!("{}", Message::say_all(&s.describe(), words())),
        None => println!("{}", say("cli.genesys_no_window", &[])),
    }
    Ok(())
}
