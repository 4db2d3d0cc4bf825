//! What a seat costs on a shared session host: N private login sessions on this machine (each
//! its own runtime directory, display, D-Bus session and keyring), each running one window and
//! left idle, and the PSS of every process of every session summed. Most of a WebKit window is
//! code mapped from shared libraries, which PSS divides between the sessions that map it, so the
//! figure that sizes a host is what one more session adds. The same is measured for the bare
//! Tauri window and for Chromium `--app` showing the same page, in the same run.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use screenpop_sandbox::session::LoginSession;
use screenpop_settings::prefs::TRIGGER_TOKEN_ENTRY;

use crate::cases::{add, demo_data, trigger_pop, Bench, KEY, TOKEN, WAIT};
use crate::chromium::Page;
use crate::desk::{free_port, settings_text, wait_for_port, App, ProfileSpec};
use crate::error::{BenchError, Result};
use crate::stats::fmt;
use crate::table::Row;

/// The state every seat shows: the richest of the demo's cards.
const CARD: &str = "demo-nested";

/// What each seat runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Screenpop,
    BareWindow,
    Chromium,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Self::Screenpop => "screenpop",
            Self::BareWindow => "bare Tauri window",
            Self::Chromium => "Chromium --app",
        }
    }
}

/// One seat: a login session and the window in it (its own process group).
struct Seat {
    window: Child,
    /// Last: the session stops every process it holds when dropped.
    session: LoginSession,
}

