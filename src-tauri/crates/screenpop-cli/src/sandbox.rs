//! `screenpop sandbox` (the Handoff API and the Genesys Cloud stand-in, for as long as it runs)
//! and `screenpop demo`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use screenpop_api::endpoint::Endpoint;
use screenpop_api::retry::Timeouts;
use screenpop_api::{ApiKey, HandoffClient, Lookup};
use screenpop_core::{Error, Result};
use screenpop_sandbox::genesys::{GenesysConfig, GenesysStandIn, AGENT_NAME};
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
    /// Port on 127.0.0.1 of the Genesys Cloud stand-in served beside it (0 picks a free one).
    #[arg(long, default_value_t = 8766)]
    genesys_port: u16,
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
        let genesys = GenesysStandIn::start(GenesysConfig {
            port: args.genesys_port,
            ..GenesysConfig::default()
        })
        .await
        .map_err(|e| Error::BadInput(e.to_string().replace("--port", "--genesys-port")))?;
        // Two lines on stdout, for scripts: the Handoff API's base URL, then the stand-in's. In
        // one write, and a reader that stopped after the first line does not stop the servers.
        let _ = writeln!(
            std::io::stdout().lock(),
            "{}\n{}",
            sandbox.base_url(),
            genesys.base_url()
        );
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
        tell_genesys(&genesys);
        eprintln!("Press Ctrl+C to stop.");
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| Error::Config(format!("Cannot wait for Ctrl+C: {e}.")))
    })
}

/// How to sign in to the Genesys Cloud stand-in and place a call on it.
fn tell_genesys(genesys: &GenesysStandIn) {
    let url = genesys.base_url();
    eprintln!(
        "Genesys Cloud stand-in listening on {url} (client id \"{}\", agent \"{AGENT_NAME}\").",
        genesys.client_id()
    );
    eprintln!(
        "Try: screenpop genesys setup --profile sandbox --login-url {url} --api-url {url} \\\n       --client-id {} --id-attribute polyai_conversation_id",
        genesys.client_id()
    );
    eprintln!(
        "     screenpop genesys login --profile sandbox   (the stand-in signs you in at once)"
    );
    eprintln!("Then, with the window running, place a call and answer it:");
    eprintln!(
        "  curl -H 'content-type: application/json' -d '{{\"attributes\": {{\"polyai_conversation_id\": \"demo-billing\"}}, \"state\": \"connected\"}}' {url}_sandbox/calls"
    );
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
