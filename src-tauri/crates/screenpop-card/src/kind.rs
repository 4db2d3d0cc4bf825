//! What kind of value a scalar is, so the card can show it well: yes/no, a phone number, an
//! email, a web link, a date, lines of a summary, or plain text. Pure functions of the value and
//! its key.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::layout::Format;
use super::words::{code_as_words, inert, names_an_identifier};

/// A scalar value as the card shows it. Every string in it is already inert.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scalar {
    /// Null, an empty or blank string, an empty list or object: hidden unless asked for.
    Empty,
    /// A boolean, shown as a yes/no badge.
    Bool {
        /// The value.
        value: bool,
    },
    /// A number, as the JSON wrote it.
    Number {
        /// Its text.
        text: String,
    },
    /// A phone number: `text` grouped for reading, `dial` (digits and a leading `+`) for copying.
    Phone {
        /// Grouped for reading.
        text: String,
        /// For copying and dialling.
        dial: String,
    },
    /// An email address.
    Email {
        /// The address.
        text: String,
    },
    /// An http(s) link; no other scheme is ever a link.
    Link {
        /// The full target, shown as is.
        url: String,
    },
    /// An ISO 8601 date or date and time; the UI shows it in the agent's locale.
    DateTime {
        /// The value as sent.
        iso: String,
        /// Whether it has no time part.
        date_only: bool,
    },
    /// Text with line breaks or PolyAI's literal `/n` separators, one entry per line.
    Lines {
        /// The lines, trimmed, without empty ones.
        lines: Vec<String>,
    },
    /// An amount of money, formatted by the UI in the agent's locale.
    Money {
        /// The amount as the data wrote it (digits, an optional sign and decimal point).
        amount: String,
        /// Its ISO 4217 currency code.
        currency: String,
    },
    /// A value an admin marked sensitive: shown masked until the agent asks for it, and then
    /// fetched from the core by its path (see [`super::Card::reveal`]).
    Sensitive {
        /// The field's path, to ask for it by.
        path: String,
    },
    /// A code the voice agent wrote (`billing_queue`): shown as `words` ("Billing queue"),
    /// while copies, the raw JSON and the CRM links keep `text`, exactly as written. A
    /// layout's `format = "text"` shows the code itself.
    Code {
        /// The code, exactly as written.
        text: String,
        /// The code as words (see [`crate::code_as_words`]).
        words: String,
    },
    /// Anything else.
    Text {
        /// The text.
        text: String,
    },
}

impl Scalar {
    /// Classifies a JSON scalar found under `key`. Arrays and objects are not scalars; an empty
    /// one is [`Scalar::Empty`], others are shown as compact JSON text.
    pub fn classify(key: &str, value: &Value) -> Self {
        match value {
            Value::Null => Self::Empty,
            Value::Bool(b) => Self::Bool { value: *b },
            Value::Number(n) => Self::Number {
                text: n.to_string(),
            },
            Value::String(s) => classify_str(key, s),
            Value::Array(a) if a.is_empty() => Self::Empty,
            Value::Object(o) if o.is_empty() => Self::Empty,
            other => Self::Text {
                text: inert(&other.to_string()),
            },
        }
    }

    /// Whether the value is hidden behind "show empty fields".
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// The value as one line of plain text, for "copy all" and the terminal.
    pub fn plain(&self) -> String {
        match self {
            Self::Empty => "—".to_owned(),
            Self::Bool { value: true } => "yes".to_owned(),
            Self::Bool { value: false } => "no".to_owned(),
            Self::Number { text }
            | Self::Phone { text, .. }
            | Self::Email { text }
            | Self::Code { text, .. }
            | Self::Text { text } => text.clone(),
            Self::Link { url } => url.clone(),
            Self::DateTime { iso, .. } => iso.clone(),
            Self::Lines { lines } => lines.join("; "),
            Self::Money { amount, currency } => format!("{amount} {currency}"),
            Self::Sensitive { .. } => screenpop_api::mask::HIDDEN.to_owned(),
        }
    }

