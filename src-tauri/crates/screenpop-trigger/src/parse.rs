//! Reading a pop request, kept apart from HTTP so it can be tested on any input.

use serde::Deserialize;

use screenpop_core::query::{strict_pairs, QueryError};
use screenpop_core::transfer::Transfer;

/// Why a request was refused, in words for whoever wires up the CTI system.
pub type Refusal = String;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PopBody {
    id: Option<String>,
    shared_id: Option<String>,
    profile: Option<String>,
}

/// Reads a `POST /v1/pop` body: JSON `{"id" | "shared_id", "profile"?}` and nothing else.
pub fn parse_body(body: &[u8]) -> Result<Transfer, Refusal> {
    let b: PopBody = serde_json::from_slice(body).map_err(|e| {
        format!("The body must be JSON like {{\"id\": \"…\"}} or {{\"shared_id\": \"…\"}}: {e}.")
    })?;
    transfer(b.id, b.shared_id, b.profile)
}

/// A `GET /v1/pop` query: the transfer it asks for and the token it carries.
#[derive(Debug)]
pub struct PopQuery {
    /// The token, checked by the caller before the transfer is used.
    pub token: Option<String>,
    /// The transfer, or why it is refused.
    pub transfer: Result<Transfer, Refusal>,
}

/// Reads the query of `GET /v1/pop?id=…&token=…`. Unknown or repeated parameters refuse the
/// whole request: a CTI template with a typo must fail loudly, not pop the wrong thing.
pub fn parse_query(query: &str) -> Result<PopQuery, Refusal> {
    let [id, shared_id, profile, token] =
        strict_pairs(query, ["id", "shared_id", "profile", "token"]).map_err(|e| match e {
            QueryError::NotUtf8 => format!("The query was refused: {e}."),
            _ => "Unknown or repeated parameters: use id, shared_id, profile and token.".to_owned(),
        })?;
    Ok(PopQuery {
        token,
        transfer: transfer(id, shared_id, profile),
    })
}

fn transfer(
    id: Option<String>,
    shared_id: Option<String>,
    profile: Option<String>,
) -> Result<Transfer, Refusal> {
    Transfer::new(id.as_deref(), shared_id.as_deref(), profile.as_deref())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;
    use screenpop_api::ids::Lookup;

    #[test]
    fn both_forms_read_the_same_transfer() {
        let t = parse_body(br#"{"shared_id": " sid-1 ", "profile": "UK"}"#).unwrap();
        assert_eq!(t.shared_id(), Some("sid-1"));
        let q = parse_query("shared_id=sid-1&profile=UK&token=abc").unwrap();
        assert_eq!(q.token.as_deref(), Some("abc"));
        assert_eq!(q.transfer.unwrap(), t);
    }

    #[test]
    fn unknown_repeated_and_empty_requests_are_refused() {
        assert!(parse_query("id=a&id=b").is_err());
        assert!(parse_query("id=a&callback=x").is_err());
        assert!(parse_query("token=x").unwrap().transfer.is_err());
        assert!(
            parse_query("id=%FF%FE&token=x").is_err(),
            "never an id of U+FFFD"
        );
        assert!(parse_body(b"{}").is_err());
        assert!(parse_body(br#"{"id": "a", "extra": 1}"#).is_err());
        assert!(parse_body(br#"{"id": 5}"#).is_err());
        assert!(parse_body(b"\xff\xfe").is_err());
    }

    proptest! {
        /// Whatever arrives, the answer is a refusal or a transfer whose ids pass the same
        /// validation as a typed lookup.
        #[test]
        fn any_body_is_refused_or_valid(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(t) = parse_body(&body) {
                prop_assert!(Lookup::new(t.id(), t.shared_id()).is_ok());
            }
        }

        #[test]
        fn any_query_is_refused_or_valid(query in "\\PC{0,300}") {
            if let Ok(PopQuery { transfer: Ok(t), .. }) = parse_query(&query) {
                prop_assert!(Lookup::new(t.id(), t.shared_id()).is_ok());
            }
        }

        /// A valid id arrives exactly as sent, through JSON and through URL encoding alike:
        /// never a lookup with a mangled id.
        #[test]
        fn valid_ids_arrive_unchanged(id in "[A-Za-z0-9][A-Za-z0-9._:+/=@-]{0,80}") {
            prop_assume!(Lookup::new(Some(&id), None).is_ok());
            let t = parse_body(serde_json::json!({ "id": id }).to_string().as_bytes()).unwrap();
            prop_assert_eq!(t.id(), Some(id.as_str()));
            let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("id", &id)
                .append_pair("token", "t")
                .finish();
            let t = parse_query(&encoded).unwrap().transfer.unwrap();
            prop_assert_eq!(t.id(), Some(id.as_str()));
        }
    }
}
