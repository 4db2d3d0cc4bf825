//! The command layer on Tauri's mock runtime: the real commands, the real capability file, the
//! real core, and the sandbox over loopback; only the window is simulated.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

#[path = "support/wait.rs"]
mod wait;
use wait::eventually;

use screenpop_core::desk::Desk;
use screenpop_lib::AppContext;
use screenpop_sandbox::{Sandbox, SandboxConfig};
use screenpop_settings::config::Settings;
use screenpop_settings::secret::MemoryKeys;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime};
use tauri::webview::{InvokeRequest, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    sandbox_url: String,
    sandbox_key: String,
    _sandbox: Sandbox,
    _runtime: tokio::runtime::Runtime,
}

fn harness(demo: bool) -> Harness {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxConfig::default()))
        .unwrap();
    let (sandbox_url, sandbox_key) = (sandbox.base_url(), sandbox.key().to_owned());
    let state = if demo {
        AppContext::demo().unwrap()
    } else {
        AppContext::with_desk(Desk::in_memory(
            Settings::default(),
            Arc::new(MemoryKeys::default()),
        ))
    };
    let app = screenpop_lib::builder(mock_builder())
        .manage(state)
        .build(tauri::generate_context!("tauri.conf.json"))
        .unwrap();
    screenpop_lib::start_pipeline(app.handle());
    screenpop_lib::start_push_sources(app.handle(), false);
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        _app: app,
        window,
        sandbox_url,
        sandbox_key,
        _sandbox: sandbox,
        _runtime: runtime,
    }
}

fn call(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &h.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The app's own origin on Linux and macOS.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: tauri::test::INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// Waits for the board's newest state to be pop `seq`, settled (a card or a failure).
fn settled(h: &Harness, seq: u64) -> Value {
    eventually(std::time::Duration::from_secs(10), || {
        let board = call(h, "board", json!({})).unwrap();
        let current = &board["current"];
        if current["seq"] == json!(seq)
            && matches!(current["stage"].as_str(), Some("card" | "failure"))
        {
            Ok(current.clone())
        } else {
            Err(format!("pop {seq} did not settle: {board}"))
        }
    })
}

#[test]
fn setup_then_lookup_through_the_commands() {
    let h = harness(false);
    let info = call(&h, "app_info", json!({})).unwrap();
    assert_eq!(info["demo"], json!(false));
    assert_eq!(
        info["paint_log"],
        json!(false),
        "no paint log unless asked for"
    );
    assert_eq!(
        call(&h, "profiles", json!({})).unwrap()["profiles"],
        json!([])
    );

    let parsed = call(
        &h,
        "parse_studio_url",
        json!({"url": "studio.eu.poly.ai/acme/brand-b"}),
    )
    .unwrap();
    assert_eq!(
        parsed,
        json!({"region": "euw-1", "account": "acme", "project": "brand-b"})
    );
    let bad = call(
        &h,
        "parse_studio_url",
        json!({"url": "https://example.com"}),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "bad_input");
    assert!(bad["message"]
        .as_str()
        .unwrap()
        .contains("Expected an Agent Studio address"));

    let form = json!({"name": "Local", "base_url": h.sandbox_url, "account": "a", "project": "p"});
    let saved = call(&h, "save_setup", json!({ "form": form })).unwrap();
    assert_eq!(saved["active"], "Local");
    assert_eq!(saved["profiles"][0]["has_key"], json!(false));

    // A lookup is handed to the pipeline and answered on the board (and as events).
    let asked = call(&h, "look_up", json!({"by": "id", "query": "demo-billing"})).unwrap();
    assert_eq!(asked, Value::Null);
    let failed = settled(&h, 1);
    assert_eq!(failed["stage"], "failure");
    assert_eq!(failed["error"]["kind"], "no_key");
    let mut with_key = form.clone();
    with_key["editing"] = json!("Local");
    with_key["key"] = json!(h.sandbox_key);
    call(&h, "save_setup", json!({ "form": with_key })).unwrap();
    let mut saved_form = form.clone();
    saved_form["editing"] = json!("Local");
    let tested = call(&h, "test_setup", json!({ "form": saved_form })).unwrap();
    assert_eq!(tested["error"], Value::Null, "{tested}");

    call(&h, "look_up", json!({"by": "id", "query": "demo-billing"})).unwrap();
    let shown = settled(&h, 2);
    assert_eq!(shown["origin"], "typed");
    let result = &shown["result"];
    assert_eq!(result["card"]["title"], "Priya Raman");
    assert_eq!(result["card"]["reason"], "Billing");
    assert_eq!(result["card"]["highlights"][0]["group"], "routing");
    assert!(result["text"]
        .as_str()
        .unwrap()
        .starts_with("Caller: Priya Raman"));
    // The recent list's lines carry what they show, not the whole card again.
    let recent = call(&h, "recent", json!({})).unwrap();
    assert_eq!(
        recent.as_array().unwrap().as_slice(),
        [json!({"title": "Priya Raman", "reason": "Billing", "at_ms": result["at_ms"]})]
    );

    // Nothing the page can call gives the key back.
    for cmd in ["app_info", "profiles", "recent", "board"] {
        let text = call(&h, cmd, json!({})).unwrap().to_string();
        assert!(!text.contains(&h.sandbox_key), "{cmd} leaks the key");
    }

    let err = call(&h, "open_link", json!({"url": "javascript:alert(1)"})).unwrap_err();
    assert_eq!(err["kind"], "bad_input");
    let err = call(&h, "open_link", json!({"url": "file:///etc/passwd"})).unwrap_err();
    assert_eq!(err["kind"], "bad_input");
    let err = call(&h, "simulate_transfer", json!({})).unwrap_err();
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("only in the demo"));

    let after = call(&h, "delete_profile", json!({"name": "local"})).unwrap();
    assert_eq!(after["profiles"], json!([]));
}

