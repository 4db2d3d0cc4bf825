//! The screenpop desktop shell: a thin Tauri layer over `screenpop-core`. The window's logic
//! lives in [`screenpop_core::desk::Desk`]; the commands here only pass calls through, run the
//! demo sandbox, and turn errors into something the page can show.

mod commands;
mod demo;
mod state;

use tauri::{Builder, Manager, Runtime};

pub use state::AppState;

/// How the window starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Start a sandbox in the app, with a demo profile and a key held in memory only.
    pub demo: bool,
}

/// Registers the commands on `builder`; shared by the app and the IPC tests.
pub fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app_info,
        commands::profiles,
        commands::parse_studio_url,
        commands::save_profile,
        commands::delete_profile,
        commands::use_profile,
        commands::store_key,
        commands::test_connection,
        commands::lookup,
        commands::recent,
        commands::open_link,
        commands::simulate_transfer,
    ])
}

/// Opens the app window and runs until it is closed.
pub fn run(options: Options) {
    let result = builder(Builder::default())
        .setup(move |app| {
            let state = if options.demo {
                demo::start()?
            } else {
                AppState::open()
            };
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("screenpop: the window could not be opened: {e}");
        std::process::exit(1);
    }
}
