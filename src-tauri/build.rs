fn main() {
    // The package root is the repository root, so capabilities live under src-tauri/.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    // Declaring the app's commands makes Tauri check every call against the capabilities:
    // the window may call only what src-tauri/capabilities/main.json grants.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "profiles",
        "parse_studio_url",
        "save_profile",
        "delete_profile",
        "use_profile",
        "store_key",
        "test_connection",
        "lookup",
        "recent",
        "open_link",
        "simulate_transfer",
        "take_pending",
        "lookup_transfer",
        "set_pop_action",
        "set_hotkey",
        "trigger_info",
        "set_trigger",
        "regenerate_trigger_token",
        "set_autostart",
        "card_painted",
    ]);
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build failed: {e:#}");
    }
}
