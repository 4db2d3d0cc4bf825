//! How a test waits: [`eventually`] asks a probe until it answers, within a deadline, and fails
//! with the probe's last word for why it is not there yet. A test should not sleep to prove that
//! something did not happen, but wait for what must come after it. The core's tests include this
//! file too (`#[path]`), so there is one helper.
#![allow(dead_code)]

use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, Instant};

/// How often a probe is asked again: quick enough not to slow a test, slow enough not to load
/// the machine the window under test paints on.
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// Asks `probe` until it gives `Ok`, at most for `within`; past that, fails with its last `Err`
/// (formatted only then: see [`Why`]).
pub(crate) fn eventually<T, E: Display>(
    within: Duration,
    mut probe: impl FnMut() -> Result<T, E>,
) -> T {
    let until = Instant::now() + within;
    loop {
        match probe() {
            Ok(done) => return done,
            Err(why) if Instant::now() >= until => panic!("{why}"),
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// [`eventually`] for a test on Tokio's runtime: the wait between asks yields to it.
pub(crate) async fn eventually_async<T, E, F>(within: Duration, mut probe: impl FnMut() -> F) -> T
where
    E: Display,
    F: Future<Output = Result<T, E>>,
{
    let until = tokio::time::Instant::now() + within;
    loop {
        match probe().await {
            Ok(done) => return done,
            Err(why) if tokio::time::Instant::now() >= until => panic!("{why}"),
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// Asks `done` until it is true, at most for `within`, and says whether it became true: for
/// clean-up after a test, which must never fail it.
pub(crate) fn settles(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + within;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// `Ok(())` when `done`, else `Err` with `why`: a probe for a condition.
pub(crate) fn check(done: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if done {
        Ok(())
    } else {
        Err(why())
    }
}

/// A reason worked out only if the wait fails: for a diagnosis that costs more than the probe
/// (asking the page and the driver what they see).
pub(crate) struct Why<F: Fn() -> String>(pub(crate) F);

impl<F: Fn() -> String> Display for Why<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}
