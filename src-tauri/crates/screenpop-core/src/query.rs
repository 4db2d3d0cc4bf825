//! Strict reading of `key=value&…` queries, for deep links and the local trigger.
//!
//! The usual decoders turn bytes that are not UTF-8 into U+FFFD and keep going, which would look
//! up an id nobody sent. Here such a value, an unknown key or a repeated one refuses the query.

use std::fmt;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// A value (or key) whose percent-decoded bytes are not UTF-8.
    NotUtf8,
    /// A key outside the allowed ones (shortened, inert).
    Unknown(String),
    /// A key given twice.
    Repeated(&'static str),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 => f.write_str("it holds bytes that are not UTF-8 text"),
            Self::Unknown(k) => write!(f, "it has an unknown parameter \"{k}\""),
            Self::Repeated(k) => write!(f, "the parameter \"{k}\" is given twice"),
        }
    }
}

/// Decodes `query` (without the `?`) into values for `allowed` keys, in `allowed`'s order; a
/// key that is absent gives `None`. `+` is a space, as in HTML forms.
pub fn strict_pairs<const N: usize>(
    query: &str,
    allowed: [&'static str; N],
) -> Result<[Option<String>; N], QueryError> {
    let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let k = decode(k)?;
        let Some(slot) = allowed.iter().position(|a| *a == k) else {
            let shown: String = k.chars().take(40).collect();
            return Err(QueryError::Unknown(screenpop_card::inert(&shown)));
        };
        if out[slot].replace(decode(v)?).is_some() {
            return Err(QueryError::Repeated(allowed[slot]));
        }
    }
    Ok(out)
}

fn decode(raw: &str) -> Result<String, QueryError> {
    let spaced = raw.replace('+', " ");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| QueryError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_and_refuses() {
        let [id, sid] =
            strict_pairs("id=a+b%20c%2B&shared_id=%E2%9C%93", ["id", "shared_id"]).expect("valid");
        assert_eq!(id.as_deref(), Some("a b c+"));
        assert_eq!(sid.as_deref(), Some("✓"));
        assert_eq!(
            strict_pairs("id=%FF%FE", ["id"]),
            Err(QueryError::NotUtf8),
            "not turned into U+FFFD"
        );
        assert_eq!(
            strict_pairs("id=a&id=b", ["id"]),
            Err(QueryError::Repeated("id"))
        );
        assert!(matches!(
            strict_pairs("callback=x", ["id"]),
            Err(QueryError::Unknown(_))
        ));
        assert_eq!(strict_pairs("", ["id"]), Ok([None]));
    }

    proptest! {
        /// Any bytes, percent-encoded, come back exactly, or are refused when not UTF-8.
        #[test]
        fn values_round_trip_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let encoded: String =
                percent_encoding::percent_encode(&bytes, percent_encoding::NON_ALPHANUMERIC).to_string();
            let got = strict_pairs(&format!("id={encoded}"), ["id"]);
            match String::from_utf8(bytes) {
                Ok(text) => prop_assert_eq!(got, Ok([Some(text)])),
                Err(_) => prop_assert_eq!(got, Err(QueryError::NotUtf8)),
            }
        }

        #[test]
        fn any_text_never_panics(q in "\\PC{0,200}") {
            let _ = strict_pairs(&q, ["id", "shared_id", "profile"]);
        }
    }
}
