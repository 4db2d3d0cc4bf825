//! The `screenpop` command line: profiles, keys, lookups, the local sandbox and a demo.
//!
//! Every command is a thin layer over `screenpop-core`; this crate only parses arguments, picks
//! the settings file and the keychain, prints, and maps errors to exit codes.

use std::ffi::OsString;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use screenpop_api::ErrorKind;
use screenpop_core::desk::Desk;
use screenpop_core::Error;
use screenpop_settings::i18n::{process_language, Catalogue};
use screenpop_settings::secret::Keychain;

mod browser;
mod card;
pub mod console;
mod doctor;
mod failure;
mod genesys;
mod key;
pub mod launch;
mod lookup;
mod pop;
mod profile;
mod relay;
mod sandbox;
mod settings;
mod trigger;
mod update;

/// Exit codes, as documented in the README.
pub mod exit {
    /// The lookup found a state, or the command did what it was asked.
    pub const OK: i32 = 0;
    /// Bad usage or input (including a missing or unknown profile), or refused by the fleet
    /// policy ("Set by your organisation"), or the policy is broken.
    pub const USAGE: i32 = 2;
    /// No key stored, or the key was rejected.
    pub const KEY: i32 = 3;
    /// No handoff state for this id.
    pub const NOT_FOUND: i32 = 4;
    /// Network, server, rate-limit or malformed-response failure.
    pub const REMOTE: i32 = 5;
    /// The system keychain is unavailable.
    pub const KEYCHAIN: i32 = 6;
    /// The window could not be opened: `screenpop-desktop` is missing, or it could not be set
    /// up (no display, a broken installation; the reason is in the log).
    pub const WINDOW: i32 = 1;
    /// `screenpop trigger`: no local trigger listens in this session (off, no window, or its
    /// port taken).
    pub const NOT_LISTENING: i32 = 7;
    /// Windows has no Microsoft Edge WebView2 Runtime that starts, so the window cannot open
    /// (`screenpop-desktop`, the launcher and `screenpop doctor` alike).
    pub const WEBVIEW: i32 = 8;
    /// `screenpop doctor`: a profile is set up for Genesys Cloud, but calls do not pop by
    /// themselves: not signed in, the sign-in expired, or no window in this session is connected.
    pub const PUSH: i32 = 9;
}

#[derive(Debug, Parser)]
#[command(name = "screenpop", version, about = "Screen pop for PolyAI handoffs: look up who is calling and why.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage profiles (one per PolyAI project).
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Store, check or delete a profile's API key in the system keychain.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// List the settings in force, or change one.
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Check whether this seat can pop a card: keychain, policy, links, trigger, each profile.
    Doctor(doctor::DoctorArgs),
    /// Preview the card a profile's layout makes of handoff data in a file.
    #[command(subcommand)]
    Card(card::CardCommand),
    /// Look up a handoff state and print the caller card.
    Lookup(lookup::LookupArgs),
    /// Pop a caller in the window: hands the id to the running screenpop, or starts it.
    Pop(pop::PopArgs),
    /// Run the local Handoff API (sandbox) until interrupted.
    Sandbox(sandbox::SandboxArgs),
    /// Start a sandbox in this process and look up a demo state through it.
    Demo(sandbox::DemoArgs),
    /// Print where this session's window listens for pops from a CTI system (the local trigger).
    Trigger,
    /// Pop calls as the agent answers them in Genesys Cloud: set up, sign in, sign out, status.
    #[command(subcommand)]
    Genesys(genesys::GenesysCommand),
    /// Pop calls the contact centre's relay sends this seat (Twilio Flex, Amazon Connect, any
    /// flow): set up, the seat's password, status.
    #[command(subcommand)]
    Relay(relay::RelayCommand),
    /// New versions, as your organisation's policy allows; signing manifests, for IT.
    #[command(subcommand)]
    Update(update::UpdateCommand),
}

/// Selects a profile by name; the active profile when omitted.
#[derive(Debug, Args)]
struct ProfileArg {
    /// Profile to use (default: the active profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

/// Which caller: a conversation id, a shared id, or both, and optionally the profile.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("ids").required(true).multiple(true).args(["id", "shared_id"])))]
struct CallerArgs {
    /// PolyAI conversation id.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// The integrator's shared id (wins over --id on the server when both are given).
    #[arg(long, value_name = "SID")]
    shared_id: Option<String>,
    /// Profile to use (default: the active profile).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

/// Runs the command line with `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with code 0, usage errors to stderr with 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let result = match cli.command {
        Command::Profile(cmd) => profile::run(cmd),
        Command::Key(cmd) => key::run(cmd),
        Command::Settings(cmd) => settings::run(cmd),
        Command::Doctor(args) => return doctor::run(args),
        Command::Card(cmd) => card::run(cmd),
        Command::Lookup(args) => lookup::run(args),
        Command::Pop(args) => pop::run(args),
        Command::Sandbox(args) => sandbox::run_sandbox(args),
        Command::Demo(args) => sandbox::run_demo(args),
        Command::Trigger => return trigger::run(),
        Command::Genesys(cmd) => genesys::run(cmd),
        Command::Relay(cmd) => relay::run(cmd),
        Command::Update(cmd) => update::run(cmd),
    };
    match result {
        Ok(()) => exit::OK,
        Err(e) => fail(&e),
    }
}

/// The catalogue of this process's locale's language (see [`process_language`]).
pub(crate) fn words() -> &'static Catalogue {
    Catalogue::of(process_language())
}

/// The message `key` in the language of this process's locale.
pub(crate) fn say(key: &str, args: &[(&str, &str)]) -> String {
    words().say(key, args)
}

/// Prints `e` in the locale's language and answers its exit code.
pub(crate) fn fail(e: &Error) -> i32 {
    eprintln!("screenpop: {}", failure::said(e, words()));
    exit_code(e)
}

/// The exit code for an error.
pub fn exit_code(e: &Error) -> i32 {
    exit_code_of(e.kind())
}

fn exit_code_of(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::BadInput | ErrorKind::Config | ErrorKind::Policy => exit::USAGE,
        ErrorKind::NoKey | ErrorKind::KeyRejected => exit::KEY,
        ErrorKind::NotFound => exit::NOT_FOUND,
        ErrorKind::KeychainUnavailable => exit::KEYCHAIN,
        ErrorKind::WebViewMissing => exit::WEBVIEW,
        ErrorKind::PushNotConnected | ErrorKind::RelayUnavailable => exit::PUSH,
        _ => exit::REMOTE,
    }
}

/// The services over the settings file, the fleet policy and the system keychain. A broken
/// policy is said on stderr by every command: until it is fixed, what it could lock cannot be
/// changed and no profile can be added.
fn desk() -> screenpop_core::Result<Desk> {
    let desk = Desk::open(
        screenpop_settings::config::default_path()?,
        Arc::new(Keychain),
    )?;
    if let Some(why) = desk.policy().broken_reason() {
        eprintln!("screenpop: {}", say("cli.policy_broken", &[("why", why)]));
    }
    Ok(desk)
}

fn runtime() -> screenpop_core::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("Cannot start the async runtime: {e}.")))
}
