//! The real app window, driven through WebKitWebDriver under Xvfb, against the sandbox, with
//! keys in the real Secret Service. `bash .ci/test` runs these inside `xvfb-run` and a private
//! D-Bus session with gnome-keyring; a plain `cargo test` skips them.
//!
//! Set `SCREENPOP_SCREENSHOTS=DIR` to save the README's screenshots while they run.
// WebKitWebDriver, Xvfb, dunst and gnome-keyring: Linux only (the Windows programs are
// checked under Wine by `.ci/wine`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/catalogue.rs"]
mod catalogue;
#[path = "support/readme.rs"]
mod readme;
#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/wait.rs"]
mod wait;
#[path = "support/webdriver.rs"]
mod webdriver;
#[path = "support/window.rs"]
mod window;

use std::process::Command;
use std::time::Duration;

use wait::{check, eventually};

use screenpop_sandbox::Fault;
use serde_json::json;
use window::*;

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn setup_lookup_and_failure_states_in_the_real_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (home, env) = home();
    let d = app(&[], &env);
    d.set_size(560, 820);

    // First run: setup.
    let title = d.wait("#settings-title", 5);
    assert_eq!(d.text(&title), "Set up screenpop");

    // A Studio URL is parsed and shown.
    let studio = d.wait("#p-studio", 5);
    d.type_into(
        &studio,
        &format!("https://studio.uk.poly.ai/acme-uk/acme-team-4/agent{TAB}"),
    );
    let parsed = d.wait_until(
        "the Studio URL to be parsed",
        "return document.getElementById('p-studio-parsed').textContent",
        5,
    );
    assert_eq!(parsed, "Region uk-1, account acme-uk, project acme-team-4.");
    screenshot(&d, "setup.png");

    // Then the sandbox as a custom base URL, and the key.
    d.clear(&studio);
    d.click(&d.wait("#p-advanced summary", 5));
    let name = d.wait("#p-name", 5);
    d.clear(&name);
    d.type_into(&name, "Sandbox");
    d.type_into(&d.wait("#p-base", 5), &api.sandbox.base_url());
    let account = d.wait("#p-account", 5);
    d.clear(&account);
    d.type_into(&account, "acct");
    let project = d.wait("#p-project", 5);
    d.clear(&project);
    d.type_into(&project, "proj");
    d.type_into(&d.wait("#p-key", 5), api.sandbox.key());
    d.click(&d.wait("#p-test", 5));
    let status = d.wait_until(
        "the connection test",
        "const s = document.getElementById('p-status'); return s.classList.contains('ok') && s.textContent.startsWith('Connection') && s.textContent",
        15,
    );
    assert_eq!(
        status,
        "Connection works: the API accepted the key for this project."
    );
    let probe = api.sandbox.requests().last().unwrap().clone();
    assert_eq!(probe.api_key.as_deref(), Some(api.sandbox.key()));
    assert!(probe.query[0].1.starts_with("screenpop-connection-test-"));

    // The key went to the Secret Service, and nowhere else.
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "screenpop", "username", "Sandbox"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        api.sandbox.key()
    );
    let settings =
        std::fs::read_to_string(home.path().join("config/screenpop/settings.toml")).unwrap();
    assert!(settings.contains("name = \"Sandbox\""), "{settings}");
    assert!(!settings.contains(api.sandbox.key()), "{settings}");
    let page_has_key = d.exec(
        "return document.documentElement.outerHTML.includes(arguments[0]) || document.getElementById('p-key').value.includes(arguments[0])",
        json!([api.sandbox.key()]),
    );
    assert_eq!(
        page_has_key,
        json!(false),
        "the key is not left in the page"
    );

    // A lookup fills the card.
    d.click(&d.wait("#p-cancel", 5));
    look_up(&d, "demo-billing");
    expect_card(&d, 15, "filled");
    assert_eq!(d.text(&d.wait("#caller-title", 5)), "Priya Raman");
    let highlights = d.text(&d.wait(".highlights", 5));
    for want in ["billing_queue", "CUS-104882", "Yes"] {
        assert!(highlights.contains(want), "{want} in {highlights}");
    }
    let body = d.text(&d.wait(".card-body", 5));
    assert!(body.contains("+44 7700 900123"), "{body}");
    assert!(body.contains("priya.raman@example.co.uk"), "{body}");
    screenshot(&d, "card.png");

    // A nested card, then back to the first through the recent list.
    look_up(&d, "demo-nested");
    expect_card(&d, 15, "filled");
    assert_eq!(d.text(&d.wait("#caller-title", 5)), "Tomasz Wiśniewski");
    d.click(&d.wait("#recent li:nth-child(2) button", 5));
    d.wait_until(
        "the recent caller",
        "return document.getElementById('caller-title')?.textContent === 'Priya Raman'",
        5,
    );

    // Pasting anywhere outside a text field looks the pasted text up.
    d.exec(
        "document.activeElement.blur();
         const data = new DataTransfer();
         data.setData('text/plain', '  demo-orders ');
         document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
         return true",
        json!([]),
    );
    d.wait_until(
        "the pasted id to be looked up",
        "return document.getElementById('caller-title')?.textContent === 'Marcus Oyelaran-Smith'",
        15,
    );
    assert_eq!(
        d.exec("return document.getElementById('query').value", json!([])),
        json!("demo-orders")
    );

    // Empty fields hide until asked for; the raw view; the filter; a table of orders.
    let shown = |label: &str| {
        d.exec(
            "return [...document.querySelectorAll('.card-body dt')].some(e => e.textContent === arguments[0])",
            json!([label]),
        )
    };
    assert_eq!(shown("Notes"), json!(false));
    d.click(&d.wait("#toggle-empty", 5));
    assert_eq!(shown("Notes"), json!(true));
    let table = d.text(&d.wait(".card-body table", 5));
    assert!(
        table.contains("ORD-99244") && table.contains("Order id"),
        "{table}"
    );
    let filter = d.wait("#field-filter", 5);
    d.type_into(&filter, "tags");
    d.wait_until(
        "the filter",
        "return document.querySelectorAll('.card-body > .fields > .field').length === 1",
        5,
    );
    d.click(&d.wait("#toggle-raw", 5));
    let raw = d.text(&d.wait("pre.raw", 5));
    assert!(raw.contains("\"open_orders\": ["), "{raw}");

    // Each failure has its own state and next step.
    look_up(&d, "nobody-by-this-id");
    expect_card(&d, 20, "failure-not_found");
    assert_eq!(d.text(&d.wait("#failure-action", 5)), "Try again");

    set_fault(&api, Some(Fault::Status { status: 503 }));
    look_up(&d, "demo-billing");
    expect_card(&d, 20, "failure-server_error");
    screenshot(&d, "failure.png");

    set_fault(&api, Some(Fault::Status { status: 401 }));
    look_up(&d, "demo-billing");
    expect_card(&d, 20, "failure-key_rejected");
    assert_eq!(d.text(&d.wait("#failure-action", 5)), "Open settings");
    let en = catalogue::catalogue("en");
    let card = d.text(&d.wait("#card", 5));
    assert!(
        card.contains(&en["failure.key_rejected.body_401"]),
        "{card}"
    );
    // A key PolyAI knows but refuses reads differently from one it does not know.
    set_fault(&api, Some(Fault::Status { status: 403 }));
    look_up(&d, "demo-billing");
    d.wait_until(
        "the 403 card",
        "return document.getElementById('card').textContent.includes('HTTP 403')",
        20,
    );
    let card = d.text(&d.wait("#card", 5));
    assert!(
        card.contains(&en["failure.key_rejected.body_403"]),
        "{card}"
    );
    assert_eq!(card_class(&d), "card failure failure-key_rejected");

    set_fault(
        &api,
        Some(Fault::RateLimited {
            retry_after_secs: 60,
        }),
    );
    look_up(&d, "demo-billing");
    expect_card(&d, 20, "failure-rate_limited");

    set_fault(&api, Some(Fault::Malformed));
    look_up(&d, "demo-billing");
    expect_card(&d, 20, "failure-malformed_response");

    // The state is written a moment after the transfer: the card waits, then fills.
    set_fault(&api, Some(Fault::PendingFor { ms: 2_000 }));
    look_up(&d, "demo-orders");
    d.wait_until(
        "the waiting state",
        "return document.querySelector('#card .skeleton')?.textContent === 'Waiting for the handoff…'",
        5,
    );
    expect_card(&d, 20, "filled");
    set_fault(&api, None);

    // Hostile data renders as text and runs nothing.
    look_up(&d, "demo-hostile");
    expect_card(&d, 15, "filled");
    let title = d.text(&d.wait("#caller-title", 5));
    assert!(title.starts_with("<img src=x onerror=alert(1)>"), "{title}");
    let injected = d.exec(
        "return document.querySelectorAll('#card img, #card script, #card b, #card a[href]').length",
        json!([]),
    );
    assert_eq!(injected, json!(0));
    assert_eq!(
        d.exec("return document.title", json!([])),
        json!("screenpop")
    );

    // An unreachable API.
    drop(api);
    look_up(&d, "demo-billing");
    expect_card(&d, 30, "failure-unreachable");
}

