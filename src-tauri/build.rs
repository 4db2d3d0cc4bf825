include!("crates/screenpop-page/src/names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/crates/screenpop-page/src/names.rs");
    // The package root is the repository root, so capabilities live under src-tauri/.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    // Declaring the app's commands makes Tauri check every call against the capabilities:
    // the window may call only what src-tauri/capabilities/main.json grants.
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build failed: {e:#}");
    }
}
