//! What a pop costs the window in CPU: session hosts have no GPU, WebKit paints in software, and
//! thirty agents share the host's cores. For each pop through the trigger, the CPU time (user and
//! system) of the window's processes from the transfer to its frame painted, and where the page
//! says it went (building the card, its style and layout, the paint and the wait for the frame),
//! beside the same for a baseline build of an earlier commit (`--baseline-app`), in the same run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cases::{add, configure_desk, demo_data, trigger_pop, Bench, WAIT};
use crate::desk::{wait_for_port, App};
use crate::error::{BenchError, Result};
use crate::memory::cpu_by_process_ms;
use crate::stats::{fmt, Summary};
use crate::table::Row;

/// One build's pops.
struct Cost {
    /// CPU from the transfer to the painted frame, per pop.
    cpu: Summary,
    mean_cpu: f64,
    /// The same, by process name (mean per pop).
    by_process: BTreeMap<String, f64>,
    /// Mean CPU of the whole pop: until 150 ms after the paint (what the page does once the
    /// card is up, such as the recent list), less what the window spends idle in as long.
    mean_whole: f64,
    build: Summary,
    layout: Option<Summary>,
    paint: Summary,
}

/// How long after its paint a pop is followed, and how long the window is watched idle.
const TAIL: Duration = Duration::from_millis(150);

/// Adds the row: this build's CPU per pop and its split, against the baseline's.
pub(crate) fn cpu_per_pop(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    let (ours, base) = match b.baseline.as_deref() {
        None => (series(b, &b.binary, "head", b.pops)?.cost()?, None),
        Some(baseline) => {
            // The first window of a run spends ~15 % more per pop than the next one of the same
            // build (measured: one build against itself read 1.18×): one is run and thrown away,
            // then the two builds in the order A B B A, so that neither gains by going second.
            series(b, &b.binary, "warm-up", 5)?;
            let half = b.pops.div_ceil(2);
            let mut ours = series(b, &b.binary, "head-1", half)?;
            let mut base = series(b, baseline, "baseline-1", half)?;
            base.extend(series(b, baseline, "baseline-2", half)?);
            ours.extend(series(b, &b.binary, "head-2", half)?);
            (ours.cost()?, Some(base.cost()?))
        }
    };
    let said = |c: &Cost| {
        let processes: Vec<String> = c
            .by_process
            .iter()
            .filter(|(_, ms)| **ms >= 0.05)
            .map(|(name, ms)| format!("{name} {}", fmt(*ms)))
            .collect();
        format!(
            "{} ms mean, p50 {} (n={}): {}; page: build {} / layout {} / paint and frame {} ms (medians); whole pop {} ms",
            fmt(c.mean_cpu),
            fmt(c.cpu.p50),
            c.cpu.n,
            processes.join(", "),
            fmt(c.build.p50),
            c.layout.map_or("—".to_owned(), |l| fmt(l.p50)),
            fmt(c.paint.p50),
            fmt(c.mean_whole),
        )
    };
    let (baseline, result, met) = match &base {
        Some(base) => {
            let ratio = ours.mean_cpu / base.mean_cpu;
            (
                format!("baseline build {}", said(base)),
                format!(
                    "{ratio:.2}× the baseline (whole pop {:.2}×)",
                    ours.mean_whole / base.mean_whole
                ),
                Some(ratio <= 0.5),
            )
        }
        None => (
            "no baseline build (--baseline-app; `BENCH_BASELINE=REV bash .ci/bench`)".to_owned(),
            "—".to_owned(),
            None,
        ),
    };
    rows.push(Row {
        measure: "Window CPU per pop (user + system, all its processes, transfer to painted)"
            .to_owned(),
        screenpop: said(&ours),
        baseline,
        result,
        target: "≤ 0.5× the baseline".to_owned(),
        met,
    });
    Ok(())
}