#[test]
#[ignore = "needs Xvfb and WebKitWebDriver: run `bash .ci/test`"]
fn the_demo_simulates_a_transfer_without_any_setup() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let (home, env) = home();
    let d = app(&["--demo"], &env);
    d.set_size(560, 820);
    assert_eq!(
        d.exec(
            "return document.getElementById('settings-view').hidden",
            json!([])
        ),
        json!(true),
        "the demo needs no setup"
    );
    // It opens on a caller; each simulated transfer brings the next of the demo's callers.
    title_is(&d, "Priya Raman");
    d.click(&d.wait("#simulate", 5));
    title_is(&d, "Tomasz Wiśniewski");
    d.click(&d.wait("#simulate", 5));
    title_is(&d, "Marcus Oyelaran-Smith");
    expect_card(&d, 15, "filled");
    // Usable in a narrow window, and at 200 % zoom: nothing overflows sideways.
    d.set_size(420, 760);
    look_up(&d, "demo-nested");
    expect_card(&d, 15, "filled");
    assert_fits_narrow(&d, "the nested card");
    screenshot(&d, "narrow.png");
    let query = d.exec("return document.getElementById('query').value", json!([]));
    assert_ne!(query, json!(""), "the transferred id is shown");
    assert!(
        !home.path().join("config/screenpop").exists(),
        "the demo writes no settings"
    );
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn deep_links_and_screenpop_pop_reach_the_running_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (_home, env) = configured_home(&api, "Links");

    // Cold start with a link: the window opens on that caller.
    let d = app(&["screenpop://lookup?id=demo-billing"], &env);
    title_is(&d, "Priya Raman");

    // A second launch with a link hands it over and exits; the running window pops it.
    let before = api.sandbox.requests().len();
    second_process(
        &env,
        &["screenpop://lookup?shared_id=zoom-trace-81f3c0de&profile=Links"],
    );
    title_is(&d, "Alex Morgan");

    // `screenpop pop` goes the same way.
    let out = second_process(&env, &["pop", "--id", "demo-nested"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Sent to screenpop."
    );
    title_is(&d, "Tomasz Wiśniewski");

    // The same caller again within seconds pops once: the next distinct caller's card comes
    // with one more lookup, not two.
    second_process(&env, &["screenpop://lookup?id=demo-nested"]);
    second_process(&env, &["screenpop://lookup?id=demo-orders"]);
    title_is(&d, "Marcus Oyelaran-Smith");
    let lookups = api.sandbox.requests().len() - before;
    assert_eq!(lookups, 3, "one lookup per distinct pop");

    // Malformed links are refused visibly and harmlessly.
    for bad in [
        "screenpop://lookup?id=x&run=calc",
        "screenpop://delete?id=1",
        "screenpop://lookup?id=%07",
    ] {
        second_process(&env, &[bad]);
        d.wait_until(
            "the refusal banner",
            "const b = document.getElementById('banner'); return !b.hidden && b.textContent.startsWith('A screenpop link was refused')",
            10,
        );
        d.exec(
            "document.getElementById('banner').hidden = true; return 1",
            json!([]),
        );
    }
    assert_eq!(
        api.sandbox.requests().len() - before,
        3,
        "refused links send nothing"
    );
    title_is(&d, "Marcus Oyelaran-Smith");

    // Twenty pops started together: see `pipeline.rs`.
}

