//! The first run and the agent's own lookups: setting a profile up, the card and its tools,
//! and every failure with its next step.

use std::process::Command;

use screenpop_sandbox::Fault;
use serde_json::json;

use crate::catalogue;
use crate::window::*;

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_first_run_sets_a_profile_up_and_keeps_its_key_in_the_keychain_only() {
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
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_lookup_fills_the_card_and_its_tools_work() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (_home, env) = configured_home(&api, "Sandbox");
    let d = app(&[], &env);
    d.set_size(560, 820);

    // A lookup fills the card.
    look_up(&d, "demo-billing");
    expect_card(&d, 15, "filled");
    assert_eq!(d.text(&d.wait("#caller-title", 5)), "Priya Raman");
    let highlights = d.text(&d.wait(".highlights", 5));
    for want in ["Billing queue", "CUS-104882", "Yes"] {
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
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn each_failure_has_its_own_card_and_next_step() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (_home, env) = configured_home(&api, "Sandbox");
    let d = app(&[], &env);
    d.set_size(560, 820);

    look_up(&d, "nobody-by-this-id");
    expect_card(&d, 20, "failure-not_found");
    assert_eq!(d.text(&d.wait("#failure-action", 5)), "Try again");
    // Try again asks Rust to look the same id up again: the next pop, the same failure; "try
    // it as a shared id" asks for it as the other kind of id.
    let before = card_seq(&d);
    d.click(&d.wait("#failure-action", 5));
    d.wait_until(
        "the retried lookup",
        &format!(
            "return document.getElementById('card').dataset.seq === '{}' && document.getElementById('card').className.includes('failure-not_found')",
            before + 1
        ),
        20,
    );
    let tried = d.wait("#card .card-tools button:not(#failure-action)", 5);
    d.click(&tried);
    d.wait_until(
        "the lookup as a shared id",
        &format!(
            "return document.getElementById('card').dataset.seq === '{}' && document.getElementById('card').textContent.includes('nobody-by-this-id') && document.getElementById('by').value === 'shared_id' && document.getElementById('card').className.includes('failure-not_found')",
            before + 2
        ),
        20,
    );
    assert!(api.sandbox.requests().iter().any(|r| r
        .query
        .iter()
        .any(|(k, v)| k == "shared_id" && v == "nobody-by-this-id")));

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
