//! `screenpop sandbox` and `screenpop demo`.

use std::path::PathBuf;

use clap::Args;
use screenpop_api::endpoint::Endpoint;
use screenpop_api::retry::Timeouts;
use screenpop_api::{ApiKey, HandoffClient, Lookup};
use screenpop_core::{Error, Result};
use screenpop_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig};
use screenpop_settings::Profile;

use crate::lookup::print_state;
use crate::runtime;

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// The API key clients must send (a sandbox key, not a real one).
    #[arg(long, default_value = "sandbox-key")]
    key: String,
    /// A directory of *.json handoff states to serve as well.
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
    /// Serve only the fixtures, not the built-in demo states.
    #[arg(long)]
    no_builtin: bool,
    /// Delay every answer by this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Inject a fault into every answer: 500, 503, 429[:SECS], pending[:MS], hang, malformed,
    /// reset, wrong-content-type, oversized, redirect.
    #[arg(long, value_name = "FAULT")]
    fault: Option<String>,
}

pub(crate) fn run_sandbox(args: SandboxArgs) -> Result<()> {
    let fault = args
        .fault
        .as_deref()
        .map(str::parse::<Fault>)
        .transpose()
        .map_err(|e| Error::BadInput(e.to_string()))?;
    runtime()?.block_on(async {
        let sandbox = Sandbox::start(SandboxConfig {
            port: args.port,
            key: args.key.clone(),
            fixtures: args.fixtures.clone(),
            builtin: !args.no_builtin,
        })
        .await
        .map_err(|e| Error::BadInput(e.to_string()))?;
        sandbox.set_faults(FaultPlan {
            latency_ms: args.latency_ms,
            fault,
            times: None,
        });
        println!("{}", sandbox.base_url());
        eprintln!(
            "Local Handoff API listening on {} (key \"{}\"). Any account and project ids work.",
            sandbox.base_url(),
            sandbox.key()
        );
        eprintln!("States served:");
        for s in sandbox.states() {
            eprintln!(
                "  id={}  shared_id={}",
                s.id.as_deref().unwrap_or("null"),
                s.shared_id.as_deref().unwrap_or("-")
            );
        }
        eprintln!(
            "Try: screenpop profile add sandbox --base-url {} --account demo --project demo",
            sandbox.base_url()
        );
        eprintln!("Press Ctrl+C to stop.");
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| Error::Config(format!("Cannot wait for Ctrl+C: {e}.")))
    })
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The demo conversation id to look up.
    #[arg(long, default_value = "demo-billing")]
    id: String,
    /// Print the raw handoff state as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the whole path (client, HTTP, sandbox) with a demo key held in memory: nothing is
/// written to the keychain or the settings.
pub(crate) fn run_demo(args: DemoArgs) -> Result<()> {
    runtime()?.block_on(async {
        let sandbox = Sandbox::start(SandboxConfig::default())
            .await
            .map_err(|e| Error::Config(e.to_string()))?;
        let profile = Profile::new(
            "demo",
            Endpoint::custom(&sandbox.base_url())?,
            "demo",
            "demo",
        )?;
        let client = HandoffClient::new(&profile.target(), Timeouts::default())?;
        let key = ApiKey::new(sandbox.key())?;
        let state = client.lookup(&key, &Lookup::by_id(&args.id)?).await?;
        eprintln!(
            "Looked up \"{}\" in a local sandbox at {}:\n",
            args.id,
            sandbox.base_url()
        );
        print_state(&state, &profile, args.json);
        Ok(())
    })
}