#[test]
#[ignore = "needs Xvfb, dunst, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_pop_in_the_background_notifies_with_name_and_reason_only() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (home, env) = configured_home(&api, "Notify");
    let notifications = Notifications::watch(home.path());
    let d = app(&[], &env);
    // Under Xvfb without a window manager the window never has the keyboard focus, as when the
    // agent is typing in another program.
    second_process(&env, &["screenpop://lookup?id=demo-billing"]);
    title_is(&d, "Priya Raman");
    let text = notifications.calls(1);
    assert!(text.contains("string \"screenpop\""), "{text}");
    assert!(text.contains("string \"Priya Raman\""), "{text}");
    assert!(text.contains("string \"BILLING\""), "{text}");
    for private in ["CUS-104882", "7700", "priya.raman", "+44"] {
        assert!(
            !text.contains(private),
            "{private} in the notification: {text}"
        );
    }

    // Clicking the notification brings the card forward with the keyboard.
    assert_eq!(
        d.exec("return document.hasFocus()", json!([])),
        json!(false)
    );
    notifications.clickable();
    let clicked = Command::new("dunstctl")
        .args(["action", "0"])
        .status()
        .unwrap();
    assert!(clicked.success());
    d.wait_until("the window to take focus", "return document.hasFocus()", 10);
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_local_trigger_pops_a_caller_from_a_cti_request() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (home, env) = configured_home(&api, "Trigger");
    let port = with_trigger(&home, "");
    let settings = home.path().join("config/screenpop/settings.toml");
    let d = app(&[], &env);

    // The settings page shows it listening, with its token and ready-made templates.
    let token = trigger_token(&d);
    let stored = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "screenpop",
            "username",
            "@local-trigger",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&stored.stdout).trim(),
        token,
        "kept in the keychain"
    );
    let get_template = d.exec("return document.getElementById('t-get').value", json!([]));
    assert_eq!(
        get_template,
        json!(format!(
            "http://127.0.0.1:{port}/v1/pop?id={{{{conversationId}}}}&token={token}"
        ))
    );
    assert!(!std::fs::read_to_string(&settings).unwrap().contains(&token));

    // Starting at login, hidden in the tray, is one checkbox away.
    // auto-launch writes under $HOME/.config, whatever XDG_CONFIG_HOME says.
    let entry = home.path().join(".config/autostart/screenpop.desktop");
    d.click(&d.wait("#autostart", 5));
    eventually(Duration::from_secs(5), || {
        check(entry.exists(), || format!("no {}", entry.display()))
    });
    let desktop = std::fs::read_to_string(&entry).unwrap();
    assert!(desktop.contains("--hidden"), "{desktop}");
    d.click(&d.wait("#autostart", 5));
    eventually(Duration::from_secs(5), || {
        check(!entry.exists(), || "still starts at login".to_owned())
    });
    d.click(&d.wait("#p-cancel", 5));

    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let wrong = http
        .post(format!("http://127.0.0.1:{port}/v1/pop"))
        .bearer_auth("not-the-token-at-all")
        .json(&json!({"id": "demo-billing"}))
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let ok = http
        .post(format!("http://127.0.0.1:{port}/v1/pop"))
        .bearer_auth(&token)
        .json(&json!({"id": "demo-billing"}))
        .send()
        .unwrap();
    assert_eq!(ok.status().as_u16(), 202);
    title_is(&d, "Priya Raman");
    let ok = http
        .get(format!(
            "http://127.0.0.1:{port}/v1/pop?shared_id=zoom-trace-81f3c0de&token={token}"
        ))
        .send()
        .unwrap();
    assert_eq!(ok.status().as_u16(), 202);
    title_is(&d, "Alex Morgan");
}

