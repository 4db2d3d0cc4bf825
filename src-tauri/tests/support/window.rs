//! What the window tests share: the sandbox, a throw-away home, the app under WebKitWebDriver,
//! and the agent's moves (typing an id, waiting for a card).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use screenpop_sandbox::{Fault, FaultPlan, SandboxConfig};
use serde_json::json;

use super::seat;
use super::webdriver::Driver;
use crate::wait::{check, eventually};

/// One window at a time: two WebKit processes on two cores make every wait flaky.
pub(crate) static ONE_WINDOW: Mutex<()> = Mutex::new(());

pub(crate) const ENTER: &str = "\u{E007}";
pub(crate) const TAB: &str = "\u{E004}";
pub(crate) const ESCAPE: &str = "\u{E00C}";

/// The window suites' sandbox (see `sandbox.rs`).
pub(crate) type Api = crate::sandbox::LocalApi;

pub(crate) fn api() -> Api {
    api_with(SandboxConfig::default())
}

/// The sandbox serving the states in `dir` besides its own.
pub(crate) fn api_with_fixtures(dir: &Path) -> Api {
    api_with(SandboxConfig {
        fixtures: Some(dir.to_owned()),
        ..SandboxConfig::default()
    })
}

fn api_with(config: SandboxConfig) -> Api {
    Api::with(SandboxConfig {
        key: format!("e2e-key-{:08x}", std::process::id()),
        ..config
    })
}

/// A throw-away home for one app run: its settings land here, never in the real ones.
pub(crate) fn home() -> (tempfile::TempDir, Vec<(&'static str, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let env = vec![
        ("HOME", dir.path().display().to_string()),
        (
            "XDG_CONFIG_HOME",
            dir.path().join("config").display().to_string(),
        ),
        ("NO_AT_BRIDGE", "1".to_owned()),
        // English whatever the machine's locale: a test of another language sets its own.
        ("LANGUAGE", String::new()),
        ("LC_ALL", String::new()),
        ("LC_MESSAGES", String::new()),
        ("LANG", "C.UTF-8".to_owned()),
        // Tauri lets WebKitWebDriver drive the window only when asked to.
        ("TAURI_WEBVIEW_AUTOMATION", "true".to_owned()),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1".to_owned()),
    ];
    (dir, env)
}

pub(crate) fn app(args: &[&str], env: &[(&str, String)]) -> Driver {
    let d = Driver::start(Path::new(env!("CARGO_BIN_EXE_screenpop")), args, env);
    d.wait_until(
        "the page to start",
        "return document.body.dataset.started",
        20,
    );
    d
}

pub(crate) fn screenshot(d: &Driver, name: &str) {
    if let Ok(dir) = std::env::var("SCREENPOP_SCREENSHOTS") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        d.screenshot(&dir.join(name));
    }
}

pub(crate) fn card_class(d: &Driver) -> String {
    d.exec(
        "return document.getElementById('card').className",
        json!([]),
    )
    .as_str()
    .unwrap()
    .to_owned()
}

/// Types a conversation id and presses Enter, as an agent does.
pub(crate) fn look_up(d: &Driver, query: &str) {
    // A pushed transfer may have switched the box to shared ids.
    d.exec(
        "document.getElementById('by').value = 'id'; return 1",
        json!([]),
    );
    let q = d.wait("#query", 5);
    d.clear(&q);
    d.type_into(&q, &format!("{query}{ENTER}"));
}

/// Waits for the card to leave the pending state and returns its class.
pub(crate) fn settled(d: &Driver, secs: u64) -> String {
    d.wait_until(
        "the lookup to finish",
        "const c = document.getElementById('card'); return !c.classList.contains('pending') && c.className",
        secs,
    );
    card_class(d)
}

/// Waits for the lookup to finish and checks the card's state, showing the card if it is wrong.
pub(crate) fn expect_card(d: &Driver, secs: u64, class: &str) {
    let got = settled(d, secs);
    if !got.split_whitespace().any(|c| c == class) {
        let text = d.exec(
            "return document.getElementById('card').innerText",
            json!([]),
        );
        panic!("expected a {class} card, got \"{got}\": {text}");
    }
}

