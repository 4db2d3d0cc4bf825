//! Accessibility of the real window: axe-core (pinned, installed from npm by `.ci/lint-ui`)
//! audits every view against the WCAG 2.1 A and AA rules, in the light and the dark theme. The
//! audit is injected through the test driver, never through the page, so the page's CSP stays as
//! strict as it ships.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/catalogue.rs"]
mod catalogue;
#[path = "support/readme.rs"]
mod readme;
#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/seat.rs"]
mod seat;
#[path = "support/wait.rs"]
mod wait;
#[path = "support/webdriver.rs"]
mod webdriver;
#[path = "support/window.rs"]
mod window;

use std::path::Path;
use std::time::Duration;

use wait::{check, eventually};

use screenpop_sandbox::{Fault, FaultPlan};
use serde_json::{json, Value};
use window::*;

/// axe-core as `.ci/lint-ui` installs it: its absence fails the test, it never skips the audit.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `bash .ci/lint-ui` first (it installs axe-core)",
            path.display()
        )
    })
}

/// Runs axe on the page as it is now; answers the violations, one line each.
fn audit(d: &webdriver::Driver, axe: &str) -> Vec<String> {
    let loaded = d.exec("return typeof window.axe", json!([]));
    if loaded != json!("object") {
        // The driver evaluates this as a function body: axe's UMD wrapper then finds no module
        // system and sets `window.axe`.
        d.exec(&format!("{axe}\nreturn typeof window.axe"), json!([]));
    }
    let result = d.exec_async(
        "const done = arguments[arguments.length - 1];
         window.axe.run(document, {
           runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
           resultTypes: ['violations'],
         }).then(
           (r) => done(r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
             v.nodes.map((n) => n.target.join(' ') + ' [' + (n.failureSummary || '').replace(/\\n/g, ' ') + ']').join('; '))),
           (e) => done(['axe failed: ' + e]));",
        json!([]),
    );
    match result {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => vec![format!("unexpected axe answer: {other}")],
    }
}

/// Every failure kind the page has a card for, drawn by the page's own renderer.
const FAILURE_KINDS: [&str; 12] = [
    "not_found",
    "no_key",
    "key_rejected",
    "rate_limited",
    "unreachable",
    "timeout",
    "server_error",
    "malformed_response",
    "keychain_unavailable",
    "bad_input",
    "bad_configuration",
    "set_by_policy",
];

