//! The relay in the real window: Twilio's signed form reaches the relay, NATS carries the pop,
//! and the card is painted; a NATS server restarted while a pop is sent loses nothing and shows
//! it once; a pop older than a minute shows nothing; Settings say how the connection stands.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use screenpop_api::relay::{Platform, PopMessage, VERSION};

use crate::local_relay::{LocalRelay, TENANT};
use crate::seat;
use crate::wait::{check, eventually};
use crate::window::*;

/// The relay status `screenpop relay status --json` prints for `profile`.
fn status(env: &[(&str, String)], profile: &str) -> Value {
    let out = second_process(env, &["relay", "status", "--profile", profile, "--json"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Appends `[profile.relay]` for `seat` on `server` (and `extra` lines) to the home's profile.
fn relay_profile(home: &tempfile::TempDir, server: &str, seat: &str, extra: &str) {
    let settings = home.path().join("config/screenpop/settings.toml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str(&format!(
        "\n[profile.relay]\nservers = [\"{server}\"]\ntenant = \"{TENANT}\"\nseat = \"{seat}\"\n{extra}"
    ));
    std::fs::write(&settings, text).unwrap();
}

/// What `screenpop doctor` says in this home and session, and its exit code.
fn doctor(env: &[(&str, String)]) -> (String, Option<i32>) {
    let r = Command::new(env!("CARGO_BIN_EXE_screenpop"))
        .arg("doctor")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&r.stdout).into_owned(),
        r.status.code(),
    )
}

fn window_is(env: &[(&str, String)], profile: &str, state: &str) {
    eventually(Duration::from_secs(30), || {
        let s = status(env, profile);
        check(s["window"]["state"] == state, || {
            format!("waiting for {state}: {s}")
        })
    });
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver, a Secret Service and nats-server: run `bash .ci/test`"]
fn a_call_accepted_in_twilio_pops_through_the_relay_once() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let mut relay = LocalRelay::start(&["alice"]);
    let (home, env) = configured_home(&api, "Relay");
    relay_profile(&home, &relay.tenant.nats.url(), "alice", "");
    // IT provisions the seat's password as it provisions the key.
    seat::store_key(
        Command::new("secret-tool"),
        "@relay:Relay",
        &relay.password("alice"),
    );

    let d = app(&[], &env);
    window_is(&env, "Relay", "connected");
    let before = card_seq(&d);
    assert_eq!(relay.twilio_accepted("EV1", "alice", "demo-billing"), 204);
    next_pop_is(&d, before, "Priya Raman");

    // The server restarts while a call is accepted: Twilio's retry (played here) gets through
    // once the relay is back, and the window, back too, shows the pop once.
    relay.tenant.nats.restart().unwrap();
    eventually(Duration::from_secs(30), || {
        let status = relay.twilio_accepted("EV2", "alice", "demo-nested");
        check(status == 204, || format!("the relay answered {status}"))
    });
    next_pop_is(&d, before + 1, "Tomasz Wiśniewski");
    window_is(&env, "Relay", "connected");

    // A pop more than a minute old shows nothing; the next real one does.
    let stale = PopMessage {
        v: VERSION,
        event_id: "EV-OLD".into(),
        platform: Platform::Twilio,
        call_id: None,
        seat: "alice".into(),
        id: Some("demo-orders".into()),
        shared_id: None,
        profile: None,
        ts: screenpop_relay::deliver::now_ms() - 61_000,
        state: None,
    };
    relay.publish_raw("alice", serde_json::to_vec(&stale).unwrap());
    // A pop the relay names a profile for is looked up with that one: here none of this seat's,
    // so it is refused, not shown with another profile's key.
    let elsewhere = PopMessage {
        event_id: "EV-ELSEWHERE".into(),
        id: Some("demo-summary".into()),
        profile: Some("Not on this seat".into()),
        ts: screenpop_relay::deliver::now_ms(),
        ..stale
    };
    relay.publish_raw("alice", serde_json::to_vec(&elsewhere).unwrap());
    assert_eq!(relay.twilio_accepted("EV3", "alice", "demo-unicode"), 204);
    next_pop_is(&d, before + 2, "Zoë Ångström-Nakamura");
    let s = status(&env, "Relay");
    assert_eq!(s["window"]["counts"]["pops"], 4, "{s}");
    assert_eq!(s["password_stored"], true, "{s}");

    // Settings say how it stands.
    d.click(&d.wait("#open-settings", 5));
    d.wait_until(
        "the relay's status",
        "return document.getElementById('r-status').textContent === 'Connected as seat alice.'",
        20,
    );
    d.exec(
        "document.getElementById('relay-section').scrollIntoView(); return 1",
        serde_json::json!([]),
    );
    screenshot(&d, "relay.png");
    let (said, _) = doctor(&env);
    assert!(
        said.contains("ok   relay: Seat \"alice\" of \"acme\"."),
        "{said}"
    );
    // The same in the locale's language, the counts included.
    let r = Command::new(env!("CARGO_BIN_EXE_screenpop"))
        .arg("doctor")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env_remove("SCREENPOP_LANGUAGE")
        .env("LANG", "de_DE.UTF-8")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&r.stdout);
    assert!(
        said.contains("Platz „alice“ von „acme“. Das Fenster ist seit ")
            && said.contains(" verbunden. Anrufe: Ereignisse "),
        "{said}"
    );
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver, a Secret Service and nats-server: run `bash .ci/test`"]
fn a_pop_crosses_the_cluster_from_the_relays_node_to_the_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let relay = LocalRelay::on_nodes(2, &["bob"]);
    let (home, env) = configured_home(&api, "Relay");
    // The window knows only the other node.
    relay_profile(&home, &relay.tenant.others[0].url(), "bob", "");
    seat::store_key(
        Command::new("secret-tool"),
        "@relay:Relay",
        &relay.password("bob"),
    );
    let d = app(&[], &env);
    window_is(&env, "Relay", "connected");
    let before = card_seq(&d);
    assert_eq!(relay.twilio_accepted("EV-C", "bob", "demo-orders"), 204);
    next_pop_is(&d, before, "Marcus Oyelaran-Smith");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver, a Secret Service and nats-server: run `bash .ci/test`"]
