//! `floor`: a bare Tauri 2 window showing an empty page from its own assets (`index.html`
//! beside this file), with the same window, CSP and WebKit settings as screenpop's. The
//! benchmark measures its memory beside screenpop's: the platform's floor, what any Tauri app
//! on this WebKitGTK costs before it shows anything. Built only for the benchmark:
//! `cargo build --release --example floor`.

fn main() {
    screenpop_lib::prepare_web_engine();
    let context = tauri::generate_context!("src-tauri/examples/floor/tauri.conf.json");
    let result = tauri::Builder::default()
        .setup(|app| {
            screenpop_lib::tune_webview(app);
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("floor: the window could not be opened: {e}");
        std::process::exit(1);
    }
}
