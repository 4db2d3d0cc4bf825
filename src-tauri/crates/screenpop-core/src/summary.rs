//! A plain-text rendering of a handoff state for the terminal: the caller first, then every
//! field with a readable label. Caller data is printed inertly: control characters, including
//! terminal escape sequences and bidi overrides, are replaced, never interpreted.

use serde_json::{Map, Value};

use crate::HandoffState;

/// Keys that name the caller, best first.
const NAME_KEYS: [&str; 6] = [
    "name",
    "customer_name",
    "caller_name",
    "full_name",
    "contact_name",
    "display_name",
];
/// Keys that say why the call was handed over, best first.
const REASON_KEYS: [&str; 5] = [
    "handoff_reason",
    "reason",
    "handoff_reason_summary",
    "routing_reason",
    "intent",
];

/// Renders `state` as indented text lines.
pub fn render_text(state: &HandoffState) -> String {
    let mut out = String::new();
    let title = caller_name(&state.data).unwrap_or_else(|| "Unknown caller".to_owned());
    out.push_str(&format!("Caller: {}\n", inert(&title)));
    if let Some(reason) = first_text(&state.data, &REASON_KEYS) {
        out.push_str(&format!("Reason: {}\n", inert(&reason.replace("/n", "; "))));
    }
    if let Some(id) = &state.id {
        out.push_str(&format!("Conversation id: {}\n", inert(id)));
    }
    if let Some(shared) = &state.shared_id {
        out.push_str(&format!("Shared id: {}\n", inert(shared)));
    }
    if state.data.is_empty() {
        out.push_str("\n(The voice agent stored no data for this call.)\n");
        return out;
    }
    out.push('\n');
    write_map(&mut out, &state.data, 0);
    out
}

/// The caller's name, from the usual keys at any depth, or `first_name` + `last_name`.
pub fn caller_name(data: &Map<String, Value>) -> Option<String> {
    if let Some(name) = first_text(data, &NAME_KEYS) {
        return Some(name);
    }
    let first = find_text(data, "first_name");
    let last = find_text(data, "last_name");
    match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(n), None) | (None, Some(n)) => Some(n),
        (None, None) => None,
    }
}

fn first_text(data: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| find_text(data, k))
}

/// A non-empty string or number under `key`, searched breadth-first so shallow keys win.
fn find_text(data: &Map<String, Value>, key: &str) -> Option<String> {
    let mut level: Vec<&Map<String, Value>> = vec![data];
    for _ in 0..8 {
        let mut next = Vec::new();
        for map in level {
            for (k, v) in map {
                if k.eq_ignore_ascii_case(key) {
                    match v {
                        Value::String(s) if !s.trim().is_empty() => {
                            return Some(s.trim().to_owned())
                        }
                        Value::Number(n) => return Some(n.to_string()),
                        _ => {}
                    }
                }
                if let Value::Object(child) = v {
                    next.push(child);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    None
}

fn write_map(out: &mut String, map: &Map<String, Value>, depth: usize) {
    for (key, value) in map {
        write_field(out, &label(key), value, depth);
    }
}

fn write_field(out: &mut String, label: &str, value: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Object(child) if child.is_empty() => {
            out.push_str(&format!("{pad}{label}: (empty)\n"))
        }
        Value::Object(child) => {
            out.push_str(&format!("{pad}{label}:\n"));
            write_map(out, child, depth + 1);
        }
        Value::Array(items) if items.is_empty() => out.push_str(&format!("{pad}{label}: (none)\n")),
        Value::Array(items) => {
            out.push_str(&format!("{pad}{label}:\n"));
            for (i, item) in items.iter().enumerate() {
                write_field(out, &format!("{}.", i + 1), item, depth + 1);
            }
        }
        Value::String(s) if s.contains("/n") || s.contains('\n') => {
            out.push_str(&format!("{pad}{label}:\n"));
            for line in s
                .split("/n")
                .flat_map(|p| p.split('\n'))
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                out.push_str(&format!("{pad}  • {}\n", inert(line)));
            }
        }
        other => out.push_str(&format!("{pad}{label}: {}\n", inert(&scalar(other)))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.trim().is_empty() => "—".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => String::new(),
    }
}

/// `handoff_reason_summary` → "Handoff reason summary", `customerId` → "Customer id".
pub fn label(key: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' || c.is_whitespace() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    if words.is_empty() {
        return inert(key);
    }
    let mut text = words
        .iter()
        .map(|w| {
            if w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) {
                w.clone()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(first) = text.chars().next() {
        let upper: String = first.to_uppercase().collect();
        text.replace_range(..first.len_utf8(), &upper);
    }
    inert(&text)
}

/// Replaces control and format characters (escape sequences, bidi overrides, zero-width
/// characters) with visible placeholders so caller data cannot restyle the terminal.
pub fn inert(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || is_invisible_format(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(data: Value) -> HandoffState {
        let Value::Object(data) = data else {
            panic!("object")
        };
        HandoffState {
            id: Some("conv-1".into()),
            shared_id: None,
            data,
        }
    }

    #[test]
    fn labels_read_like_words() {
        assert_eq!(label("handoff_reason_summary"), "Handoff reason summary");
        assert_eq!(label("customerId"), "Customer id");
        assert_eq!(label("ANI"), "ANI");
        assert_eq!(label("from_"), "From");
        assert_eq!(label("__"), "__");
    }

    #[test]
    fn names_are_found_nested_or_composed() {
        assert_eq!(
            caller_name(&state(json!({"customer": {"name": "Ana"}})).data).as_deref(),
            Some("Ana")
        );
        assert_eq!(
            caller_name(&state(json!({"first_name": "Ana", "last_name": "Lee"})).data).as_deref(),
            Some("Ana Lee")
        );
        assert_eq!(caller_name(&state(json!({"x": 1})).data), None);
    }

    #[test]
    fn renders_every_value_inertly() {
        let text = render_text(&state(json!({
            "customer_name": "Ana \u{202E}Lee\u{1b}[31m",
            "verified": true,
            "handoff_reason_summary": "Wants refund/nOrder 42 late",
            "orders": [{"id": 42}],
            "notes": null
        })));
        assert!(
            text.starts_with("Caller: Ana \u{FFFD}Lee\u{FFFD}[31m\n"),
            "{text}"
        );
        assert!(text.contains("Verified: yes"));
        assert!(
            text.contains("  • Wants refund\n  • Order 42 late"),
            "{text}"
        );
        assert!(text.contains("Orders:\n  1.:\n    Id: 42"), "{text}");
        assert!(!text.contains('\u{1b}'));
    }
}
