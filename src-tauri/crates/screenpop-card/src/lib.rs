//! The caller card: a readable model of any handoff state, computed here so the window, the
//! terminal and the tests all see the same card. The UI only renders it.
//!
//! Pure: data in, card out. It depends on the API crate for the state's shape, masking and ids,
//! and on nothing that reads settings, the network or the keychain; the settings crate reads a
//! [`Layout`] from a file and hands it here.
//!
//! `data` is free-form and differs per project, so nothing is configured: the caller's name
//! becomes the title, what the agent needs first (why, where to, who) becomes highlights, and
//! every other value is shown once, labelled, by kind, with nested objects as sections.

#![deny(missing_docs)]

mod copy;
mod kind;
mod layout;
mod links;
mod path;
mod text;
mod words;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

pub use copy::{shown_id, SHOWN_ID_CHARS};
pub use kind::Scalar;
pub use layout::{Format, Layout, LayoutError};
pub use path::Pattern;
pub use words::{caller_name, code_as_words, inert, is_invisible_format, label};

use path::{dotted, Place, Step};

use screenpop_api::{HandoffState, Project};

/// Sections nested this deep or deeper start collapsed, so deep data stays quick to show.
pub const COLLAPSE_DEPTH: usize = 3;
/// Lists of objects with at most this many distinct keys (all scalar) become tables.
const TABLE_MAX_COLUMNS: usize = 8;
/// Highlights are looked for this many levels deep.
const HIGHLIGHT_DEPTH: usize = 3;

/// What a highlight tells the agent. (Why the caller was handed over is the card's reason
/// line, not a highlight: see [`Card::reason`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HighlightGroup {
    /// Where the call was meant to go.
    Routing,
    /// Who the caller is and how they were verified.
    Identity,
    /// Chosen by the profile's layout, in its order.
    Chosen,
}

/// Keys that say why the caller was handed over, best first: the reason line.
const REASON_KEYS: [&str; 7] = [
    "handoff_reason",
    "reason",
    "handoff_reason_summary",
    "call_reason",
    "routing_reason",
    "intent",
    "topic",
];

const HIGHLIGHT_KEYS: [(HighlightGroup, &[&str]); 2] = [
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
    /// The caller's name, else the best identifier, else empty: the window, the notification
    /// and the text each say "Unknown caller" in their own language.
    pub title: String,
    /// Whether `title` is a name (rather than an identifier or the fallback).
    pub title_is_name: bool,
    /// PolyAI conversation id, when known.
    pub conversation_id: Option<String>,
    /// The integrator's shared id, when known.
    pub shared_id: Option<String>,
    /// The conversation in Agent Studio, when the id and the region are known.
    pub studio_url: Option<String>,
    /// Why the caller was handed over, as one line (a code such as `billing_dispute` read as
    /// words; its raw value stays in the field list): what the card shows under the name, the
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
    /// Buttons that open the caller's record elsewhere: the layout's links whose values are all
    /// known.
    pub links: Vec<CardLink>,
    /// The link the layout opens as soon as a transferred caller's card arrives.
    pub auto_open: Option<String>,
    /// The values of sensitive fields by path, handed out one at a time ([`Card::reveal`]);
    /// never serialised with the card.
    #[serde(skip)]
    sensitive: BTreeMap<String, Scalar>,
}

