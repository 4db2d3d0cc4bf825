// No console window on Windows release builds; the CLI still prints when run from a terminal.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Checked before anything else: the desktop plugins read arguments as text and would panic.
    if args.iter().skip(1).any(|a| a.to_str().is_none()) {
        eprintln!("screenpop: an argument is not valid UTF-8 text; ids and links must be text.");
        std::process::exit(2);
    }
    match args.get(1).and_then(|a| a.to_str()) {
        None => screenpop_lib::run(screenpop_lib::Options::default()),
        // A deep link from the desktop: the app starts (or hands it to the running one).
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
        Some(_) => std::process::exit(screenpop_cli::run(args)),
    }
}
