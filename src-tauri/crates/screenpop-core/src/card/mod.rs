//! The caller card: a readable model of any handoff state, computed here so the window, the
//! terminal and the tests all see the same card. The UI only renders it.
//!
//! `data` is free-form and differs per project, so nothing is configured: the caller's name
//! becomes the title, what the agent needs first (why, where to, who) becomes highlights, and
//! every other value is shown once, labelled, by kind, with nested objects as sections.

mod kind;
mod text;
mod words;

use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

pub use kind::Scalar;
pub use words::{caller_name, inert, is_invisible_format, label};

use crate::{HandoffState, Profile};

/// Sections nested this deep or deeper start collapsed, so deep data stays quick to show.
pub const COLLAPSE_DEPTH: usize = 3;
/// Lists of objects with at most this many distinct keys (all scalar) become tables.
const TABLE_MAX_COLUMNS: usize = 8;
/// Highlights are looked for this many levels deep.
const HIGHLIGHT_DEPTH: usize = 3;

/// What a highlight tells the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HighlightGroup {
    /// Why the caller was handed over.
    Reason,
    /// Where the call was meant to go.
    Routing,
    /// Who the caller is and how they were verified.
    Identity,
}

const HIGHLIGHT_KEYS: [(HighlightGroup, &[&str]); 3] = [
    (
        HighlightGroup::Reason,
        &[
            "handoff_reason",
            "reason",
            "handoff_reason_summary",
            "call_reason",
            "routing_reason",
            "intent",
            "topic",
        ],
    ),
    (
        HighlightGroup::Routing,
        &[
            "handoff_to",
            "handoff_destination",
            "transfer_to",
            "queue",
            "routing_intent",
            "skill",
            "skill_id",
            "department",
        ],
    ),
    (
        HighlightGroup::Identity,
        &[
            "customer_id",
            "account_number",
            "account_id",
            "member_id",
            "policy_number",
            "successfully_identified",
            "identified",
            "verified",
            "is_verified",
            "authenticated",
            "auth_method",
            "verification_method",
            "verification_status",
        ],
    ),
];

/// Keys that identify a caller when no name is known, best first.
const IDENTIFIER_KEYS: [&str; 6] = [
    "customer_id",
    "account_number",
    "member_id",
    "phone_number",
    "phone",
    "email",
];

/// The card of one handoff state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// The caller's name, else the best identifier, else "Unknown caller".
    pub title: String,
    /// Whether `title` is a name (rather than an identifier or the fallback).
    pub title_is_name: bool,
    /// PolyAI conversation id, when known.
    pub conversation_id: Option<String>,
    /// The integrator's shared id, when known.
    pub shared_id: Option<String>,
    /// The conversation in Agent Studio, when the id and the region are known.
    pub studio_url: Option<String>,
    /// Why the caller was handed over, as one line: what the card shows under the name, the
    /// notification's body and the recent list's second line.
    pub reason: Option<String>,
    /// What the agent needs first, in group order.
    pub highlights: Vec<Highlight>,
    /// Every other field, in the server's order.
    pub fields: Vec<Field>,
    /// How many values are empty (hidden behind "show empty fields").
    pub empty_count: usize,
    /// How many values the card shows in all, highlights included.
    pub value_count: usize,
}

/// A highlighted field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Highlight {
    /// Its group.
    pub group: HighlightGroup,
    /// The field.
    #[serde(flatten)]
    pub field: Field,
}

/// One labelled entry of the card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Dotted path of keys in `data` (list positions as numbers), inert.
    pub path: String,
    /// Readable label.
    pub label: String,
    /// What it holds.
    pub value: Node,
}

/// A value, a section of fields, a list, or a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum Node {
    /// One value.
    Value {
        /// The value.
        value: Scalar,
    },
    /// A nested object, shown as a titled section.
    Section {
        /// Its fields.
        fields: Vec<Field>,
        /// Whether it starts collapsed.
        collapsed: bool,
    },
    /// A list of values, sections or lists.
    List {
        /// The items.
        items: Vec<Node>,
    },
    /// A list of flat objects, as a small table; a missing cell is `null`.
    Table {
        /// Column labels.
        columns: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Option<Scalar>>>,
    },
}

impl Card {
    /// Builds the card of `state`; `studio_url` is the conversation's Agent Studio link, if any.
    pub fn build(state: &HandoffState, studio_url: Option<&Url>) -> Self {
        let data = &state.data;
        let highlighted = find_highlights(data);
        let highlights: Vec<Highlight> = highlighted
            .iter()
            .map(|(group, path, key, value)| Highlight {
                group: *group,
                field: Field {
                    path: inert(&path.join(".")),
                    label: label(key),
                    value: Node::Value {
                        value: Scalar::classify(key, value),
                    },
                },
            })
            .collect();
        let skip: Vec<Vec<String>> = highlighted.into_iter().map(|(_, p, _, _)| p).collect();
        let fields = build_fields(data, &[], 0, &skip);
        let (title, title_is_name) = match caller_name(data) {
            Some(name) => (inert(&name), true),
            None => (
                words::first_text(data, &IDENTIFIER_KEYS)
                    .map(|id| inert(&id))
                    .unwrap_or_else(|| "Unknown caller".to_owned()),
                false,
            ),
        };
        let reason = reason_line(&highlights);
        let mut card = Self {
            title,
            title_is_name,
            conversation_id: state.id.as_deref().map(inert),
            shared_id: state.shared_id.as_deref().map(inert),
            studio_url: studio_url.map(Url::to_string),
            reason,
            highlights,
            fields,
            empty_count: 0,
            value_count: 0,
        };
        let (values, empty) = card.count();
        card.value_count = values;
        card.empty_count = empty;
        card
    }