impl Drop for Seat {
    fn drop(&mut self) {
        // The window's group first: Chromium's processes do not carry the session's mark.
        let group = format!("-{}", self.window.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.window.wait();
    }
}

/// One total: N seats, every process of every session, and the windows' processes alone.
#[derive(Debug, Clone, Copy)]
struct Total {
    seats: usize,
    all_kib: u64,
    windows_kib: u64,
}

/// What one kind of seat measured at each N.
struct Series {
    kind: Kind,
    totals: Vec<Total>,
}

impl Series {
    /// What the last seats added, each (KiB): over the last step of N (the last five of 20).
    fn next_seat_kib(&self, of: impl Fn(&Total) -> u64) -> f64 {
        match self.totals.as_slice() {
            [.., before, last] => {
                (of(last) as f64 - of(before) as f64) / (last.seats - before.seats) as f64
            }
            _ => f64::NAN,
        }
    }
}

/// The seats measurement: adds its rows and writes `seats.png` (total against N, the three
/// kinds) and the figures it was drawn from, `seats.dat`.
pub(crate) fn seats(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    let counts: &[usize] = if b.quick {
        &[1, 2]
    } else {
        &[1, 5, 10, 15, 20]
    };
    let settle = if b.quick {
        Duration::from_secs(3)
    } else {
        Duration::from_secs(15)
    };
    let sandbox = b.sandbox()?;
    add(&sandbox, CARD, &demo_data(CARD)?);
    let page = Page::serve(&b.out, &sandbox, CARD, KEY)?;
    let mut all = Vec::new();
    for kind in [Kind::Screenpop, Kind::BareWindow, Kind::Chromium] {
        let mut seats: Vec<Seat> = Vec::new();
        let mut totals = Vec::new();
        for &n in counts {
            while seats.len() < n {
                eprintln!(
                    "screenpop-bench: seat {} of {n}, {}",
                    seats.len() + 1,
                    kind.label()
                );
                let seat = open(b, kind, &sandbox.base_url(), &page, seats.len())?;
                seats.push(seat);
            }
            std::thread::sleep(settle);
            totals.push(measure(&seats));
        }
        let screenshot = b.out.join(format!("seat-{kind:?}.png").to_lowercase());
        if let Some(last) = seats.last() {
            screenshot_of(&last.session, &screenshot);
        }
        drop(seats);
        // The sessions' processes go down with them; let the memory they held be returned.
        std::thread::sleep(Duration::from_secs(2));
        all.push(Series { kind, totals });
    }
    plot(&b.out, &all)?;
    report(&all, rows)
}

/// Opens a session and its window showing the card (screenpop, Chromium) or the empty page
/// (the bare window), and waits until it is painted.
fn open(b: &Bench, kind: Kind, base_url: &str, page: &Page, before: usize) -> Result<Seat> {
    let session =
        LoginSession::start().map_err(|e| BenchError::step(format!("a seat's session: {e}")))?;
    let window = match kind {
        Kind::Screenpop => {
            let port = free_port()?;
            let profile = ProfileSpec {
                name: "Bench",
                base_url,
                key: KEY,
            };
            let config = session.config_dir().join("screenpop");
            std::fs::create_dir_all(&config).map_err(BenchError::io("a seat's settings"))?;
            std::fs::write(config.join("settings.toml"), settings_text(&profile, port))
                .map_err(BenchError::io("a seat's settings"))?;
            for (entry, secret) in [(profile.name, KEY), (TRIGGER_TOKEN_ENTRY, TOKEN)] {
                session
                    .store_secret(entry, secret)
                    .map_err(|e| BenchError::step(e.to_string()))?;
            }
            let log = session.dir().join("paint.log");
            let mut app = App::spawn(session.command(&b.binary), &log)?;
            wait_for_port(port, WAIT)?;
            trigger_pop(b, port, CARD)?;
            app.painted(CARD, WAIT)?;
            app.into_child()
        }
        Kind::BareWindow => {
            let floor = b.floor.as_ref().ok_or_else(|| {
                BenchError::step(
                    "the bare window is not built (cargo build --release --example floor)",
                )
            })?;
            let app = App::spawn(session.command(floor), &session.dir().join("paint.log"))?;
            // It paints nothing to log: its page is up once its web process is.
            let started = std::time::Instant::now();
            while crate::memory::tree(app.pid()).len() < 3 {
                if started.elapsed() > WAIT {
                    return Err(BenchError::step(
                        "the bare window did not start its web processes",
                    ));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            app.into_child()
        }
        Kind::Chromium => {
            let chromium = page.launch(
                session.command("chromium"),
                &session.dir().join("chromium-profile"),
            )?;
            if !page.wait_painted(before + 1, Duration::from_secs(30)) {
                return Err(BenchError::step(format!(
                    "Chromium in seat {} never painted the card",
                    before + 1
                )));
            }
            chromium
        }
    };
    Ok(Seat { window, session })
}

fn measure(seats: &[Seat]) -> Total {
    let mut total = Total {
        seats: seats.len(),
        all_kib: 0,
        windows_kib: 0,
    };
    for seat in seats {
        // Chromium writes its process titles over its environment, where the session's mark
        // is: its processes are found as the window's tree instead.
        let window = crate::memory::tree(seat.window.id());
        let mut every = seat.session.pids();
        every.extend(window.iter().copied());
        every.sort_unstable();
        every.dedup();
        total.all_kib += crate::memory::pss_sum_kib(&every);
        total.windows_kib += crate::memory::pss_sum_kib(&window);
    }
    total
}

fn screenshot_of(session: &LoginSession, path: &Path) {
    let _ = session
        .command("import")
        .args(["-window", "root"])
        .arg(path)
        .status();
}

fn mib(kib: f64) -> String {
    fmt(kib / 1024.0)
}

/// The table's rows: the totals, and the Nth seat against the bare window's and Chromium's.
fn report(all: &[Series], rows: &mut Vec<Row>) -> Result<()> {
    let find = |kind| {
        all.iter()
            .find(|s| s.kind == kind)
            .ok_or_else(|| BenchError::step("a seat series is missing"))
    };
    let (ours, bare, chromium) = (
        find(Kind::Screenpop)?,
        find(Kind::BareWindow)?,
        find(Kind::Chromium)?,
    );
    let whole = |t: &Total| t.all_kib;
    let windows = |t: &Total| t.windows_kib;
    let totals = |s: &Series| {
        s.totals
            .iter()
            .map(|t| format!("{}: {}", t.seats, mib(t.all_kib as f64)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let step = match ours.totals.as_slice() {
        [.., a, b] => format!("seats {} to {}", a.seats + 1, b.seats),
        _ => "—".to_owned(),
    };
    rows.push(Row {
        measure: "Shared host: total PSS of N private sessions (every process), MiB".to_owned(),
        screenpop: totals(ours),
        baseline: format!(
            "bare window {}; Chromium {}",
            totals(bare),
            totals(chromium)
        ),
        result: "see seats.png".to_owned(),
        target: "—".to_owned(),
        met: None,
    });
    let (next, next_bare, next_chromium) = (
        ours.next_seat_kib(whole),
        bare.next_seat_kib(whole),
        chromium.next_seat_kib(whole),
    );
    let (to_bare, to_chromium) = (next / next_bare, next / next_chromium);
    rows.push(Row {
        measure: format!("Shared host: one more seat (PSS added, {step})"),
        screenpop: format!(
            "+{} MiB (its window's processes +{})",
            mib(next),
            mib(ours.next_seat_kib(windows))
        ),
        baseline: format!(
            "bare window +{} MiB (+{}); Chromium --app +{} MiB (+{})",
            mib(next_bare),
            mib(bare.next_seat_kib(windows)),
            mib(next_chromium),
            mib(chromium.next_seat_kib(windows))
        ),
        result: format!("{to_bare:.2}× the bare window, {to_chromium:.2}× Chromium"),
        target: "≤ 1.10× the bare window, ≤ 0.5× Chromium".to_owned(),
        met: Some(to_bare <= 1.10 && to_chromium <= 0.5),
    });
    Ok(())
}

/// Writes `seats.dat` and draws `seats.png` from it with gnuplot (package gnuplot-nox).
fn plot(out: &Path, all: &[Series]) -> Result<()> {
    let mut data = String::from("# seats\ttotal PSS (MiB) per kind; one block per kind\n");
    for series in all {
        data.push_str(&format!("# {}\n", series.kind.label()));
        for t in &series.totals {
            data.push_str(&format!("{}\t{:.1}\n", t.seats, t.all_kib as f64 / 1024.0));
        }
        data.push_str("\n\n");
    }
    std::fs::write(out.join("seats.dat"), data).map_err(BenchError::io("seats.dat"))?;
    let lines: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "'seats.dat' index {i} using 1:2 with linespoints linewidth 2 pointtype 7 title '{}'",
                s.kind.label()
            )
        })
        .collect();
    let script = format!(
        "set terminal pngcairo size 720,440 font 'DejaVu Sans,11'\n\
         set output 'seats.png'\n\
         set title 'Memory of N agents on one host (PSS of every process of every session)'\n\
         set xlabel 'sessions on the host'\n\
         set ylabel 'total PSS (MiB)'\n\
         set key top left\n\
         set grid\n\
         set xrange [0:*]\n\
         set yrange [0:*]\n\
         plot {}\n",
        lines.join(", \\\n  ")
    );
    std::fs::write(out.join("seats.gp"), script).map_err(BenchError::io("seats.gp"))?;
    let status = Command::new("gnuplot")
        .arg("seats.gp")
        .current_dir(out)
        .status()
        .map_err(BenchError::io("gnuplot (package gnuplot-nox)"))?;
    if !status.success() {
        return Err(BenchError::step(format!("gnuplot: {status}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_seat_is_what_the_last_step_added_per_seat() {
        let t = |seats, all_kib| Total {
            seats,
            all_kib,
            windows_kib: all_kib / 2,
        };
        let s = Series {
            kind: Kind::Screenpop,
            totals: vec![t(1, 300), t(15, 1_000), t(20, 1_500)],
        };
        assert_eq!(s.next_seat_kib(|t| t.all_kib), 100.0);
        assert_eq!(s.next_seat_kib(|t| t.windows_kib), 50.0);
        let one = Series {
            kind: Kind::Chromium,
            totals: vec![t(1, 300)],
        };
        assert!(one.next_seat_kib(|t| t.all_kib).is_nan());
    }
}
