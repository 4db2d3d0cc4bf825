use proptest::prelude::*;
use serde_json::json;

use screenpop_words::{Catalogue, Language};

use super::*;

/// "Copy all" in English (the catalogues' own tests hold every language to its keys).
fn english() -> &'static Catalogue {
    Catalogue::of(Language::En)
}

fn state(data: Value) -> HandoffState {
    HandoffState {
        id: Some("conv-1".into()),
        shared_id: None,
        data: data.as_object().cloned().unwrap_or_default(),
    }
}

fn card(data: Value) -> Card {
    Card::build(&state(data), None)
}

/// Scalars and empty containers in `v`: what the card must show, each once.
fn leaves(v: &Value) -> usize {
    match v {
        Value::Object(m) if !m.is_empty() => m.values().map(leaves).sum(),
        Value::Array(a) if !a.is_empty() => a.iter().map(leaves).sum(),
        _ => 1,
    }
}

#[test]
fn title_highlights_and_the_rest() {
    let c = card(json!({
        "customer_name": "Priya Raman",
        "handoff_reason": "BILLING",
        "handoff_to": "billing_queue",
        "customer": {"customer_id": "CUS-1", "tier": "gold"},
        "notes": ""
    }));
    assert_eq!(c.title, "Priya Raman");
    assert!(c.title_is_name);
    let hl: Vec<_> = c
        .highlights
        .iter()
        .map(|h| (h.group, h.field.path.as_str()))
        .collect();
    assert_eq!(
        hl,
        [
            (HighlightGroup::Routing, "handoff_to"),
            (HighlightGroup::Identity, "customer.customer_id"),
        ]
    );
    let rest: Vec<_> = c.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(c.reason.as_deref(), Some("Billing"));
    assert_eq!(
        c.highlights[0].field.value,
        Node::Value {
            value: Scalar::Code {
                text: "billing_queue".into(),
                words: "Billing queue".into()
            }
        },
        "a code reads as words, and is kept as written"
    );
    assert_eq!(
        rest,
        ["Customer name", "Handoff reason", "Customer", "Notes"],
        "the reason line's raw value stays in the field list"
    );
    let Node::Section { fields, collapsed } = &c.fields[2].value else {
        panic!("section")
    };
    assert!(!collapsed);
    assert_eq!(fields.len(), 1, "the highlighted id is not shown twice");
    assert_eq!((c.value_count, c.empty_count), (6, 1));
}

#[test]
fn without_a_name_the_best_identifier_is_the_title() {
    let c = card(json!({"account_number": "7700", "x": 1}));
    assert_eq!((c.title.as_str(), c.title_is_name), ("7700", false));
    let c = card(json!({}));
    assert_eq!(
        c.title, "",
        "each place words the unknown caller in its language"
    );
    assert_eq!(c.value_count, 0);
    assert!(c
        .to_text(english())
        .contains("\n(The voice agent stored no data for this call.)\n"));
    assert!(c.to_text(english()).starts_with("Caller: Unknown caller\n"));
}

#[test]
fn lists_of_flat_objects_become_tables() {
    let c = card(json!({"open_orders": [
        {"order": "A1", "total": 12.5},
        {"order": "B2", "status": "late"}
    ], "tags": ["vip", "callback"]}));
    let Node::Table { columns, rows } = &c.fields[0].value else {
        panic!("{:?}", c.fields[0].value)
    };
    assert_eq!(columns, &["Order", "Total", "Status"]);
    assert_eq!(rows[1][1], None, "a hole, not an empty value");
    assert!(matches!(&c.fields[1].value, Node::List { items } if items.len() == 2));
}

#[test]
fn deep_sections_start_collapsed() {
    let c = card(json!({"a": {"b": {"c": {"d": 1}}}}));
    let Node::Section { fields, collapsed } = &c.fields[0].value else {
        panic!()
    };
    assert!(!collapsed);
    let Node::Section { fields, collapsed } = &fields[0].value else {
        panic!()
    };
    assert!(!collapsed);
    let Node::Section { collapsed, .. } = &fields[0].value else {
        panic!()
    };
    assert!(collapsed, "third level");
}

#[test]
fn text_follows_the_card() {
    let c = Card::build(
        &state(json!({
            "first_name": "Ana", "last_name": "Lee",
            "handoff_reason_summary": "Wants refund/nOrder 42 late",
            "verified": true,
            "orders": [{"id": 42}],
            "notes": null
        })),
        Url::parse("https://studio.uk.poly.ai/a/p/conversations/conv-1")
            .ok()
            .as_ref(),
    );
    let text = c.to_text(english());
    assert!(
        text.starts_with("Caller: Ana Lee\nReason: Wants refund; Order 42 late\nVerified: Yes\n"),
        "{text}"
    );
    assert!(text.contains("Agent Studio: https://studio.uk.poly.ai/a/p/conversations/conv-1"));
    assert!(text.contains("Orders:\n  • Id: 42\n"), "{text}");
    assert!(text.ends_with("\n(1 empty field not shown.)\n"), "{text}");
}

