//! Where a value sits in `data`, and the paths a layout names: dotted keys, where `*` inside a
//! key matches any characters of that one key (`internal_*`, `*`) and `[]` after a key stands
//! for every item of its list (`orders[].id`).

use std::fmt;

/// One step into `data`: a key of an object, or an item of a list (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Item(usize),
}

/// The place of a value in `data`.
pub(crate) type Place = [Step];

/// A place as the card names it: keys joined by dots, list items by their 1-based position.
pub(crate) fn dotted(place: &Place) -> String {
    let parts: Vec<String> = place
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Item(i) => (i + 1).to_string(),
        })
        .collect();
    parts.join(".")
}

/// A path a layout names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    steps: Vec<Match>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    /// A key, exactly, or a glob over one key when it holds `*`.
    Key(String),
    /// Every item of a list.
    Items,
}

impl Pattern {
    /// Reads a path such as `customer.account_number`, `internal_*` or `orders[].id`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("the path is empty".to_owned());
        }
        let mut steps = Vec::new();
        for part in trimmed.split('.') {
            let mut key = part;
            let mut items = 0;
            while let Some(rest) = key.strip_suffix("[]") {
                key = rest;
                items += 1;
            }
            if key.is_empty() || key.contains(['[', ']']) {
                return Err(format!(
                    "`{trimmed}` is not a path: write keys joined by dots, `*` for any part of a \
                     key, `[]` after a list's key (e.g. `orders[].id`)"
                ));
            }
            steps.push(Match::Key(key.to_owned()));
            steps.extend(std::iter::repeat_n(Match::Items, items));
        }
        Ok(Self {
            text: trimmed.to_owned(),
            steps,
        })
    }

    /// Whether the value at `place` is the one this path names.
    pub(crate) fn matches(&self, place: &Place) -> bool {
        self.steps.len() == place.len()
            && self.steps.iter().zip(place).all(|(m, s)| match (m, s) {
                (Match::Key(pattern), Step::Key(key)) => glob(pattern, key),
                (Match::Items, Step::Item(_)) => true,
                _ => false,
            })
    }

    /// Whether this path names something strictly inside the value at `place`.
    pub(crate) fn reaches_inside(&self, place: &Place) -> bool {
        self.steps.len() > place.len()
            && Self {
                text: String::new(),
                steps: self.steps[..place.len()].to_vec(),
            }
            .matches(place)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `*` matches any run of characters (none included); every other character matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut text) = text.strip_prefix(head) else {
        return false;
    };
    let pieces: Vec<&str> = rest.split('*').collect();
    let (last, middle) = pieces.split_last().unwrap_or((&"", &[]));
    for piece in middle {
        match text.find(piece) {
            Some(at) => text = &text[at + piece.len()..],
            None => return false,
        }
    }
    text.len() >= last.len() && text.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(steps: &[&str]) -> Vec<Step> {
        steps
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Step::Item(i),
                Err(_) => Step::Key((*s).to_owned()),
            })
            .collect()
    }

    #[test]
    fn keys_stars_and_items() {
        let p = Pattern::parse("customer.account_number").expect("path");
        assert!(p.matches(&place(&["customer", "account_number"])));
        assert!(!p.matches(&place(&["account_number"])));
        assert!(!p.matches(&place(&["customer", "account_number", "x"])));
        let p = Pattern::parse("internal_*").expect("path");
        assert!(p.matches(&place(&["internal_"])));
        assert!(p.matches(&place(&["internal_score"])));
        assert!(!p.matches(&place(&["external_score"])));
        assert!(!p.matches(&place(&["x", "internal_score"])));
        let p = Pattern::parse("*.name").expect("path");
        assert!(p.matches(&place(&["customer", "name"])));
        assert!(!p.matches(&place(&["name"])));
        let p = Pattern::parse("orders[].id").expect("path");
        assert!(p.matches(&place(&["orders", "0", "id"])));
        assert!(p.matches(&place(&["orders", "7", "id"])));
        assert!(!p.matches(&place(&["orders", "id"])));
        let p = Pattern::parse("a*b*c").expect("path");
        assert!(p.matches(&place(&["abc"])));
        assert!(p.matches(&place(&["a-b-c"])));
        assert!(!p.matches(&place(&["acb"])));
        assert!(!Pattern::parse("ab*b")
            .expect("path")
            .matches(&place(&["ab"])));
    }

    #[test]
    fn a_path_can_reach_inside_a_value() {
        let p = Pattern::parse("orders[].card").expect("path");
        assert!(p.reaches_inside(&place(&["orders"])));
        assert!(p.reaches_inside(&place(&["orders", "3"])));
        assert!(!p.reaches_inside(&place(&["orders", "3", "card"])));
        assert!(!p.reaches_inside(&place(&["refunds"])));
    }

    #[test]
    fn unreadable_paths_say_how_to_write_one() {
        for bad in ["", "  ", "a..b", "a[0]", "[]", "a.[]"] {
            assert!(Pattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn places_read_with_one_based_items() {
        assert_eq!(dotted(&place(&["orders", "0", "id"])), "orders.1.id");
    }
}
