//! `screenpop pop`: hands a transfer to the running window, or starts one. It goes through the
//! same deep link the desktop would deliver, so there is one path to test and to trust.

use std::process::{Command, Stdio};

use clap::Args;
use screenpop_core::transfer::Transfer;
use screenpop_core::{Error, Result};

use crate::CallerArgs;

#[derive(Debug, Args)]
pub(crate) struct PopArgs {
    #[command(flatten)]
    caller: CallerArgs,
}

pub(crate) fn run(PopArgs { caller: args }: PopArgs) -> Result<()> {
    let transfer = Transfer::new(
        args.id.as_deref(),
        args.shared_id.as_deref(),
        args.profile.as_deref(),
    )?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Config(format!("Cannot find the screenpop program: {e}.")))?;
    // Not waited for: if a window runs, this process hands the link over and exits at once;
    // if none does, it becomes the window.
    Command::new(exe)
        .arg(transfer.to_link())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Config(format!("Cannot start the screenpop window: {e}.")))?;
    println!("{}", crate::say("cli.pop_sent", &[]));
    Ok(())
}