#[test]
#[ignore = "needs Xvfb, xclip, xdotool, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_clipboard_shortcut_looks_up_the_copied_id_and_can_be_changed_in_settings() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (home, env) = configured_home(&api, "Hotkey");
    let d = app(&[], &env);
    set_clipboard("  demo-billing\n");
    let press = || keys_pressed("ctrl+alt+p");
    press();
    title_is(&d, "Priya Raman");
    set_clipboard("not an id \u{7} at all");
    press();
    d.wait_until(
        "the refusal",
        "const b = document.getElementById('banner'); return !b.hidden && b.textContent.startsWith('The clipboard does not hold an id')",
        10,
    );
    title_is(&d, "Priya Raman");

    // The agent changes the shortcut in Settings by pressing the new one.
    d.click(&d.wait("#open-settings", 5));
    let record = |keys: &str| {
        d.click(&d.wait("#hotkey-change", 5));
        let focused = Command::new("xdotool")
            .args(["search", "--name", "^screenpop$", "windowfocus", "--sync"])
            .status()
            .unwrap()
            .success();
        assert!(focused, "xdotool windowfocus");
        keys_pressed(keys);
    };
    // Shift alone would take F9 from every program: refused, the old shortcut stays.
    record("shift+F9");
    d.wait_until(
        "the refusal",
        "return document.getElementById('hotkey-status').textContent.includes('Add Ctrl, Alt or Super')",
        10,
    );
    assert_eq!(
        d.exec("return document.getElementById('hotkey').value", json!([])),
        "Ctrl+Alt+P"
    );
    record("ctrl+shift+F9");
    d.wait_until(
        "the new shortcut",
        "return document.getElementById('hotkey').value === 'Ctrl+Shift+F9' && document.getElementById('hotkey-status').textContent.includes('now looks up')",
        10,
    );
    d.exec(
        "document.getElementById('prefs-title').scrollIntoView()",
        json!([]),
    );
    screenshot(&d, "shortcut.png");
    let settings =
        std::fs::read_to_string(home.path().join("config/screenpop/settings.toml")).unwrap();
    assert!(
        settings.contains("hotkey = \"Ctrl+Shift+F9\""),
        "{settings}"
    );

    // The new one pops, the old one is free again: after the old one is pressed, the next pop
    // is a link's, which it would not be had the old shortcut popped.
    set_clipboard("demo-orders");
    let before = card_seq(&d);
    keys_pressed("ctrl+alt+p");
    second_process(&env, &["screenpop://lookup?id=demo-nested"]);
    next_pop_is(&d, before, "Tomasz Wiśniewski");
    keys_pressed("ctrl+shift+F9");
    title_is(&d, "Marcus Oyelaran-Smith");

    // Turned off: nothing pops, and it stays off.
    d.click(&d.wait("#open-settings", 5));
    d.click(&d.wait("#hotkey-off", 5));
    d.wait_until(
        "the shortcut off",
        "return document.getElementById('hotkey').value === '' && document.getElementById('hotkey-status').textContent === 'The clipboard shortcut is off.'",
        10,
    );
    set_clipboard("demo-billing");
    let before = card_seq(&d);
    keys_pressed("ctrl+shift+F9");
    second_process(&env, &["screenpop://lookup?id=demo-unicode"]);
    next_pop_is(&d, before, "Zoë Ångström-Nakamura");
    let settings =
        std::fs::read_to_string(home.path().join("config/screenpop/settings.toml")).unwrap();
    assert!(settings.contains("hotkey = \"\""), "{settings}");
}