/// A button that opens the caller's record in another system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardLink {
    /// The button's words, as the admin wrote them.
    pub label: String,
    /// Where it goes (https, or http to this computer).
    pub url: String,
    /// The host it goes to, shown on the button.
    pub host: String,
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
    /// Builds the smart card of `state`; `studio_url` is the conversation's Agent Studio link.
    pub fn build(state: &HandoffState, studio_url: Option<&Url>) -> Self {
        Self::shaped(state, studio_url, &Layout::default())
    }

    /// The card of `state` as looked up in `project` (which gives the Agent Studio link), shaped
    /// by `layout`.
    pub fn of(state: &HandoffState, project: &Project, layout: &Layout) -> Self {
        let link = state
            .id
            .as_deref()
            .and_then(|id| project.studio_conversation_url(id));
        Self::shaped(state, link.as_ref(), layout)
    }

    /// Builds the card of `state` as `layout` shapes it.
    pub fn shaped(state: &HandoffState, studio_url: Option<&Url>, layout: &Layout) -> Self {
        let data = &state.data;
        let mut builder = Builder {
            layout,
            sensitive: BTreeMap::new(),
        };
        // Walked once for every rule that names values by path; empty for the smart card.
        let all =
            if layout.chooses_highlights() || !layout.title.is_empty() || !layout.reason.is_empty()
            {
                scalars(data)
            } else {
                Vec::new()
            };
        let highlighted = if layout.chooses_highlights() {
            chosen_highlights(&all, layout)
        } else {
            find_highlights(data)
                .into_iter()
                .filter(|(_, place, _, _)| !layout.withholds_hidden(place))
                .collect()
        };
        let highlights: Vec<Highlight> = highlighted
            .iter()
            .map(|(group, place, key, value)| {
                let (label, value) = builder.scalar(place, key, value);
                Highlight {
                    group: *group,
                    field: Field {
                        path: inert(&dotted(place)),
                        label,
                        value: Node::Value { value },
                    },
                }
            })
            .collect();
        let skip: Vec<Vec<Step>> = highlighted.into_iter().map(|(_, p, _, _)| p).collect();
        let fields = builder.fields(data, &[], 0, &skip);
        let shown = shown_data(data, layout);
        let (title, title_is_name) = match first_value(&all, &layout.title, layout) {
            Some(title) => (inert(&title), true),
            None => smart_title(&shown),
        };
        let reason = first_value(&all, &layout.reason, layout)
            .or_else(|| smart_reason(&shown))
            .map(|r| code_as_words(&r).unwrap_or_else(|| inert(&r)));
        let links: Vec<(CardLink, bool)> = layout
            .links
            .iter()
            .filter_map(|rule| {
                let url = rule.url.resolve(&links::Values {
                    id: state.id.as_deref(),
                    shared_id: state.shared_id.as_deref(),
                    data,
                    withheld: &|place| layout.is_sensitive(place),
                })?;
                let link = CardLink {
                    label: rule.label.clone(),
                    host: url.host_str().unwrap_or_default().to_owned(),
                    url: url.to_string(),
                };
                Some((link, rule.auto_open))
            })
            .collect();
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
            auto_open: links
                .iter()
                .find(|(_, auto)| *auto)
                .map(|(l, _)| l.url.clone()),
            links: links.into_iter().map(|(l, _)| l).collect(),
            sensitive: builder.sensitive,
        };
        let (values, empty) = card.count();
        card.value_count = values;
        card.empty_count = empty;
        card
    }

    /// The value of the sensitive field at `path`, when the agent asks to see it.
    pub fn reveal(&self, path: &str) -> Option<&Scalar> {
        self.sensitive.get(path)
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

type Found<'a> = (HighlightGroup, Vec<Step>, String, &'a Value);

/// Non-empty scalars under highlight keys, through objects only, shallowest first.
fn find_highlights(data: &Map<String, Value>) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    for (group, keys) in HIGHLIGHT_KEYS {
        for wanted in keys {
            if let Some((place, key, value)) = find_scalar(data, wanted) {
                if !found.iter().any(|(_, p, _, _): &Found<'_>| *p == place) {
                    found.push((group, place, key, value));
                }
            }
        }
    }
    found
}

fn find_scalar<'a>(
    data: &'a Map<String, Value>,
    wanted: &str,
) -> Option<(Vec<Step>, String, &'a Value)> {
    let mut level: Vec<(Vec<Step>, &Map<String, Value>)> = vec![(Vec::new(), data)];
    for _ in 0..HIGHLIGHT_DEPTH {
        let mut next = Vec::new();
        for (prefix, map) in level {
            for (k, v) in map {
                let mut place = prefix.clone();
                place.push(Step::Key(k.clone()));
                match v {
                    Value::Object(child) => next.push((place, child)),
                    Value::Array(_) => {}
                    scalar
                        if k.eq_ignore_ascii_case(wanted)
                            && !Scalar::classify(k, scalar).is_empty() =>
                    {
                        return Some((place, k.clone(), scalar));
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

/// A scalar of `data` with its place and key.
type Leaf<'a> = (Vec<Step>, &'a str, &'a Value);

/// Every scalar in `data` with its place and key, in the server's order, depth first.
fn scalars(data: &Map<String, Value>) -> Vec<Leaf<'_>> {
    fn walk<'a>(
        key: &'a str,
        value: &'a Value,
        place: &mut Vec<Step>,
        out: &mut Vec<(Vec<Step>, &'a str, &'a Value)>,
    ) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    place.push(Step::Key(k.clone()));
                    walk(k, v, place, out);
                    place.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    place.push(Step::Item(i));
                    walk(key, v, place, out);
                    place.pop();
                }
            }
            scalar => out.push((place.clone(), key, scalar)),
        }
    }
    let mut out = Vec::new();
    let mut place = Vec::new();
    for (k, v) in data {
        place.push(Step::Key(k.clone()));
        walk(k, v, &mut place, &mut out);
        place.pop();
    }
    out
}

