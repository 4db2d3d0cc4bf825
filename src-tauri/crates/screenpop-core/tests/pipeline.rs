//! The pop pipeline against the sandbox over loopback: what it publishes, in which order, what
//! it sends, and when it alerts. The sink here only records what it is told (the real one, the
//! window's, is proven by the window tests in `src-tauri/tests/e2e.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/desk.rs"]
mod desk;
#[path = "../../../tests/support/wait.rs"]
mod wait;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk::desk_on;
use screenpop_api::{ErrorKind, LookupBy};
use screenpop_core::desk::Desk;
use screenpop_core::pop::{Alert, CardUpdate, Origin, Pipeline, Sink, Stage};
use screenpop_core::transfer::Transfer;
use screenpop_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig};
use screenpop_settings::secret::MemoryKeys;
use wait::{check, eventually_async};

#[derive(Default)]
struct Recorder {
    states: Mutex<Vec<CardUpdate>>,
    refused: Mutex<Vec<String>>,
    alerts: Mutex<Vec<Alert>>,
    opened: Mutex<Vec<String>>,
    in_front: AtomicBool,
}

impl Sink for Recorder {
    fn publish(&self, state: &CardUpdate) {
        self.states.lock().unwrap().push(state.clone());
    }
    fn refused(&self, message: &str) {
        self.refused.lock().unwrap().push(message.to_owned());
    }
    fn in_front(&self) -> bool {
        self.in_front.load(Ordering::SeqCst)
    }
    fn alert(&self, alert: &Alert) {
        self.alerts.lock().unwrap().push(alert.clone());
    }
    fn open_record(&self, url: &str) {
        self.opened.lock().unwrap().push(url.to_owned());
    }
}

impl Recorder {
    fn last(&self) -> Option<CardUpdate> {
        self.states.lock().unwrap().last().cloned()
    }

    /// Waits until the newest state satisfies `done` (10 s at most).
    async fn until(&self, what: &str, done: impl Fn(&CardUpdate) -> bool) -> CardUpdate {
        eventually_async(Duration::from_secs(10), || async {
            self.last()
                .filter(|s| done(s))
                .ok_or_else(|| format!("waited for {what}: {:?}", self.last()))
        })
        .await
    }
}

fn settled(s: &CardUpdate) -> bool {
    matches!(s.stage, Stage::Card(_) | Stage::Failed(_))
}

async fn setup() -> (Sandbox, Pipeline, Arc<Recorder>) {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let desk = desk_on(&sb, Arc::new(MemoryKeys::default())).await;
    start(sb, desk).await
}

/// The pipeline over `desk`, whose active profile looks up in `sb`, with its key stored.
async fn start(sb: Sandbox, desk: Desk) -> (Sandbox, Pipeline, Arc<Recorder>) {
    desk.profiles.store_key(None, sb.key()).await.unwrap();
    let sink = Arc::new(Recorder::default());
    let pipeline = Pipeline::new(
        desk.lookups.clone(),
        desk.prefs.clone(),
        sink.clone(),
        tokio::runtime::Handle::current(),
    );
    (sb, pipeline, sink)
}