#[test]
fn hostile_text_is_inert_everywhere() {
    let c = card(json!({
        "customer_name": "<img src=x onerror=alert(1)>\u{202E}Eve",
        "<b>key</b>\u{200B}": "javascript:alert(1)"
    }));
    assert_eq!(c.title, "<img src=x onerror=alert(1)>\u{FFFD}Eve");
    assert_eq!(c.fields[1].label, "<b>key</b>\u{FFFD}");
    assert!(matches!(
        &c.fields[1].value,
        Node::Value {
            value: Scalar::Text { .. }
        }
    ));
}

#[test]
fn thousands_of_fields_and_deep_nesting_build_quickly_and_collapse() {
    let mut wide = serde_json::Map::new();
    for i in 0..5_000 {
        wide.insert(format!("field_{i}"), json!(format!("value {i}")));
    }
    let mut deep = json!({"leaf": "bottom"});
    for i in 0..60 {
        deep = json!({ format!("level_{i}"): deep });
    }
    wide.insert("deep".into(), deep);
    let c = card(Value::Object(wide));
    assert_eq!(c.value_count, 5_001);
    let mut node = &c.fields.last().expect("deep").value;
    let mut depth = 0;
    while let Node::Section { fields, collapsed } = node {
        assert_eq!(*collapsed, depth + 1 >= COLLAPSE_DEPTH, "depth {depth}");
        node = &fields[0].value;
        depth += 1;
    }
    assert_eq!(depth, 61);
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z0-9 +@./:_-]{0,24}".prop_map(Value::String),
        prop_oneof![
            Just("handoff_reason"),
            Just("name"),
            Just("https://x.example/a"),
            Just("a/nb"),
            Just("+447700900123"),
            Just("2026-01-02")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("handoff_reason".to_owned()),
                        Just("queue".to_owned()),
                        Just("customer_id".to_owned()),
                        Just("phone".to_owned()),
                        "[a-zA-Z_]{1,10}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn every_value_is_shown_exactly_once(data in prop::collection::btree_map("[a-z_]{1,12}", arb_json(), 0..8)) {
        let data = Value::Object(data.into_iter().collect());
        let c = card(data.clone());
        let _ = c.to_text(english());
        prop_assert_eq!(c.value_count, data.as_object().map_or(0, |m| m.values().map(leaves).sum()));
        prop_assert!(c.empty_count <= c.value_count);
        for f in c.highlights.iter().map(|h| &h.field).chain(&c.fields) {
            prop_assert!(!f.label.is_empty());
        }
    }

    #[test]
    fn any_string_is_inert_in_the_card(s in any::<String>()) {
        let c = card(json!({"customer_name": s.clone(), "notes": s}));
        let ok = |t: &str| !t.chars().any(|ch| ch.is_control() || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}'));
        prop_assert!(ok(&c.title));
        let text = c.to_text(english());
        prop_assert!(text.lines().all(ok));
    }
}

fn shaped(data: Value, layout: &str) -> Card {
    let layout = Layout::from_text(layout).expect("layout");
    Card::shaped(&state(data), None, &layout)
}

#[test]
fn a_layout_sets_labels_order_highlights_hiding_title_and_formats() {
    let c = shaped(
        json!({
            "name": "P. Raman",
            "customer": {"full_name": "Priya Raman", "account_number": "7700441209", "dob": "1980-04-01"},
            "handoff_reason_summary": "billing_dispute",
            "internal_score": 0.3,
            "internal_notes": "x",
            "balance": "42.10",
            "callback_ok": "Y",
            "when": "2026-11-30T10:00:00Z",
            "tags": ["a", "b"]
        }),
        r#"
        title = ["customer.full_name", "name"]
        reason = ["handoff_reason_summary"]
        [[fields]]
        path = "customer.account_number"
        label = "Account"
        highlight = true
        format = "text"
        [[fields]]
        path = "internal_*"
        hide = true
        [[fields]]
        path = "balance"
        label = "Balance"
        format = "money:GBP"
        [[fields]]
        path = "callback_ok"
        format = "yes_no"
        [[fields]]
        path = "when"
        format = "date"
        [[fields]]
        path = "customer.dob"
        label = "Date of birth"
        sensitive = true
        "#,
    );
    assert_eq!((c.title.as_str(), c.title_is_name), ("Priya Raman", true));
    assert_eq!(c.reason.as_deref(), Some("Billing dispute"));
    let hl: Vec<_> = c
        .highlights
        .iter()
        .map(|h| (h.group, h.field.label.as_str(), h.field.value.clone()))
        .collect();
    assert_eq!(
        hl,
        [(
            HighlightGroup::Chosen,
            "Account",
            Node::Value {
                value: Scalar::Text {
                    text: "7700441209".into()
                }
            }
        )],
        "only the layout's highlights"
    );
    let labels: Vec<_> = c.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Balance",
            "Callback ok",
            "When",
            "Name",
            "Customer",
            "Handoff reason summary",
            "Tags"
        ],
        "named fields first, in the layout's order; hidden ones gone"
    );
    let value = |i: usize| match &c.fields[i].value {
        Node::Value { value } => value.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        value(0),
        Scalar::Money {
            amount: "42.10".into(),
            currency: "GBP".into()
        }
    );
    assert_eq!(value(1), Scalar::Bool { value: true });
    assert!(matches!(
        value(2),
        Scalar::DateTime {
            date_only: true,
            ..
        }
    ));
    let Node::Section { fields, .. } = &c.fields[4].value else {
        panic!("section")
    };
    assert_eq!(fields[0].label, "Date of birth");
    assert_eq!(
        fields[0].value,
        Node::Value {
            value: Scalar::Sensitive {
                path: "customer.dob".into()
            }
        }
    );
    assert!(matches!(
        c.reveal("customer.dob"),
        Some(Scalar::DateTime { .. })
    ));
    let text = c.to_text(english());
    assert!(
        !text.contains("1980") && !text.contains("internal") && !text.contains("0.3"),
        "{text}"
    );
    assert!(text.contains("Reason: Billing dispute"), "{text}");
}

