//! Amazon Connect's contact events, as EventBridge hands them to an API destination:
//! `CONNECTED_TO_AGENT` pops the agent's seat, with the contact id as the PolyAI shared id (the
//! PolyAI flow stores Connect's contact id as `shared_id`). Keys are read whatever their case:
//! AWS's own samples mix `eventType` and `EventType`.

use serde_json::Value;

use crate::config::ConnectConfig;
use crate::event::{Outcome, Pop};
use screenpop_api::relay::Platform;

/// `v`'s field `name`, whatever the case of its key.
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |at, name| field(at, name))?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// What one EventBridge event means.
pub fn read(event: &Value, config: &ConnectConfig) -> Outcome {
    let Some(detail) = field(event, "detail") else {
        return Outcome::Malformed("no detail".into());
    };
    let kind = text(detail, &["eventType"]).unwrap_or_default();
    if !kind.eq_ignore_ascii_case("CONNECTED_TO_AGENT") {
        return Outcome::Ignored(format!("event {kind}"));
    }
    let Some(event_id) = text(event, &["id"]) else {
        return Outcome::Malformed("no event id".into());
    };
    let Some(contact) = text(detail, &["contactId"]) else {
        return Outcome::Malformed("no contactId".into());
    };
    let agent = text(detail, &["agentInfo", "agentArn"])
        .and_then(|arn| arn.rsplit_once("/agent/"))
        .map(|(_, user)| user.to_ascii_lowercase());
    let Some(agent) = agent else {
        return Outcome::Malformed("no agentInfo.agentArn".into());
    };
    let Some(seat) = config.seats.get(&agent) else {
        return Outcome::Unmapped(format!("agent {agent} is not in [connect.seats]"));
    };
    Pop::checked(
        Platform::Connect,
        event_id.to_owned(),
        Some(contact.to_owned()),
        seat.clone(),
        None,
        Some(contact.to_owned()),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::secret::Secret;
    use serde_json::json;

    fn config() -> ConnectConfig {
        ConnectConfig {
            api_key: Secret::new("k"),
            api_key_header: "x-api-key".into(),
            seats: [(
                "12345678-aaaa-bbbb-cccc-1234567890ab".to_owned(),
                "alice".to_owned(),
            )]
            .into_iter()
            .collect(),
        }
    }

    /// AWS's sample (the contact events page), its ids adapted.
    pub(crate) fn sample() -> Value {
        json!({"version":"0","id":"abcabcab-abca-abca-abca-abcabcabcabc","detail-type":"Amazon Connect Contact Event",
            "source":"aws.connect","account":"111122223333","time":"2021-08-04T17:43:48Z","region":"eu-west-2",
            "resources":["arn:aws:connect:eu-west-2:111122223333:instance/12345678-1234-1234-1234-123456789012"],
            "detail":{"initiationTimestamp":"2021-08-04T17:17:53.000Z","contactId":"6a1c9e2f-3b7d-4e8a-9c0b-5d2e7f4a1b3c",
            "channel":"VOICE","instanceArn":"arn:aws:connect:eu-west-2:111122223333:instance/12345678-1234-1234-1234-123456789012",
            "initiationMethod":"INBOUND","eventType":"CONNECTED_TO_AGENT",
            "agentInfo":{"agentArn":"arn:aws:connect:eu-west-2:111122223333:instance/12345678-1234-1234-1234-123456789012/agent/12345678-AAAA-bbbb-cccc-1234567890ab",
            "connectedToAgentTimestamp":"2021-08-04T17:29:09.000Z"},
            "queueInfo":{"queueType":"type","queueArn":"arn","enqueueTimestamp":"2021-08-04T17:29:04.000Z"},
            "tags":{"aws:connect:instanceId":"12345678-1234-1234-1234-123456789012"}}})
    }

    #[test]
    fn connected_to_agent_pops_the_mapped_seat_with_the_contact_as_shared_id() {
        let outcome = read(&sample(), &config());
        let Outcome::Pop(pop) = outcome else {
            panic!("no pop: {outcome:?}")
        };
        assert_eq!(pop.seat, "alice");
        assert_eq!(
            pop.shared_id.as_deref(),
            Some("6a1c9e2f-3b7d-4e8a-9c0b-5d2e7f4a1b3c")
        );
        assert_eq!(pop.id, None);
        assert_eq!(pop.event_id, "abcabcab-abca-abca-abca-abcabcabcabc");
    }

    #[test]
    fn the_pascal_case_form_reads_the_same() {
        let pascal = json!({"id": "e-2", "Detail": {"EventType": "CONNECTED_TO_AGENT",
            "ContactId": "c-2", "Channel": "Voice",
            "AgentInfo": {"AgentArn": "arn:aws:connect:r:1:instance/i/agent/12345678-aaaa-bbbb-cccc-1234567890ab"}}});
        let Outcome::Pop(pop) = read(&pascal, &config()) else {
            panic!("no pop")
        };
        assert_eq!(pop.shared_id.as_deref(), Some("c-2"));
    }

    #[test]
    fn other_events_and_unknown_agents_pop_nothing() {
        let mut queued = sample();
        queued["detail"]["eventType"] = json!("QUEUED");
        assert!(matches!(read(&queued, &config()), Outcome::Ignored(_)));
        let mut stranger = sample();
        stranger["detail"]["agentInfo"]["agentArn"] =
            json!("arn:aws:connect:r:1:instance/i/agent/other");
        assert!(matches!(read(&stranger, &config()), Outcome::Unmapped(_)));
        assert!(matches!(
            read(&json!({"id": "x"}), &config()),
            Outcome::Malformed(_)
        ));
        assert!(matches!(
            read(&json!([1, 2]), &config()),
            Outcome::Malformed(_)
        ));
    }
}
