//! The screenpop desktop shell: a thin Tauri layer over `screenpop-core`.

/// Opens the app window and runs until it is closed.
pub fn run() {
    let result = tauri::Builder::default().run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("screenpop: the window could not be opened: {e}");
        std::process::exit(1);
    }
}