fn a_seat_holding_no_key_pops_and_looks_up_through_the_relay() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    api.sandbox.add_state(screenpop_sandbox::StoredState {
        id: Some("conv-card".into()),
        shared_id: None,
        data: serde_json::from_value(serde_json::json!({
            "customer_name": "Dana Card",
            "card_number": "4111 1111 1111 1111",
        }))
        .unwrap(),
    });
    let relay = LocalRelay::keyless(&["carol"], &api.sandbox.base_url(), api.sandbox.key());
    let (home, env) = crate::window::home();
    // The seat's profile names an API host it could never reach, and its keychain holds only
    // the relay password: whatever pops, the relay looked up.
    seat::write_profile(
        &home.path().join("config"),
        "Keyless",
        "https://polyai.invalid",
        "",
    );
    relay_profile(
        &home,
        &relay.tenant.nats.url(),
        "carol",
        "polyai_key = \"relay\"\n",
    );
    seat::store_key(
        Command::new("secret-tool"),
        "@relay:Keyless",
        &relay.password("carol"),
    );
    let keys = Command::new("secret-tool")
        .args(["lookup", "service", "screenpop", "username", "Keyless"])
        .output()
        .unwrap();
    assert!(keys.stdout.is_empty(), "this seat holds no PolyAI key");

    let d = app(&[], &env);
    window_is(&env, "Keyless", "connected");

    // A pushed pop brings its state, the card number already cut.
    let before = card_seq(&d);
    assert_eq!(relay.twilio_accepted("EVK1", "carol", "conv-card"), 204);
    next_pop_is(&d, before, "Dana Card");
    let page = d
        .exec(
            "return document.getElementById('card').textContent",
            serde_json::json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned();
    assert!(page.contains("1111") && !page.contains("4111"), "{page}");

    // A pasted id is asked of the relay.
    look_up(&d, "demo-orders");
    title_is(&d, "Marcus Oyelaran-Smith");
    let audit = relay.tenant.audit();
    assert!(
        audit.contains("\"how\":\"pushed\"") && audit.contains("\"how\":\"asked\""),
        "{audit}"
    );
    assert!(
        !audit.contains("Dana") && !audit.contains("Marcus"),
        "{audit}"
    );

    // Settings show no key field, and say why.
    d.click(&d.wait("#open-settings", 5));
    d.wait_until(
        "the relay's words instead of the key field",
        "return document.getElementById('p-key-field').hidden && !document.getElementById('p-key-relay').hidden",
        10,
    );
    screenshot(&d, "relay-keyless.png");

    // doctor checks the relay instead of the key.
    let (said, code) = doctor(&env);
    assert!(
        said.contains("The relay holds this profile's PolyAI key"),
        "{said}"
    );
    assert!(said.contains("The relay answers this seat"), "{said}");
    assert_eq!(code, Some(0), "{said}");
}
