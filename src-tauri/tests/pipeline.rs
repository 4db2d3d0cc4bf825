//! The pop pipeline in the real app: what happens with the window in the tray and no page
//! loaded, a cold start whose lookup finishes before the page loads, and twenty pops
//! started together. Run by `bash .ci/test` under Xvfb with dunst and gnome-keyring.
// WebKitWebDriver, Xvfb, dunst and gnome-keyring: Linux only (the Windows programs are
// checked under Wine by `.ci/wine`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/seat.rs"]
mod seat;
#[path = "support/wait.rs"]
mod wait;
#[path = "support/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;
#[path = "support/window.rs"]
mod window;

use std::sync::{Arc, Barrier};

use screenpop_sandbox::{Fault, FaultPlan, StoredState};
use serde_json::json;
use window::*;

#[test]
#[ignore = "needs Xvfb, openbox, dunst, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_link_to_the_app_in_the_tray_notifies_without_the_page() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let _wm = window_manager();
    let api = api();
    let (home, env) = configured_home(&api, "Tray");
    let notifications = Notifications::watch(home.path());
    let d = app(&[], &env);
    wait_visible(true);

    // No page at all: the window shows a document without the app's code, which can neither
    // listen nor call Rust. Whatever happens next, the page cannot be what drives it.
    d.exec("location.replace('about:blank'); return 1", json!([]));
    d.wait_until(
        "the app's page to be gone",
        "return location.href === 'about:blank' && !document.getElementById('card')",
        10,
    );
    close_to_tray();

    second_process(&env, &["screenpop://lookup?id=demo-billing"]);
    let text = notifications.calls(1);
    assert!(text.contains("string \"Priya Raman\""), "{text}");
    assert!(text.contains("string \"Billing\""), "{text}");
    assert!(
        !window_visible(),
        "a notification does not take the agent away"
    );

    // One Notify per caller: the next caller's call comes second, and the first came once.
    second_process(&env, &["screenpop://lookup?id=demo-orders"]);
    let text = notifications.calls(2);
    assert_eq!(text.matches("member=Notify").count(), 2, "{text}");
    assert_eq!(text.matches("string \"Priya Raman\"").count(), 1, "{text}");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_cold_start_shows_the_card_its_lookup_found_before_the_page_loaded() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (_home, env) = configured_home(&api, "Cold");
    let d = app(&["screenpop://lookup?id=demo-nested"], &env);
    title_is(&d, "Tomasz Wiśniewski");
    // The sandbox answers in a millisecond, the page takes hundreds to load: the card was
    // already on the board when the page first looked, and one lookup was made.
    d.wait_until(
        "the page's first look at the board",
        "return document.body.dataset.boardStage",
        10,
    );
    assert_eq!(
        d.exec("return document.body.dataset.boardStage", json!([])),
        json!("card")
    );
    assert_eq!(api.sandbox.requests().len(), 1);
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn twenty_pops_started_together_end_on_the_last_and_stop_the_others() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    for i in 0..20 {
        let mut data = serde_json::Map::new();
        data.insert("caller_name".into(), json!(format!("Burst caller {i}")));
        api.sandbox.add_state(StoredState {
            id: Some(format!("burst-{i}")),
            shared_id: None,
            data,
        });
    }
    let (_home, env) = configured_home(&api, "Burst");
    let d = app(&[], &env);
    // Every state is "not saved yet" for a second, so all twenty lookups are in flight at once.
    api.sandbox.set_faults(FaultPlan {
        fault: Some(Fault::PendingFor { ms: 1_000 }),
        ..FaultPlan::default()
    });
    let start = Arc::new(Barrier::new(20));
    let pops: Vec<_> = (0..20)
        .map(|i| {
            let (env, start) = (env.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                second_process(&env, &[&format!("screenpop://lookup?id=burst-{i}")]);
            })
        })
        .collect();
    for p in pops {
        p.join().unwrap();
    }
    // The card ends on the twentieth pop's (the newest), showing its own caller.
    d.wait_until(
        "the twentieth pop",
        "return document.getElementById('card').dataset.seq === '20'",
        20,
    );
    expect_card(&d, 20, "filled");
    let meta = d.text(&d.wait("#card .meta span", 5));
    let shown: String = meta
        .split_whitespace()
        .find(|w| w.starts_with("burst-"))
        .unwrap()
        .to_owned();
    let n = shown.trim_start_matches("burst-");
    title_is(&d, &format!("Burst caller {n}"));
    // The others stopped when they were replaced, a second before the last one's state was
    // saved: each asked at most twice, while the last kept asking until it was there.
    let asked = |id: &str| {
        api.sandbox
            .requests()
            .iter()
            .filter(|r| r.query.iter().any(|(_, v)| v == id))
            .count()
    };
    for i in 0..20 {
        let id = format!("burst-{i}");
        if id == shown {
            assert!(asked(&id) >= 2, "{id} asked {} times", asked(&id));
        } else {
            assert!(asked(&id) <= 2, "{id} kept asking: {} times", asked(&id));
        }
    }
}
