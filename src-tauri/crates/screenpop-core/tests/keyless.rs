//! Keyless mode, the seat's half, against a real NATS server with the permissions
//! `screenpop-relay seats` writes, the relay's own lookup answering, and the sandbox Handoff API:
//! a seat whose keychain holds no PolyAI key looks callers up through the relay (masked), checks
//! it, hears its rate limit, and says what IT must fix when the relay cannot be asked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use screenpop_api::{ErrorKind, Lookup};
use screenpop_core::desk::Desk;
use screenpop_core::lookups::Wait;
use screenpop_relay::server::Relay;
use screenpop_sandbox::Sandbox;
use screenpop_settings::config::Settings;
use screenpop_settings::secret::{KeyStore, MemoryKeys};

#[path = "../../../tests/support/nats_seats.rs"]
mod nats_seats;
use nats_seats::{api_with_a_card_number, TenantNats};

const TENANT: &str = "acme";

struct World {
    _api: Sandbox,
    tenant: TenantNats,
    _relay: Arc<Relay>,
    desk: Desk,
    keys: Arc<MemoryKeys>,
}

/// The sandbox API with a state holding a card number, a NATS server for seats alice and bob,
/// a relay holding the key (three lookups a minute a seat), and a desk with two keyless
/// profiles: "Desk" (alice, password stored) and "Spare" (bob, none stored).
async fn world() -> World {
    let api = api_with_a_card_number().await;
    let tenant = TenantNats::start(TENANT, &["alice", "bob"]);
    let relay = tenant.keyless_relay(&api, 3, "s").await;

    // The seat's profiles name no API host it could reach: a keyless seat never calls it.
    let profile = |name: &str, seat: &str| {
        format!(
            "[[profile]]\nname = \"{name}\"\nbase_url = \"https://api.invalid\"\naccount = \"acct\"\nproject = \"proj\"\n[profile.relay]\nservers = [\"{}\"]\ntenant = \"{TENANT}\"\nseat = \"{seat}\"\npolyai_key = \"relay\"\n\n",
            tenant.nats.url()
        )
    };
    let path = tenant.dir().join("settings.toml");
    std::fs::write(
        &path,
        format!(
            "active_profile = \"Desk\"\n{}{}",
            profile("Desk", "alice"),
            profile("Spare", "bob")
        ),
    )
    .unwrap();
    let keys = Arc::new(MemoryKeys::default());
    let desk = Desk::in_memory(Settings::load(&path).unwrap(), keys.clone());
    desk.relay_credentials
        .set("Desk", &tenant.password("alice"))
        .await
        .unwrap();
    World {
        _api: api,
        tenant,
        _relay: relay,
        desk,
        keys,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_without_a_key_looks_callers_up_through_the_relay_within_its_rate() {
    let w = world().await;
    assert_eq!(
        w.keys.get("Desk").unwrap(),
        None,
        "this seat holds no PolyAI key"
    );

    // A check first (doctor, Settings' Test): the relay answers and its key works.
    w.desk.lookups.test_connection(None).await.unwrap();

    // A pasted id: the card, with its card number cut (by the relay and again here).
    let lookup = Lookup::new(Some("conv-card"), None).unwrap();
    let result = w.desk.lookups.fetch(None, &lookup, &|_| {}).await.unwrap();
    assert_eq!(result.card.title, "Dana Card");
    assert!(!result.raw_json.contains("4111 1111 1111 1111"));
    assert!(!result.text.contains("4111 1111 1111 1111"));

    // An unknown id is the API's "not found", as the relay worded it.
    let missing = Lookup::new(Some("no-such-id"), None).unwrap();
    let e = w
        .desk
        .lookups
        .state(None, &missing, Wait::Once, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");

    // Three asked this minute (the check counts): the fourth is refused, in the relay's words.
    let e = w
        .desk
        .lookups
        .state(None, &lookup, Wait::Once, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert!(e.to_string().contains("more than 3 lookups"), "{e}");

    // The audit log has a line per question, and no caller data.
    let audit = w.tenant.audit();
    assert_eq!(audit.lines().count(), 4, "{audit}");
    assert!(audit.lines().all(|l| l.contains("\"seat\":\"alice\"")));
    assert!(
        !audit.contains("Dana") && !audit.contains("4111"),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_only_it_can_fix_is_said_to_it_and_the_health_check_looks_at_the_relay() {
    let mut w = world().await;
    let lookup = Lookup::new(Some("conv-card"), None).unwrap();

    // No password on this computer for bob's profile.
    let e = w
        .desk
        .lookups
        .state(Some("Spare"), &lookup, Wait::Once, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RelayUnavailable, "{e}");
    assert!(
        e.to_string()
            .contains("screenpop relay credentials set --profile \"Spare\""),
        "{e}"
    );

    // The health check: the relay holds the key, its NATS is what must be reached, and the
    // relay answers this seat; the seat without a password fails with the relay's exit.
    let health = screenpop_core::health::check(&w.desk, Some("Desk")).await;
    let desk = &health.profiles[0];
    assert!(desk.key.ok, "{:?}", desk.key);
    assert!(desk.key.detail.contains("relay holds"), "{:?}", desk.key);
    assert_eq!(desk.host, "127.0.0.1");
    assert!(desk.connect.ok, "{:?}", desk.connect);
    assert!(desk.key_accepted.ok, "{:?}", desk.key_accepted);
    assert!(
        desk.key_accepted.detail.contains("relay answers"),
        "{:?}",
        desk.key_accepted
    );
    let spare = screenpop_core::health::check(&w.desk, Some("Spare")).await;
    assert!(!spare.ok);
    assert!(!spare.profiles[0].key_accepted.ok);

    // The relay gone: the seat says so rather than waiting on it.
    w.tenant.nats.stop();
    let e = w
        .desk
        .lookups
        .state(Some("Desk"), &lookup, Wait::Once, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::RelayUnavailable | ErrorKind::Timeout),
        "{e}"
    );
}
