//! The handoff state the API returns, and the error bodies it sends, parsed leniently where
//! PolyAI is known to deviate from its spec and strictly where it matters.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::mask::CardNumbers;

/// A handoff state: what the voice agent stored for the human who takes the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffState {
    /// PolyAI conversation id. The spec says required, but it is `null` in practice for some
    /// `shared_id` lookups.
    pub id: Option<String>,
    /// The integrator's shared id, when the conversation has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_id: Option<String>,
    /// Free-form data written by the voice agent, in the server's key order.
    pub data: Map<String, Value>,
}

/// Why a 200 body is not a handoff state; becomes [`crate::Error::Malformed`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ShapeError(pub(crate) String);

impl HandoffState {
    /// Parses a 200 body. `data` must be a JSON object; `id` and `shared_id` may be missing or
    /// null but, when present, must be strings.
    pub(crate) fn from_body(body: &[u8], cards: CardNumbers) -> Result<Self, ShapeError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ShapeError(format!("the body is not valid JSON ({e})")))?;
        let Value::Object(mut top) = value else {
            return Err(ShapeError(format!(
                "expected a JSON object, got {}",
                json_kind(&value)
            )));
        };
        let data = match top.remove("data") {
            Some(Value::Object(map)) => map,
            Some(other) => {
                return Err(ShapeError(format!(
                    "\"data\" should be an object but is {}",
                    json_kind(&other)
                )))
            }
            None => return Err(ShapeError("\"data\" is missing".to_owned())),
        };
        Ok(Self {
            id: optional_string(&mut top, "id")?,
            shared_id: optional_string(&mut top, "shared_id")?,
            // The one door caller data comes in by: masked here, nothing after sees a card
            // number or a security code.
            data: crate::mask::mask_data(&data, cards),
        })
    }
}

impl HandoffState {
    /// A state that came from another screenpop program (the relay's pop or its answer to a
    /// keyless seat), masked again as this program's policy says: whatever the sender did,
    /// nothing after this door sees a card number.
    pub fn masked(self, cards: CardNumbers) -> Self {
        Self {
            data: crate::mask::mask_data(&self.data, cards),
            ..self
        }
    }

    /// A state an admin wrote to try a layout (`screenpop card preview`): a whole handoff state
    /// (`{"id", "shared_id", "data"}`) or only its `data` object, masked as one from the API
    /// would be. The error says what is wrong with it.
    pub fn from_example(text: &[u8], cards: CardNumbers) -> Result<Self, String> {
        let value: Value =
            serde_json::from_slice(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
        let whole =
            matches!(&value, Value::Object(top) if top.get("data").is_some_and(Value::is_object));
        let body = match value {
            Value::Object(_) if whole => value,
            Value::Object(data) => serde_json::json!({ "data": data }),
            other => {
                return Err(format!(
                    "it should hold a JSON object (the handoff's data), not {}",
                    json_kind(&other)
                ))
            }
        };
        Self::from_body(body.to_string().as_bytes(), cards).map_err(|e| e.0)
    }
}

fn optional_string(top: &mut Map<String, Value>, key: &str) -> Result<Option<String>, ShapeError> {
    match top.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ShapeError(format!(
            "\"{key}\" should be a string but is {}",
            json_kind(&other)
        ))),
    }
}

/// The name of a JSON value's type, for messages.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads `error_message` from either PolyAI error format (`{"error_message"}` of the Handoff
/// spec, or the platform envelope `{"success": false, "error_code", "error_message", …}`).
/// Anything else (HTML from a proxy, empty bodies) yields `None`.
pub(crate) fn error_message(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let message = value.get("error_message")?.as_str()?.trim();
    if message.is_empty() {
        return None;
    }
    // A hostile or broken server could send a novel; keep messages to a readable sentence.
    let clipped: String = message
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    Some(crate::mask::mask_text(&clipped).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    impl HandoffState {
        fn from_body_masked(body: &[u8]) -> Result<Self, ShapeError> {
            Self::from_body(body, CardNumbers::Masked)
        }
    }

    #[test]
    fn parses_the_spec_example() {
        let s = HandoffState::from_body_masked(br#"{"id":"0bba04d7-38b3-4fd3-a1a8-329c34517fc1","shared_id":"acme_inc","data":{"customer_id":"12345","handoff_reason":"successfully_identified"}}"#)
            .expect("valid");
        assert_eq!(
            s.id.as_deref(),
            Some("0bba04d7-38b3-4fd3-a1a8-329c34517fc1")
        );
        assert_eq!(s.shared_id.as_deref(), Some("acme_inc"));
        assert_eq!(
            s.data.keys().collect::<Vec<_>>(),
            ["customer_id", "handoff_reason"],
            "server order is kept"
        );
    }

    #[test]
    fn tolerates_null_or_missing_ids() {
        let s = HandoffState::from_body_masked(br#"{"id":null,"shared_id":"s","data":{}}"#)
            .expect("valid");
        assert_eq!((s.id, s.shared_id.as_deref()), (None, Some("s")));
        let s = HandoffState::from_body_masked(br#"{"data":{"a":1}}"#).expect("valid");
        assert_eq!((s.id, s.shared_id), (None, None));
    }

    #[test]
    fn data_must_be_an_object() {
        for body in [
            &br#"{"id":"x","data":[]}"#[..],
            br#"{"id":"x","data":null}"#,
            br#"{"id":"x","data":"text"}"#,
            br#"{"id":"x"}"#,
            br#"[]"#,
            br#"<html>502 Bad Gateway</html>"#,
            br#"{"id":5,"data":{}}"#,
            b"",
        ] {
            assert!(
                HandoffState::from_body_masked(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn error_messages_from_both_formats() {
        assert_eq!(
            error_message(br#"{"error_message":"Unauthorized"}"#).as_deref(),
            Some("Unauthorized")
        );
        assert_eq!(
            error_message(br#"{"success":false,"error":"x","error_id":"e1","error_code":"RATE","error_message":"Slow down","data":null}"#).as_deref(),
            Some("Slow down")
        );
        assert_eq!(error_message(b"<html>bad gateway</html>"), None);
        assert_eq!(error_message(br#"{"error_message":"  "}"#), None);
        assert_eq!(
            error_message(br#"{"error_message":"a\u001b[31mb"}"#).as_deref(),
            Some("a[31mb")
        );
    }
}
