use proptest::prelude::*;
use serde_json::json;

use super::*;

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
            (HighlightGroup::Reason, "handoff_reason"),
            (HighlightGroup::Routing, "handoff_to"),
            (HighlightGroup::Identity, "customer.customer_id"),
        ]
    );
    let rest: Vec<_> = c.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(rest, ["Customer name", "Customer", "Notes"]);
    let Node::Section { fields, collapsed } = &c.fields[1].value else {
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
    assert_eq!(c.title, "Unknown caller");
    assert_eq!(c.value_count, 0);
    assert!(c.to_text().contains("stored no data"));
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
    let text = c.to_text();
    assert!(
        text.starts_with("Caller: Ana Lee\nHandoff reason summary:\n  • Wants refund\n  • Order 42 late\nVerified: yes\n"),
        "{text}"
    );
    assert!(text.contains("Agent Studio: https://studio.uk.poly.ai/a/p/conversations/conv-1"));
    assert!(text.contains("Orders:\n  • Id: 42\n"), "{text}");
    assert!(text.ends_with("(1 empty fields not shown.)\n"), "{text}");
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
        let _ = c.to_text();
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
        let text = c.to_text();
        prop_assert!(text.lines().all(ok));
    }
}
