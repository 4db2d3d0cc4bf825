//! What a pop costs the window in CPU: session hosts have no GPU, WebKit paints in software, and
//! thirty agents share the host's cores. For each pop through the trigger, the CPU time (user and
//! system) of the window's processes from the transfer to its frame painted, and where the page
//! says it went (building the card, its style and layout, the paint and the wait for the frame),
//! beside the same for a baseline build of an earlier commit (`--baseline-app`), in the same run.

use std::path::Path;
use std::time::Duration;

use crate::cases::{add, configure_desk, demo_data, trigger_pop, Bench, WAIT};
use crate::desk::{wait_for_port, App};
use crate::error::{BenchError, Result};
use crate::memory::cpu_by_process_ms;
use crate::stats::{fmt, Summary};
use crate::table::Row;

/// One build's pops.
struct Cost {
    cpu: Summary,
    mean_cpu: f64,
    build: Summary,
    layout: Option<Summary>,
    paint: Summary,
}

/// Adds the row: this build's CPU per pop and its split, against the baseline's.
pub(crate) fn cpu_per_pop(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    let ours = series(b, &b.binary, "head")?;
    let base = b
        .baseline
        .as_deref()
        .map(|binary| series(b, binary, "baseline"))
        .transpose()?;
    let split = |c: &Cost| {
        format!(
            "build {} / layout {} / paint and frame {} ms (medians)",
            fmt(c.build.p50),
            c.layout.map_or("—".to_owned(), |l| fmt(l.p50)),
            fmt(c.paint.p50)
        )
    };
    let (baseline, result, met) = match &base {
        Some(base) => {
            let ratio = ours.mean_cpu / base.mean_cpu;
            (
                format!(
                    "baseline build {} ms mean, p50 {}; {}",
                    fmt(base.mean_cpu),
                    fmt(base.cpu.p50),
                    split(base)
                ),
                format!("{ratio:.2}× the baseline"),
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
        screenpop: format!(
            "{} ms mean, p50 {} (n={}); {}",
            fmt(ours.mean_cpu),
            fmt(ours.cpu.p50),
            ours.cpu.n,
            split(&ours)
        ),
        baseline,
        result,
        target: "≤ 0.5× the baseline".to_owned(),
        met,
    });
    Ok(())
}

/// Starts `binary` on the desk, pops the billing card `b.pops` times (after five warm-up pops)
/// through the trigger, and reads its processes' CPU time around each.
fn series(b: &Bench, binary: &Path, tag: &str) -> Result<Cost> {
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
    let (mut cpu, mut build, mut layout, mut paint) = (vec![], vec![], vec![], vec![]);
    let mut by_process = std::collections::BTreeMap::<String, f64>::new();
    for i in 0..b.pops + 5 {
        let id = format!("cpu-{tag}-{i}");
        add(&sandbox, &id, &data);
        // Let whatever the last pop left (the recent list, WebKit's own timers) finish first.
        std::thread::sleep(Duration::from_millis(250));
        let before = cpu_by_process_ms(app.pid());
        trigger_pop(b, port, &id)?;
        let p = app.painted(&id, WAIT)?;
        let after = cpu_by_process_ms(app.pid());
        let used: f64 = after.iter().map(|(_, ms)| ms).sum::<f64>()
            - before.iter().map(|(_, ms)| ms).sum::<f64>();
        if i >= 5 {
            for ((name, a), (_, b0)) in after.iter().zip(before.iter()) {
                *by_process.entry(name.clone()).or_insert(0.0) += a - b0;
            }
        }
        if p.card != "filled" {
            return Err(BenchError::step(format!("{id} painted {}", p.card)));
        }
        if i >= 5 {
            cpu.push(used);
            build.push(p.build_ms);
            let laid = p.layout_ms.unwrap_or(0.0);
            layout.extend(p.layout_ms);
            paint.push(p.render_ms - p.build_ms - laid);
        }
    }
    app.stop();
    eprintln!(
        "screenpop-bench: {tag} CPU by process over {} pops: {by_process:?}",
        cpu.len()
    );
    let summary = |v: &[f64]| Summary::of(v).ok_or_else(|| BenchError::step("no samples"));
    Ok(Cost {
        cpu: summary(&cpu)?,
        mean_cpu: cpu.iter().sum::<f64>() / cpu.len().max(1) as f64,
        build: summary(&build)?,
        layout: Summary::of(&layout),
        paint: summary(&paint)?,
    })
}