#[test]
fn the_demo_pops_its_callers_in_turn_without_a_page() {
    let h = harness(true);
    assert_eq!(
        call(&h, "app_info", json!({})).unwrap()["demo"],
        json!(true)
    );
    // No page listens: the demo agent answers in the Genesys Cloud stand-in, the source hears
    // it, and the pipeline looks the transfer up and keeps the card.
    assert_eq!(
        call(&h, "simulate_transfer", json!({})).unwrap(),
        Value::Null
    );
    let first = settled(&h, 1);
    assert_eq!(first["origin"], "genesys");
    assert_eq!(first["stage"], "card");
    let genesys = call(&h, "genesys_status", json!({})).unwrap();
    assert_eq!(genesys["state"], "connected", "{genesys}");
    assert_eq!(genesys["signed_in_as"], "Sam Agent", "{genesys}");
    call(&h, "simulate_transfer", json!({})).unwrap();
    let second = settled(&h, 2);
    assert_ne!(
        first["result"]["card"]["title"], second["result"]["card"]["title"],
        "the next caller"
    );
    // The recent list shows a caller again; Esc clears the card.
    call(&h, "show_recent", json!({"index": 1})).unwrap();
    let board = call(&h, "board", json!({})).unwrap();
    assert_eq!(board["current"]["origin"], "recent");
    assert_eq!(
        board["current"]["result"]["card"]["title"],
        first["result"]["card"]["title"]
    );
    let gone = call(&h, "show_recent", json!({"index": 20})).unwrap_err();
    assert_eq!(gone["kind"], "bad_input");
    call(&h, "clear_card", json!({})).unwrap();
    let board = call(&h, "board", json!({})).unwrap();
    assert_eq!(board["current"]["stage"], "empty");
}

#[test]
fn only_the_main_window_may_call_the_commands() {
    let h = harness(false);
    let other = WebviewWindowBuilder::new(&h.window, "other", Default::default())
        .build()
        .unwrap();
    let stranger = Harness { window: other, ..h };
    let err = call(&stranger, "app_info", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}
