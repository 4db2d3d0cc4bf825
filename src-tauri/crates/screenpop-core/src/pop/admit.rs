//! Stage 2 of a pop: admission. A pushed transfer is let through once (the same caller arriving
//! again within [`DUPLICATE_WINDOW`], a softphone firing twice or a double click, is dropped),
//! and only with a profile that exists. What the agent types is always let through: pressing
//! Enter again is how they ask again.

use std::collections::VecDeque;
use std::time::Instant;

use crate::transfer::{Transfer, DUPLICATE_WINDOW};
use crate::Result;

use super::Origin;

/// Remembers the transfers let through recently.
#[derive(Debug, Default)]
pub struct PopGate {
    recent: VecDeque<(Transfer, Instant)>,
}

impl PopGate {
    /// Whether `t`, arriving at `now`, should pop.
    pub fn admit(&mut self, t: &Transfer, now: Instant) -> bool {
        self.recent
            .retain(|(_, at)| now.saturating_duration_since(*at) < DUPLICATE_WINDOW);
        if self
            .recent
            .iter()
            .any(|(seen, _)| seen.identity() == t.identity())
        {
            return false;
        }
        self.recent.push_back((t.clone(), now));
        // Bounded even under a flood of distinct ids.
        while self.recent.len() > 256 {
            self.recent.pop_front();
        }
        true
    }
}

/// What admission decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Look it up.
    Admitted,
    /// The same caller popped moments ago: nothing happens.
    Duplicate,
}

/// Admits `t` from `origin` at `now`; an error when it names a profile that does not exist
/// (checked here, before the card changes, so a mistyped CTI setting is refused visibly).
pub(crate) fn admit(
    gate: &mut PopGate,
    t: &Transfer,
    origin: Origin,
    now: Instant,
    profile_exists: impl FnOnce(&str) -> Result<()>,
) -> Result<Admission> {
    if let Some(name) = t.profile() {
        profile_exists(name)?;
    }
    if origin.is_pushed() && !gate.admit(t, now) {
        return Ok(Admission::Duplicate);
    }
    Ok(Admission::Admitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn t(id: &str) -> Transfer {
        Transfer::new(Some(id), None, None).expect("valid")
    }

    #[test]
    fn the_same_caller_pops_once_within_the_window() {
        let mut gate = PopGate::default();
        let t0 = Instant::now();
        assert!(gate.admit(&t("a"), t0));
        assert!(!gate.admit(&t("a"), t0 + Duration::from_secs(1)));
        assert!(gate.admit(&t("b"), t0 + Duration::from_secs(1)));
        assert!(gate.admit(&t("a"), t0 + DUPLICATE_WINDOW + Duration::from_millis(1)));
    }

    #[test]
    fn typed_lookups_are_never_duplicates_and_unknown_profiles_are_refused() {
        let mut gate = PopGate::default();
        let now = Instant::now();
        let ok = |_: &str| Ok(());
        for _ in 0..2 {
            assert_eq!(
                admit(&mut gate, &t("a"), Origin::Typed, now, ok).expect("typed"),
                Admission::Admitted
            );
        }
        assert_eq!(
            admit(&mut gate, &t("a"), Origin::Link, now, ok).expect("first push"),
            Admission::Admitted
        );
        assert_eq!(
            admit(&mut gate, &t("a"), Origin::Trigger, now, ok).expect("second push"),
            Admission::Duplicate
        );
        let named = Transfer::new(Some("c"), None, Some("Nope")).expect("valid");
        let missing = |n: &str| Err(crate::Error::BadInput(format!("No profile \"{n}\".")));
        let e = admit(&mut gate, &named, Origin::Link, now, missing).expect_err("no profile");
        assert!(e.to_string().contains("Nope"), "{e}");
    }
}
