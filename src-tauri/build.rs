fn main() {
    // The package root is the repository root, so capabilities live under src-tauri/.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attrs =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build failed: {e:#}");
    }
}
