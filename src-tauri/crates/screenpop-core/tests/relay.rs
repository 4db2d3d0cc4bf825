//! The relay source against a real NATS server (Debian's `nats-server`, with the permissions
//! `screenpop-relay seats` writes and JetStream) and the relay's own delivery: a pop reaches the
//! seat once, a stale one never, a restarted server loses nothing, wrong or missing credentials
//! are said, and 500 seats losing the server come back spread over the jitter window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/nats_seats.rs"]
mod nats_seats;
#[path = "../../../tests/support/wait.rs"]
mod wait;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nats_seats::TenantNats;
use screenpop_api::relay::{pop_subject, Platform, PopMessage, VERSION};
use screenpop_core::push::relay::{RelaySource, Timing};
use screenpop_core::push::{SourceState, SourceStatus};
use screenpop_relay::config::Config;
use screenpop_relay::deliver::{now_ms, Delivery};
use screenpop_relay::event::Pop;
use screenpop_settings::keys::Keys;
use screenpop_settings::relay::{RelayConfig, RelayCredentials};
use screenpop_settings::secret::MemoryKeys;
use tokio::sync::watch;
use wait::{check, eventually_async};

const TENANT: &str = "acme";

struct World {
    tenant: TenantNats,
    relay: Delivery,
}

async fn world(seat_names: &[String]) -> World {
    let tenant = TenantNats::start(TENANT, seat_names);
    tenant.write("generic", "s");
    let text = tenant.relay_config("", "[generic]\nsecret_file = \"generic\"\n");
    let relay = Delivery::connect(&Config::parse(&text, tenant.dir()).unwrap())
        .await
        .unwrap();
    World { tenant, relay }
}

fn pop(event: &str, seat: &str, id: &str) -> Pop {
    Pop {
        platform: Platform::Twilio,
        event_id: event.to_owned(),
        call_id: None,
        seat: seat.to_owned(),
        id: Some(id.to_owned()),
        shared_id: None,
    }
}

struct Seat {
    popped: Arc<Mutex<Vec<PopMessage>>>,
    status: watch::Receiver<SourceStatus>,
    credentials: RelayCredentials,
    _task: tokio::task::JoinHandle<()>,
}

impl Seat {
    async fn start(w: &World, seat: &str, password: Option<&str>) -> Self {
        let credentials =
            RelayCredentials::new(Arc::new(Keys::new(Arc::new(MemoryKeys::default()))));
        if let Some(p) = password {
            credentials.set("Desk", p).await.unwrap();
        }
        let config = RelayConfig::new(vec![w.tenant.nats.url()], TENANT, seat).unwrap();
        let timing = Timing {
            credential_poll: Duration::from_millis(100),
            ..Timing::default()
        };
        let source = RelaySource::new("Desk", config, credentials.clone(), timing);
        let status = source.status();
        let popped = Arc::new(Mutex::new(Vec::new()));
        let sink = popped.clone();
        let task = tokio::spawn(source.run(
            Duration::ZERO,
            Arc::new(move |m: PopMessage| sink.lock().unwrap().push(m)),
        ));
        Self {
            popped,
            status,
            credentials,
            _task: task,
        }
    }

    async fn until(&self, what: &str, done: impl Fn(&SourceStatus) -> bool) -> SourceStatus {
        eventually_async(Duration::from_secs(15), || async {
            let s = self.status.borrow().clone();
            if done(&s) {
                Ok(s)
            } else {
                Err(format!("waited for {what}: {s:?}"))
            }
        })
        .await
    }

    async fn connected(&self) {
        self.until("connected", |s| {
            matches!(s.state, SourceState::Connected { .. })
        })
        .await;
    }

    fn ids(&self) -> Vec<String> {
        self.popped
            .lock()
            .unwrap()
            .iter()
            .map(|m| m.event_id.clone())
            .collect()
    }

    async fn popped(&self, ids: &[&str]) {
        eventually_async(Duration::from_secs(15), || async {
            let got = self.ids();
            check(got == ids, || format!("wanted {ids:?}, got {got:?}"))
        })
        .await;
    }
}

