//! What a Genesys Cloud notification says, read strictly, and when a call means "this agent just
//! answered". Pure: text in, decisions out, so every rule is tested without a socket.
//!
//! Genesys re-sends the whole conversation on every change (a hold, a mute, another participant),
//! so an answer is recognised by state, not by message: the agent's own newest participant seen
//! `connected` for the first time, once per (conversation, participant).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Deserialize;

use screenpop_api::mask::mask_text;
use screenpop_settings::genesys::IdSources;

/// Frames larger than this are dropped unread: a call snapshot is a few KiB.
pub const MAX_FRAME_BYTES: usize = 256 * 1024;

/// How many (conversation, participant) pairs are remembered: far more than one agent's calls
/// in a shift, and bounded, so a long-running window does not grow.
const REMEMBERED: usize = 512;

/// One message from the notification channel.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The channel's heartbeat (about every 30 s).
    Heartbeat,
    /// The answer to our `ping`.
    Pong,
    /// The server will close this socket soon: reopen the same address.
    SocketClosing,
    /// The token was revoked, or the channel lost its subscriptions: sign in, or subscribe, again.
    System {
        /// `systemTopicType`, e.g. `token_revoked`, `no_longer_subscribed`.
        kind: String,
        /// What the server said.
        reason: String,
    },
    /// A snapshot of one of this agent's calls.
    Call(Call),
    /// A topic this client did not subscribe to.
    Other(String),
}

/// Why a frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Larger than [`MAX_FRAME_BYTES`].
    TooLarge,
    /// Not the JSON envelope Genesys sends.
    Malformed,
}

/// A call, as much of it as screenpop reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Call {
    /// The Genesys conversation id.
    pub id: String,
    /// Everyone in it, in the order Genesys lists them.
    #[serde(default)]
    pub participants: Vec<Participant>,
}

/// One participant of a call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// The participant's id.
    pub id: String,
    /// `customer`, `agent`, `user`, `acd`, `ivr`, `external`…
    #[serde(default)]
    pub purpose: String,
    /// `alerting`, `connected`, `disconnected`…
    #[serde(default)]
    pub state: String,
    /// The Genesys user, for agents.
    #[serde(default)]
    pub user: Option<UserRef>,
    /// When the participant joined, ISO 8601.
    #[serde(default)]
    pub start_time: Option<String>,
    /// Set when this participant is the far end of a consult.
    #[serde(default)]
    pub consult_participant_id: Option<String>,
    /// Participant data ("Set Participant Data" in Architect).
    #[serde(default)]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// A reference to a Genesys user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserRef {
    /// The user's id.
    pub id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    topic_name: String,
    #[serde(default)]
    event_body: serde_json::Value,
}

/// Reads one text frame.
pub fn read(frame: &str) -> Result<Message, Dropped> {
    if frame.len() > MAX_FRAME_BYTES {
        return Err(Dropped::TooLarge);
    }
    let envelope: Envelope = serde_json::from_str(frame).map_err(|_| Dropped::Malformed)?;
    let body = envelope.event_body;
    let text = |key: &str| body.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    match envelope.topic_name.as_str() {
        "channel.metadata" => match text("message") {
            "pong" => Ok(Message::Pong),
            _ => Ok(Message::Heartbeat),
        },
        "v2.system.socket_closing" => Ok(Message::SocketClosing),
        topic if topic.starts_with("v2.system") => Ok(Message::System {
            kind: text("systemTopicType").to_owned(),
            reason: text("reason").to_owned(),
        }),
        topic if topic.starts_with("v2.users.") && topic.ends_with(".conversations.calls") => {
            serde_json::from_value(body)
                .map(Message::Call)
                .map_err(|_| Dropped::Malformed)
        }
        other => Ok(Message::Other(other.chars().take(120).collect())),
    }
}

/// A call this agent answered, with the PolyAI ids it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The Genesys conversation id.
    pub conversation: String,
    /// The PolyAI conversation id, when the configured attribute holds one.
    pub id: Option<String>,
    /// The shared id, from its attribute or the Genesys conversation id.
    pub shared_id: Option<String>,
}

impl Answered {
    /// The transfer that pops this call's card with `profile`.
    pub fn transfer(&self, profile: &str) -> crate::Result<crate::transfer::Transfer> {
        crate::transfer::Transfer::new(self.id.as_deref(), self.shared_id.as_deref(), Some(profile))
    }
}

/// What one snapshot meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The agent answered a call that carries PolyAI ids: pop it.
    Pop(Answered),
    /// The agent answered a call without PolyAI ids (a caller who never met the voice agent).
    NoPolyAiIds,
    /// The agent answered, but an id attribute held something that cannot be an id (control
    /// characters, a card number): dropped, and counted.
    Refused,
    /// Nothing to pop: not answered yet, answered before, a consult, or not this agent's.
    Nothing,
}

/// What the source has seen of this agent's participants: whether each was connected, and
/// whether it popped.
#[derive(Debug, Default)]
pub struct Answers {
    seen: HashMap<(String, String), Seen>,
    order: VecDeque<(String, String)>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    connected: bool,
    popped: bool,
}

