//! The baseline for memory: Chromium in `--app` mode showing the same `ui/` page with the same
//! card. A small script stands in for Tauri's IPC and answers with what the app's commands
//! return, computed here by the same core.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use screenpop_core::desk::{Desk, ProfileInput};
use screenpop_core::secret::MemoryKeys;
use screenpop_core::LookupBy;
use screenpop_sandbox::Sandbox;
use serde_json::json;

use crate::error::{BenchError, Result};

/// Shows the card of `id` in Chromium, waits for it to settle, and returns the PSS (KiB) of
/// Chromium's processes and how many there were.
pub(crate) fn pss_showing(
    out: &Path,
    sandbox: &Sandbox,
    id: &str,
    key: &str,
) -> Result<(u64, usize)> {
    let page = out.join("chromium-page");
    let _ = std::fs::remove_dir_all(&page);
    std::fs::create_dir_all(&page).map_err(BenchError::io("the Chromium page"))?;
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui");
    for entry in std::fs::read_dir(&ui).map_err(BenchError::io("reading ui/"))? {
        let entry = entry.map_err(BenchError::io("reading ui/"))?;
        std::fs::copy(entry.path(), page.join(entry.file_name()))
            .map_err(BenchError::io("copying ui/"))?;
    }
    let answers = answers(sandbox, id, key)?;
    std::fs::write(
        page.join("bench-shim.js"),
        format!(
            "\"use strict\";\n// Stands in for Tauri's IPC in the Chromium baseline.\nwindow.__TAURI__ = (() => {{\n  const answers = {answers};\n  return {{\n    core: {{ invoke: async (cmd) => (cmd in answers ? answers[cmd] : null) }},\n    event: {{ listen: async () => () => {{}} }},\n  }};\n}})();\n"
        ),
    )
    .map_err(BenchError::io("the IPC stand-in"))?;
    let index = std::fs::read_to_string(page.join("index.html"))
        .map_err(BenchError::io("index.html"))?
        .replacen(
            "<script src=\"card.js\"",
            "<script src=\"bench-shim.js\"></script>\n  <script src=\"card.js\"",
            1,
        );
    std::fs::write(page.join("index.html"), index).map_err(BenchError::io("index.html"))?;

    let profile_dir = out.join("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile_dir);
    let mut chromium = Command::new("chromium")
        .arg(format!(
            "--app=file://{}",
            page.join("index.html").display()
        ))
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .args([
            "--window-size=560,820",
            "--no-first-run",
            "--no-default-browser-check",
            // This machine has no network: without these Chromium retries its services.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Root in a container has no user namespaces for Chromium's sandbox.
            "--no-sandbox",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(BenchError::io("starting chromium (package chromium)"))?;
    std::thread::sleep(Duration::from_secs(12));
    let _ = Command::new("import")
        .args(["-window", "root"])
        .arg(out.join("chromium.png"))
        .status();
    let measured = crate::memory::pss_tree_kib(chromium.id());
    let _ = chromium.kill();
    let _ = chromium.wait();
    // Its helpers go down with it; give them a moment.
    std::thread::sleep(Duration::from_secs(1));
    Ok(measured)
}

/// What the page's startup commands answer, computed by the core as the app would.
fn answers(sandbox: &Sandbox, id: &str, key: &str) -> Result<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(BenchError::io("a runtime"))?;
    let (profiles, result) = rt
        .block_on(async {
            let desk = Desk::in_memory(Default::default(), Arc::new(MemoryKeys::default()));
            desk.save_profile(
                None,
                ProfileInput {
                    name: "Bench".into(),
                    base_url: Some(sandbox.base_url()),
                    account: "acct".into(),
                    project: "proj".into(),
                    ..ProfileInput::default()
                },
            )
            .await?;
            desk.store_key("Bench", key.to_owned()).await?;
            let result = desk.lookup(None, LookupBy::Id, id, &|_| {}).await?;
            Ok::<_, screenpop_core::Error>((desk.profiles().await, result))
        })
        .map_err(|e| BenchError::step(format!("the baseline's card: {e}")))?;
    Ok(json!({
        "app_info": {
            "version": env!("CARGO_PKG_VERSION"),
            "demo": false,
            "startup_error": null,
            "pop_action": "notify",
            "hotkey": "Ctrl+Alt+P",
            "autostart": false,
        },
        "profiles": profiles,
        "take_pending": { "transfers": [{ "id": id }], "refused": [] },
        "lookup_transfer": result,
        "recent": [result],
    })
    .to_string())
}
