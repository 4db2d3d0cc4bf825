//! Twilio TaskRouter's event callback: `X-Twilio-Signature` checked as Twilio's own libraries
//! check it, and `reservation.accepted` read into a pop for the worker's seat.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::config::TwilioConfig;
use crate::event::{Outcome, Pop};
use screenpop_api::relay::Platform;

/// The signature of a request to `url` with form `params`, keyed by the account's auth token:
/// HMAC-SHA1 over the URL followed by each parameter's name and value, sorted by name (then
/// value), base64.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = match Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes a key of any length.
        Err(_) => return String::new(),
    };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The forms of `url` Twilio may have signed: as it is, and with its default port added or
/// taken away (Twilio's libraries accept both).
fn url_forms(url: &str) -> Vec<String> {
    let mut forms = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return forms;
    };
    let default = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return forms,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rsplit_once(':') {
        Some((host, port)) if port == default => forms.push(format!("{scheme}://{host}{path}")),
        // Another port: only that one was signed.
        Some(_) => {}
        None => forms.push(format!("{scheme}://{authority}:{default}{path}")),
    }
    forms
}

/// Whether `given` is Twilio's signature of this request.
pub fn valid(auth_token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    url_forms(url).iter().any(|u| {
        let expected = signature(auth_token, u, params);
        !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    })
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// A field of a JSON attributes parameter (`TaskAttributes`, `WorkerAttributes`), as text.
fn attribute(params: &[(String, String)], group: &str, field: &str) -> Option<String> {
    let attrs: Value = serde_json::from_str(param(params, group)?).ok()?;
    match attrs.get(field)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What an event callback means: a pop for `reservation.accepted`, nothing for the rest.
pub fn read(params: &[(String, String)], config: &TwilioConfig) -> Outcome {
    let kind = param(params, "EventType").unwrap_or_default();
    if kind != "reservation.accepted" {
        return Outcome::Ignored(format!("event {kind}"));
    }
    let seat = match config.seat_field.strip_prefix("WorkerAttributes.") {
        Some(field) => attribute(params, "WorkerAttributes", field),
        None => param(params, "WorkerName").map(str::to_owned),
    };
    let Some(seat) = seat else {
        return Outcome::Unmapped(format!("the worker has no {}", config.seat_field));
    };
    let task = |field: &Option<String>| {
        field
            .as_deref()
            .and_then(|f| attribute(params, "TaskAttributes", f))
    };
    // `Sid` (EV…) is the event's own id; older callbacks lack it, and a reservation is
    // accepted once.
    let event_id = param(params, "Sid")
        .or_else(|| param(params, "ReservationSid"))
        .map(str::to_owned);
    let Some(event_id) = event_id else {
        return Outcome::Malformed("neither Sid nor ReservationSid".to_owned());
    };
    Pop::checked(
        Platform::Twilio,
        event_id,
        attribute(params, "TaskAttributes", "call_sid")
            .or_else(|| param(params, "TaskSid").map(str::to_owned)),
        seat,
        task(&config.id_field),
        task(&config.shared_id_field),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::secret::Secret;

    fn vector_params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    /// twilio-python's `tests/unit/test_request_validator.py`.
    #[test]
    fn twilios_published_vectors() {
        let p = vector_params();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(signature("12345", url, &p), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assert!(valid("12345", url, &p, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        // Signed with :443, called without it, and the other way round.
        assert!(valid("12345", url, &p, "kvajT1Ptam85bY51eRf/AJRuM3w="));
        assert!(valid(
            "12345",
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            &p,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(valid(
            "12345",
            "http://mycompany.com/myapp.php?foo=1&bar=2",
            &p,
            "0ZXoZLH/DfblKGATFgpif+LLRf4="
        ));
        assert!(valid(
            "12345",
            "http://mycompany.com:1234/myapp.php?foo=1&bar=2",
            &p,
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
        ));
        // Another token, another parameter value, or another port: refused.
        assert!(!valid("54321", url, &p, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        let mut changed = p.clone();
        changed[2].1 = "1235".into();
        assert!(!valid(
            "12345",
            url,
            &changed,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!valid(
            "12345",
            "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
            &p,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!valid("12345", url, &p, ""));
    }

    fn config() -> TwilioConfig {
        TwilioConfig {
            auth_token: Secret::new("t"),
            seat_field: "WorkerName".into(),
            id_field: Some("polyai_conversation_id".into()),
            shared_id_field: None,
        }
    }

    fn accepted() -> Vec<(String, String)> {
        [
            ("EventType", "reservation.accepted"),
            ("Sid", "EV0123"),
            ("ReservationSid", "WR0123"),
            ("TaskSid", "WT0123"),
            ("WorkerName", "alice@acme.com"),
            (
                "WorkerAttributes",
                r#"{"email":"alice@acme.com","employee":7}"#,
            ),
            (
                "TaskAttributes",
                r#"{"call_sid":"CA42","polyai_conversation_id":"conv-9"}"#,
            ),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    #[test]
    fn an_accepted_reservation_pops_the_workers_seat() {
        let Outcome::Pop(pop) = read(&accepted(), &config()) else {
            panic!("no pop")
        };
        assert_eq!(pop.seat, "alice@acme.com");
        assert_eq!(pop.id.as_deref(), Some("conv-9"));
        assert_eq!(pop.event_id, "EV0123");
        assert_eq!(pop.call_id.as_deref(), Some("CA42"));
        let mut by_attribute = config();
        by_attribute.seat_field = "WorkerAttributes.employee".into();
        let Outcome::Pop(pop) = read(&accepted(), &by_attribute) else {
            panic!("no pop")
        };
        assert_eq!(pop.seat, "7");
    }

    #[test]
    fn other_events_and_missing_parts_pop_nothing() {
        let mut other = accepted();
        other[0].1 = "reservation.created".into();
        assert!(matches!(read(&other, &config()), Outcome::Ignored(_)));
        let mut no_worker: Vec<_> = accepted();
        no_worker.retain(|(k, _)| k != "WorkerName");
        assert!(matches!(read(&no_worker, &config()), Outcome::Unmapped(_)));
        let mut no_ids = accepted();
        no_ids[6].1 = r#"{"call_sid":"CA42"}"#.into();
        assert!(matches!(read(&no_ids, &config()), Outcome::NoIds(_)));
        let mut bad_json = accepted();
        bad_json[6].1 = "{".into();
        assert!(matches!(read(&bad_json, &config()), Outcome::NoIds(_)));
    }
}