    /// Classifies a JSON scalar as `format` says, or as [`Scalar::classify`] would when the
    /// value cannot be read so (nothing is lost to a format that does not fit).
    pub fn formatted(format: &Format, key: &str, value: &Value) -> Self {
        let text = match value {
            Value::String(s) => Some(s.trim()),
            _ => None,
        };
        let number = match value {
            Value::Number(n) => Some(n.to_string()),
            _ => text.map(str::to_owned),
        };
        let shaped = match format {
            Format::Text => number
                .filter(|t| !t.is_empty())
                .map(|t| Self::Text { text: inert(&t) }),
            Format::Phone => number
                .and_then(|t| phone("phone", &t))
                .map(|(text, dial)| Self::Phone { text, dial }),
            Format::Email => text
                .filter(|t| is_email(t))
                .map(|t| Self::Email { text: inert(t) }),
            Format::Date | Format::DateTime => {
                text.filter(|t| iso_date(t).is_some())
                    .map(|t| Self::DateTime {
                        iso: t.to_owned(),
                        date_only: *format == Format::Date || iso_date(t) == Some(true),
                    })
            }
            Format::Money(currency) => number.filter(|t| is_amount(t)).map(|amount| Self::Money {
                amount,
                currency: currency.clone(),
            }),
            Format::YesNo => match value {
                Value::Bool(b) => Some(Self::Bool { value: *b }),
                Value::Number(n) if n.as_u64() == Some(1) => Some(Self::Bool { value: true }),
                Value::Number(n) if n.as_u64() == Some(0) => Some(Self::Bool { value: false }),
                _ => text.and_then(yes_no).map(|value| Self::Bool { value }),
            },
            Format::Link => text.and_then(http_link).map(|url| Self::Link { url }),
        };
        shaped.unwrap_or_else(|| Self::classify(key, value))
    }
}

/// `-12.50`, `3`, `1000.0`: what a money format can show as an amount.
fn is_amount(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.chars().all(|c| c.is_ascii_digit())
}

fn yes_no(t: &str) -> Option<bool> {
    match t.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn classify_str(key: &str, raw: &str) -> Scalar {
    let s = raw.trim();
    if s.is_empty() {
        return Scalar::Empty;
    }
    if let Some(url) = http_link(s) {
        return Scalar::Link { url };
    }
    if is_email(s) {
        return Scalar::Email { text: inert(s) };
    }
    if s.contains("/n") || s.contains('\n') {
        let lines: Vec<String> = s
            .split("/n")
            .flat_map(|p| p.split('\n'))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(inert)
            .collect();
        if lines.len() > 1 {
            return Scalar::Lines { lines };
        }
    }
    if let Some((text, dial)) = phone(key, s) {
        return Scalar::Phone { text, dial };
    }
    if let Some(date_only) = iso_date(s) {
        return Scalar::DateTime {
            iso: s.to_owned(),
            date_only,
        };
    }
    match code_as_words(s).filter(|_| !names_an_identifier(key)) {
        Some(words) => Scalar::Code {
            text: s.to_owned(),
            words,
        },
        None => Scalar::Text { text: inert(s) },
    }
}

/// An absolute http(s) URL with a host, re-serialised so what is shown is what would open.
fn http_link(s: &str) -> Option<String> {
    let lower = s.get(..8)?.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || s.contains(char::is_whitespace)
    {
        return None;
    }
    let url = Url::parse(s).ok()?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none();
    ok.then(|| url.to_string())
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.chars()
            .all(|c| c.is_alphanumeric() || "@.!#$%&'*+/=?^_`{|}~-".contains(c))
}

const PHONE_KEY_HINTS: [&str; 8] = [
    "phone",
    "mobile",
    "tel",
    "msisdn",
    "ani",
    "dnis",
    "cli",
    "caller_number",
];

/// A phone number when the key says so or the value is in international form (`+…`).
fn phone(key: &str, s: &str) -> Option<(String, String)> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return None;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) || s.matches('+').count() > 1 {
        return None;
    }
    let international = s.starts_with('+');
    let key = key.to_ascii_lowercase();
    let hinted = PHONE_KEY_HINTS.iter().any(|h| {
        key.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == *h || (h.len() > 3 && word.contains(h)))
    }) || key.contains("phone");
    if !international && !hinted {
        return None;
    }
    let dial = if international {
        format!("+{digits}")
    } else {
        digits.clone()
    };
    // A number already grouped by its writer is kept as written.
    let text = if s.contains([' ', '-', '(']) {
        s.to_owned()
    } else if international {
        group_international(&digits)
    } else {
        digits
    };
    Some((text, dial))
}

/// `447700900123` → `+44 7700 900123`; `14155550132` → `+1 415 555 0132`.
fn group_international(digits: &str) -> String {
    let cc_len = country_code_len(digits);
    let (cc, rest) = digits.split_at(cc_len);
    let groups: Vec<&str> = if cc == "1" && rest.len() == 10 {
        vec![&rest[..3], &rest[3..6], &rest[6..]]
    } else if rest.len() > 6 {
        let (a, b) = rest.split_at(rest.len() - 6);
        vec![a, b]
    } else {
        vec![rest]
    };
    format!("+{cc} {}", groups.join(" "))
}