/// Walks every view in one theme and one language (`en`, or `de` from a German system locale)
/// and audits each; answers "view: violation" lines.
fn audit_every_view(theme: &str, language: &str) -> Vec<String> {
    let axe = axe_source();
    let mut found = Vec::new();
    let mut check = |view: &str, d: &webdriver::Driver| {
        let lang = d.exec("return document.documentElement.lang", json!([]));
        assert!(
            lang.as_str().unwrap().starts_with(language),
            "{view}: {lang}"
        );
        for v in audit(d, &axe) {
            found.push(format!("[{theme}, {language}] {view}: {v}"));
        }
    };
    let locale = match language {
        "de" => "de_DE.UTF-8",
        _ => "C.UTF-8",
    };
    let gtk_theme = match theme {
        "dark" => "Adwaita:dark",
        _ => "Adwaita",
    };

    // Setup: a first run.
    {
        let (_home, mut env) = home();
        env.push(("GTK_THEME", gtk_theme.to_owned()));
        env.push(("LANG", locale.to_owned()));
        let d = app(&[], &env);
        // The width of a narrow window at the side of an agent's screen.
        d.set_size(560, 820);
        assert_theme(&d, theme);
        d.wait("#settings-title", 5);
        check("setup", &d);
        // The audit can fail: a field without a label, planted for a moment, is found.
        d.exec(
            "const i = document.createElement('input'); i.id = 'planted'; document.body.append(i); return 1",
            json!([]),
        );
        let planted = audit(&d, &axe_source());
        assert!(
            planted
                .iter()
                .any(|v| v.starts_with("label ") && v.contains("#planted")),
            "axe did not see an unlabelled field: {planted:?}"
        );
        d.exec(
            "document.getElementById('planted').remove(); return 1",
            json!([]),
        );
    }

    // Everything else, with the README's layout so the card has links, money and Reveal.
    let fixtures = tempfile::tempdir().unwrap();
    std::fs::write(fixtures.path().join("call.json"), readme::example("data")).unwrap();
    let api = api_with_fixtures(fixtures.path());
    let (home, mut env) = configured_home(&api, "Acme UK");
    let layout = readme::layout_policy(&api.sandbox.base_url());
    let policy = home.path().join("policy.toml");
    std::fs::write(&policy, layout).unwrap();
    env.push(("SCREENPOP_POLICY_FILE", policy.display().to_string()));
    env.push(("GTK_THEME", gtk_theme.to_owned()));
    env.push(("LANG", locale.to_owned()));
    let d = app(&[], &env);
    assert_theme(&d, theme);
    d.wait("#card.empty", 5);
    check("empty", &d);

    api.sandbox.set_faults(FaultPlan {
        latency_ms: 5_000,
        ..FaultPlan::default()
    });
    look_up(&d, "layout-example");
    d.wait("#card.pending", 5);
    check("pending", &d);
    d.exec(
        "document.getElementById('query').value = ''; return 1",
        json!([]),
    );
    // Escape clears the card, and the slow lookup with it.
    d.type_into(&d.wait("#query", 5), ESCAPE);
    d.wait("#card.empty", 5);

    api.sandbox.set_faults(FaultPlan {
        fault: Some(Fault::PendingFor { ms: 60_000 }),
        ..FaultPlan::default()
    });
    look_up(&d, "layout-example");
    d.wait_until(
        "the waiting card",
        &format!(
            "return document.getElementById('pending-status')?.textContent === {:?}",
            catalogue::catalogue(language)["card.waiting_not_found"]
        ),
        10,
    );
    check("waiting", &d);
    expect_card(&d, 20, "failure");
    check("failure (not_found, real)", &d);
    set_fault(&api, None);

    look_up(&d, "layout-example");
    title_is(&d, "Priya Raman");
    check("card", &d);
    d.click(&d.wait(".reveal", 5));
    d.wait_until(
        "the revealed value",
        "return !document.querySelector('.reveal')",
        10,
    );
    check("card, revealed", &d);
    d.wait("#recent li", 10);
    d.click(&d.wait("#toggle-raw", 5));
    d.wait("pre.raw", 5);
    check("card, raw JSON", &d);

    for kind in FAILURE_KINDS {
        d.exec_async(
            "const [kind, done] = arguments;
             import('./card-view.js').then((m) => {
               const noop = () => {};
               m.renderFailure({ by: 'id', query: 'layout-example', at_ms: Date.now(),
                 error: { kind, message: 'What went wrong, as Rust says it.', status: 403, seconds: 30,
                   host: 'api.uk-1.platform.polyai.app', profile: 'Acme UK', detail: 'connection refused',
                   server_message: 'Forbidden', correlation_id: 'corr-a11y-1' } },
                 { retry: noop, trySharedId: noop, openSettings: noop, editId: noop });
               done(true);
             });",
            json!([kind]),
        );
        check(&format!("failure ({kind})"), &d);
    }

    d.click(&d.wait("#open-settings", 5));
    d.wait("#settings-view:not([hidden])", 5);
    check("settings", &d);
    d.click(&d.wait("#diag-run", 5));
    d.wait_until(
        "the diagnostics",
        "return document.getElementById('diag-text').textContent.length > 0",
        20,
    );
    check("diagnostics", &d);
    found
}

