//! `floor`: a bare Tauri 2 window showing an empty page, with the same WebKit settings as
//! screenpop's window. The benchmark measures its memory beside screenpop's (the platform's
//! floor: what any Tauri app on this WebKitGTK costs before it shows anything). Built only for
//! the benchmark: `cargo build --release --example floor`.

fn main() {
    let mut context = tauri::generate_context!("tauri.conf.json");
    // The same window as screenpop's, with nothing in it.
    for window in &mut context.config_mut().app.windows {
        window.title = "floor".to_owned();
        if let Ok(blank) = "about:blank".parse() {
            window.url = tauri::WebviewUrl::External(blank);
        }
    }
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