/// Presses `keys` (xdotool's names, e.g. `ctrl+alt+p`) on the X display.
fn keys_pressed(keys: &str) {
    let ok = Command::new("xdotool")
        .args(["key", "--clearmodifiers", keys])
        .status()
        .unwrap()
        .success();
    assert!(ok, "xdotool key {keys}");
}

#[test]
#[ignore = "needs Xvfb, openbox, wmctrl, xdotool, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn closing_keeps_screenpop_in_the_tray_and_a_launch_or_a_pop_brings_it_back() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    // A window manager, so the window can be closed the way an agent closes it.
    let _wm = window_manager();
    let api = api();
    let (_home, env) = configured_home(&api, "Tray");
    let d = app(&[], &env);
    wait_visible(true);

    close_to_tray();

    // The login autostart firing again leaves it in the tray. Proven by what comes after it: a
    // caller pushed next (the pop action still "notify": the card changes, the window stays
    // where it is) is on the card while the window is still hidden.
    let before = card_seq(&d);
    second_process(&env, &["--hidden"]);
    second_process(&env, &["screenpop://lookup?id=demo-orders"]);
    next_pop_is(&d, before, "Marcus Oyelaran-Smith");
    assert!(!window_visible(), "--hidden must not show the window");
    // Starting it from the menu (or with --demo) brings the window back.
    let set = d.exec_async(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('set_pop_action', { action: 'raise' })
           .then(() => done(true), (e) => done(e.message));",
        json!([]),
    );
    assert_eq!(set, json!(true), "pop action raise");
    second_process(&env, &["--demo"]);
    wait_visible(true);
    close_to_tray();

    // Still running: a transfer pops the caller and brings the window back.
    second_process(&env, &["screenpop://lookup?id=demo-billing"]);
    wait_visible(true);
    title_is(&d, "Priya Raman");
}

/// One value of every kind the core emits. The match has no wildcard: a new kind does not
/// compile until it is added here, and so checked against the page below.
fn one_of_each_kind() -> Vec<screenpop_card::Scalar> {
    use screenpop_card::Scalar;
    let all = vec![
        Scalar::Empty,
        Scalar::Bool { value: false },
        Scalar::Number { text: "42".into() },
        Scalar::Phone {
            text: "+44 7700 900123".into(),
            dial: "+447700900123".into(),
        },
        Scalar::Email {
            text: "a@example.com".into(),
        },
        Scalar::Link {
            url: "https://example.com/x".into(),
        },
        Scalar::DateTime {
            iso: "2026-11-30".into(),
            date_only: true,
        },
        Scalar::Lines {
            lines: vec!["one".into(), "two".into()],
        },
        Scalar::Money {
            amount: "12.5".into(),
            currency: "GBP".into(),
        },
        Scalar::Sensitive {
            path: "date_of_birth".into(),
        },
        Scalar::Text {
            text: "plain".into(),
        },
    ];
    for s in &all {
        match s {
            Scalar::Empty
            | Scalar::Bool { .. }
            | Scalar::Number { .. }
            | Scalar::Phone { .. }
            | Scalar::Email { .. }
            | Scalar::Link { .. }
            | Scalar::DateTime { .. }
            | Scalar::Lines { .. }
            | Scalar::Money { .. }
            | Scalar::Sensitive { .. }
            | Scalar::Text { .. } => {}
        }
    }
    all
}

