//! This session's recent lookups, newest first, in memory only: nothing about a caller is
//! ever written to disk.

use std::collections::VecDeque;

use crate::lookups::LookupResult;

/// How many lookups are kept.
pub const RECENT_CAPACITY: usize = 20;

/// The recent lookups.
#[derive(Debug, Default)]
pub struct Recent {
    entries: VecDeque<LookupResult>,
}

impl Recent {
    /// Adds a lookup at the top; looking the same id up again moves it there.
    pub fn push(&mut self, result: LookupResult) {
        self.entries.retain(|e| {
            !(e.profile == result.profile && e.by == result.by && e.query == result.query)
        });
        self.entries.push_front(result);
        self.entries.truncate(RECENT_CAPACITY);
    }

    /// The `index`th entry, newest first.
    pub fn get(&self, index: usize) -> Option<LookupResult> {
        self.entries.get(index).cloned()
    }

    /// Newest first.
    pub fn entries(&self) -> Vec<LookupResult> {
        self.entries.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use screenpop_api::{HandoffState, LookupBy};
    use screenpop_card::Card;

    fn result(query: &str) -> LookupResult {
        let state = HandoffState {
            id: Some(query.to_owned()),
            shared_id: None,
            data: serde_json::Map::new(),
        };
        LookupResult {
            profile: "p".into(),
            query: query.into(),
            by: LookupBy::Id,
            at_ms: 0,
            card: Card::build(&state, None),
            text: String::new(),
            raw_json: String::new(),
        }
    }

    #[test]
    fn newest_first_without_duplicates_and_bounded() {
        let mut r = Recent::default();
        r.push(result("a"));
        r.push(result("b"));
        r.push(result("a"));
        let q: Vec<_> = r.entries().into_iter().map(|e| e.query).collect();
        assert_eq!(q, ["a", "b"]);
        for i in 0..50 {
            r.push(result(&i.to_string()));
        }
        assert_eq!(r.entries().len(), RECENT_CAPACITY);
        assert_eq!(r.entries()[0].query, "49");
    }
}