fn password(w: &World, seat: &str) -> String {
    w.tenant.password(seat)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop_reaches_its_seat_once_and_a_stale_one_never() {
    let w = world(&["alice@acme.com".to_owned()]).await;
    let seat = Seat::start(&w, "alice@acme.com", Some(&password(&w, "alice@acme.com"))).await;
    seat.connected().await;
    w.relay
        .publish(&pop("EV1", "alice@acme.com", "conv-1"))
        .await
        .unwrap();
    seat.popped(&["EV1"]).await;
    assert_eq!(seat.popped.lock().unwrap()[0].id.as_deref(), Some("conv-1"));
    // The same event again (a second relay took the platform's retry): nothing more.
    w.relay
        .publish(&pop("EV1", "alice@acme.com", "conv-1"))
        .await
        .unwrap();
    // A pop more than a minute old, as the relay's own user could send it: dropped.
    let stale = PopMessage {
        ts: now_ms() - 61_000,
        ..pop("EV-OLD", "alice@acme.com", "conv-old").message(None, 0)
    };
    let client = async_nats::ConnectOptions::with_user_and_password(
        w.tenant.user("relay"),
        password(&w, "relay"),
    )
    .custom_inbox_prefix("_INBOX_RELAY")
    .connect(w.tenant.nats.url())
    .await
    .unwrap();
    client
        .publish(
            pop_subject(TENANT, "alice@acme.com").unwrap(),
            serde_json::to_vec(&stale).unwrap().into(),
        )
        .await
        .unwrap();
    client.flush().await.unwrap();
    w.relay
        .publish(&pop("EV2", "alice@acme.com", "conv-2"))
        .await
        .unwrap();
    seat.popped(&["EV1", "EV2"]).await;
    let s = seat
        .until("the stale pop counted", |s| s.counts.dropped >= 1)
        .await;
    assert_eq!(s.counts.pops, 2, "{s:?}");
    assert_eq!(s.signed_in_as.as_deref(), Some("alice@acme.com"));
    assert_eq!(stale.v, VERSION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_loses_no_pop_and_shows_it_once() {
    let mut w = world(&["bob".to_owned()]).await;
    let seat = Seat::start(&w, "bob", Some(&password(&w, "bob"))).await;
    seat.connected().await;
    w.tenant.nats.restart().unwrap();
    // Sent while the seat is still waiting to reconnect (up to 8 s): it asks for it when back.
    eventually_async(Duration::from_secs(15), || async {
        w.relay
            .publish(&pop("EV-R", "bob", "conv-r"))
            .await
            .map_err(|e| e.to_string())
    })
    .await;
    seat.popped(&["EV-R"]).await;
    seat.connected().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(seat.ids(), ["EV-R"], "once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_credentials_are_said_and_fixed_by_setting_them() {
    let w = world(&["carol".to_owned()]).await;
    let seat = Seat::start(&w, "carol", None).await;
    seat.until("signed out", |s| s.state == SourceState::SignedOut)
        .await;
    seat.credentials
        .set("Desk", "not-the-password")
        .await
        .unwrap();
    let s = seat
        .until("sign in again", |s| {
            matches!(s.state, SourceState::SignInAgain { .. })
        })
        .await;
    assert!(format!("{s:?}").contains("refused"), "{s:?}");
    seat.credentials
        .set("Desk", &password(&w, "carol"))
        .await
        .unwrap();
    seat.connected().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_seats_losing_the_server_come_back_spread_and_all_get_their_next_pop() {
    const SEATS: usize = 500;
    let names: Vec<String> = (0..SEATS).map(|i| format!("seat-{i:03}")).collect();
    let mut w = world(&names).await;
    let mut seats = Vec::new();
    for name in &names {
        seats.push(Seat::start(&w, name, Some(&password(&w, name))).await);
    }
    for s in &seats {
        s.connected().await;
    }
    let restarted = Instant::now();
    let restart_ms = now_ms();
    w.tenant.nats.restart().unwrap();
    // When each came back: connected again, since after the restart.
    let mut back = Vec::new();
    for s in &seats {
        let status = s
            .until("back after the restart", |st| {
                matches!(st.state, SourceState::Connected { since_ms } if since_ms > restart_ms)
            })
            .await;
        if let SourceState::Connected { since_ms } = status.state {
            back.push(since_ms);
        }
    }
    let first = *back.iter().min().unwrap();
    let mut buckets = std::collections::BTreeMap::<u64, usize>::new();
    for at in &back {
        *buckets.entry((at - first) / 100).or_default() += 1;
    }
    let fullest = *buckets.values().max().unwrap();
    eprintln!(
        "the fullest 100 ms held {fullest} of {SEATS} seats ({} buckets)",
        buckets.len()
    );
    assert!(
        fullest * 100 <= SEATS * 5,
        "{fullest} of {SEATS} seats came back in one 100 ms ({} buckets, {:?} after the restart): {buckets:?}",
        buckets.len(),
        restarted.elapsed()
    );
    for (i, name) in names.iter().enumerate() {
        w.relay
            .publish(&pop(&format!("EV-{i}"), name, "conv"))
            .await
            .unwrap();
    }
    for (i, s) in seats.iter().enumerate() {
        s.popped(&[&format!("EV-{i}")]).await;
    }
}
