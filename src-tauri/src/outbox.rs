//! What the shell tells the page, kept in order until the page asks for it. The page asks with
//! one long-running `page_events` command at a time, which the pipeline's next state answers
//! at once. A command's answer travels back the way it was asked (WebKit's custom-scheme
//! response); an event emitted by Tauri is a script the window's process runs in the page,
//! which starts a JavaScriptCore machine in that process for its result: about 2.5 MiB for
//! the life of the window (the memory benchmark), to deliver what a reply delivers for free.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;

use crate::views::PopView;

/// How many messages are kept for a page that is slow to ask (or not loaded): refusals and
/// changes; of the card only the newest state is ever kept, so no earlier caller's data waits
/// here, and a message the page has had is dropped when it asks for the next.
const KEPT: usize = 64;

/// How long one `page_events` call waits for something to say before it answers with nothing,
/// so a request never stays open long enough for anything between to give up on it.
pub(crate) const WAIT: Duration = Duration::from_secs(25);

/// One message for the page.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", content = "payload", rename_all = "kebab-case")]
pub(crate) enum PageEvent {
    /// The card changed: pending, waiting, filled or failed.
    Pop(Box<PopView>),
    /// A transfer or an action was refused; the sentence says why.
    Refused(String),
    /// The profiles or the active one changed outside the page (the tray).
    ProfilesChanged,
    /// The policy changed while the window runs.
    SettingsChanged,
}

/// The messages after a cursor, and the cursor to ask with next.
#[derive(Debug, Serialize)]
pub(crate) struct Batch {
    next: u64,
    events: Vec<PageEvent>,
}

#[derive(Default)]
struct Queue {
    /// The number the next message gets.
    next: u64,
    events: VecDeque<(u64, PageEvent)>,
}

/// The page's messages, in order, with a wake-up for the one call waiting on them.
#[derive(Default)]
pub(crate) struct Outbox {
    queue: Mutex<Queue>,
    posted: tokio::sync::Notify,
}

impl Outbox {
    /// Queues `event` and wakes the page's waiting call, if there is one.
    pub(crate) fn post(&self, event: PageEvent) {
        let mut queue = self.lock();
        if matches!(event, PageEvent::Pop(_)) {
            // The newest card wins: a page that asks late draws only it.
            queue
                .events
                .retain(|(_, e)| !matches!(e, PageEvent::Pop(_)));
        }
        let n = queue.next;
        queue.next += 1;
        queue.events.push_back((n, event));
        if queue.events.len() > KEPT {
            queue.events.pop_front();
        }
        drop(queue);
        self.posted.notify_waiters();
    }

    /// The messages numbered `after` and later, waiting up to `wait` for the first; with no
    /// cursor, none, and the cursor from now on (what a page that starts listening asks).
    pub(crate) async fn after(&self, after: Option<u64>, wait: Duration) -> Batch {
        let Some(after) = after else {
            return Batch {
                next: self.lock().next,
                events: Vec::new(),
            };
        };
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before the queue is read, so a message posted in between still wakes.
            let posted = self.posted.notified();
            tokio::pin!(posted);
            posted.as_mut().enable();
            let batch = self.since(after);
            if !batch.events.is_empty() {
                return batch;
            }
            if tokio::time::timeout_at(deadline, posted).await.is_err() {
                return batch;
            }
        }
    }

    fn since(&self, after: u64) -> Batch {
        let mut queue = self.lock();
        // Asking from `after` says everything before it arrived.
        queue.events.retain(|(n, _)| *n >= after);
        Batch {
            next: queue.next,
            events: queue.events.iter().map(|(_, e)| e.clone()).collect(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding the lock leaves a queue that is still whole.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(batch: &Batch) -> Vec<&str> {
        batch
            .events
            .iter()
            .filter_map(|e| match e {
                PageEvent::Refused(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn a_page_that_starts_listening_gets_only_what_comes_after() {
        let outbox = Outbox::default();
        outbox.post(PageEvent::Refused("before".into()));
        let start = outbox.after(None, WAIT).await;
        assert!(start.events.is_empty());
        outbox.post(PageEvent::Refused("after".into()));
        let batch = outbox.after(Some(start.next), WAIT).await;
        assert_eq!(refused(&batch), ["after"]);
        assert_eq!(batch.next, start.next + 1);
    }

    // Time stands still unless every task waits: a wake-up that never came would end the
    // call at its 25 s wait, with nothing, instead of with the messages.
    #[tokio::test(start_paused = true)]
    async fn a_waiting_call_is_woken_by_the_next_messages_in_order() {
        let outbox = std::sync::Arc::new(Outbox::default());
        let cursor = outbox.after(None, WAIT).await.next;
        let waiting = {
            let outbox = outbox.clone();
            tokio::spawn(async move { outbox.after(Some(cursor), WAIT).await })
        };
        // The call runs until it waits for a message.
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        let started = tokio::time::Instant::now();
        outbox.post(PageEvent::Refused("one".into()));
        outbox.post(PageEvent::Refused("two".into()));
        let batch = waiting.await.unwrap();
        assert_eq!(refused(&batch), ["one", "two"]);
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn with_nothing_to_say_the_call_answers_empty_after_the_wait() {
        let outbox = Outbox::default();
        let cursor = outbox.after(None, WAIT).await.next;
        let started = tokio::time::Instant::now();
        let batch = outbox.after(Some(cursor), WAIT).await;
        assert!(batch.events.is_empty());
        assert_eq!(batch.next, cursor);
        assert_eq!(started.elapsed(), WAIT);
    }

    fn pop(seq: u64) -> PageEvent {
        use screenpop_core::pop::{Origin, PopState, Stage};
        PageEvent::Pop(Box::new(PopView::from(&PopState {
            version: seq,
            seq,
            origin: Origin::Trigger,
            asked: None,
            at_ms: 0,
            stage: Stage::Pending,
        })))
    }

    #[tokio::test]
    async fn only_the_newest_card_waits_and_what_was_had_is_dropped() {
        let outbox = Outbox::default();
        let cursor = outbox.after(None, WAIT).await.next;
        outbox.post(pop(1));
        outbox.post(PageEvent::Refused("between".into()));
        outbox.post(pop(2));
        let batch = outbox.after(Some(cursor), WAIT).await;
        let shown: Vec<String> = batch
            .events
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .map(|v| format!("{}:{}", v["kind"].as_str().unwrap(), v["payload"]["seq"]))
            .collect();
        assert_eq!(shown, ["refused:null", "pop:2"]);
        outbox.post(PageEvent::SettingsChanged);
        let next = outbox.after(Some(batch.next), WAIT).await;
        assert_eq!(next.events.len(), 1);
        assert_eq!(outbox.lock().events.len(), 1, "the two had before are gone");
    }

    #[tokio::test]
    async fn a_slow_page_gets_the_newest_messages_kept() {
        let outbox = Outbox::default();
        let cursor = outbox.after(None, WAIT).await.next;
        for i in 0..100 {
            outbox.post(PageEvent::Refused(i.to_string()));
        }
        let batch = outbox.after(Some(cursor), WAIT).await;
        assert_eq!(batch.events.len(), KEPT);
        assert_eq!(refused(&batch).last(), Some(&"99"));
        assert_eq!(batch.next, 100);
    }
}
