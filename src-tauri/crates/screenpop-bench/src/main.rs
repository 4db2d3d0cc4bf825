//! `screenpop-bench`: measures the release app against baselines measured in the same run and
//! prints a Markdown table. Run it with `bash .ci/bench`, which builds the release package and
//! provides the display, the session bus and the Secret Service it needs.

mod cases;
mod chromium;
mod cpu;
mod desk;
mod error;
mod genesys;
mod memory;
mod net;
mod notify;
mod relay;
mod seats;
mod stats;
mod table;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Benchmarks of screenpop against baselines.
#[derive(Debug, Parser)]
struct Args {
    /// The release binary to measure.
    #[arg(long, default_value = "target/release/screenpop")]
    app: PathBuf,
    /// The .deb whose size to report.
    #[arg(long)]
    deb: Option<PathBuf>,
    /// The release MSI whose size to report, when it was built.
    #[arg(long)]
    msi: Option<PathBuf>,
    /// Where logs and screenshots go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Pops per time-to-card series (after 5 warm-up pops).
    #[arg(long, default_value_t = 50)]
    pops: usize,
    /// Seconds idle before each "first pop after idle".
    #[arg(long, default_value_t = 60)]
    idle_secs: u64,
    /// How many idle periods.
    #[arg(long, default_value_t = 3)]
    idle_runs: usize,
    /// Run only the measurements whose names contain this text (e.g. `start`, `memory`);
    /// repeat it for several. The package size is always reported.
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// The bare Tauri window memory is compared with (`cargo build --release --example floor`).
    #[arg(long)]
    floor: Option<PathBuf>,
    /// A release launcher of an earlier commit (with its `screenpop-desktop` beside it), whose
    /// CPU per pop is measured beside this one's (`BENCH_BASELINE=REV bash .ci/bench` builds it).
    #[arg(long)]
    baseline_app: Option<PathBuf>,
    /// The release relay to measure (`cargo build --release -p screenpop-relay`).
    #[arg(long)]
    relay: Option<PathBuf>,
    /// CI's short run: every measurement, with 5 pops per series and one 2 s idle period, so
    /// it proves each one still completes. Its figures are not the README's.
    #[arg(long)]
    quick: bool,
}

/// One measurement: adds its rows to the table.
type Step = fn(&cases::Bench, &mut Vec<table::Row>) -> error::Result<()>;

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("screenpop-bench: {e}");
        std::process::exit(1);
    }
}

fn run(mut args: Args) -> error::Result<()> {
    if args.quick {
        (args.pops, args.idle_secs, args.idle_runs) = (5, 2, 1);
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    std::fs::create_dir_all(&args.out).map_err(error::BenchError::io("creating --out"))?;
    let rt = tokio::runtime::Runtime::new().map_err(error::BenchError::io("a runtime"))?;
    let binary = std::fs::canonicalize(&args.app)
        .map_err(error::BenchError::io(format!("{}", args.app.display())))?;
    let b = cases::Bench {
        binary,
        out: std::fs::canonicalize(&args.out).map_err(error::BenchError::io("--out"))?,
        pops: args.pops,
        idle: Duration::from_secs(args.idle_secs),
        floor: args
            .floor
            .as_ref()
            .map(std::fs::canonicalize)
            .transpose()
            .map_err(error::BenchError::io("--floor"))?,
        idle_runs: args.idle_runs,
        baseline: args
            .baseline_app
            .as_ref()
            .map(std::fs::canonicalize)
            .transpose()
            .map_err(error::BenchError::io("--baseline-app"))?,
        relay: args
            .relay
            .as_ref()
            .map(std::fs::canonicalize)
            .transpose()
            .map_err(error::BenchError::io("--relay"))?,
        quick: args.quick,
        rt,
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| error::BenchError::step(format!("an HTTP client: {e}")))?,
    };
    let strangers = memory::engines_running();
    if !strangers.is_empty() {
        eprintln!("screenpop-bench: web engines already running (pids {strangers:?}): the memory figures will read low");
    }
    let mut rows = Vec::new();
    let steps: [(&str, Step); 14] = [
        ("time to card, big data", cases::time_to_card),
        ("window cpu per pop", cpu::cpu_per_pop),
        ("notification", notify::notification),
        ("memory", cases::memory),
        ("memory of seats on a shared host", seats::seats),
        ("start", cases::start),
        ("lookup overhead", cases::lookup_overhead),
        ("retry discipline", cases::retry_discipline),
        ("first pop after idle", cases::first_pop_after_idle),
        ("genesys answer to card", genesys::answer_to_card),
        ("genesys reconnect", genesys::reconnect),
        ("relay webhook to card", relay::webhook_to_card),
        (
            "relay webhook to card keyless",
            relay::webhook_to_card_keyless,
        ),
        ("relay capacity", relay::capacity),
    ];
    let wanted =
        |name: &str| args.only.is_empty() || args.only.iter().any(|o| name.contains(o.as_str()));
    if !steps.iter().any(|(name, _)| wanted(name)) {
        let names: Vec<&str> = steps.iter().map(|(name, _)| *name).collect();
        return Err(error::BenchError::step(format!(
            "--only matches no measurement; they are: {}",
            names.join(", ")
        )));
    }
    for (name, step) in steps.into_iter().filter(|(name, _)| wanted(name)) {
        eprintln!("screenpop-bench: {name}…");
        step(&b, &mut rows)?;
    }
    cases::package_sizes(args.deb.as_deref(), args.msi.as_deref(), &mut rows);
    println!("{}", table::markdown(&rows));
    println!("{}", machine());
    if !strangers.is_empty() {
        println!(
            "Warning: {} web engine processes were running before the bench (pids {strangers:?}): they share library pages with the measured windows, so the memory figures read low.",
            strangers.len()
        );
    }
    if args.quick {
        println!(
            "Quick run (--quick): every measurement completed; the figures are not comparable."
        );
    }
    Ok(())
}

/// The machine the figures come from.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or("?".to_owned(), |kib| format!("{} GiB", kib / 1024 / 1024));
    format!("Machine: {cpu}, {cores} cores, {mem} RAM; Xvfb, release build, sandbox on loopback.")
}