#[test]
#[ignore = "needs Xvfb and WebKitWebDriver: run `bash .ci/test`"]
fn every_value_kind_the_core_emits_has_a_renderer_and_an_unknown_one_shows_as_text() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let (_home, env) = home();
    let d = app(&["--demo"], &env);
    let mut samples: Vec<serde_json::Value> = one_of_each_kind()
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    // What a newer core might send to this page.
    samples.push(json!({"kind": "future_kind", "text": "From the future"}));
    samples.push(json!({"kind": "another_kind", "amount": 3}));
    let rendered = d.exec(
        "const samples = arguments[0];
         const ctx = { copy() {}, openLink() {} };
         return import('./values.js').then((m) => samples.map((v) => ({
           kind: v.kind,
           known: Object.prototype.hasOwnProperty.call(m.RENDERERS, v.kind),
           text: m.renderScalar(v, ctx).textContent,
           plain: m.plain(v),
         })));",
        json!([samples]),
    );
    let rendered = rendered.as_array().unwrap();
    assert_eq!(rendered.len(), samples.len());
    let kinds = one_of_each_kind().len();
    for (i, r) in rendered.iter().enumerate() {
        let text = r["text"].as_str().unwrap();
        assert!(!text.trim().is_empty(), "{} renders blank: {r}", r["kind"]);
        assert_eq!(r["known"], json!(i < kinds), "{r}");
    }
    assert_eq!(rendered[kinds]["text"], "From the future");
    assert_eq!(rendered[kinds]["plain"], "From the future");
    assert!(rendered[kinds + 1]["text"]
        .as_str()
        .unwrap()
        .contains("another_kind"));
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_fleet_policy_governs_the_window_and_a_change_applies_while_it_runs() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    // The agent's own file has a profile of the managed profile's name: it must not shadow it.
    let (home, mut env) = configured_home(&api, "Fleet");
    let policy = home.path().join("policy.toml");
    let managed = format!(
        "allow_user_profiles = false\n\n[[profiles]]\nname = \"Fleet\"\nbase_url = \"{}\"\naccount = \"managed\"\nproject = \"desk\"\n\n[locked]\nhotkey = \"Ctrl+Alt+P\"\n",
        api.sandbox.base_url()
    );
    std::fs::write(&policy, &managed).unwrap();
    env.push(("SCREENPOP_POLICY_FILE", policy.display().to_string()));
    let d = app(&[], &env);
    look_up(&d, "demo-billing");
    title_is(&d, "Priya Raman");

    d.click(&d.wait("#open-settings", 5));
    let list = d.text(&d.wait("#profile-list", 5));
    assert!(
        list.contains("Managed by your organisation") && list.contains("managed / desk"),
        "{list}"
    );
    let state = d.exec(
        "const $ = (id) => document.getElementById(id); return [$('p-name').disabled, $('p-delete').hidden, $('p-managed').hidden, $('p-new').hidden, $('hotkey-change').disabled, document.querySelector('[data-lock-for=hotkey]').hidden, $('pop-action').disabled]",
        json!([]),
    );
    assert_eq!(state, json!([true, true, false, true, true, false, false]));
    d.exec(
        "document.getElementById('prefs-title').scrollIntoView(); return 1",
        json!([]),
    );
    screenshot(&d, "policy.png");

    // Diagnostics: the checks `screenpop doctor` runs, as text for the helpdesk, without the key.
    d.click(&d.wait("#diag-run", 5));
    d.wait_until(
        "the health check",
        "return !document.getElementById('diag-text').hidden",
        15,
    );
    let report = d.text(&d.wait("#diag-text", 5));
    assert!(
        report.contains("profile \"Fleet\" (active, managed)")
            && report.contains("ok   key accepted")
            && report.contains("A pop would work."),
        "{report}"
    );
    assert!(!report.contains(api.sandbox.key()), "{report}");
    d.exec(
        "document.getElementById('diag-section').scrollIntoView(); return 1",
        json!([]),
    );
    screenshot(&d, "diagnostics.png");

    // A page that calls the commands itself is refused by Rust all the same.
    let refused = d.exec_async(
        "const done = arguments[arguments.length - 1];
         const invoke = window.__TAURI__.core.invoke;
         Promise.allSettled([
           invoke('set_hotkey', { hotkey: 'Ctrl+Alt+K' }),
           invoke('delete_profile', { name: 'Fleet' }),
           invoke('save_setup', { form: { name: 'Mine', region: 'uk-1', account: 'a', project: 'b' } }),
         ]).then((r) => done(r.map((x) => x.status + ' ' + (x.reason ? x.reason.kind + ' ' + x.reason.message : ''))));",
        json!([]),
    );
    for r in refused.as_array().unwrap() {
        let r = r.as_str().unwrap();
        assert!(
            r.starts_with("rejected set_by_policy Set by your organisation"),
            "{r}"
        );
    }

    // The admin locks one more setting: within 10 s Settings show it, and the card stays.
    std::fs::write(&policy, format!("{managed}pop_action = \"raise\"\n")).unwrap();
    d.wait_until(
        "the new lock",
        "return document.body.dataset.locked.split(' ').includes('pop_action') && document.getElementById('pop-action').disabled",
        10,
    );
    assert_eq!(
        d.exec(
            "return document.getElementById('pop-action').value",
            json!([])
        ),
        json!("raise")
    );
    d.click(&d.wait("#p-cancel", 5));
    title_is(&d, "Priya Raman");

    // A broken policy: everything it could lock is locked, and the window says where and why.
    std::fs::write(&policy, "[locked\n").unwrap();
    d.wait_until(
        "the broken policy",
        "return document.body.dataset.locked.split(' ').length === 10",
        10,
    );
    // The agent's own profile of that name is back: the broken policy provides none.
    d.wait_until(
        "the agent's own profiles",
        "return document.getElementById('profile-list').textContent.includes('acct / proj')",
        5,
    );
    d.click(&d.wait("#open-settings", 5));
    let status = d.text(&d.wait("#policy-status", 5));
    assert!(
        status.contains("policy.toml, line 1") && status.contains("cannot be used"),
        "{status}"
    );
    screenshot(&d, "policy-broken.png");
    d.click(&d.wait("#p-cancel", 5));
    look_up(&d, "demo-billing");
    title_is(&d, "Priya Raman");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_card_number_in_the_data_never_reaches_the_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let fixtures = tempfile::tempdir().unwrap();
    std::fs::write(
        fixtures.path().join("card.json"),
        r#"{"id": "paid-by-card", "data": {"customer": {"full_name": "Sam Card"},
            "card_number": "4111 1111 1111 1111", "payment": {"card": 5500000000000004, "cvv": "123"},
            "handoff_reason_summary": "Paid 378282246310005 then asked for a refund"}}"#,
    )
    .unwrap();
    let api = api_with_fixtures(fixtures.path());
    let (_home, env) = configured_home(&api, "Cards");
    let d = app(&[], &env);
    look_up(&d, "paid-by-card");
    title_is(&d, "Sam Card");
    let shown = |d: &webdriver::Driver| -> String {
        d.exec("return document.body.innerText", json!([]))
            .as_str()
            .unwrap()
            .to_owned()
    };
    let card = shown(&d);
    d.click(&d.wait("#toggle-raw", 5));
    d.wait("pre.raw", 5);
    let raw = shown(&d);
    for text in [&card, &raw] {
        // Card numbers are looked for across spaces and separators; the CVV only as a whole
        // number, since its three digits could be part of the clock ("12:38").
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        for planted in ["411111111111", "550000000000", "37828224631"] {
            assert!(!digits.contains(planted), "{planted} in {text}");
        }
        let mut numbers = text.split(|c: char| !c.is_ascii_digit());
        assert!(!numbers.any(|n| n == "123"), "the CVV in {text}");
        assert!(
            text.contains("•••• 1111") && text.contains("•••• 0005"),
            "{text}"
        );
    }
}