/// The page really is in `theme` (so the dark audit audits the dark colours).
fn assert_theme(d: &webdriver::Driver, theme: &str) {
    let dark = d.exec(
        "return matchMedia('(prefers-color-scheme: dark)').matches",
        json!([]),
    );
    assert_eq!(dark, json!(theme == "dark"), "the {theme} theme");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver, a Secret Service and axe-core: run `bash .ci/test`"]
fn every_view_passes_the_wcag_2_1_aa_audit_in_light_and_dark_in_english_and_german() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let mut found = Vec::new();
    for language in ["en", "de"] {
        found.extend(audit_every_view("light", language));
        found.extend(audit_every_view("dark", language));
    }
    assert!(
        found.is_empty(),
        "{} violations:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Types `text` on the X display, as the agent's keyboard would.
fn typed(text: &str) {
    let ok = std::process::Command::new("xdotool")
        .args(["type", "--delay", "15", text])
        .status()
        .unwrap()
        .success();
    assert!(ok, "xdotool type");
}

/// Presses `keys` (xdotool's names: `Tab`, `shift+Tab`, `Return`).
fn pressed(keys: &str) {
    let ok = std::process::Command::new("xdotool")
        .args(["key", "--clearmodifiers", keys])
        .status()
        .unwrap()
        .success();
    assert!(ok, "xdotool key {keys}");
}

/// The focused element as `tag#id` (or its text), and whether its focus ring shows.
fn focus(d: &webdriver::Driver) -> (String, bool) {
    let v = d.exec(
        "const e = document.activeElement;
         const ring = getComputedStyle(e).outlineStyle !== 'none' && e.matches(':focus-visible');
         const name = e.getAttribute('aria-label') || e.textContent.trim().slice(0, 60);
         return [e.tagName.toLowerCase() + (e.id ? '#' + e.id : ':' + name), ring];",
        json!([]),
    );
    (v[0].as_str().unwrap().to_owned(), v[1].as_bool().unwrap())
}

/// Waits until the focus is on `want` (the page may still be moving it).
fn focus_is(d: &webdriver::Driver, want: &str) {
    eventually(Duration::from_secs(10), || {
        let (now, _) = focus(d);
        check(now == want, || format!("focus on {now}, not {want}"))
    });
}

/// Presses `key` until `want` has the focus, checking that every stop shows its focus ring and
/// that the focus moves at each press (no trap); answers the stops on the way.
fn tab_to(d: &webdriver::Driver, key: &str, want: &str) -> Vec<String> {
    let mut stops = Vec::new();
    for _ in 0..30 {
        let (before, _) = focus(d);
        pressed(key);
        let (now, ring) = eventually(Duration::from_secs(3), || {
            let (now, ring) = focus(d);
            if now != before {
                Ok((now, ring))
            } else {
                Err(format!("the focus is stuck on {now}: {stops:?}"))
            }
        });
        assert!(ring, "{now} has the focus but no visible focus ring");
        stops.push(now.clone());
        if now == want {
            return stops;
        }
    }
    panic!("{want} never got the focus: {stops:?}");
}

#[test]
#[ignore = "needs Xvfb, openbox, xdotool, xclip, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_keyboard_alone_sets_up_looks_up_copies_and_visits_settings() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    // A window manager gives the window the keyboard, as on an agent's desktop.
    let _wm = window_manager();
    let api = api();
    let (_home, env) = home();
    let d = app(&[], &env);
    let ok = std::process::Command::new("xdotool")
        .args([
            "search",
            "--sync",
            "--name",
            "^screenpop$",
            "windowactivate",
            "--sync",
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok, "the window takes the keyboard");
    d.wait_until(
        "the window to have the keyboard",
        "return document.hasFocus()",
        10,
    );

    // Setup: the name first, then the fields in reading order.
    focus_is(&d, "input#p-name");
    typed("Keyboard");
    assert_eq!(tab_to(&d, "Tab", "input#p-studio"), ["input#p-studio"]);
    tab_to(
        &d,
        "Tab",
        "summary:Or choose region and ids, or a custom base URL",
    );
    pressed("Return");
    assert_eq!(tab_to(&d, "Tab", "select#p-region"), ["select#p-region"]);
    tab_to(&d, "Tab", "input#p-base");
    typed(&api.sandbox.base_url());
    tab_to(&d, "Tab", "input#p-account");
    typed("acct");
    tab_to(&d, "Tab", "input#p-project");
    typed("proj");
    tab_to(&d, "Tab", "input#p-key");
    typed(api.sandbox.key());
    pressed("Return");
    d.wait_until(
        "the profile to be saved",
        "return document.getElementById('p-status').textContent.startsWith('Saved')",
        10,
    );
    assert_eq!(
        tab_to(&d, "Tab", "button#p-cancel"),
        ["button:Save", "button#p-test", "button#p-cancel"]
    );
    pressed("Return");

    // Lookup: the box has the focus; Enter looks the id up.
    focus_is(&d, "input#query");
    typed("demo-billing");
    pressed("Return");
    title_is(&d, "Priya Raman");
    let stops = tab_to(&d, "Tab", "button#copy-all");
    assert_eq!(
        &stops[..3],
        ["select#by", "button:Look up", "button:Copy Handoff to"],
        "the lookup, then the card's highlights with their copy buttons: {stops:?}"
    );
    pressed("Return");
    d.wait_until(
        "the card on the clipboard",
        "return document.getElementById('toast').textContent === 'Copied the card'",
        10,
    );
    let clip = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&clip.stdout).starts_with("Caller: Priya Raman"));

    // Settings, and back, without the mouse.
    let stops = tab_to(&d, "shift+Tab", "button#open-settings");
    assert!(stops.len() > 3, "{stops:?}");
    pressed("Return");
    focus_is(&d, "input#p-key");
    tab_to(&d, "Tab", "button#p-cancel");
    pressed("Return");
    focus_is(&d, "input#query");
    assert_eq!(d.text(&d.wait("#caller-title", 5)), "Priya Raman");
}