fn title(s: &CardUpdate) -> String {
    match &s.stage {
        Stage::Card(r) => r.card.title.clone(),
        other => panic!("not a card: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_transfer_goes_pending_then_card_and_alerts_only_when_the_window_is_behind() {
    let (_sb, pipeline, sink) = setup().await;
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    let card = sink.until("the card", settled).await;
    assert_eq!(title(&card), "Priya Raman");
    // An answer that comes at once goes straight to the card: no "looking up" frame first.
    assert_eq!(sink.states.lock().unwrap().len(), 1);
    let alerts = sink.alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].title, "Priya Raman");
    assert_eq!(alerts[0].reason, "Billing", "the card's reason line");
    assert_eq!(pipeline.recent().len(), 1);
    assert_eq!(pipeline.board().current, Some(card));

    // In front, or typed by the agent: no alert.
    sink.in_front.store(true, Ordering::SeqCst);
    pipeline.submit_link("screenpop://lookup?id=demo-orders");
    sink.until("the second card", |s| s.seq == 2 && settled(s))
        .await;
    sink.in_front.store(false, Ordering::SeqCst);
    pipeline.submit_typed(LookupBy::Id, "demo-nested", None);
    sink.until("the typed card", |s| s.seq == 3 && settled(s))
        .await;
    assert_eq!(sink.alerts.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_shows_looking_up_first() {
    let (sb, pipeline, sink) = setup().await;
    sb.set_faults(FaultPlan {
        latency_ms: 300,
        ..FaultPlan::default()
    });
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    sink.until("the card", settled).await;
    let stages: Vec<_> = sink
        .states
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.stage.clone())
        .collect();
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert_eq!(stages[0], Stage::Pending);
    // A page that starts meanwhile sees the pop at once, even before the shell heard of it.
    pipeline.submit_link("screenpop://lookup?id=demo-orders");
    let board = pipeline.board().current.unwrap();
    assert_eq!((board.seq, board.stage), (2, Stage::Pending));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_bad_links_unknown_profiles_and_bad_ids_send_nothing() {
    let (sb, pipeline, sink) = setup().await;
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    sink.until("the card", settled).await;
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    pipeline.submit_link("screenpop://lookup?id=1&run=calc");
    pipeline.submit_link("screenpop://lookup?id=demo-orders&profile=Nope");
    pipeline.submit_clipboard("   ");
    let refused = sink.refused.lock().unwrap().clone();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused[0].starts_with("A screenpop link was refused"));
    assert!(refused[1].contains("Nope"), "{}", refused[1]);
    assert!(refused[2].starts_with("The clipboard does not hold an id"));
    assert_eq!(pipeline.board().refused.as_ref(), refused.last());

    // An id typed wrong is a failure card saying why, not a refusal.
    pipeline.submit_typed(LookupBy::Id, "bad\u{202e}id", None);
    let failed = sink.until("the failure", settled).await;
    assert!(matches!(&failed.stage, Stage::Failed(f) if f.kind == ErrorKind::BadInput));
    assert_eq!(sb.requests().len(), 1, "only the first pop asked the API");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_is_published_with_its_reason_and_the_card_follows() {
    let (sb, pipeline, sink) = setup().await;
    sb.set_faults(FaultPlan {
        fault: Some(Fault::PendingFor { ms: 400 }),
        ..FaultPlan::default()
    });
    pipeline.submit(
        Transfer::new(Some("demo-billing"), None, None).unwrap(),
        Origin::Trigger,
    );
    sink.until("the card", settled).await;
    let states = sink.states.lock().unwrap().clone();
    let versions: Vec<_> = states.iter().map(|s| s.version).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        matches!(
            states[0].stage,
            Stage::Waiting(screenpop_api::retry::Retryable::NotFound)
        ),
        "a not-saved-yet wait comes first: {:?}",
        states[0]
    );
    assert!(
        !states.iter().any(|s| s.stage == Stage::Pending),
        "never back from waiting to looking up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_pops_at_once_end_on_the_last_and_the_others_stop() {
    let (sb, pipeline, sink) = setup().await;
    // Every lookup waits for the handoff to be saved, so all twenty are in flight together.
    sb.set_faults(FaultPlan {
        fault: Some(Fault::PendingFor { ms: 300 }),
        ..FaultPlan::default()
    });
    let start = Arc::new(tokio::sync::Barrier::new(20));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (pipeline, start) = (pipeline.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            pipeline.submit_link(&format!("screenpop://lookup?id=burst-{i}"));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let last = sink.until("the last pop to settle", settled).await;
    assert_eq!(last.seq, 20, "the newest pop owns the card");
    let cards = sink
        .states
        .lock()
        .unwrap()
        .iter()
        .filter(|s| settled(s))
        .count();
    assert_eq!(cards, 1, "superseded pops published nothing once replaced");
    // burst-N has no state: the last pop ends on "no handoff state" once its wait runs out.
    assert!(matches!(&last.stage, Stage::Failed(f) if f.kind == ErrorKind::NotFound));
    let asked_after = sb.requests().len();
    // Nothing left that could ask again: a superseded lookup that kept retrying would stay
    // counted for its whole wait window, asking all the while.
    eventually_async(Duration::from_secs(10), || async {
        check(pipeline.lookups_running() == 0, || {
            format!("{} lookups still running", pipeline.lookups_running())
        })
    })
    .await;
    assert_eq!(sb.requests().len(), asked_after, "nothing still retrying");
    assert!(sink.alerts.lock().unwrap().is_empty());
}

/// A pipeline whose profile has `layout` (the TOML of its `[profile.card]` table).
async fn setup_with_layout(layout: &str) -> (Sandbox, Pipeline, Arc<Recorder>) {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    std::fs::write(
        &path,
        format!(
            "[[profile]]\nname = \"Local\"\nbase_url = \"{}\"\naccount = \"acct\"\nproject = \"proj\"\n\n{layout}",
            sb.base_url()
        ),
    )
    .unwrap();
    let settings = screenpop_settings::config::Settings::load(&path).unwrap();
    start(
        sb,
        Desk::in_memory(settings, Arc::new(MemoryKeys::default())),
    )
    .await
}

const CRM_LAYOUT: &str = r#"
[[profile.card.fields]]
path = "email"
sensitive = true

[[profile.card.links]]
label = "Open in CRM"
url = "https://crm.example.com/customers/{{data.customer_id}}?call={{id}}"
auto_open = true
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_opens_once_per_transfer_never_for_a_duplicate_or_a_recent_caller() {
    let (_sb, pipeline, sink) = setup_with_layout(CRM_LAYOUT).await;
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    let card = sink.until("the card", settled).await;
    let Stage::Card(result) = &card.stage else {
        panic!("{card:?}")
    };
    let crm = "https://crm.example.com/customers/CUS-104882?call=demo-billing";
    assert_eq!(result.card.links[0].url, crm);
    assert_eq!(result.card.links[0].host, "crm.example.com");
    assert_eq!(*sink.opened.lock().unwrap(), [crm]);

    // The same transfer again (a CTI system that fires twice): a duplicate, nothing opens.
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    // The agent looking a caller up, or picking one from the recent list, opens nothing.
    pipeline.submit_typed(LookupBy::Id, "demo-orders", None);
    sink.until("the typed card", |s| s.seq == 2 && settled(s))
        .await;
    pipeline.show_recent(1).unwrap();
    sink.until("the recent card", |s| s.seq == 3).await;
    assert_eq!(sink.opened.lock().unwrap().len(), 1);

    // A new transfer of another caller opens their record.
    pipeline.submit_link("screenpop://lookup?id=demo-orders");
    sink.until("the pushed card", |s| s.seq == 4 && settled(s))
        .await;
    assert_eq!(
        sink.opened.lock().unwrap().last().map(String::as_str),
        Some("https://crm.example.com/customers/55120?call=demo-orders")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sensitive_field_leaves_the_core_only_when_the_agent_reveals_it() {
    let (_sb, pipeline, sink) = setup_with_layout(CRM_LAYOUT).await;
    pipeline.submit_link("screenpop://lookup?id=demo-billing");
    let card = sink.until("the card", settled).await;
    let Stage::Card(result) = &card.stage else {
        panic!("{card:?}")
    };
    let email = "priya.raman@example.co.uk";
    // The card as it is serialised (for the page, through screenpop-page, and `card preview`).
    let shown = serde_json::to_string(&result.card).unwrap();
    assert!(
        !shown.contains(email),
        "the card as the page gets it: {shown}"
    );
    assert!(!result.text.contains(email) && !result.raw_json.contains(email));
    assert!(
        result.raw_json.contains("\"email\": \"••••\""),
        "{}",
        result.raw_json
    );
    let recent: Vec<_> = pipeline.recent().into_iter().map(|r| r.card).collect();
    let recent = serde_json::to_string(&recent).unwrap();
    assert!(!recent.contains(email));
    let alert = sink.alerts.lock().unwrap().clone();
    assert!(!format!("{alert:?}").contains(email));

    let revealed = pipeline.reveal(card.version, "email").unwrap();
    assert_eq!(
        serde_json::to_value(revealed).unwrap(),
        serde_json::json!({"kind": "email", "text": email})
    );
    // Not a sensitive field, or a card no longer shown: refused.
    assert!(pipeline.reveal(card.version, "customer_id").is_err());
    pipeline.submit_typed(LookupBy::Id, "demo-orders", None);
    sink.until("the next card", |s| s.seq == 2 && settled(s))
        .await;
    assert!(pipeline.reveal(card.version, "email").is_err());
}
