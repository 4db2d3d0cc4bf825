// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! `screenpop-desktop`: the window. Users start it through `screenpop` (or the desktop entry,
//! a deep link, login); started directly it takes the same window arguments.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Checked before anything else: the desktop plugins read arguments as text and would panic.
    if args.iter().skip(1).any(|a| a.to_str().is_none()) {
        eprintln!("screenpop: an argument is not valid UTF-8 text; ids and links must be text.");
        std::process::exit(2);
    }
    match args.get(1).and_then(|a| a.to_str()) {
        // A plain start, or a deep link (handed to the running window by the single-instance
        // plugin if there is one).
        None => screenpop_lib::run(screenpop_lib::Options::default()),
        Some(link) if screenpop_lib::is_link(link) => {
            screenpop_lib::run(screenpop_lib::Options::default())
        }
        Some("--demo") if args.len() == 2 => screenpop_lib::run(screenpop_lib::Options {
            demo: true,
            ..Default::default()
        }),
        // Started at login: only the tray until a transfer or the agent calls for the window.
        Some("--hidden") if args.len() == 2 => screenpop_lib::run(screenpop_lib::Options {
            hidden: true,
            ..Default::default()
        }),
        Some(other) => {
            eprintln!(
                "screenpop-desktop opens the window; for commands run `screenpop {other} …` (see `screenpop --help`)."
            );
            std::process::exit(2);
        }
    }
}
