//! The screenpop desktop shell: a thin Tauri layer over `screenpop-core` (and the API, card and
//! settings crates beneath it). Transfers from every source go into the core's pop pipeline
//! (`sources.rs`, `trigger.rs`, `demo.rs`, the `look_up` command); what it publishes goes out to
//! the page and the desktop (`sink.rs`, `notify.rs`, in the shapes of `screenpop-page`). Commands only pass calls through.

mod browser;
mod commands;
mod context;
mod demo;
mod fleet;
mod genesys;
mod notify;
mod paint;
mod preflight;
mod push;
mod shell;
mod sink;
mod sources;
mod trigger;
mod updates;
mod webview;

use std::sync::Arc;

use tauri::{AppHandle, Builder, Manager, Runtime, WebviewWindowBuilder};

use screenpop_core::lookups::WARM_INTERVAL;
use screenpop_core::pop::{Origin, Pipeline};
use screenpop_core::startup::CannotOpen;

pub use context::AppContext;
pub use screenpop_core::argv::WindowArgs as Options;
pub use webview::{prepare_web_engine, tune as tune_webview};

/// Registers the commands on `builder`; shared by the app and the IPC tests. The list is
/// checked against `screenpop_page::COMMANDS` and the capability file by a test below.
pub fn builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app_info,
        commands::profiles,
        commands::parse_studio_url,
        commands::save_setup,
        commands::test_setup,
        commands::delete_profile,
        commands::use_profile,
        commands::look_up,
        commands::show_recent,
        commands::retry,
        commands::clear_card,
        commands::board,
        commands::recent,
        commands::open_link,
        commands::reveal,
        commands::simulate_transfer,
        commands::set_pop_action,
        commands::set_hotkey,
        commands::set_language,
        commands::trigger_info,
        commands::set_trigger,
        commands::regenerate_trigger_token,
        commands::set_autostart,
        commands::card_painted,
        commands::diagnostics,
        commands::genesys_status,
        commands::genesys_sign_in,
        commands::genesys_sign_out,
        commands::relay_status,
        commands::update_available,
    ])
}

/// Starts the pop pipeline over the app's [`AppContext`] (which must be managed already) and
/// manages it beside it. From here on transfers pop whether or not the page has loaded.
pub fn start_pipeline<R: Runtime>(app: &AppHandle<R>) {
    let desk = &app.state::<AppContext>().desk;
    let pipeline = Pipeline::new(
        desk.lookups.clone(),
        desk.prefs.clone(),
        Arc::new(sink::WindowSink(app.clone())),
        tauri::async_runtime::handle().inner().clone(),
    );
    app.manage(pipeline);
}

/// Starts the push sources the active profile is set up for (Genesys Cloud), after a random
/// wait when the window was started at login; from then on they follow the active profile.
pub fn start_push_sources<R: Runtime>(app: &AppHandle<R>, at_login: bool) {
    app.manage(push::Push::default());
    push::follow(app, at_login);
}

/// Opens the app window and runs until it is closed. When it cannot open, says why and exits
/// (see [`preflight`]): never a panic.
pub fn run(options: Options) {
    if let Err(why) = preflight::check() {
        preflight::fail(why, &options.links);
    }
    let links = options.links.clone();
    // The single-instance plugin goes first: a second launch (a deep link, `screenpop pop`)
    // hands its arguments to this process and exits before anything else starts.
    let result = builder(Builder::default())
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            sources::launched(app, &argv);
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
            // Tauri panics on an error returned here; the agent is told instead.
            if let Err(e) = set_up(app, &options) {
                preflight::fail(CannotOpen::Failed(e.to_string()), &options.links);
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
        .build(tauri::generate_context!("tauri.conf.json"));
    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                trigger::withdraw();
                push::withdraw(app);
            }
        }),
        Err(e) => preflight::fail(CannotOpen::Failed(e.to_string()), &links),
    }
}

