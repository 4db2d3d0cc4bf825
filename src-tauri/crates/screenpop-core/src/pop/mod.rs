//! The pop pipeline: every way a caller arrives (a deep link, `screenpop pop`, the local
//! trigger, the clipboard shortcut, the tray, the demo, an id typed in the window) becomes one
//! [`Transfer`] and goes the same way, here, whether or not a page is there to see it:
//!
//! 1. validate: the source's text becomes a [`Transfer`] (`transfer.rs`), or is refused;
//! 2. admit: duplicates and unknown profiles stop (`admit.rs`);
//! 3. newest wins: the pop takes the next number and earlier lookups stop (`newest.rs`);
//! 4. look up, with retry notices (`lookups.rs`), and build the card (`card/`);
//! 5. record it in the recent list (`recent.rs`);
//! 6. publish each change of the card, and alert the agent when they are looking elsewhere
//!    (`publish.rs`; the shell turns these into events and notifications).

mod admit;
mod newest;
mod publish;
mod recent;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use admit::PopGate;
pub use publish::{Alert, Asked, CardUpdate, Failure, Origin, Sink, Stage};
pub use recent::{Recent, RECENT_CAPACITY};

use crate::lookups::{now_ms, LookupResult, Lookups};
use crate::transfer::Transfer;
use crate::{Error, Result};
use screenpop_api::retry::Retryable;
use screenpop_api::{HandoffState, LookupBy};
use screenpop_card::Scalar;
use screenpop_settings::prefs::Preferences;
use screenpop_settings::store::lock;

use admit::Admission;
use newest::Newest;

/// What the card shows now, and the last refusal: what a page that loads late shows at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    /// The newest state, if anything popped yet.
    pub current: Option<CardUpdate>,
    /// Why the last thing that arrived was refused, if anything was.
    pub refused: Option<String>,
}

struct Inner {
    lookups: Lookups,
    prefs: Preferences,
    sink: Arc<dyn Sink>,
    runtime: tokio::runtime::Handle,
    gate: Mutex<PopGate>,
    newest: Newest,
    recent: Mutex<Recent>,
    board: Mutex<(u64, Board)>,
    /// How many lookups are running (see [`Pipeline::lookups_running`]).
    running: AtomicUsize,
}

/// Counts a lookup as running for as long as it is held: dropped when the lookup ends, however
/// it ends (answered, superseded, or its runtime gone).
struct Running<'a>(&'a AtomicUsize);