/// The highlights a layout chooses: for each highlighting rule in order, the values it names.
fn chosen_highlights<'a>(all: &[Leaf<'a>], layout: &Layout) -> Vec<Found<'a>> {
    let mut found = Vec::new();
    for rule in layout.fields.iter().filter(|r| r.highlight) {
        for (place, key, value) in all {
            let decides = layout.rule(place).is_some_and(|r| std::ptr::eq(r, rule));
            if decides && !layout.withholds_hidden(place) {
                found.push((
                    HighlightGroup::Chosen,
                    place.clone(),
                    (*key).to_owned(),
                    *value,
                ));
            }
        }
    }
    found
}

/// The first non-empty, non-sensitive scalar that one of `paths` names, as plain text.
fn first_value(all: &[Leaf<'_>], paths: &[Pattern], layout: &Layout) -> Option<String> {
    paths.iter().find_map(|pattern| {
        all.iter().find_map(|(place, key, value)| {
            // An admin may hide the value the title repeats; a sensitive one never leaves.
            let shown = pattern.matches(place) && !layout.is_sensitive(place);
            let value = Scalar::classify(key, value);
            (shown && !value.is_empty()).then(|| value.plain())
        })
    })
}

/// The caller's name, else the best identifier, else nothing, from the data the layout
/// shows (nothing it hides or marks sensitive).
fn smart_title(shown: &Map<String, Value>) -> (String, bool) {
    match caller_name(shown) {
        Some(name) => (inert(&name), true),
        None => (
            words::first_text(shown, &IDENTIFIER_KEYS)
                .map(|id| inert(&id))
                .unwrap_or_default(),
            false,
        ),
    }
}

/// The first reason the smart card finds in the data the layout shows, as plain text.
fn smart_reason(shown: &Map<String, Value>) -> Option<String> {
    REASON_KEYS.iter().find_map(|wanted| {
        let (_, key, value) = find_scalar(shown, wanted)?;
        Some(Scalar::classify(&key, value).plain())
    })
}

/// `data` without what the layout hides or marks sensitive (borrowed when it withholds
/// nothing).
fn shown_data<'a>(
    data: &'a Map<String, Value>,
    layout: &Layout,
) -> std::borrow::Cow<'a, Map<String, Value>> {
    if !layout.fields.iter().any(|r| r.hide || r.sensitive) {
        return std::borrow::Cow::Borrowed(data);
    }
    std::borrow::Cow::Owned(withhold(data, &mut Vec::new(), &|place| {
        layout.withholds(place).then_some(None)
    }))
}

/// `state` as it may be shown whole (the raw JSON view, `lookup --json`): the values of
/// sensitive fields read as `••••`.
pub fn shown_state(state: &HandoffState, layout: &Layout) -> HandoffState {
    if !layout.fields.iter().any(|r| r.sensitive) {
        return state.clone();
    }
    let hidden = Value::String(screenpop_api::mask::HIDDEN.to_owned());
    HandoffState {
        id: state.id.clone(),
        shared_id: state.shared_id.clone(),
        data: withhold(&state.data, &mut Vec::new(), &|place| {
            layout.is_sensitive(place).then(|| Some(hidden.clone()))
        }),
    }
}

/// A copy of `map` where `instead` decides, per place, to drop a value (`Some(None)`) or to
/// replace it (`Some(Some(v))`).
fn withhold(
    map: &Map<String, Value>,
    place: &mut Vec<Step>,
    instead: &dyn Fn(&Place) -> Option<Option<Value>>,
) -> Map<String, Value> {
    let mut out = Map::with_capacity(map.len());
    for (k, v) in map {
        place.push(Step::Key(k.clone()));
        match instead(place) {
            Some(Some(replacement)) => {
                out.insert(k.clone(), replacement);
            }
            Some(None) => {}
            None => {
                out.insert(k.clone(), withhold_value(v, place, instead));
            }
        }
        place.pop();
    }
    out
}

