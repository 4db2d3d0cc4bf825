//! The card as plain text: what "copy all" puts on the clipboard and what the terminal prints.
//! Sensitive fields are left out: they are shown only one at a time, when the agent asks.

use std::fmt::Write;

use super::{Card, Field, Node, Scalar};

impl Card {
    /// The card as plain text: title, highlights, ids and link, then every non-empty field
    /// indented by depth. Empty fields are left out and counted at the end.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let title = if self.title.is_empty() {
            "Unknown caller"
        } else {
            &self.title
        };
        let _ = writeln!(out, "Caller: {title}");
        if let Some(reason) = &self.reason {
            let _ = writeln!(out, "Reason: {reason}");
        }
        for h in &self.highlights {
            write_field(&mut out, &h.field, 0);
        }
        if let Some(id) = &self.conversation_id {
            let _ = writeln!(out, "Conversation id: {id}");
        }
        if let Some(id) = &self.shared_id {
            let _ = writeln!(out, "Shared id: {id}");
        }
        if let Some(url) = &self.studio_url {
            let _ = writeln!(out, "Agent Studio: {url}");
        }
        for link in &self.links {
            let _ = writeln!(out, "{}: {}", link.label, link.url);
        }
        if self.value_count == 0 {
            out.push_str("\n(The voice agent stored no data for this call.)\n");
            return out;
        }
        if self.fields.iter().any(|f| !is_all_empty(&f.value)) {
            out.push('\n');
            for f in &self.fields {
                write_field(&mut out, f, 0);
            }
        }
        match self.empty_count {
            0 => {}
            1 => out.push_str("\n(1 empty field not shown.)\n"),
            n => {
                let _ = writeln!(out, "\n({n} empty fields not shown.)");
            }
        }
        match self.sensitive.len() {
            0 => {}
            1 => out.push_str("(1 sensitive field not shown: reveal it in the window.)\n"),
            n => {
                let _ = writeln!(
                    out,
                    "({n} sensitive fields not shown: reveal them one at a time in the window.)"
                );
            }
        }
        out
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

fn write_field(out: &mut String, field: &Field, depth: usize) {
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
            let _ = writeln!(out, "{pad}{}: {}", field.label, value.plain());
        }
        other => {
            let _ = writeln!(out, "{pad}{}:", field.label);
            write_node(out, other, depth + 1);
        }
    }
}

fn write_node(out: &mut String, node: &Node, depth: usize) {
    let pad = "  ".repeat(depth);
    match node {
        Node::Value { value } => {
            let _ = writeln!(out, "{pad}• {}", value.plain());
        }
        Node::Section { fields, .. } => {
            for f in fields {
                write_field(out, f, depth);
            }
        }
        Node::List { items } => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Node::Value { value } if !is_silent(value) => {
                        let _ = writeln!(out, "{pad}• {}", value.plain());
                    }
                    Node::Value { .. } => {}
                    nested => {
                        let _ = writeln!(out, "{pad}{}.", i + 1);
                        write_node(out, nested, depth + 1);
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
                            .map(|s| format!("{c}: {}", s.plain()))
                    })
                    .collect();
                let _ = writeln!(out, "{pad}• {}", cells.join(", "));
            }
        }
    }
}