impl Answers {
    /// Takes the calls active when the source first connects as already seen: a call the agent
    /// is on when screenpop starts does not pop on its next hold or mute.
    pub fn baseline(&mut self, me: &str, calls: &[Call]) {
        for call in calls {
            if let Some(p) = own(me, call) {
                let connected = p.state == "connected";
                self.remember(
                    key(call, p),
                    Seen {
                        connected,
                        popped: connected,
                    },
                );
            }
        }
    }

    /// What `call`'s snapshot means for agent `me`, with the ids found as `ids` says. The same
    /// rule serves live events and the catch-up after a reconnect: a participant pops the first
    /// time it is seen connected.
    pub fn on_snapshot(&mut self, me: &str, call: &Call, ids: &IdSources) -> Outcome {
        let Some(p) = own(me, call) else {
            return Outcome::Nothing;
        };
        let k = key(call, p);
        let before = self.seen.get(&k).copied().unwrap_or_default();
        let connected = p.state == "connected";
        let answered = connected && !before.connected && !before.popped && !is_consult(p);
        self.remember(
            k,
            Seen {
                connected,
                popped: before.popped || answered,
            },
        );
        if !answered {
            return Outcome::Nothing;
        }
        match find_ids(call, ids) {
            Err(()) => Outcome::Refused,
            Ok(None) => Outcome::NoPolyAiIds,
            Ok(Some(found)) => Outcome::Pop(found),
        }
    }

    fn remember(&mut self, k: (String, String), seen: Seen) {
        if self.seen.insert(k.clone(), seen).is_none() {
            self.order.push_back(k);
            if self.order.len() > REMEMBERED {
                if let Some(oldest) = self.order.pop_front() {
                    self.seen.remove(&oldest);
                }
            }
        }
    }
}

fn key(call: &Call, p: &Participant) -> (String, String) {
    (call.id.clone(), p.id.clone())
}

/// This agent's newest participant in `call`: an agent or user whose user is `me`.
fn own<'a>(me: &str, call: &'a Call) -> Option<&'a Participant> {
    call.participants
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            matches!(p.purpose.as_str(), "agent" | "user")
                && p.user.as_ref().is_some_and(|u| u.id == me)
        })
        .max_by(|(i, a), (j, b)| (a.start_time.as_deref(), i).cmp(&(b.start_time.as_deref(), j)))
        .map(|(_, p)| p)
}

fn is_consult(p: &Participant) -> bool {
    p.consult_participant_id.is_some() || p.attributes.contains_key("consultInitiator")
}

