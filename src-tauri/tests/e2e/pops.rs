//! Callers that arrive by themselves: the demo, deep links and `screenpop pop`, the background
//! notification, the local trigger, the clipboard shortcut, and the tray.

use std::process::Command;
use std::time::Duration;

use serde_json::json;

use crate::wait::{check, eventually};
use crate::window::*;

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
    assert!(text.contains("string \"Billing\""), "{text}");
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
