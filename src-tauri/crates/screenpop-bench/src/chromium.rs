//! The baseline for memory: Chromium in `--app` mode showing the same `ui/` page with the same
//! card. A small script stands in for Tauri's IPC and answers with what the app's commands
//! return, computed here by the same core.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use screenpop_api::Lookup;
use screenpop_core::desk::Desk;
use screenpop_page::views::{RecentView, ResultView};
use screenpop_sandbox::Sandbox;
use screenpop_settings::i18n::{Catalogue, Language};
use screenpop_settings::profiles::ProfileInput;
use screenpop_settings::secret::MemoryKeys;
use serde_json::json;

use crate::error::{BenchError, Result};

/// The `ui/` page served over loopback HTTP (Chromium refuses ES modules from file:// pages),
/// with a script standing in for Tauri's IPC that answers with the card of one state.
pub(crate) struct Page {
    server: Child,
    port: u16,
    log: PathBuf,
}

impl Page {
    /// Copies `ui/` into `out`, adds the IPC stand-in for the card of `id`, and serves it.
    pub(crate) fn serve(out: &Path, sandbox: &Sandbox, id: &str, key: &str) -> Result<Self> {
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
                "\"use strict\";\n// Stands in for Tauri's IPC in the Chromium baseline. A painted card is told to the\n// server as a request for /painted-KIND, which its log shows.\nwindow.__TAURI__ = (() => {{\n  const answers = {answers};\n  const invoke = async (cmd, args) => {{\n    if (cmd === \"card_painted\") fetch(\"/painted-\" + args.painted.card).catch(() => {{}});\n    return cmd in answers ? answers[cmd] : null;\n  }};\n  return {{ core: {{ invoke }}, event: {{ listen: async () => () => {{}} }} }};\n}})();\n"
            ),
        )
        .map_err(BenchError::io("the IPC stand-in"))?;
        let index = std::fs::read_to_string(page.join("index.html"))
            .map_err(BenchError::io("index.html"))?
            .replacen(
                "<script type=\"module\"",
                "<script src=\"bench-shim.js\"></script>\n  <script type=\"module\"",
                1,
            );
        std::fs::write(page.join("index.html"), index).map_err(BenchError::io("index.html"))?;

        let port = crate::desk::free_port()?;
        let log = out.join("chromium-http.log");
        let log_file =
            std::fs::File::create(&log).map_err(BenchError::io("the page server's log"))?;
        let server = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(&page)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(BenchError::io("starting python3 -m http.server"))?;
        let page = Self { server, port, log };
        crate::desk::wait_for_port(port, Duration::from_secs(10))?;
        Ok(page)
    }

    /// Starts `chromium` (a command for it, in the environment it should run in) showing the
    /// page as an app window, with its profile in `profile_dir`.
    pub(crate) fn launch(&self, mut chromium: Command, profile_dir: &Path) -> Result<Child> {
        let _ = std::fs::remove_dir_all(profile_dir);
        chromium
            .arg(format!("--app=http://127.0.0.1:{}/index.html", self.port))
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
            .stderr(Stdio::null());
        // Its own process group, so that its helpers can be stopped with it.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut chromium, 0);
        chromium
            .spawn()
            .map_err(BenchError::io("starting chromium (package chromium)"))
    }

    /// Waits until `n` windows in all have painted the card (false after `limit`): a baseline
    /// that shows an error page measures something else.
    pub(crate) fn wait_painted(&self, n: usize, limit: Duration) -> bool {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            let painted = std::fs::read_to_string(&self.log)
                .map_or(0, |log| log.matches("GET /painted-filled").count());
            if painted >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Shows the card of `id` in Chromium, waits for it to settle, and returns the PSS (KiB) of
/// Chromium's processes and how many there were.
pub(crate) fn pss_showing(
    out: &Path,
    sandbox: &Sandbox,
    id: &str,
    key: &str,
) -> Result<(u64, usize)> {
    let page = Page::serve(out, sandbox, id, key)?;
    let mut chromium = page.launch(Command::new("chromium"), &out.join("chromium-profile"))?;
    let painted = page.wait_painted(1, Duration::from_secs(30));
    if painted {
        std::thread::sleep(Duration::from_secs(10));
    }
    let _ = Command::new("import")
        .args(["-window", "root"])
        .arg(out.join("chromium.png"))
        .status();
    let measured = if painted {
        Ok(crate::memory::pss_tree_kib(chromium.id()))
    } else {
        Err(BenchError::step(format!(
            "Chromium never painted the card: see {}",
            out.join("chromium.png").display()
        )))
    };
    let _ = chromium.kill();
    let _ = chromium.wait();
    // Its helpers go down with it; give them a moment.
    std::thread::sleep(Duration::from_secs(1));
    measured
}

/// What the page's startup commands answer, computed by the core as the app would: the
/// profile, and a board whose newest state is the card of `id`.
fn answers(sandbox: &Sandbox, id: &str, key: &str) -> Result<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(BenchError::io("a runtime"))?;
    let result = rt
        .block_on(async {
            let desk = Desk::in_memory(Default::default(), Arc::new(MemoryKeys::default()));
            desk.profiles
                .save(
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
            desk.profiles.store_key(None, key).await?;
            desk.lookups.fetch(None, &Lookup::by_id(id)?, &|_| {}).await
        })
        .map_err(|e| BenchError::step(format!("the baseline's card: {e}")))?;
    let shown = ResultView::from(&result);
    Ok(json!({
        "app_info": {
            "version": env!("CARGO_PKG_VERSION"),
            "demo": false,
            "startup_error": null,
            "pop_action": "notify",
            "hotkey": "Ctrl+Alt+P",
            "autostart": false,
            "paint_log": true,
            "policy": {
                "place": "", "present": false, "error": null, "warnings": [], "locked": [],
                "card_numbers_shown": false,
            },
            // The page words itself from this, as the app's `LanguageView` gives it.
            "language": {
                "choice": "system", "language": "en", "locale": "en", "system": "English",
                "languages": Language::ALL
                    .iter()
                    .map(|l| json!({"tag": l.tag(), "name": l.endonym()}))
                    .collect::<Vec<_>>(),
                "messages": Catalogue::of(Language::En).messages(),
            },
        },
        "profiles": {
            "profiles": [{
                "name": "Bench", "region": null, "base_url": sandbox.base_url(),
                "account": "acct", "project": "proj", "has_key": true, "lookup_by": "id",
                "managed": false,
            }],
            "active": "Bench",
            "keychain_error": null,
            "can_add": true,
            "hidden": [],
        },
        "board": {
            "current": {
                "version": 1, "seq": 1, "origin": "link", "pushed": true, "by": "id",
                "query": id, "shown_id": id, "profile": null, "at_ms": result.at_ms,
                "stage": "card", "waiting": null, "result": shown, "error": null,
            },
            "refused": null,
        },
        "recent": [RecentView::from(&result)],
    })
    .to_string())
}