/// Length of the ITU country code at the start of `digits` (1 to 3 digits).
fn country_code_len(digits: &str) -> usize {
    let two = |p: &str| digits.starts_with(p);
    if two("1") || two("7") {
        return 1;
    }
    const TWO_DIGIT: [&str; 41] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "98",
    ];
    if TWO_DIGIT.iter().any(|p| two(p)) {
        2
    } else {
        3
    }
}

/// `Some(true)` for `YYYY-MM-DD`, `Some(false)` for an RFC 3339-like date and time.
fn iso_date(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    let month: u32 = s[5..7].parse().ok()?;
    let day: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if b.len() == 10 {
        return Some(true);
    }
    let time = &s[11..];
    let sep_ok = b[10] == b'T' || b[10] == b't' || b[10] == b' ';
    let tb = time.as_bytes();
    let time_ok = tb.len() >= 5
        && tb[..2].iter().all(u8::is_ascii_digit)
        && tb[2] == b':'
        && tb[3..5].iter().all(u8::is_ascii_digit)
        && time[5..]
            .chars()
            .all(|c| c.is_ascii_digit() || ":.+-Zz".contains(c));
    (sep_ok && time_ok).then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kind(key: &str, v: Value) -> Scalar {
        Scalar::classify(key, &v)
    }

    #[test]
    fn scalars_are_classified_by_value_and_key() {
        assert_eq!(kind("verified", json!(true)), Scalar::Bool { value: true });
        assert_eq!(kind("x", json!(null)), Scalar::Empty);
        assert_eq!(kind("x", json!("  ")), Scalar::Empty);
        assert_eq!(kind("x", json!([])), Scalar::Empty);
        assert_eq!(
            kind("n", json!(42.5)),
            Scalar::Number {
                text: "42.5".into()
            }
        );
        assert_eq!(
            kind("email", json!("priya.raman@example.co.uk")),
            Scalar::Email {
                text: "priya.raman@example.co.uk".into()
            }
        );
        assert_eq!(
            kind("site", json!("https://example.com/a?b=c")),
            Scalar::Link {
                url: "https://example.com/a?b=c".into()
            }
        );
        assert!(matches!(
            kind("w", json!("javascript:alert(1)")),
            Scalar::Text { .. }
        ));
        assert!(matches!(
            kind("w", json!("https://example.com/news")),
            Scalar::Link { .. }
        ));
        assert!(matches!(
            kind("w", json!("ftp://example.com")),
            Scalar::Text { .. }
        ));
        assert!(matches!(
            kind("w", json!("https://user:pw@example.com")),
            Scalar::Text { .. }
        ));
        assert_eq!(
            kind("d", json!("2026-10-28")),
            Scalar::DateTime {
                iso: "2026-10-28".into(),
                date_only: true
            }
        );
        assert_eq!(
            kind("d", json!("2026-10-28T14:03:00Z")),
            Scalar::DateTime {
                iso: "2026-10-28T14:03:00Z".into(),
                date_only: false
            }
        );
        assert!(matches!(
            kind("d", json!("2026-13-28")),
            Scalar::Text { .. }
        ));
        assert_eq!(
            kind("summary", json!("one/n two /n")),
            Scalar::Lines {
                lines: vec!["one".into(), "two".into()]
            }
        );
    }

    #[test]
    fn phones_need_a_plus_or_a_phone_key() {
        assert_eq!(
            kind("contact", json!("+447700900123")),
            Scalar::Phone {
                text: "+44 7700 900123".into(),
                dial: "+447700900123".into()
            }
        );
        assert_eq!(
            kind("x", json!("+14155550132")),
            Scalar::Phone {
                text: "+1 415 555 0132".into(),
                dial: "+14155550132".into()
            }
        );
        assert_eq!(
            kind("phone_number", json!("020 7946 0958")),
            Scalar::Phone {
                text: "020 7946 0958".into(),
                dial: "02079460958".into()
            }
        );
        assert!(matches!(
            kind("account_number", json!("7700 4412 09")),
            Scalar::Text { .. }
        ));
        assert!(matches!(
            kind("customer_id", json!("12345678")),
            Scalar::Text { .. }
        ));
        assert!(matches!(kind("phone", json!("+44")), Scalar::Text { .. }));
    }

    #[test]
    fn text_is_inert() {
        assert_eq!(
            kind("n", json!("Eve\u{202E}gnp.exe")),
            Scalar::Text {
                text: "Eve\u{FFFD}gnp.exe".into()
            }
        );
    }
}