pub(crate) fn set_fault(api: &Api, fault: Option<Fault>) {
    api.sandbox.set_faults(FaultPlan {
        fault,
        ..FaultPlan::default()
    });
}
/// A home whose settings already hold a profile for `api`, with its key in the Secret Service.
pub(crate) fn configured_home(
    api: &Api,
    profile: &str,
) -> (tempfile::TempDir, Vec<(&'static str, String)>) {
    let (dir, env) = home();
    let url = api.sandbox.base_url();
    seat::write_profile(&dir.path().join("config"), profile, &url, "");
    seat::store_key(Command::new("secret-tool"), profile, api.sandbox.key());
    (dir, env)
}

/// Runs the binary as a second process with the same home and session, as the desktop would.
pub(crate) fn second_process(env: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_screenpop"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    out
}

pub(crate) fn title_is(d: &Driver, name: &str) {
    d.wait_until(
        &format!("the card of {name}"),
        &format!("return document.getElementById('caller-title')?.textContent === {name:?}"),
        20,
    );
}
/// The number of the pop the card shows (0 before any).
pub(crate) fn card_seq(d: &Driver) -> u64 {
    d.exec(
        "return Number(document.getElementById('card').dataset.seq || 0)",
        json!([]),
    )
    .as_u64()
    .unwrap()
}

/// Waits until the pop right after pop `before` shows `name`: how a test proves that nothing
/// popped in between (had something, this pop would be the second after `before`).
pub(crate) fn next_pop_is(d: &Driver, before: u64, name: &str) {
    d.wait_until(
        &format!("pop {} showing {name}, and no pop before it", before + 1),
        &format!(
            "return document.getElementById('card').dataset.seq === '{}' && document.getElementById('caller-title')?.textContent === {name:?}",
            before + 1
        ),
        20,
    );
}

/// A process killed when the test ends, however it ends.
pub(crate) struct Background(pub(crate) std::process::Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
/// What the X clipboard holds now.
pub(crate) fn clipboard() -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("xclip is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Puts `text` on the X clipboard; xclip keeps serving it in the background.
pub(crate) fn set_clipboard(text: &str) {
    use std::io::Write;
    let mut xclip = Command::new("xclip")
        .args(["-selection", "clipboard"])
        .stdin(std::process::Stdio::piped())
        // It stays behind serving the clipboard: keep it off the test's output.
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("xclip is installed");
    xclip
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(xclip.wait().unwrap().success());
}

/// Turns on the local trigger on a free port in `home`'s settings, appends `extra` TOML, and
/// returns the port.
pub(crate) fn with_trigger(home: &tempfile::TempDir, extra: &str) -> u16 {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = home.path().join("config/screenpop/settings.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        format!("[trigger]\nenabled = true\nport = {port}\n\n{text}{extra}"),
    )
    .unwrap();
    port
}

/// Opens the settings, waits for the local trigger to listen, and returns its token as the
/// page shows it (the settings stay open).
pub(crate) fn trigger_token(d: &Driver) -> String {
    d.click(&d.wait("#open-settings", 5));
    d.wait_until(
        "the trigger status",
        "return document.getElementById('t-status').textContent.startsWith('Listening on 127.0.0.1:')",
        10,
    );
    d.exec("return document.getElementById('t-token').value", json!([]))
        .as_str()
        .unwrap()
        .to_owned()
}

/// Whether a window titled exactly "screenpop" is mapped on the X display.
pub(crate) fn window_visible() -> bool {
    Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^screenpop$"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
        .success()
}

/// Closes the window through the window manager, as an agent does, and waits until it is gone.
pub(crate) fn close_to_tray() {
    let closed = Command::new("wmctrl")
        .args(["-c", "screenpop"])
        .status()
        .unwrap();
    assert!(closed.success());
    wait_visible(false);
}

pub(crate) fn wait_visible(want: bool) {
    eventually(Duration::from_secs(10), || {
        check(window_visible() == want, || {
            format!(
                "the window never became {}",
                if want { "visible" } else { "hidden" }
            )
        })
    });
}

/// A notification server (dunst) on the test's session bus, and `dbus-monitor` logging every
/// `Notify` call to it; both stop when this is dropped.
pub(crate) struct Notifications {
    log: PathBuf,
    _daemon: Background,
    _monitor: Background,
}

impl Notifications {
    /// Starts both, logging to `dir/notify.log`.
    pub(crate) fn watch(dir: &Path) -> Self {
        let log = dir.join("notify.log");
        // An earlier test's notification may have started a dunst by D-Bus activation; it then
        // keeps the bus name and its old notifications, and `dunstctl action 0` would click
        // one of those. Closing them leaves only this test's.
        let _ = Command::new("dunstctl")
            .arg("close-all")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _daemon = Background(Command::new("dunst").spawn().expect("dunst is installed"));
        let _monitor = Background(
            Command::new("dbus-monitor")
                .args([
                    "--session",
                    "type=method_call,interface=org.freedesktop.Notifications,member=Notify",
                    // How the app subscribes to a notification's click (see `clickable`).
                    "type=method_call,interface=org.freedesktop.DBus,member=AddMatch",
                ])
                .stdout(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap(),
        );
        Self {
            log,
            _daemon,
            _monitor,
        }
    }

    /// Waits until the app listens for a click on its notification: it subscribes to
    /// `ActionInvoked` and then `NotificationClosed` after the notification is shown, and a click
    /// before that would go unheard.
    pub(crate) fn clickable(&self) {
        eventually(Duration::from_secs(15), || {
            check(
                std::fs::read_to_string(&self.log)
                    .unwrap_or_default()
                    .contains("member='NotificationClosed'"),
                || "the app never listened for a click".to_owned(),
            )
        });
    }

    /// Waits until `count` Notify calls have been logged with all their arguments, and returns
    /// the log.
    pub(crate) fn calls(&self, count: usize) -> String {
        eventually(Duration::from_secs(15), || {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            // Each call's summary and body follow its header line.
            if text.matches("member=Notify").count() >= count
                && text.matches("string").count() >= 4 * count
            {
                Ok(text)
            } else {
                Err(format!("{count} Notify calls expected: {text}"))
            }
        })
    }
}

/// A window manager (openbox) on the test's display, so the window can be closed and focused
/// the way an agent does it; it stops when dropped.
pub(crate) fn window_manager() -> Background {
    Background(
        Command::new("openbox")
            .spawn()
            .expect("openbox is installed"),
    )
}

/// What does not fit the window's width: the page scrolling sideways (with the elements whose
/// content is wider than they are, to find the culprit), or an element whose words run out of
/// its box (a long German word in a button). Empty when everything fits.
pub(crate) fn overflowing(d: &Driver) -> Vec<String> {
    let found = d.exec(
        "const doc = document.documentElement;
         const name = (e) => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '');
         const out = [];
         const shown = (e) => e.offsetParent !== null && !e.closest('pre, .table-wrap, .sr-only');
         if (doc.scrollWidth > doc.clientWidth + 1) {
           out.push('the page: ' + doc.scrollWidth + ' > ' + doc.clientWidth);
           for (const e of document.querySelectorAll('body *')) {
             if (shown(e) && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) out.push('wider inside: ' + name(e) + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
           }
         }
         for (const e of document.querySelectorAll('button, label, h1, h2, p, summary, dt, dd, li, legend, footer')) {
           if (shown(e) && e.scrollWidth > e.clientWidth + 1) out.push(name(e) + ' \"' + e.textContent.trim().slice(0, 60) + '\": ' + e.scrollWidth + ' > ' + e.clientWidth);
         }
         return out;",
        json!([]),
    );
    serde_json::from_value(found).unwrap()
}

/// Checks that the view fits a 420 px window and, twice as wide, 200 % zoom; leaves the window at
/// 420 px and 100 %.
pub(crate) fn assert_fits_narrow(d: &Driver, what: &str) {
    d.set_size(420, 760);
    let narrow = overflowing(d);
    if !narrow.is_empty() {
        screenshot(d, "overflowing.png");
    }
    assert!(narrow.is_empty(), "{what} at 420 px: {narrow:#?}");
    d.set_size(840, 900);
    d.exec(
        "document.documentElement.style.zoom = '2'; return 1",
        json!([]),
    );
    let zoomed = overflowing(d);
    d.exec(
        "document.documentElement.style.zoom = ''; return 1",
        json!([]),
    );
    d.set_size(420, 760);
    assert!(zoomed.is_empty(), "{what} at 200 % zoom: {zoomed:#?}");
}

/// A stand-in for the system browser, first on the app's PATH: every page it is asked to open
/// is a line of the file it answers.
pub(crate) fn browser(home: &std::path::Path) -> (String, std::path::PathBuf) {
    let bin = home.join("bin");
    let log = home.join("opened.log");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, log)
}

pub(crate) fn opened(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}
