//! What the card shows: every value kind, card numbers kept out, and an admin's layout with its
//! links.

use std::time::Duration;

use serde_json::json;

use crate::wait::{check, eventually};
use crate::window::*;
use crate::{readme, webdriver};

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
        Scalar::Code {
            text: "billing_queue".into(),
            words: "Billing queue".into(),
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
            | Scalar::Code { .. }
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
    let code = rendered.iter().find(|r| r["kind"] == "code").unwrap();
    assert_eq!(
        code["text"], "Billing queue",
        "a code is shown as its words"
    );
    // (What a value copies as is Rust's: screenpop-card's `copied`, tested there.)
    assert_eq!(rendered[kinds]["text"], "From the future");
    assert!(rendered[kinds + 1]["text"]
        .as_str()
        .unwrap()
        .contains("another_kind"));
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
    assert_eq!(
        d.exec(
            "return [...document.querySelectorAll('.card-body .v-code')].map((e) => e.title + '=' + e.textContent).join('|')",
            json!([]),
        ),
        "billing_dispute=Billing dispute",
        "the reason's field reads as words, its code kept on hover"
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

/// The recent list's names, top to bottom.
fn recent_names(d: &webdriver::Driver) -> Vec<String> {
    let names = d.exec(
        "return [...document.querySelectorAll('#recent .recent-name')].map((e) => e.textContent)",
        json!([]),
    );
    serde_json::from_value(names).unwrap()
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_recent_list_draws_each_new_caller_on_top_and_stays_what_rust_keeps() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let fixtures = tempfile::tempdir().unwrap();
    let name = |n: usize| format!("Caller {n:02}");
    for n in 0..22 {
        let state =
            json!({"id": format!("caller-{n:02}"), "data": {"customer": {"full_name": name(n)}}});
        std::fs::write(
            fixtures.path().join(format!("caller-{n:02}.json")),
            state.to_string(),
        )
        .unwrap();
    }
    let api = api_with_fixtures(fixtures.path());
    let (_home, env) = configured_home(&api, "Recent");
    let d = app(&[], &env);
    // Each new caller's line on top, the others moved down, the oldest dropped after twenty.
    let mut want: Vec<String> = Vec::new();
    for n in 0..22 {
        // The line on top now is marked: drawn once, it is the same element one line down next.
        d.exec(
            "const top = document.querySelector('#recent li'); if (top) top.dataset.kept = arguments[0]; return 1",
            json!([n.to_string()]),
        );
        look_up(&d, &format!("caller-{n:02}"));
        title_is(&d, &name(n));
        want.insert(0, name(n));
        want.truncate(20);
        eventually(Duration::from_secs(10), || {
            let got = recent_names(&d);
            check(got == want, || format!("after {}: {got:?}", name(n)))
        });
        if n > 0 {
            let kept = d.exec(
                "return document.querySelector('#recent li:nth-child(2)').dataset.kept || null",
                json!([]),
            );
            assert_eq!(
                kept,
                json!(n.to_string()),
                "the line below is not drawn again"
            );
        }
    }
    // Looked up again: Rust moves it to the top; the list is drawn again in its new order.
    look_up(&d, "caller-10");
    title_is(&d, &name(10));
    want.retain(|w| *w != name(10));
    want.insert(0, name(10));
    eventually(Duration::from_secs(10), || {
        let got = recent_names(&d);
        check(got == want, || {
            format!("after looking 10 up again: {got:?}")
        })
    });
    // A line picked shows its own caller, whatever came since it was drawn.
    d.click(&d.wait("#recent li:nth-child(3) button", 5));
    title_is(&d, &want[2]);
}