    /// The card of `state` as looked up with `profile` (which gives the Agent Studio link).
    pub fn of(state: &HandoffState, profile: &Profile) -> Self {
        let link = state
            .id
            .as_deref()
            .and_then(|id| profile.studio_conversation_url(id));
        Self::build(state, link.as_ref())
    }

    /// (values, empty values) over highlights and fields.
    fn count(&self) -> (usize, usize) {
        let mut tally = (0, 0);
        for h in &self.highlights {
            count_node(&h.field.value, &mut tally);
        }
        for f in &self.fields {
            count_node(&f.value, &mut tally);
        }
        tally
    }
}

/// The reason highlight's value as one line of plain text, if it has one.
fn reason_line(highlights: &[Highlight]) -> Option<String> {
    let reason = highlights
        .iter()
        .find(|h| h.group == HighlightGroup::Reason)?;
    match &reason.field.value {
        Node::Value { value } if !value.is_empty() => Some(value.plain()),
        _ => None,
    }
}

fn count_scalar(s: &Scalar, tally: &mut (usize, usize)) {
    tally.0 += 1;
    if s.is_empty() {
        tally.1 += 1;
    }
}

fn count_node(node: &Node, tally: &mut (usize, usize)) {
    match node {
        Node::Value { value } => count_scalar(value, tally),
        Node::Section { fields, .. } => fields.iter().for_each(|f| count_node(&f.value, tally)),
        Node::List { items } => items.iter().for_each(|n| count_node(n, tally)),
        Node::Table { rows, .. } => rows
            .iter()
            .flatten()
            .flatten()
            .for_each(|s| count_scalar(s, tally)),
    }
}

type Found<'a> = (HighlightGroup, Vec<String>, String, &'a Value);

/// Non-empty scalars under highlight keys, through objects only, shallowest first.
fn find_highlights(data: &Map<String, Value>) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    for (group, keys) in HIGHLIGHT_KEYS {
        for wanted in keys {
            if let Some((path, key, value)) = find_scalar(data, wanted) {
                if !found.iter().any(|(_, p, _, _): &Found<'_>| *p == path) {
                    found.push((group, path, key, value));
                }
            }
        }
    }
    found
}

fn find_scalar<'a>(
    data: &'a Map<String, Value>,
    wanted: &str,
) -> Option<(Vec<String>, String, &'a Value)> {
    let mut level: Vec<(Vec<String>, &Map<String, Value>)> = vec![(Vec::new(), data)];
    for _ in 0..HIGHLIGHT_DEPTH {
        let mut next = Vec::new();
        for (prefix, map) in level {
            for (k, v) in map {
                let mut path = prefix.clone();
                path.push(k.clone());
                match v {
                    Value::Object(child) => next.push((path, child)),
                    Value::Array(_) => {}
                    scalar
                        if k.eq_ignore_ascii_case(wanted)
                            && !Scalar::classify(k, scalar).is_empty() =>
                    {
                        return Some((path, k.clone(), scalar));
                    }
                    _ => {}
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

fn build_fields(
    map: &Map<String, Value>,
    prefix: &[String],
    depth: usize,
    skip: &[Vec<String>],
) -> Vec<Field> {
    let mut fields = Vec::with_capacity(map.len());
    for (key, value) in map {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        if skip.contains(&path) {
            continue;
        }
        let node = build_node(key, value, &path, depth, skip);
        // A section whose every field was highlighted has nothing left to show.
        if matches!(&node, Node::Section { fields, .. } if fields.is_empty())
            && !matches!(value, Value::Object(o) if o.is_empty())
        {
            continue;
        }
        fields.push(Field {
            path: inert(&path.join(".")),
            label: label(key),
            value: node,
        });
    }
    fields
}

fn build_node(
    key: &str,
    value: &Value,
    path: &[String],
    depth: usize,
    skip: &[Vec<String>],
) -> Node {
    match value {
        Value::Object(map) if !map.is_empty() => Node::Section {
            fields: build_fields(map, path, depth + 1, skip),
            collapsed: depth + 1 >= COLLAPSE_DEPTH,
        },
        Value::Array(items) if !items.is_empty() => {
            if let Some(table) = as_table(items) {
                return table;
            }
            let items = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut p = path.to_vec();
                    p.push((i + 1).to_string());
                    build_node(key, item, &p, depth + 1, skip)
                })
                .collect();
            Node::List { items }
        }
        scalar => Node::Value {
            value: Scalar::classify(key, scalar),
        },
    }
}

/// A list of flat objects with few keys, as a table.
fn as_table(items: &[Value]) -> Option<Node> {
    let mut columns: Vec<&String> = Vec::new();
    for item in items {
        let Value::Object(map) = item else {
            return None;
        };
        if map.is_empty() {
            return None;
        }
        for (k, v) in map {
            if matches!(v, Value::Object(o) if !o.is_empty())
                || matches!(v, Value::Array(a) if !a.is_empty())
            {
                return None;
            }
            if !columns.contains(&k) {
                columns.push(k);
                if columns.len() > TABLE_MAX_COLUMNS {
                    return None;
                }
            }
        }
    }
    let rows = items
        .iter()
        .filter_map(Value::as_object)
        .map(|map| {
            columns
                .iter()
                .map(|c| map.get(*c).map(|v| Scalar::classify(c, v)))
                .collect()
        })
        .collect();
    Some(Node::Table {
        columns: columns.iter().map(|c| label(c)).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests;
