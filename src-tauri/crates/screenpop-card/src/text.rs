//! The card as plain text: what "copy all" puts on the clipboard and what the terminal prints.
//! Sensitive fields are left out: they are shown only one at a time, when the agent asks.
//! The words around the caller's data are in the agent's language (its catalogue); the data,
//! its labels and its codes are written as they are.

use std::fmt::Write;

use screenpop_words::Catalogue;

use super::{Card, Field, Node, Scalar};

impl Card {
    /// The card as plain text in `words`' language: title, highlights, ids and link, then
    /// every non-empty field indented by depth. Empty fields are left out and counted at the end.
    pub fn to_text(&self, words: &Catalogue) -> String {
        let mut out = String::new();
        let title = if self.title.is_empty() {
            words.say("card.unknown_caller", &[])
        } else {
            self.title.clone()
        };
        line(&mut out, words.say("copy.caller", &[("title", &title)]));
        if let Some(reason) = &self.reason {
            line(&mut out, words.say("copy.reason", &[("reason", reason)]));
        }
        for h in &self.highlights {
            write_field(&mut out, &h.field, 0, words);
        }
        if let Some(id) = &self.conversation_id {
            line(&mut out, words.say("copy.conversation_id", &[("id", id)]));
        }
        if let Some(id) = &self.shared_id {
            line(&mut out, words.say("copy.shared_id", &[("id", id)]));
        }
        if let Some(url) = &self.studio_url {
            line(&mut out, words.say("copy.agent_studio", &[("url", url)]));
        }
        for link in &self.links {
            let _ = writeln!(out, "{}: {}", link.label, link.url);
        }
        if self.value_count == 0 {
            out.push('\n');
            line(&mut out, words.say("copy.no_data", &[]));
            return out;
        }
        if self.fields.iter().any(|f| !is_all_empty(&f.value)) {
            out.push('\n');
            for f in &self.fields {
                write_field(&mut out, f, 0, words);
            }
        }
        if self.empty_count > 0 {
            out.push('\n');
            let count = self.empty_count.to_string();
            line(
                &mut out,
                words.say("copy.empty_not_shown", &[("count", &count)]),
            );
        }
        if !self.sensitive.is_empty() {
            let count = self.sensitive.len().to_string();
            line(
                &mut out,
                words.say("copy.sensitive_not_shown", &[("count", &count)]),
            );
        }
        out
    }
}

fn line(out: &mut String, text: String) {
    out.push_str(&text);
    out.push('\n');
}

/// A value as one line of the text: yes and no in the agent's language, the rest as
/// [`Scalar::plain`] writes it.
fn plain(value: &Scalar, words: &Catalogue) -> String {
    match value {
        Scalar::Bool { value: true } => words.say("value.yes", &[]),
        Scalar::Bool { value: false } => words.say("value.no", &[]),
        other => other.plain(),
    }
}

/// Whether nothing of `node` is written: empty, or sensitive.
fn is_all_empty(node: &Node) -> bool {
    match node {
        Node::Value { value } => value.is_empty() || matches!(value, Scalar::Sensitive { .. }),
        Node::Section { fields, .. } => fields.iter().all(|f| is_all_empty(&f.value)),
        Node::List { items } => items.iter().all(is_all_empty),
        Node::Table { .. } => false,
    }
}

fn is_silent(value: &Scalar) -> bool {
    value.is_empty() || matches!(value, Scalar::Sensitive { .. })
}

fn write_field(out: &mut String, field: &Field, depth: usize, words: &Catalogue) {
    if is_all_empty(&field.value) {
        return;
    }
    let pad = "  ".repeat(depth);
    match &field.value {
        Node::Value {
            value: Scalar::Lines { lines },
        } => {
            let _ = writeln!(out, "{pad}{}:", field.label);
            for line in lines {
                let _ = writeln!(out, "{pad}  • {line}");
            }
        }
        Node::Value { value } => {
            let _ = writeln!(out, "{pad}{}: {}", field.label, plain(value, words));
        }
        other => {
            let _ = writeln!(out, "{pad}{}:", field.label);
            write_node(out, other, depth + 1, words);
        }
    }
}

fn write_node(out: &mut String, node: &Node, depth: usize, words: &Catalogue) {
    let pad = "  ".repeat(depth);
    match node {
        Node::Value { value } => {
            let _ = writeln!(out, "{pad}• {}", plain(value, words));
        }
        Node::Section { fields, .. } => {
            for f in fields {
                write_field(out, f, depth, words);
            }
        }
        Node::List { items } => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Node::Value { value } if !is_silent(value) => {
                        let _ = writeln!(out, "{pad}• {}", plain(value, words));
                    }
                    Node::Value { .. } => {}
                    nested => {
                        let _ = writeln!(out, "{pad}{}.", i + 1);
                        write_node(out, nested, depth + 1, words);
                    }
                }
            }
        }
        Node::Table { columns, rows } => {
            for row in rows {
                let cells: Vec<String> = columns
                    .iter()
                    .zip(row)
                    .filter_map(|(c, cell)| {
                        cell.as_ref()
                            .filter(|s| !is_silent(s))
                            .map(|s| format!("{c}: {}", plain(s, words)))
                    })
                    .collect();
                let _ = writeln!(out, "{pad}• {}", cells.join(", "));
            }
        }
    }
}
