// A GUI-subsystem program on Windows: a `screenpop://` link opens no console window. Run from a
// console, it prints there all the same (`screenpop_cli::console`).
#![windows_subsystem = "windows"]
//! `screenpop`: commands run here; the window is `screenpop-desktop`, which this program becomes
//! when the window is wanted (see `screenpop_cli::launch`). It never loads the web engine, so a
//! deep link reaches the running window, and a `screenpop lookup` answers, in milliseconds.

use screenpop_cli::launch;
use screenpop_core::argv::{classify, Launch};

fn main() {
    screenpop_cli::console::attach_to_parent();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Read once; what was read is handed on, never the command line it came from.
    match classify(&args) {
        Err(why) => {
            eprintln!("screenpop: {why}");
            std::process::exit(screenpop_cli::exit::USAGE);
        }
        // Deep links from the desktop: the running window takes them, or this becomes the window.
        Ok(Launch::Window(w)) if !w.links.is_empty() && launch::forward_to_running(&w) => {}
        Ok(Launch::Window(w)) => std::process::exit(launch::open_window(&w)),
        Ok(Launch::Command) => std::process::exit(screenpop_cli::run(args)),
    }
}
