//! Notification: the app in the tray (`--hidden`), a transfer through the local trigger, and
//! the time from the API's answer to the `Notify` call on the session bus, as `dbus-monitor`
//! stamps it, with dunst as the notification server.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cases::{add, demo_data, trigger_pop, Bench, WAIT};
use crate::desk::now_ms;
use crate::error::{BenchError, Result};
use crate::stats::{fmt, Summary};
use crate::table::Row;

/// A helper process stopped when dropped.
struct Helper(Child);

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `time=` stamps of the Notify calls `dbus-monitor` logged, in order (ms since the epoch).
fn notify_times(log: &Path) -> Vec<f64> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("member=Notify"))
        .filter_map(|l| {
            let stamp = l.split_whitespace().find_map(|w| w.strip_prefix("time="))?;
            stamp.parse::<f64>().ok().map(|s| s * 1000.0)
        })
        .collect()
}

/// Measures it and adds its row.
pub(crate) fn notification(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    let sandbox = b.sandbox()?;
    let log = b.out.join("notify-monitor.log");
    let monitor = Helper(
        Command::new("dbus-monitor")
            .args([
                "--session",
                "type=method_call,interface=org.freedesktop.Notifications,member=Notify",
            ])
            .stdout(std::fs::File::create(&log).map_err(BenchError::io("the monitor log"))?)
            .stderr(Stdio::null())
            .spawn()
            .map_err(BenchError::io("starting dbus-monitor (package dbus)"))?,
    );
    let daemon = Helper(
        Command::new("dunst")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(BenchError::io("starting dunst (package dunst)"))?,
    );
    let (app, port) = b.app_with(&["--hidden"], &sandbox.base_url(), &[], "paint-notify.log")?;
    let data = demo_data("demo-billing")?;
    let mut samples = Vec::new();
    let warm_up = 3;
    for i in 0..b.pops + warm_up {
        let id = format!("notify-{i}");
        add(&sandbox, &id, &data);
        trigger_pop(b, port, &id)?;
        let until = Instant::now() + WAIT;
        let notified = loop {
            if let Some(at) = notify_times(&log).get(i) {
                break *at;
            }
            if Instant::now() > until {
                return Err(BenchError::step(format!("no notification for {id}")));
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        // When the sandbox answered, on the wall clock.
        let asked = sandbox
            .requests()
            .into_iter()
            .find(|r| r.query.iter().any(|(_, v)| v == &id))
            .ok_or_else(|| BenchError::step(format!("{id} never reached the API")))?;
        let answered = now_ms() - asked.at.elapsed().as_secs_f64() * 1000.0;
        if i >= warm_up {
            samples.push(notified - answered);
        }
        // The trigger accepts five pops a second.
        std::thread::sleep(Duration::from_millis(220));
    }
    app.stop();
    drop(daemon);
    drop(monitor);
    let s = Summary::of(&samples).ok_or_else(|| BenchError::step("no samples"))?;
    rows.push(Row {
        measure: "Notification on the bus after the API's answer, window in the tray: p50 / p95"
            .to_owned(),
        screenpop: format!("{} / {} ms (max {})", fmt(s.p50), fmt(s.p95), fmt(s.max)),
        baseline: "—".to_owned(),
        result: format!("p95 {} ms", fmt(s.p95)),
        target: "p95 ≤ 20 ms".to_owned(),
        met: Some(s.p95 <= 20.0),
    });
    Ok(())
}