/// Everything the app does once Tauri runs: the window (made here rather than by Tauri from
/// `tauri.conf.json`, whose failure would be a panic), the state, the pipeline and its sources.
fn set_up(app: &mut tauri::App, options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    for config in app.config().app.windows.clone() {
        WebviewWindowBuilder::from_config(app.handle(), &config)?.build()?;
    }
    let state = if options.demo {
        AppContext::demo()?
    } else {
        AppContext::open()
    };
    app.manage(state);
    app.manage(updates::Updates::default());
    start_pipeline(app.handle());
    let pipeline = app.state::<Pipeline>();
    // The links this window was started for pop first; the demo opens on a caller.
    if let (true, Some(demo)) = (options.links.is_empty(), &app.state::<AppContext>().demo) {
        pipeline.submit(demo.opening_transfer()?, Origin::Demo);
    }
    for link in &options.links {
        pipeline.submit_link(link);
    }
    register_scheme(app);
    webview::tune(app);
    if let Err(e) = shell::register_hotkey(app.handle()) {
        pipeline.refuse(e);
    }
    // Without a tray (no status area on this desktop) closing the window quits.
    let tray = shell::tray(app.handle()).is_ok();
    app.manage(shell::Tray(tray));
    if options.hidden && tray {
        if let Some(w) = app.get_webview_window("main") {
            let _ = w.hide();
        }
    }
    fleet::sync_autostart(app.handle());
    let handle = app.handle().clone();
    tauri::async_runtime::spawn(async move { trigger::apply(&handle).await });
    if !options.demo {
        tauri::async_runtime::spawn(fleet::watch(app.handle().clone()));
        tauri::async_runtime::spawn(updates::watch(app.handle().clone(), options.hidden));
    }
    let lookups = app.state::<AppContext>().desk.lookups.clone();
    tauri::async_runtime::spawn(async move { lookups.keep_warm(WARM_INTERVAL).await });
    start_push_sources(app.handle(), options.hidden);
    Ok(())
}

/// Development runs on Linux register `screenpop://` for this binary; installed packages do it in
/// their desktop entry. Never at run time on Windows: the plugin would write the scheme under
/// HKCU, which beats the installer's machine-wide HKLM entry for that user and outlives an
/// uninstall; the installer registers it. macOS reads it from the bundle's `Info.plist`.
fn register_scheme<R: Runtime>(app: &tauri::App<R>) {
    #[cfg(all(debug_assertions, target_os = "linux"))]
    {
        use tauri_plugin_deep_link::DeepLinkExt;
        if let Err(e) = app.deep_link().register_all() {
            eprintln!("screenpop: screenpop:// links could not be registered: {e}");
        }
    }
    let _ = app;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use screenpop_page::COMMANDS;

    /// The command list is written once (`screenpop-page`'s `names.rs`); the handler and the
    /// capability file must say the same.
    #[test]
    fn the_handler_and_the_capability_file_grant_exactly_the_declared_commands() {
        let source = include_str!("lib.rs");
        let start = source.find("generate_handler![").unwrap();
        let end = start + source[start..].find("])").unwrap();
        let handled: Vec<&str> = source[start..end]
            .split("commands::")
            .skip(1)
            .map(|s| s.trim_end_matches(|c: char| c == ',' || c.is_whitespace()))
            .collect();
        assert_eq!(handled, COMMANDS);

        let caps: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let granted: Vec<String> = caps["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(granted, COMMANDS);
    }

    /// The page names each command as the first argument of `call` (or of `trigger`, which
    /// passes it on): every name it calls is a command, and every command is called.
    #[test]
    fn the_page_calls_exactly_the_declared_commands() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
        let mut called = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "js") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for caller in ["call(\"", "trigger(\""] {
                for (at, _) in text.match_indices(caller) {
                    let rest = &text[at + caller.len()..];
                    let name = &rest[..rest.find('"').unwrap()];
                    called.insert(name.to_owned());
                }
            }
        }
        let declared: std::collections::BTreeSet<String> =
            COMMANDS.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(called, declared);
    }
}
