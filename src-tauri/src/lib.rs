//! The screenpop desktop shell: a thin Tauri layer over `screenpop-core`. The window's logic
//! lives in [`screenpop_core::desk::Desk`]; the commands here only pass calls through, run the
//! demo sandbox, and turn errors into something the page can show.

mod commands;
mod demo;
mod notify;
mod paint;
mod pops;
mod shell;
mod state;
mod trigger;
mod webview;

use tauri::{Builder, Manager, Runtime};

pub use pops::is_link;
pub use state::AppState;

/// How the window starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Start a sandbox in the app, with a demo profile and a key held in memory only.
    pub demo: bool,
    /// Start in the tray without showing the window (start at login).
    pub hidden: bool,
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
        commands::take_pending,
        commands::lookup_transfer,
        commands::set_pop_action,
        commands::set_hotkey,
        commands::trigger_info,
        commands::set_trigger,
        commands::regenerate_trigger_token,
        commands::set_autostart,
        commands::card_painted,
    ])
}

/// Opens the app window and runs until it is closed.
pub fn run(options: Options) {
    // The single-instance plugin goes first: a second launch (a deep link, `screenpop pop`)
    // hands its arguments to this process and exits before anything else starts.
    let result = builder(Builder::default())
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            pops::receive_args(app, &argv);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .arg("--hidden")
                .build(),
        )
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .setup(move |app| {
            let state = if options.demo {
                demo::start()?
            } else {
                AppState::open()
            };
            app.manage(state);
            let state = app.state::<AppState>();
            if let Some(sandbox) = &state.demo {
                // The demo opens on a caller, so the first look shows what screenpop is for.
                let first = demo::next_transfer(sandbox, &state.demo_turn)?;
                pops::receive_transfer(app.handle(), first);
            }
            register_scheme(app);
            webview::tune(app);
            if let Err(e) = shell::register_hotkey(app.handle()) {
                pops::refuse(app.handle(), e);
            }
            // Without a tray (no status area on this desktop) closing the window quits.
            let tray = shell::tray(app.handle()).is_ok();
            app.manage(shell::Tray(tray));
            if options.hidden && tray {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.hide();
                }
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { trigger::apply(&handle).await });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let desk = &handle.state::<AppState>().desk;
                desk.keep_warm(screenpop_core::desk::WARM_INTERVAL).await;
            });
            let args: Vec<String> = std::env::args().collect();
            if args.iter().skip(1).any(|a| pops::is_link(a)) {
                pops::receive_args(app.handle(), &args);
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps screenpop in the tray, so transfers still pop.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if window.try_state::<shell::Tray>().is_some_and(|t| t.0) {
                    let _ = window.hide();
                    api.prevent_close();
                }
            }
        })
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("screenpop: the window could not be opened: {e}");
        std::process::exit(1);
    }
}

/// Development runs register `screenpop://` for this binary; installed packages do it in their
/// desktop entry.
fn register_scheme<R: Runtime>(app: &tauri::App<R>) {
    #[cfg(all(debug_assertions, any(target_os = "linux", windows)))]
    {
        use tauri_plugin_deep_link::DeepLinkExt;
        if let Err(e) = app.deep_link().register_all() {
            eprintln!("screenpop: screenpop:// links could not be registered: {e}");
        }
    }
    let _ = app;
}
