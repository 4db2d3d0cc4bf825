//! `screenpop`: commands run here; the window is `screenpop-desktop`, which this program becomes
//! when the window is wanted (see `screenpop_cli::launch`). It never loads the web engine, so a
//! deep link reaches the running window, and a `screenpop lookup` answers, in milliseconds.

use screenpop_cli::launch;
use screenpop_core::transfer::is_link;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Checked first: ids and links are text, and the window's plugins read arguments as text.
    if args.iter().skip(1).any(|a| a.to_str().is_none()) {
        eprintln!("screenpop: an argument is not valid UTF-8 text; ids and links must be text.");
        std::process::exit(screenpop_cli::exit::USAGE);
    }
    let window_args = &args[1.min(args.len())..];
    match args.get(1).and_then(|a| a.to_str()) {
        None => std::process::exit(launch::open_window(window_args)),
        Some("--demo" | "--hidden") if args.len() == 2 => {
            std::process::exit(launch::open_window(window_args))
        }
        // A deep link from the desktop: the running window takes it, or this becomes the window.
        Some(link) if is_link(link) => {
            let text: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            if !launch::forward_to_running(&text) {
                std::process::exit(launch::open_window(window_args));
            }
        }
        Some(_) => std::process::exit(screenpop_cli::run(args)),
    }
}
