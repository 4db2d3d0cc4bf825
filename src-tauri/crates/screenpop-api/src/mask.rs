//! Sensitive data that must never leave the core: card numbers (13–19 digits, spaces or dashes
//! between groups allowed, passing the Luhn check) are cut to their last four digits wherever
//! they appear in a handoff's `data`, keys and longer text included; the values of keys that
//! name a security code or a secret (`cvv`, `pin`, `password`…) are replaced whole. Digit runs
//! that fail the Luhn check (phone numbers, account numbers, order ids) are left as they are.
//!
//! What this does not catch: a number spelled in words, or split by anything other than single
//! spaces and dashes (README, "Sensitive data").

use std::borrow::Cow;

use serde_json::{Map, Value};

/// What a masked secret reads as.
pub const HIDDEN: &str = "••••";

/// The names of secrets, as one or more of a key's words run together.
const SECRET_KEYS: [&str; 11] = [
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "securitycode",
    "pin",
    "password",
    "passcode",
    "passwd",
    "otp",
    "onetimepassword",
];

/// Whether `key` names a secret: one of its words, or a few words together, is a secret's
/// name, whatever the case and separators (`CVV`, `security_code`, `cardPin`, `one-time
/// password`); `pinned` or `shipping` are not.
pub fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    (0..words.len()).any(|i| {
        (i + 1..=words.len().min(i + 3))
            .any(|j| SECRET_KEYS.contains(&words[i..j].concat().as_str()))
    })
}

/// A key's words, lowercased: split at anything not a letter or digit, and where a lower-case
/// letter meets an upper-case one (`cardPin`).
fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            out.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            out.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    out.extend((!word.is_empty()).then_some(word));
    out
}

/// Whether card numbers are masked: always, unless a fleet policy says the contact centre is in
/// PCI DSS scope anyway (`mask_card_numbers = false`). Secrets are replaced either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CardNumbers {
    /// Cut to their last four digits.
    #[default]
    Masked,
    /// Shown as the data has them.
    Shown,
}

/// `data` with every card number cut to its last four digits (unless `cards` says they are
/// shown) and every secret replaced.
pub fn mask_data(data: &Map<String, Value>, cards: CardNumbers) -> Map<String, Value> {
    let mut out = Map::with_capacity(data.len());
    for (key, value) in data {
        let masked = if is_secret_key(key) {
            Value::String(HIDDEN.to_owned())
        } else {
            mask_value(value, cards)
        };
        let mut name = match cards {
            CardNumbers::Masked => mask_text(key).into_owned(),
            CardNumbers::Shown => key.clone(),
        };
        // Two keys that differ only in a card number must both stay.
        while out.contains_key(&name) {
            name.push('′');
        }
        out.insert(name, masked);
    }
    out
}

fn mask_value(value: &Value, cards: CardNumbers) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| mask_value(v, cards)).collect()),
        Value::Object(map) => Value::Object(mask_data(map, cards)),
        _ if cards == CardNumbers::Shown => value.clone(),
        Value::String(s) => Value::String(mask_text(s).into_owned()),
        Value::Number(n) => {
            let text = n.to_string();
            match mask_text(&text) {
                Cow::Borrowed(_) => value.clone(),
                Cow::Owned(masked) => Value::String(masked),
            }
        }
        Value::Bool(_) | Value::Null => value.clone(),
    }
}

/// `text` with each card number in it replaced by `•••• 1234` (its last four digits).
pub fn mask_text(text: &str) -> Cow<'_, str> {
    let runs = digit_runs(text);
    let mut cuts: Vec<(usize, usize, String)> = Vec::new();
    for run in &runs {
        for (start, end) in card_spans(run) {
            let digits = &run.digits[start..end];
            let last = digits.len().saturating_sub(4);
            let tail: String = digits[last..].iter().map(|(_, c)| *c).collect();
            let from = digits[0].0;
            let to = digits[digits.len() - 1].0 + 1;
            cuts.push((from, to, format!("{HIDDEN} {tail}")));
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (from, to, replacement) in cuts {
        out.push_str(&text[at..from]);
        out.push_str(&replacement);
        at = to;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Digits that read as one number: ASCII digits with at most one space or dash between them.
struct Run {
    /// Each digit's byte offset in the text, and the digit.
    digits: Vec<(usize, char)>,
    /// Indexes into `digits` where a group starts (after a separator), 0 included.
    group_starts: Vec<usize>,
}

fn digit_runs(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current: Option<Run> = None;
    let mut pending_separator = false;
    for (i, c) in text.char_indices() {
        if c.is_ascii_digit() {
            let run = current.get_or_insert_with(|| Run {
                digits: Vec::new(),
                group_starts: vec![0],
            });
            if pending_separator {
                run.group_starts.push(run.digits.len());
            }
            run.digits.push((i, c));
            pending_separator = false;
        } else if (c == ' ' || c == '-') && current.is_some() && !pending_separator {
            pending_separator = true;
        } else {
            runs.extend(current.take());
            pending_separator = false;
        }
    }
    runs.extend(current);
    runs
}

/// The card numbers in a run, as ranges of its digits. The whole run is one candidate; otherwise
/// (a card number followed by an expiry date or a year, say) each stretch of whole groups of
/// 13–19 digits is, as long as they do not overlap. An unbroken run of more than 19 digits is one
/// long id and never a card number.
fn card_spans(run: &Run) -> Vec<(usize, usize)> {
    let n = run.digits.len();
    if (13..=19).contains(&n) && luhn(&run.digits) {
        return vec![(0, n)];
    }
    let mut bounds = run.group_starts.clone();
    bounds.push(n);
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 1 < bounds.len() {
        let start = bounds[i];
        let found = bounds[i + 1..]
            .iter()
            .position(|&end| (13..=19).contains(&(end - start)) && luhn(&run.digits[start..end]));
        match found {
            Some(k) => {
                spans.push((start, bounds[i + 1 + k]));
                i += 1 + k;
            }
            None => i += 1,
        }
    }
    spans
}

/// The Luhn check over `digits`.
fn luhn(digits: &[(usize, char)]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, (_, c))| {
            let d = c.to_digit(10).unwrap_or(0);
            if i % 2 == 1 {
                let d = d * 2;
                if d > 9 {
                    d - 9
                } else {
                    d
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests;
