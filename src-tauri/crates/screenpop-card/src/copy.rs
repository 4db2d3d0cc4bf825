//! What each copy button on the card puts on the clipboard, and which parts of the card count
//! as empty (hidden behind "show empty fields"). Decided here so the window only renders them.
//! Unlike "copy all" ([`Card::to_text`](crate::Card::to_text)), a button copies one value the
//! way another program wants it pasted: a phone number as it is dialled, lines on lines.

use super::{Node, Scalar};

/// Longest id the card's meta line shows before cutting it short.
pub const SHOWN_ID_CHARS: usize = 120;

impl Scalar {
    /// The value as its copy button copies it; empty and sensitive values copy nothing (a
    /// sensitive one is copied only once revealed).
    pub fn copied(&self) -> String {
        match self {
            Self::Empty | Self::Sensitive { .. } => String::new(),
            Self::Bool { value: true } => "yes".to_owned(),
            Self::Bool { value: false } => "no".to_owned(),
            Self::Phone { dial, .. } => dial.clone(),
            Self::Link { url } => url.clone(),
            Self::DateTime { iso, .. } => iso.clone(),
            Self::Lines { lines } => lines.join("\n"),
            Self::Number { text }
            | Self::Email { text }
            | Self::Code { text, .. }
            | Self::Text { text } => text.clone(),
            Self::Money { amount, currency } => format!("{amount} {currency}"),
        }
    }
}

impl Node {
    /// The node as its copy button copies it: a section as `label: value` lines, a list one item
    /// per line, a table one row per line.
    pub fn copied(&self) -> String {
        match self {
            Self::Value { value } => value.copied(),
            Self::Section { fields, .. } => fields
                .iter()
                .map(|f| format!("{}: {}", f.label, f.value.copied()))
                .collect::<Vec<_>>()
                .join("\n"),
            Self::List { items } => items
                .iter()
                .map(Node::copied)
                .collect::<Vec<_>>()
                .join("\n"),
            Self::Table { columns, rows } => rows
                .iter()
                .map(|row| {
                    columns
                        .iter()
                        .zip(row)
                        .filter_map(|(c, cell)| {
                            cell.as_ref().map(|s| format!("{c}: {}", s.copied()))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Whether the node holds nothing to show: an empty value, or a section or list of only
    /// empty ones. A table always has something.
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Value { value } => value.is_empty(),
            Self::Section { fields, .. } => fields.iter().all(|f| f.value.is_empty()),
            Self::List { items } => items.iter().all(Node::is_empty),
            Self::Table { .. } => false,
        }
    }
}

/// An id as the card shows it: inert (control and invisible formatting characters, which could
/// reorder what the agent reads, become U+FFFD), and a pasted essay cut short.
pub fn shown_id(id: &str) -> String {
    let clean = super::inert(id);
    match clean.char_indices().nth(SHOWN_ID_CHARS) {
        Some((at, _)) => format!("{}…", &clean[..at]),
        None => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Field;

    fn value(v: Scalar) -> Node {
        Node::Value { value: v }
    }

    fn text(t: &str) -> Scalar {
        Scalar::Text { text: t.to_owned() }
    }

    #[test]
    fn a_value_is_copied_as_another_program_wants_it() {
        let phone = Scalar::Phone {
            text: "+44 20 7946 0958".to_owned(),
            dial: "+442079460958".to_owned(),
        };
        assert_eq!(phone.copied(), "+442079460958");
        let lines = Scalar::Lines {
            lines: vec!["1 High St".to_owned(), "Leeds".to_owned()],
        };
        assert_eq!(lines.copied(), "1 High St\nLeeds");
        assert_eq!(Scalar::Empty.copied(), "");
        assert_eq!(Scalar::Bool { value: false }.copied(), "no");
        let money = Scalar::Money {
            amount: "12.50".to_owned(),
            currency: "GBP".to_owned(),
        };
        assert_eq!(money.copied(), "12.50 GBP");
    }

    #[test]
    fn sections_lists_and_tables_copy_line_by_line() {
        let section = Node::Section {
            fields: vec![
                Field {
                    path: "a.x".to_owned(),
                    label: "X".to_owned(),
                    value: value(text("1")),
                },
                Field {
                    path: "a.y".to_owned(),
                    label: "Y".to_owned(),
                    value: value(Scalar::Empty),
                },
            ],
            collapsed: false,
        };
        assert_eq!(section.copied(), "X: 1\nY: ");
        let list = Node::List {
            items: vec![value(text("a")), value(text("b"))],
        };
        assert_eq!(list.copied(), "a\nb");
        let table = Node::Table {
            columns: vec!["Item".to_owned(), "Qty".to_owned()],
            rows: vec![vec![Some(text("Socks")), None], vec![None, Some(text("2"))]],
        };
        assert_eq!(table.copied(), "Item: Socks\nQty: 2");
    }

    #[test]
    fn empty_means_nothing_to_show_at_any_depth() {
        assert!(value(Scalar::Empty).is_empty());
        assert!(!value(text("x")).is_empty());
        let hidden = Scalar::Sensitive {
            path: "card".to_owned(),
        };
        assert!(
            !value(hidden).is_empty(),
            "a sensitive value is there, masked"
        );
        let list = Node::List {
            items: vec![value(Scalar::Empty), Node::List { items: vec![] }],
        };
        assert!(list.is_empty());
        let table = Node::Table {
            columns: vec![],
            rows: vec![],
        };
        assert!(!table.is_empty());
    }

    #[test]
    fn ids_are_shown_inert_and_cut_short() {
        assert_eq!(shown_id("conv\u{202E}1\u{7}"), "conv\u{FFFD}1\u{FFFD}");
        let long = "é".repeat(200);
        let shown = shown_id(&long);
        assert_eq!(shown.chars().count(), SHOWN_ID_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(shown_id(&"x".repeat(120)), "x".repeat(120));
    }
}