#[test]
fn with_no_layout_a_reason_code_reads_as_words_and_stays_raw_in_the_fields() {
    let c = card(json!({"name": "Marcus", "reason": "customer_refund"}));
    assert_eq!(c.reason.as_deref(), Some("Customer refund"));
    assert!(c.to_text(english()).contains("Reason: customer_refund"));
}

#[test]
fn a_value_that_does_not_fit_its_format_is_shown_as_it_is() {
    let c = shaped(
        json!({"balance": "call us", "ok": "maybe", "d": "soon"}),
        "[[fields]]\npath = \"balance\"\nformat = \"money:EUR\"\n[[fields]]\npath = \"ok\"\nformat = \"yes_no\"\n[[fields]]\npath = \"d\"\nformat = \"date\"\n",
    );
    // Each is shown as the smart card would show it, its text exactly as written.
    for (f, raw) in c.fields.iter().zip(["call us", "maybe", "soon"]) {
        let Node::Value { value } = &f.value else {
            panic!("{f:?}")
        };
        assert!(
            matches!(value, Scalar::Text { .. } | Scalar::Code { .. }),
            "{f:?}"
        );
        assert_eq!(value.copied(), raw);
    }
}

#[test]
fn hidden_and_sensitive_values_never_become_the_title_or_the_reason() {
    let c = shaped(
        json!({"customer_name": "Priya", "handoff_reason": "secret_thing", "customer_id": "C1"}),
        "[[fields]]\npath = \"customer_name\"\nsensitive = true\n[[fields]]\npath = \"handoff_reason\"\nhide = true\n",
    );
    assert_eq!((c.title.as_str(), c.title_is_name), ("C1", false));
    assert_eq!(c.reason, None);
}

#[test]
fn rules_reach_into_lists() {
    let c = shaped(
        json!({"orders": [{"id": "A", "card_ref": "x1"}, {"id": "B", "card_ref": "x2"}]}),
        "[[fields]]\npath = \"orders[].card_ref\"\nhide = true\n",
    );
    let Node::List { items } = &c.fields[0].value else {
        panic!("{:?}", c.fields[0].value)
    };
    assert_eq!(items.len(), 2);
    assert!(!c.to_text(english()).contains("x1"));
}

#[test]
fn codes_read_as_words_unless_the_layout_says_text_or_the_key_names_an_identifier() {
    let c = shaped(
        json!({"queue": "billing_queue", "verified_by": "date_of_birth_and_postcode", "plan": "GOLD_PLUS", "username": "priya_r", "team": "first_line"}),
        "[[fields]]\npath = \"team\"\nformat = \"text\"\n",
    );
    let shown: BTreeMap<&str, &Node> = c
        .highlights
        .iter()
        .map(|h| &h.field)
        .chain(&c.fields)
        .map(|f| (f.path.as_str(), &f.value))
        .collect();
    let code = |text: &str, words: &str| Node::Value {
        value: Scalar::Code {
            text: text.into(),
            words: words.into(),
        },
    };
    let text = |text: &str| Node::Value {
        value: Scalar::Text { text: text.into() },
    };
    assert_eq!(shown["queue"], &code("billing_queue", "Billing queue"));
    assert_eq!(
        shown["verified_by"],
        &code("date_of_birth_and_postcode", "Date of birth and postcode")
    );
    assert_eq!(shown["plan"], &code("GOLD_PLUS", "Gold plus"));
    assert_eq!(shown["username"], &text("priya_r"));
    assert_eq!(
        shown["team"],
        &text("first_line"),
        "the layout's format = \"text\""
    );
    // Copied text, "copy all" and the JSON the page gets keep the code as written.
    assert_eq!(shown["queue"].copied(), "billing_queue");
    assert!(c.to_text(english()).contains("Queue: billing_queue"));
    let json = serde_json::to_value(shown["queue"]).unwrap();
    assert_eq!(json["value"]["kind"], "code");
    assert_eq!(json["value"]["text"], "billing_queue");
    assert_eq!(json["value"]["words"], "Billing queue");
}