/// The window's accessibility tree as AT-SPI gives it to a screen reader, once it holds `until`.
fn reader_tree(until: &str) -> Vec<Value> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/tests/support/atspi_tree.py");
    eventually(Duration::from_secs(20), || {
        // Debian's Python, which python3-pyatspi is installed for (not a pyenv one on PATH).
        let out = std::process::Command::new("/usr/bin/python3")
            .arg(&script)
            .output()
            .expect("/usr/bin/python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let nodes: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        if nodes.iter().any(|n| says(n, until)) {
            Ok(nodes)
        } else {
            Err(format!(
                "no \"{until}\" in the accessibility tree: {nodes:?}"
            ))
        }
    })
}

/// Whether a node's name or text is `words`.
fn says(node: &Value, words: &str) -> bool {
    node["name"].as_str().map(str::trim) == Some(words)
        || node["text"].as_str().map(str::trim) == Some(words)
}

/// The first node after the one at `from` that says `words`, within the next `within` nodes.
fn followed_by(nodes: &[Value], from: usize, words: &str, within: usize) -> bool {
    nodes
        .iter()
        .skip(from + 1)
        .take(within)
        .any(|n| says(n, words))
}

#[test]
#[ignore = "needs Xvfb, AT-SPI (python3-pyatspi), WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_screen_reader_finds_the_caller_each_field_and_button_and_hears_the_card_once() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (_home, mut env) = configured_home(&api, "Reader");
    // `.ci/test` keeps every other test off the accessibility bus; this one is a screen reader.
    env.push(("NO_AT_BRIDGE", "0".to_owned()));
    let d = app(&[], &env);
    look_up(&d, "demo-billing");
    title_is(&d, "Priya Raman");
    let nodes = reader_tree("Priya Raman. Billing");

    let heading = nodes
        .iter()
        .position(|n| n["role"] == "heading" && says(n, "Priya Raman"))
        .unwrap_or_else(|| panic!("the caller's name as a heading: {nodes:?}"));
    let _ = heading;
    for (label, value) in [
        ("Email", "priya.raman@example.co.uk"),
        ("Phone number", "+44 7700 900123"),
    ] {
        let at = nodes
            .iter()
            .position(|n| says(n, label))
            .unwrap_or_else(|| panic!("the label {label}: {nodes:?}"));
        assert!(
            followed_by(&nodes, at, value, 6),
            "{label} is not followed by its value {value}: {:?}",
            &nodes[at..(at + 8).min(nodes.len())]
        );
    }
    for name in ["Copy all", "Raw JSON", "Copy Email", "Settings", "Look up"] {
        assert!(
            nodes.iter().any(
                |n| (n["role"] == "push button" || n["role"] == "toggle button") && says(n, name)
            ),
            "a button named {name}: {nodes:?}"
        );
    }
    // The live region says the caller once: name and reason, not every field.
    let live: Vec<&Value> = nodes
        .iter()
        .filter(|n| says(n, "Priya Raman. Billing"))
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["role"], "status bar", "{live:?}");
    let card = nodes
        .iter()
        .find(|n| says(n, "Caller card"))
        .unwrap_or_else(|| panic!("the card region: {nodes:?}"));
    assert_ne!(card["role"], "status bar");
}
