//! Words on the card: readable labels for keys, the caller's name, and inert text.
//! Caller data is made inert here: control characters (terminal escapes included), bidi
//! overrides and zero-width characters are replaced by U+FFFD, never interpreted.

use serde_json::{Map, Value};

/// Keys that name the caller, best first.
const NAME_KEYS: [&str; 6] = [
    "name",
    "customer_name",
    "caller_name",
    "full_name",
    "contact_name",
    "display_name",
];
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

pub(crate) fn first_text(data: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| find_text(data, k))
}

/// A non-empty string or number under `key`, searched breadth-first so shallow keys win.
pub(crate) fn find_text(data: &Map<String, Value>, key: &str) -> Option<String> {
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

/// A code the voice agent wrote (`billing_dispute`, `lost-card`, `refund`) as words
/// ("Billing dispute"); anything that already reads as words is left as it is.
pub fn code_as_words(text: &str) -> String {
    let t = text.trim();
    let is_code = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && t.chars().any(|c| c.is_ascii_alphabetic())
        && (t.contains(['_', '-']) || t.chars().all(|c| !c.is_ascii_uppercase()));
    if is_code {
        label(t)
    } else {
        inert(text)
    }
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

pub use screenpop_api::ids::is_invisible_format;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
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
    fn codes_read_as_words_and_words_stay() {
        assert_eq!(code_as_words("billing_dispute"), "Billing dispute");
        assert_eq!(code_as_words("lost-card"), "Lost card");
        assert_eq!(code_as_words("refund"), "Refund");
        assert_eq!(code_as_words("BILLING_DISPUTE"), "BILLING DISPUTE");
        for words in [
            "Wants a refund for order 42",
            "VIP",
            "iPhone",
            "42",
            "Card blocked.",
        ] {
            assert_eq!(code_as_words(words), words);
        }
    }

    #[test]
    fn names_are_found_nested_or_composed() {
        assert_eq!(
            caller_name(&data(json!({"customer": {"name": "Ana"}}))).as_deref(),
            Some("Ana")
        );
        assert_eq!(
            caller_name(&data(json!({"first_name": "Ana", "last_name": "Lee"}))).as_deref(),
            Some("Ana Lee")
        );
        assert_eq!(caller_name(&data(json!({"x": 1}))), None);
    }

    #[test]
    fn inert_replaces_escapes_bidi_and_zero_width() {
        assert_eq!(
            inert("a\u{1b}[31mb\u{202E}c\u{200B}d"),
            "a\u{FFFD}[31mb\u{FFFD}c\u{FFFD}d"
        );
    }
}
