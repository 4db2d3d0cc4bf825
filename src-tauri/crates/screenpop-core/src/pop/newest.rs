//! Stage 3 of a pop: the newest wins. Each pop takes the next number; a lookup whose number is
//! no longer the newest stops at once (no more retries, no card, no notification), and only
//! the newest pop may change what the card shows.

use std::future::Future;

use tokio::sync::watch;

/// The number of the newest pop.
#[derive(Debug)]
pub(crate) struct Newest(watch::Sender<u64>);

impl Default for Newest {
    fn default() -> Self {
        Self(watch::Sender::new(0))
    }
}

impl Newest {
    /// Starts a new pop and answers its number; every earlier one is superseded from now on.
    pub(crate) fn next(&self) -> u64 {
        let mut seq = 0;
        self.0.send_modify(|n| {
            *n += 1;
            seq = *n;
        });
        seq
    }

    /// Whether `seq` is still the newest pop.
    pub(crate) fn is_newest(&self, seq: u64) -> bool {
        *self.0.borrow() == seq
    }

    /// Runs `work` for pop `seq` unless a newer pop starts first: then `work` is dropped where
    /// it stands (its HTTP request cancelled) and `None` comes back.
    pub(crate) async fn unless_superseded<T>(
        &self,
        seq: u64,
        work: impl Future<Output = T>,
    ) -> Option<T> {
        let mut newest = self.0.subscribe();
        tokio::select! {
            out = work => Some(out),
            _ = newest.wait_for(|n| *n > seq) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_newer_pop_stops_the_older_one_at_once() {
        let newest = Newest::default();
        let first = newest.next();
        let pending = std::future::pending::<()>();
        let (out, ()) = tokio::join!(newest.unless_superseded(first, pending), async {
            tokio::task::yield_now().await;
            newest.next();
        });
        assert_eq!(out, None);
        assert!(!newest.is_newest(first));
        let second = *newest.0.borrow();
        assert_eq!(newest.unless_superseded(second, async { 7 }).await, Some(7));
    }
}