/// The CPU each process of the app has used (ms), by name, and the sum.
fn cpu_now(app: &App) -> (Vec<(String, f64)>, f64) {
    let by = cpu_by_process_ms(app.pid());
    let sum = by.iter().map(|(_, ms)| ms).sum();
    (by, sum)
}

/// One or more series' measurements, per pop.
#[derive(Default)]
struct Samples {
    cpu: Vec<f64>,
    whole: Vec<f64>,
    /// CPU by process name, summed over the pops.
    by_process: BTreeMap<String, f64>,
    build: Vec<f64>,
    layout: Vec<f64>,
    paint: Vec<f64>,
}

impl Samples {
    /// Adds `other`'s pops to these.
    fn extend(&mut self, other: Samples) {
        self.cpu.extend(other.cpu);
        self.whole.extend(other.whole);
        for (name, ms) in other.by_process {
            *self.by_process.entry(name).or_insert(0.0) += ms;
        }
        self.build.extend(other.build);
        self.layout.extend(other.layout);
        self.paint.extend(other.paint);
    }

    /// The means and summaries of the pops.
    fn cost(self) -> Result<Cost> {
        let n = self.cpu.len().max(1) as f64;
        let summary = |v: &[f64]| Summary::of(v).ok_or_else(|| BenchError::step("no samples"));
        Ok(Cost {
            cpu: summary(&self.cpu)?,
            mean_cpu: self.cpu.iter().sum::<f64>() / n,
            by_process: self
                .by_process
                .into_iter()
                .map(|(name, ms)| (name, ms / n))
                .collect(),
            mean_whole: self.whole.iter().sum::<f64>() / n,
            build: summary(&self.build)?,
            layout: Summary::of(&self.layout),
            paint: summary(&self.paint)?,
        })
    }
}

/// Starts `binary` on the desk, pops the billing card `pops` times (after five warm-up pops)
/// through the trigger, and reads its processes' CPU time around each.
fn series(b: &Bench, binary: &Path, tag: &str, pops: usize) -> Result<Samples> {
    let sandbox = b.sandbox()?;
    let data = demo_data("demo-billing")?;
    let port = configure_desk(&sandbox.base_url())?;
    let mut app = App::start(
        binary,
        &[],
        &[],
        &b.out.join(format!("paint-cpu-{tag}.log")),
    )?;
    wait_for_port(port, WAIT)?;
    let mut s = Samples::default();
    for i in 0..pops + 5 {
        let id = format!("cpu-{tag}-{i}");
        add(&sandbox, &id, &data);
        // Let the last pop's tail finish, then watch the window idle as long as a tail.
        std::thread::sleep(Duration::from_millis(100));
        let (_, quiet) = cpu_now(&app);
        std::thread::sleep(TAIL);
        let (before, at_start) = cpu_now(&app);
        let idle_per_ms = (at_start - quiet) / TAIL.as_secs_f64() / 1000.0;
        let started = Instant::now();
        trigger_pop(b, port, &id)?;
        let p = app.painted(&id, WAIT)?;
        let (after, at_paint) = cpu_now(&app);
        std::thread::sleep(TAIL);
        let (_, settled) = cpu_now(&app);
        let watched_ms = started.elapsed().as_secs_f64() * 1000.0;
        if p.card != "filled" {
            return Err(BenchError::step(format!("{id} painted {}", p.card)));
        }
        if i < 5 {
            continue;
        }
        s.cpu.push(at_paint - at_start);
        s.whole.push(settled - at_start - idle_per_ms * watched_ms);
        for (name, ms) in &after {
            let was = before
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0.0, |(_, ms)| *ms);
            *s.by_process.entry(name.clone()).or_insert(0.0) += ms - was;
        }
        s.build.push(p.build_ms);
        s.layout.extend(p.layout_ms);
        s.paint
            .push(p.render_ms - p.build_ms - p.layout_ms.unwrap_or(0.0));
    }
    app.stop();
    Ok(s)
}
