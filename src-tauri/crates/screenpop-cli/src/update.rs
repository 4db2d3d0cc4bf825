//! `screenpop update …`: what the policy's update manifest says (`status`), and, for IT, a
//! signing key (`keygen`) and a signed manifest (`sign`). screenpop never downloads or installs
//! a version: the fleet's tool does.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use screenpop_core::update::{self, Manifest, PRODUCT};
use screenpop_core::{Error, Result};

use crate::{desk, runtime};

#[derive(Debug, Subcommand)]
pub(crate) enum UpdateCommand {
    /// Ask the policy's manifest whether a newer version is there (nothing is asked when the
    /// policy's updates are off).
    Status(StatusArgs),
    /// Make a signing key for manifests: the secret key goes to a new file only its owner reads,
    /// the public key (for the policy's `public_key`) to standard output.
    Keygen(KeygenArgs),
    /// Write a signed manifest offering a version, to standard output.
    Sign(SignArgs),
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the secret key (must not exist).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The secret key from `screenpop update keygen`.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The version offered (MAJOR.MINOR.PATCH).
    #[arg(long)]
    version: String,
    /// Where IT publishes it (https://).
    #[arg(long)]
    url: String,
    /// What changed, in a sentence or two.
    #[arg(long)]
    notes: Option<String>,
}

pub(crate) fn run(cmd: UpdateCommand) -> Result<()> {
    match cmd {
        UpdateCommand::Status(args) => status(&args),
        UpdateCommand::Keygen(args) => keygen(&args),
        UpdateCommand::Sign(args) => sign(args),
    }
}

fn status(args: &StatusArgs) -> Result<()> {
    let desk = desk()?;
    let current = env!("CARGO_PKG_VERSION");
    let policy = desk.policy().updates();
    let found = runtime()?.block_on(update::check(&policy, &desk.settings().timeouts, current))?;
    if args.json {
        let out = serde_json::json!({"current": current, "status": found});
        println!("{out:#}");
    } else {
        println!("{}", found.describe(current).say(crate::words()));
    }
    Ok(())
}

fn keygen(args: &KeygenArgs) -> Result<()> {
    let (secret, public) = update::keygen()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let cannot = |e: std::io::Error| {
        Error::BadInput(format!(
            "Cannot write the key to {} ({e}); it must not exist yet.",
            args.out.display()
        ))
    };
    options
        .open(&args.out)
        .map_err(cannot)?
        .write_all(&secret)
        .map_err(cannot)?;
    println!("{public}");
    let file = args.out.display().to_string();
    eprintln!(
        "{}",
        crate::say("cli.update_key_written", &[("file", &file)])
    );
    Ok(())
}

fn sign(args: SignArgs) -> Result<()> {
    let secret = std::fs::read(&args.key).map_err(|e| {
        Error::BadInput(format!("Cannot read the key {}: {e}.", args.key.display()))
    })?;
    let manifest = Manifest {
        product: PRODUCT.to_owned(),
        version: args.version,
        url: args.url,
        notes: args.notes,
    };
    println!("{}", update::sign(&secret, &manifest)?);
    Ok(())
}
