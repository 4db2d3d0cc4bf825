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

/// A code the voice agent wrote (`billing_queue`, `lost-card`, `refund`, `BILLING`) as words
/// ("Billing queue", "Lost card", "Refund", "Billing"), or `None` when `text` is not a code:
/// the one rule for every value the card shows as words. A code is ASCII letters joined by
/// `_` (any case), by `-` (lower case), a lower-case word, or a capitalised word of five
/// letters or more; anything with a digit, a space or any other sign (ids such as
/// `CUS-104882`, emails, URLs, numbers, sentences) and short capitals (`VIP`, `ANI`) are
/// not, and keep their exact form.
pub fn code_as_words(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty()
        || !t.chars().any(|c| c.is_ascii_alphabetic())
        || !t
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
    {
        return None;
    }
    let lower = !t.chars().any(|c| c.is_ascii_uppercase());
    let upper = !t.chars().any(|c| c.is_ascii_lowercase());
    let is_code = if t.contains('_') {
        true
    } else if t.contains('-') {
        lower
    } else {
        lower || (upper && t.len() >= 5)
    };
    // Capitals throughout are a code's spelling, not acronyms: read in sentence case.
    is_code.then(|| {
        if upper {
            label(&t.to_ascii_lowercase())
        } else {
            label(t)
        }
    })
}

/// Words that end the key of a value naming someone or something exactly (`customer_id`,
/// `username`, `order_ref`): its value is never read as a code, whatever it looks like.
const IDENTIFIER_WORDS: [&str; 12] = [
    "id",
    "ids",
    "number",
    "no",
    "ref",
    "reference",
    "username",
    "user",
    "login",
    "handle",
    "sku",
    "key",
];

/// Whether `key` names an identifier (see [`IDENTIFIER_WORDS`]).
pub(crate) fn names_an_identifier(key: &str) -> bool {
    let label = label(key).to_lowercase();
    let last = label.rsplit(' ').next().unwrap_or_default();
    IDENTIFIER_WORDS.contains(&last)
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
        for (code, words) in [
            ("billing_dispute", "Billing dispute"),
            ("billing_queue", "Billing queue"),
            ("date_of_birth_and_postcode", "Date of birth and postcode"),
            ("lost-card", "Lost card"),
            ("refund", "Refund"),
            ("BILLING", "Billing"),
            ("BILLING_DISPUTE", "Billing dispute"),
            ("VIP_customer", "VIP customer"),
            ("  billing_queue ", "Billing queue"),
        ] {
            assert_eq!(code_as_words(code).as_deref(), Some(words), "{code}");
        }
        for kept in [
            "Wants a refund for order 42",
            "VIP",
            "ANI",
            "iPhone",
            "42",
            "Card blocked.",
            "CUS-104882",
            "CUS-ABC",
            "tier_2",
            "priya@example.com",
            "https://crm.example/c/1",
            "Refund",
            "Billing queue",
            "_",
            "",
        ] {
            assert_eq!(code_as_words(kept), None, "{kept}");
        }
    }

    proptest::proptest! {
        #[test]
        fn snake_and_kebab_codes_read_as_their_words_once(
            words in proptest::collection::vec("[a-z]{1,9}", 1..5),
            kebab: bool,
            shout: bool,
        ) {
            let joined = words.join(if kebab { "-" } else { "_" });
            let code = if shout && !kebab { joined.to_ascii_uppercase() } else { joined };
            let read = code_as_words(&code);
            // A single short word in capitals is an acronym, and stays.
            if shout && !kebab && words.len() == 1 && code.len() < 5 {
                proptest::prop_assert_eq!(read, None);
            } else {
                let read = read.unwrap();
                proptest::prop_assert_eq!(read.to_lowercase(), words.join(" "));
                proptest::prop_assert!(read.starts_with(|c: char| c.is_ascii_uppercase()));
                // Words stay words: reading them again changes nothing.
                let again = code_as_words(&read);
                proptest::prop_assert!(again.is_none() || again.as_deref() == Some(read.as_str()));
            }
        }

        #[test]
        fn identifiers_emails_urls_and_numbers_are_never_touched(
            id in "[A-Z]{2,4}-[0-9]{3,8}|[a-z]{1,8}_[0-9]{1,4}|[A-Za-z]{1,6}[0-9][A-Za-z0-9_-]{0,8}",
            email in "[a-z][a-z._-]{0,10}@[a-z]{1,8}\\.[a-z]{2,4}",
            url in "https?://[a-z]{1,10}\\.[a-z]{2,3}(/[a-z_]{0,8}){0,3}",
            number in "-?[0-9]{1,9}(\\.[0-9]{1,4})?",
            other in "[A-Za-z_-]{0,8}[^A-Za-z_-][A-Za-z_-]{0,8}",
        ) {
            for text in [&id, &email, &url, &number] {
                proptest::prop_assert_eq!(code_as_words(text), None, "{}", text);
            }
            if !other.trim().is_empty()
                && other.trim().chars().any(|c| !c.is_ascii_alphabetic() && c != '_' && c != '-')
            {
                proptest::prop_assert_eq!(code_as_words(&other), None, "{}", other);
            }
        }
    }

    #[test]
    fn keys_that_name_identifiers_are_known() {
        for key in [
            "customer_id",
            "customerId",
            "order_ref",
            "username",
            "agent_login",
        ] {
            assert!(names_an_identifier(key), "{key}");
        }
        for key in ["queue", "reason_code", "tier", "identified"] {
            assert!(!names_an_identifier(key), "{key}");
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