/// The PolyAI ids of `call`: the configured attributes, the customer's first, then anyone's;
/// `Err` when an attribute holds something that must not be looked up.
fn find_ids(call: &Call, ids: &IdSources) -> Result<Option<Answered>, ()> {
    let attribute = |name: &Option<String>| -> Result<Option<String>, ()> {
        let Some(name) = name else { return Ok(None) };
        let customers = call.participants.iter().filter(|p| p.purpose == "customer");
        let others = call.participants.iter().filter(|p| p.purpose != "customer");
        let value = customers
            .chain(others)
            .find_map(|p| p.attributes.get(name).and_then(|v| v.as_str()))
            .map(str::trim)
            .filter(|v| !v.is_empty());
        match value {
            None => Ok(None),
            Some(v) if v.chars().any(char::is_control) => Err(()),
            Some(v) if matches!(mask_text(v), Cow::Owned(_)) => Err(()),
            Some(v) => Ok(Some(v.to_owned())),
        }
    };
    let id = attribute(&ids.id_attribute)?;
    let shared_id = match attribute(&ids.shared_id_attribute)? {
        Some(found) => Some(found),
        None if ids.shared_id_from_conversation => Some(call.id.clone()),
        None => None,
    };
    Ok((id.is_some() || shared_id.is_some()).then(|| Answered {
        conversation: call.id.clone(),
        id,
        shared_id,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ME: &str = "agent-1";

    fn ids() -> IdSources {
        IdSources {
            id_attribute: Some("polyai_conversation_id".into()),
            ..IdSources::default()
        }
    }

    fn call(agent_state: &str, attributes: serde_json::Value) -> Call {
        let frame = json!({
            "topicName": "v2.users.agent-1.conversations.calls",
            "version": "2",
            "eventBody": {"id": "conv-1", "participants": [
                {"id": "p-cust", "purpose": "customer", "state": "connected", "attributes": attributes},
                {"id": "p-acd", "purpose": "acd", "state": "disconnected"},
                {"id": "p-agent", "purpose": "agent", "state": agent_state,
                 "user": {"id": ME}, "startTime": "2026-12-07T09:00:00Z", "attributes": {}}
            ]},
            "metadata": {"CorrelationId": "c-1"}
        });
        match read(&frame.to_string()) {
            Ok(Message::Call(c)) => c,
            other => panic!("{other:?}"),
        }
    }

    fn polyai() -> serde_json::Value {
        json!({"polyai_conversation_id": "CONV-123"})
    }

    #[test]
    fn channel_messages_are_told_apart() {
        let msg = |v: serde_json::Value| read(&v.to_string());
        assert_eq!(
            msg(
                json!({"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}})
            ),
            Ok(Message::Heartbeat)
        );
        assert_eq!(
            msg(json!({"topicName": "channel.metadata", "eventBody": {"message": "pong"}})),
            Ok(Message::Pong)
        );
        assert_eq!(
            msg(json!({"topicName": "v2.system.socket_closing", "eventBody": {}})),
            Ok(Message::SocketClosing)
        );
        assert_eq!(
            msg(
                json!({"topicName": "v2.system.token_revoked", "eventBody": {"systemTopicType": "token_revoked", "reason": "logged out"}})
            ),
            Ok(Message::System {
                kind: "token_revoked".into(),
                reason: "logged out".into()
            })
        );
        assert_eq!(
            msg(json!({"topicName": "v2.users.x.presence", "eventBody": {}})),
            Ok(Message::Other("v2.users.x.presence".into()))
        );
        assert_eq!(read("{not json"), Err(Dropped::Malformed));
        assert_eq!(
            msg(
                json!({"topicName": "v2.users.x.conversations.calls", "eventBody": {"participants": 3}})
            ),
            Err(Dropped::Malformed)
        );
        assert_eq!(
            read(&"x".repeat(MAX_FRAME_BYTES + 1)),
            Err(Dropped::TooLarge)
        );
    }

    #[test]
    fn an_answer_pops_once_however_many_snapshots_follow() {
        let mut a = Answers::default();
        assert_eq!(
            a.on_snapshot(ME, &call("alerting", polyai()), &ids()),
            Outcome::Nothing
        );
        let popped = a.on_snapshot(ME, &call("connected", polyai()), &ids());
        assert_eq!(
            popped,
            Outcome::Pop(Answered {
                conversation: "conv-1".into(),
                id: Some("CONV-123".into()),
                shared_id: None,
            })
        );
        for _ in 0..10 {
            assert_eq!(
                a.on_snapshot(ME, &call("connected", polyai()), &ids()),
                Outcome::Nothing
            );
        }
        assert_eq!(
            a.on_snapshot(ME, &call("disconnected", polyai()), &ids()),
            Outcome::Nothing
        );
        assert_eq!(
            a.on_snapshot(ME, &call("connected", polyai()), &ids()),
            Outcome::Nothing
        );
    }

    #[test]
    fn other_agents_consults_and_calls_without_ids_pop_nothing() {
        let mut a = Answers::default();
        assert_eq!(
            a.on_snapshot("someone-else", &call("connected", polyai()), &ids()),
            Outcome::Nothing
        );
        let mut consult = call("connected", polyai());
        consult.participants[2].consult_participant_id = Some("p-x".into());
        assert_eq!(a.on_snapshot(ME, &consult, &ids()), Outcome::Nothing);
        let mut b = Answers::default();
        assert_eq!(
            b.on_snapshot(ME, &call("connected", json!({})), &ids()),
            Outcome::NoPolyAiIds
        );
    }

    #[test]
    fn hostile_attributes_are_refused_and_card_numbers_never_looked_up() {
        for bad in ["CONV\u{7}1", "4111 1111 1111 1111"] {
            let mut a = Answers::default();
            let outcome = a.on_snapshot(
                ME,
                &call("connected", json!({"polyai_conversation_id": bad})),
                &ids(),
            );
            assert_eq!(outcome, Outcome::Refused, "{bad:?}");
        }
    }

    #[test]
    fn the_conversation_id_can_be_the_shared_id() {
        let by_conversation = IdSources {
            shared_id_from_conversation: true,
            ..IdSources::default()
        };
        let mut a = Answers::default();
        let Outcome::Pop(found) =
            a.on_snapshot(ME, &call("connected", json!({})), &by_conversation)
        else {
            panic!("pops");
        };
        assert_eq!(found.shared_id.as_deref(), Some("conv-1"));
        assert_eq!(found.id, None);
    }

    #[test]
    fn a_call_already_on_at_start_does_not_pop_but_one_answered_while_away_does() {
        let mut a = Answers::default();
        a.baseline(ME, &[call("connected", polyai())]);
        assert_eq!(
            a.on_snapshot(ME, &call("connected", polyai()), &ids()),
            Outcome::Nothing
        );
        let mut later = call("connected", polyai());
        later.id = "conv-2".into();
        assert!(matches!(a.on_snapshot(ME, &later, &ids()), Outcome::Pop(_)));
    }

    #[test]
    fn the_newest_of_the_agents_participants_counts() {
        let mut c = call("disconnected", polyai());
        let mut again = c.participants[2].clone();
        again.id = "p-agent-2".into();
        again.state = "connected".into();
        again.start_time = Some("2026-12-07T09:05:00Z".into());
        c.participants.push(again);
        let mut a = Answers::default();
        assert!(matches!(a.on_snapshot(ME, &c, &ids()), Outcome::Pop(_)));
    }
}