/// A stand-in for the system browser, first on the app's PATH: every page it is asked to open
/// is a line of the file it answers.
fn browser(home: &std::path::Path) -> (String, std::path::PathBuf) {
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

fn opened(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn clipboard() -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `text`'s digits alone, so a number is found however it is grouped.
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[test]
#[ignore = "needs Xvfb, xclip, dunst, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn an_admins_layout_shapes_the_card_links_open_the_record_once_and_nothing_sensitive_leaks() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let fixtures = tempfile::tempdir().unwrap();
    std::fs::write(fixtures.path().join("call.json"), readme::example("data")).unwrap();
    let api = api_with_fixtures(fixtures.path());
    let (home, mut env) = configured_home(&api, "Acme UK");
    // The README's layout, with the managed profile pointed at the sandbox.
    let layout = readme::layout_policy(&api.sandbox.base_url());
    let policy = home.path().join("policy.toml");
    std::fs::write(&policy, &layout).unwrap();
    env.push(("SCREENPOP_POLICY_FILE", policy.display().to_string()));
    let (path, log) = browser(home.path());
    env.push(("PATH", path));
    let notifications = Notifications::watch(home.path());
    let d = app(&[], &env);

    second_process(&env, &["screenpop://lookup?id=layout-example"]);
    title_is(&d, "Priya Raman");
    let text = |selector: &str| -> String {
        d.exec(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent).join('|')",
            json!([selector]),
        )
        .as_str()
        .unwrap()
        .to_owned()
    };
    assert_eq!(text("#card .card-head .reason"), "Billing dispute");
    assert_eq!(text(".highlights dt"), "Account|ID checked");
    assert!(
        text(".highlights dd").contains("Yes"),
        "{}",
        text(".highlights dd")
    );
    assert_eq!(
        text(".card-body > .fields > .field > dt"),
        "Balance|Handoff reason|Order ref|Paid with|Cvv",
        "named fields first; hidden ones, and the highlighted ones, not repeated"
    );
    // In the agent's locale: the symbol's spacing is the locale's.
    let money = text(".v-money");
    assert!(
        money.starts_with('£') && money.ends_with("42.10"),
        "{money}"
    );
    assert!(
        text(".card-body").contains("billing_dispute"),
        "the raw reason stays"
    );
    assert_eq!(
        text(".record-link"),
        "Open in Salesforceacme.my.salesforce.com|Find the orderorders.acme.example"
    );
    let salesforce = "https://acme.my.salesforce.com/lightning/r/Account/0015g00000XyZ12AAB/view";
    eventually(Duration::from_secs(10), || {
        check(!opened(&log).is_empty(), || {
            "auto_open never opened the record".to_owned()
        })
    });
    assert_eq!(opened(&log), [salesforce]);
    screenshot(&d, "layout.png");

    // Nothing sensitive, and no card number, anywhere the card's data goes.
    let card = text("#card");
    assert!(
        card.contains("••••") && card.contains("•••• 1111"),
        "{card}"
    );
    d.click(&d.wait("#copy-all", 5));
    eventually(Duration::from_secs(10), || {
        let copied = clipboard();
        check(copied.starts_with("Caller: Priya Raman"), || {
            format!("copy all: {copied}")
        })
    });
    d.wait("#recent li", 10);
    let notified = notifications.calls(1);
    assert!(
        notified.contains("string \"Billing dispute\""),
        "{notified}"
    );
    for (place, shown) in [
        ("the card", card),
        ("the clipboard", clipboard()),
        ("the notification", notified),
        ("the recent list", text("#recent")),
    ] {
        assert!(
            !digits(&shown).contains("411111111111"),
            "a card number in {place}: {shown}"
        );
        assert!(
            !shown.contains("1985") && !shown.contains("-0.4"),
            "{place}: {shown}"
        );
    }
    d.click(&d.wait("#toggle-raw", 5));
    let raw = text("pre.raw");
    assert!(
        raw.contains("\"date_of_birth\": \"••••\"") && !digits(&raw).contains("411111111111"),
        "{raw}"
    );
    assert!(!raw.contains("\"cvv\": \"123\""), "{raw}");
    d.click(&d.wait("#toggle-raw", 5));

    // Reveal asks the core for that one value.
    d.click(&d.wait(".reveal", 5));
    d.wait_until(
        "the date of birth",
        "return document.querySelector('.v-sensitive')?.textContent.includes('1985')",
        10,
    );

    // The same transfer again is a duplicate, and an id the agent types opens nothing.
    second_process(&env, &["screenpop://lookup?id=layout-example"]);
    look_up(&d, "layout-example");
    d.wait_until(
        "the typed card",
        "const c = document.getElementById('card'); return c.dataset.seq === '2' && c.classList.contains('filled')",
        10,
    );
    assert_eq!(opened(&log), [salesforce], "opened once per transfer");

    // The organisation turns masking off: the foot of the window says so, and the next card shows
    // the number.
    std::fs::write(&policy, format!("mask_card_numbers = false\n\n{layout}")).unwrap();
    d.wait_until(
        "the masking-off line",
        "return !document.getElementById('card-numbers-shown').hidden",
        15,
    );
    look_up(&d, "layout-example");
    d.wait_until(
        "the card with the number",
        "return document.getElementById('card').innerText.includes('4111 1111 1111 1111')",
        10,
    );
    assert!(
        !text("#card").contains("123\n"),
        "the security code stays hidden"
    );
}
