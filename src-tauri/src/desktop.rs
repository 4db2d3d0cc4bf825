// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! `screenpop-desktop`: the window. Users start it through `screenpop` (or the desktop entry,
//! a deep link, login); started directly it takes the same window arguments.

use screenpop_core::argv::{classify, Launch};

fn main() {
    screenpop_lib::prepare_web_engine();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Read before anything else: the desktop plugins read arguments as text and would panic.
    match classify(&args) {
        // A plain start, `--demo`, `--hidden`, or deep links (handed to the running window by
        // the single-instance plugin if there is one).
        Ok(Launch::Window(options)) => screenpop_lib::run(options),
        Ok(Launch::Command) => {
            let first = args.get(1).and_then(|a| a.to_str()).unwrap_or_default();
            eprintln!(
                "screenpop-desktop opens the window; for commands run `screenpop {first} …` (see `screenpop --help`)."
            );
            std::process::exit(2);
        }
        Err(why) => {
            eprintln!("screenpop: {why}");
            std::process::exit(2);
        }
    }
}