fn withhold_value(
    value: &Value,
    place: &mut Vec<Step>,
    instead: &dyn Fn(&Place) -> Option<Option<Value>>,
) -> Value {
    match value {
        Value::Object(map) => Value::Object(withhold(map, place, instead)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    place.push(Step::Item(i));
                    let out = match instead(place) {
                        Some(replacement) => replacement,
                        None => Some(withhold_value(item, place, instead)),
                    };
                    place.pop();
                    out
                })
                .collect(),
        ),
        scalar => scalar.clone(),
    }
}

/// Builds fields as the layout shapes them, keeping the sensitive values aside.
struct Builder<'a> {
    layout: &'a Layout,
    sensitive: BTreeMap<String, Scalar>,
}

impl Builder<'_> {
    /// The label and shown value of the scalar at `place`.
    fn scalar(&mut self, place: &Place, key: &str, value: &Value) -> (String, Scalar) {
        let rule = self.layout.rule(place);
        let label = rule
            .and_then(|r| r.label.clone())
            .unwrap_or_else(|| self::label(key));
        let shown = match rule.and_then(|r| r.format.as_ref()) {
            Some(format) => Scalar::formatted(format, key, value),
            None => Scalar::classify(key, value),
        };
        if self.layout.is_sensitive(place) && !shown.is_empty() {
            let path = inert(&dotted(place));
            self.sensitive.insert(path.clone(), shown);
            return (label, Scalar::Sensitive { path });
        }
        (label, shown)
    }

    fn fields(
        &mut self,
        map: &Map<String, Value>,
        prefix: &[Step],
        depth: usize,
        skip: &[Vec<Step>],
    ) -> Vec<Field> {
        let mut fields: Vec<(usize, Field)> = Vec::with_capacity(map.len());
        for (key, value) in map {
            let mut place = prefix.to_vec();
            place.push(Step::Key(key.clone()));
            if skip.contains(&place) || self.layout.rule(&place).is_some_and(|r| r.hide) {
                continue;
            }
            let (label, node) = match value {
                Value::Object(_) | Value::Array(_) => {
                    let rule = self.layout.rule(&place);
                    let label = rule
                        .and_then(|r| r.label.clone())
                        .unwrap_or_else(|| self::label(key));
                    (label, self.node(key, value, &place, depth, skip))
                }
                scalar => {
                    let (label, value) = self.scalar(&place, key, scalar);
                    (label, Node::Value { value })
                }
            };
            // A section whose every field was highlighted or hidden has nothing left to show.
            if matches!(&node, Node::Section { fields, .. } if fields.is_empty())
                && !matches!(value, Value::Object(o) if o.is_empty())
            {
                continue;
            }
            let order = self
                .layout
                .fields
                .iter()
                .position(|r| r.path.matches(&place))
                .unwrap_or(usize::MAX);
            fields.push((
                order,
                Field {
                    path: inert(&dotted(&place)),
                    label,
                    value: node,
                },
            ));
        }
        // Fields a layout names come first, in its order; the rest keep the server's order.
        fields.sort_by_key(|(order, _)| *order);
        fields.into_iter().map(|(_, f)| f).collect()
    }

    fn node(
        &mut self,
        key: &str,
        value: &Value,
        place: &[Step],
        depth: usize,
        skip: &[Vec<Step>],
    ) -> Node {
        match value {
            Value::Object(map) if !map.is_empty() => Node::Section {
                fields: self.fields(map, place, depth + 1, skip),
                collapsed: depth + 1 >= COLLAPSE_DEPTH,
            },
            Value::Array(items) if !items.is_empty() => {
                let plain = !self
                    .layout
                    .fields
                    .iter()
                    .any(|r| r.path.reaches_inside(place));
                if plain {
                    if let Some(table) = as_table(items) {
                        return table;
                    }
                }
                let items = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        let mut p = place.to_vec();
                        p.push(Step::Item(i));
                        if self.layout.rule(&p).is_some_and(|r| r.hide) {
                            return None;
                        }
                        Some(match item {
                            Value::Object(_) | Value::Array(_) => {
                                self.node(key, item, &p, depth + 1, skip)
                            }
                            scalar => Node::Value {
                                value: self.scalar(&p, key, scalar).1,
                            },
                        })
                    })
                    .collect();
                Node::List { items }
            }
            scalar => Node::Value {
                value: self.scalar(place, key, scalar).1,
            },
        }
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