impl<'a> Running<'a> {
    fn start(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The pipeline. Cheap to clone; every clone is the same pipeline.
#[derive(Clone)]
pub struct Pipeline(Arc<Inner>);

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline that looks up through `lookups`, reads the agent's choices from `prefs`,
    /// tells `sink` what happens, and runs its lookups on `runtime`.
    pub fn new(
        lookups: Lookups,
        prefs: Preferences,
        sink: Arc<dyn Sink>,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Self(Arc::new(Inner {
            lookups,
            prefs,
            sink,
            runtime,
            gate: Mutex::default(),
            newest: Newest::default(),
            recent: Mutex::default(),
            board: Mutex::default(),
            running: AtomicUsize::new(0),
        }))
    }

    /// A `screenpop://` link from the desktop, a second launch or `screenpop pop`.
    pub fn submit_link(&self, raw: &str) {
        match Transfer::from_link(raw) {
            Ok(t) => self.submit(t, Origin::Link),
            Err(e) => self.refuse(e.to_string()),
        }
    }

    /// Text from the clipboard, looked up as the active profile's kind of id.
    pub fn submit_clipboard(&self, text: &str) {
        match Transfer::of(self.0.prefs.active_lookup_by(), text, None) {
            Ok(t) => self.submit(t, Origin::Clipboard),
            Err(e) => self.refuse(format!("The clipboard does not hold an id to look up. {e}")),
        }
    }

    /// An id typed or pasted in the window: remembered as the profile's kind of id, never a
    /// duplicate, and an id that cannot be looked up becomes a failure card saying why.
    pub fn submit_typed(&self, by: LookupBy, query: &str, profile: Option<&str>) {
        match Transfer::of(by, query, profile) {
            Ok(t) => {
                self.0.prefs.remember_lookup_by(profile, by);
                self.submit(t, Origin::Typed);
            }
            Err(e) => {
                let asked = Asked {
                    by,
                    query: query.trim().to_owned(),
                    profile: profile.map(str::to_owned),
                };
                let seq = self.begin(Origin::Typed, Some(asked.clone()), Stage::Pending);
                self.publish(seq, Origin::Typed, Some(asked), Stage::Failed((&e).into()));
            }
        }
    }

    /// A validated transfer from `origin`: admitted, then looked up in the background. Returns
    /// at once.
    pub fn submit(&self, t: Transfer, origin: Origin) {
        self.submit_with(t, origin, None);
    }

    /// Like [`Pipeline::submit`], for a transfer that brought its state with it (the relay
    /// looked it up: keyless mode): the card is built from it, with no lookup.
    pub fn submit_with(&self, t: Transfer, origin: Origin, state: Option<HandoffState>) {
        let inner = &self.0;
        let admitted = {
            let mut gate = lock(&inner.gate);
            admit::admit(&mut gate, &t, origin, Instant::now(), |name| {
                inner.lookups.profile_exists(name)
            })
        };
        match admitted {
            Ok(Admission::Admitted) => {}
            Ok(Admission::Duplicate) => return,
            Err(e) => return self.refuse(e.to_string()),
        }
        let asked = asked(&t);
        // The agent who pressed Enter sees the card respond at once; a pushed caller replaces
        // the card only when there is something to show (see `PENDING_AFTER`).
        let seq = if origin.is_pushed() {
            self.begin_quietly(origin, Some(asked.clone()))
        } else {
            self.begin(origin, Some(asked.clone()), Stage::Pending)
        };
        let this = self.clone();
        inner.runtime.spawn(async move {
            let _running = Running::start(&this.0.running);
            this.look_up(seq, origin, asked, t, state).await;
        });
    }

    /// Stages 3 to 6 for pop `seq`.
    async fn look_up(
        &self,
        seq: u64,
        origin: Origin,
        asked: Asked,
        t: Transfer,
        state: Option<HandoffState>,
    ) {
        let inner = &self.0;
        if let Some(state) = state {
            match inner.lookups.known(t.profile(), t.lookup(), state) {
                Ok(result) => self.arrived(seq, origin, asked, result),
                Err(e) => {
                    self.publish(seq, origin, Some(asked), Stage::Failed(Failure::from(&e)));
                }
            }
            return;
        }
        let on_retry = {
            let this = self.clone();
            let asked = asked.clone();
            move |why: Retryable| {
                this.publish(seq, origin, Some(asked.clone()), Stage::Waiting(why));
            }
        };
        let work = inner.lookups.fetch(t.profile(), t.lookup(), &on_retry);
        // "Looking up" is shown only if the answer takes longer than a glance: a card that comes
        // at once is painted in the next frame, without a skeleton frame before it.
        let work = async {
            tokio::pin!(work);
            tokio::select! {
                outcome = &mut work => return outcome,
                () = tokio::time::sleep(PENDING_AFTER) => {}
            }
            self.publish_pending(seq);
            work.await
        };
        let Some(outcome) = inner.newest.unless_superseded(seq, work).await else {
            return;
        };
        match outcome {
            Ok(result) => self.arrived(seq, origin, asked, result),
            Err(e) => {
                self.publish(seq, origin, Some(asked), Stage::Failed(Failure::from(&e)));
            }
        }
    }

    /// A card exists: record it, show it, and let the agent notice it if they look elsewhere.
    fn arrived(&self, seq: u64, origin: Origin, asked: Asked, result: LookupResult) {
        let inner = &self.0;
        let result = Arc::new(result);
        let card = Stage::Card(result.clone());
        if !self.publish(seq, origin, Some(asked), card) {
            return;
        }
        lock(&inner.recent).push((*result).clone());
        // Duplicates never get here (admit), and a caller picked again from the recent list
        // is not a transfer: the record opens once per transfer.
        if let Some(url) = result
            .card
            .auto_open
            .as_deref()
            .filter(|_| origin.is_pushed())
        {
            inner.sink.open_record(url);
        }
        if origin.is_pushed() && !inner.sink.in_front() {
            inner.sink.alert(&Alert {
                title: result.card.title.clone(),
                reason: result.card.reason.clone().unwrap_or_default(),
                action: inner.prefs.pop_action(),
            });
        }
    }

    /// Shows the `index`th recent caller (newest first); earlier lookups stop.
    pub fn show_recent(&self, index: usize) -> Result<()> {
        let entry = lock(&self.0.recent).get(index).ok_or_else(|| {
            Error::BadInput("That caller is no longer in the recent list.".to_owned())
        })?;
        let asked = Asked {
            by: entry.by,
            query: entry.query.clone(),
            profile: Some(entry.profile.clone()),
        };
        self.begin(Origin::Recent, Some(asked), Stage::Card(Arc::new(entry)));
        Ok(())
    }

    /// The value of the sensitive field at `path` of the card now shown, when the agent asks
    /// to see it; `version` is the state the agent sees, so a newer caller's value is never
    /// shown on an older card.
    pub fn reveal(&self, version: u64, path: &str) -> Result<Scalar> {
        let board = lock(&self.0.board);
        let shown = board.1.current.as_ref().filter(|s| s.version == version);
        match shown.map(|s| &s.stage) {
            Some(Stage::Card(result)) => result.card.reveal(path).cloned().ok_or_else(|| {
                Error::BadInput("This card has no sensitive field there.".to_owned())
            }),
            _ => Err(Error::BadInput(
                "That card is no longer shown: another caller has arrived.".to_owned(),
            )),
        }
    }

    /// Looks the caller of pop `seq` up again (a failure card's Retry), as if the agent typed
    /// it: as the same kind of id, or as `by` ("try it as a shared id"). Refused when a newer
    /// caller has replaced that card.
    pub fn retry(&self, seq: u64, by: Option<LookupBy>) -> Result<()> {
        let asked = lock(&self.0.board)
            .1
            .current
            .as_ref()
            .filter(|s| s.seq == seq)
            .and_then(|s| s.asked.clone())
            .ok_or_else(|| {
                Error::BadInput(
                    "That card is no longer shown: another caller has arrived.".to_owned(),
                )
            })?;
        let by = by.unwrap_or(asked.by);
        self.submit_typed(by, &asked.query, asked.profile.as_deref());
        Ok(())
    }

    /// How many lookups are running now. A superseded lookup stops at once, so once the newest
    /// has settled this is zero: what shows that nothing is left retrying.
    pub fn lookups_running(&self) -> usize {
        self.0.running.load(Ordering::SeqCst)
    }

    /// Clears the card; earlier lookups stop.
    pub fn clear(&self) {
        self.begin(Origin::Typed, None, Stage::Empty);
    }

    /// This session's cards, newest first.
    pub fn recent(&self) -> Vec<LookupResult> {
        lock(&self.0.recent).entries()
    }

    /// What the card shows now and the last refusal.
    pub fn board(&self) -> Board {
        lock(&self.0.board).1.clone()
    }

    /// Tells the agent why something that arrived was not looked up.
    pub fn refuse(&self, message: String) {
        let mut board = lock(&self.0.board);
        board.1.refused = Some(message.clone());
        self.0.sink.refused(&message);
    }

    /// Starts a pop (superseding every earlier one) and answers its number. Nothing is published
    /// yet: the board holds it as pending, for a page that starts now, and the shell hears of it
    /// with its first real news (the card, a wait, a failure, or "looking up" after
    /// [`PENDING_AFTER`]).
    fn begin_quietly(&self, origin: Origin, asked: Option<Asked>) -> u64 {
        let mut board = lock(&self.0.board);
        let seq = self.0.newest.next();
        record(&mut board, seq, origin, asked, Stage::Pending);
        seq
    }

    /// Starts pop number `seq` (superseding every earlier one) with its first state.
    fn begin(&self, origin: Origin, asked: Option<Asked>, stage: Stage) -> u64 {
        let mut board = lock(&self.0.board);
        let seq = self.0.newest.next();
        self.put(&mut board, seq, origin, asked, stage);
        seq
    }

    /// Tells the shell pop `seq` is still looking up (the state [`Pipeline::begin_quietly`]
    /// recorded), unless it has said more since (a wait).
    fn publish_pending(&self, seq: u64) {
        let board = lock(&self.0.board);
        if let Some(s) = board.1.current.as_ref() {
            if s.seq == seq && s.stage == Stage::Pending {
                self.0.sink.publish(s);
            }
        }
    }

    /// Publishes a state of pop `seq` unless a newer pop has started; `false` then.
    fn publish(&self, seq: u64, origin: Origin, asked: Option<Asked>, stage: Stage) -> bool {
        let mut board = lock(&self.0.board);
        if !self.0.newest.is_newest(seq) {
            return false;
        }
        self.put(&mut board, seq, origin, asked, stage);
        true
    }

    fn put(
        &self,
        board: &mut (u64, Board),
        seq: u64,
        origin: Origin,
        asked: Option<Asked>,
        stage: Stage,
    ) {
        // Published under the lock, so the shell hears states in the order of their versions.
        self.0
            .sink
            .publish(record(board, seq, origin, asked, stage));
    }
}

/// Makes a state of pop `seq` the board's newest, with the next version, and answers it.
fn record(
    board: &mut (u64, Board),
    seq: u64,
    origin: Origin,
    asked: Option<Asked>,
    stage: Stage,
) -> &CardUpdate {
    board.0 += 1;
    let at_ms = match &board.1.current {
        Some(s) if s.seq == seq => s.at_ms,
        _ => now_ms(),
    };
    board.1.current.insert(CardUpdate {
        version: board.0,
        seq,
        origin,
        asked,
        at_ms,
        stage,
    })
}

/// How long a lookup may take before the card shows "Looking up…": below what an agent
/// perceives as a delay, above what a nearby API takes to answer.
pub const PENDING_AFTER: std::time::Duration = std::time::Duration::from_millis(100);

fn asked(t: &Transfer) -> Asked {
    let (by, query) = t.lookup().shown();
    Asked {
        by,
        query: query.to_owned(),
        profile: t.profile().map(str::to_owned),
    }
}
