//! The relay against a real NATS server (Debian's `nats-server`, on ports of the test's own) with
//! the permissions `screenpop-relay seats` writes: each input authenticated, one pop per event on
//! the right seat's subject, nothing published for what must not pop, the minute JetStream keeps
//! a pop, and what each NATS user may and may not do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use async_nats::{Client, ConnectOptions, Event};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use screenpop_api::relay::{catch_up_subject, pop_subject, seat_inbox, Platform, PopMessage};
use screenpop_relay::config::Config;
use screenpop_relay::deliver::Delivery;
use screenpop_relay::server::{router, Relay};
use screenpop_relay::{generic, twilio};

#[path = "../../../tests/support/nats_seats.rs"]
mod nats_seats;
use nats_seats::{api_with_a_card_number, TenantNats};

const TENANT: &str = "acme";
const TWILIO_TOKEN: &str = "twilio-auth-token-1";
const CONNECT_KEY: &str = "connect-api-key-1";
const GENERIC_SECRET: &str = "generic-secret-1";
const PUBLIC: &str = "https://relay.acme.example";
const AGENT: &str = "8e6e1f5b-0000-4000-8000-000000000001";

/// NATS with the generated permissions, and the relay serving on loopback.
struct World {
    tenant: TenantNats,
    http: String,
}

impl World {
    async fn start() -> Self {
        let tenant = TenantNats::start(TENANT, &["alice@acme.com", "bob"]);
        for (name, value) in [
            ("twilio", TWILIO_TOKEN),
            ("connect", CONNECT_KEY),
            ("generic", GENERIC_SECRET),
        ] {
            tenant.write(name, value);
        }
        let text = tenant.relay_config(
            &format!("public_url = \"{PUBLIC}\"\n"),
            &format!(
                r#"
[twilio]
auth_token_file = "twilio"
id_field = "polyai_conversation_id"
[connect]
api_key_file = "connect"
[connect.seats]
"{AGENT}" = "alice@acme.com"
[generic]
secret_file = "generic"
"#
            ),
        );
        let config = Config::parse(&text, tenant.dir()).unwrap();
        let delivery = Delivery::connect(&config).await.unwrap();
        let relay = Arc::new(Relay::new(config, delivery).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(relay)).await });
        Self { tenant, http }
    }

    /// `seat`'s client, and the server errors it has been sent.
    async fn seat(&self, seat: &str) -> (Client, Arc<Mutex<Vec<String>>>) {
        let (user, password) = (self.tenant.user(seat), self.tenant.password(seat));
        let inbox = if seat == "relay" {
            "_INBOX_RELAY".to_owned()
        } else {
            seat_inbox(TENANT, seat).unwrap()
        };
        let errors = Arc::new(Mutex::new(Vec::new()));
        let heard = errors.clone();
        let client = ConnectOptions::with_user_and_password(user, password)
            .custom_inbox_prefix(inbox)
            .event_callback(move |e| {
                let heard = heard.clone();
                async move {
                    if let Event::ServerError(e) = e {
                        heard.lock().await.push(e.to_string());
                    }
                }
            })
            .connect(self.tenant.nats.url())
            .await
            .unwrap();
        (client, errors)
    }
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The next message on `sub` within two seconds.
async fn next(sub: &mut async_nats::Subscriber) -> PopMessage {
    let m = tokio::time::timeout(Duration::from_secs(2), sub.next())
        .await
        .expect("a pop within 2 s")
        .expect("the subscription is open");
    PopMessage::read(&m.payload).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn accepted(sid: &str, worker: &str, conversation: &str) -> Vec<(String, String)> {
    let task = json!({"call_sid": "CA42", "polyai_conversation_id": conversation}).to_string();
    let pairs = [
        ("EventType", "reservation.accepted"),
        ("Sid", sid),
        ("ReservationSid", "WR1"),
        ("TaskSid", "WT1"),
        ("WorkerName", worker),
        ("TaskAttributes", task.as_str()),
    ];
    form(&pairs)
}

async fn post_twilio(
    world: &World,
    params: &[(String, String)],
    signature: Option<&str>,
) -> reqwest::Response {
    let path = "/v1/twilio/taskrouter?source=flex";
    let signed = twilio::signature(TWILIO_TOKEN, &format!("{PUBLIC}{path}"), params);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    http()
        .post(format!("{}{path}", world.http))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature.unwrap_or(&signed))
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_twilio_acceptance_pops_its_seat_once_and_nothing_else_publishes() {
    let world = World::start().await;
    let (alice, _) = world.seat("alice@acme.com").await;
    let mut sub = alice
        .subscribe(pop_subject(TENANT, "alice@acme.com").unwrap())
        .await
        .unwrap();
    alice.flush().await.unwrap();

    let r = post_twilio(&world, &accepted("EV1", "alice@acme.com", "conv-1"), None).await;
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["content-type"], "application/json");
    let pop = next(&mut sub).await;
    assert_eq!(
        (
            pop.platform,
            pop.id.as_deref(),
            pop.event_id.as_str(),
            pop.seat.as_str()
        ),
        (Platform::Twilio, Some("conv-1"), "EV1", "alice@acme.com")
    );

    // The same event again, a wrong or missing signature, another event type: nothing.
    assert_eq!(
        post_twilio(&world, &accepted("EV1", "alice@acme.com", "conv-1"), None)
            .await
            .status(),
        204
    );
    let forged = post_twilio(
        &world,
        &accepted("EV2", "alice@acme.com", "conv-2"),
        Some("bm90IGl0"),
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(
        post_twilio(
            &world,
            &accepted("EV3", "alice@acme.com", "conv-3"),
            Some("")
        )
        .await
        .status(),
        403
    );
    let mut created = accepted("EV4", "alice@acme.com", "conv-4");
    created[0].1 = "reservation.created".into();
    assert_eq!(post_twilio(&world, &created, None).await.status(), 204);
    // The next pop to arrive is the next real one.
    assert_eq!(
        post_twilio(&world, &accepted("EV5", "alice@acme.com", "conv-5"), None)
            .await
            .status(),
        204
    );
    assert_eq!(next(&mut sub).await.event_id, "EV5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_and_the_generic_webhook_pop_and_refuse_as_they_should() {
    let world = World::start().await;
    let (alice, _) = world.seat("alice@acme.com").await;
    let mut sub = alice
        .subscribe(pop_subject(TENANT, "alice@acme.com").unwrap())
        .await
        .unwrap();
    alice.flush().await.unwrap();
    let client = http();
    let connect = |body: Value, key: &str| {
        client
            .post(format!("{}/v1/aws/connect", world.http))
            .header("x-api-key", key)
            .json(&body)
            .send()
    };
    let sample = json!({"version": "0", "id": "ev-connect-1", "detail-type": "Amazon Connect Contact Event",
        "source": "aws.connect", "detail": {"contactId": "6a1c9e2f-3b7d-4e8a-9c0b-5d2e7f4a1b3c",
        "channel": "VOICE", "eventType": "CONNECTED_TO_AGENT",
        "agentInfo": {"agentArn": format!("arn:aws:connect:eu-west-2:111122223333:instance/i-1/agent/{AGENT}")}}});
    let r = connect(sample.clone(), CONNECT_KEY).await.unwrap();
    assert_eq!(r.status(), 200);
    let pop = next(&mut sub).await;
    assert_eq!(pop.platform, Platform::Connect);
    assert_eq!(
        pop.shared_id.as_deref(),
        Some("6a1c9e2f-3b7d-4e8a-9c0b-5d2e7f4a1b3c")
    );
    assert_eq!(
        connect(sample.clone(), "wrong").await.unwrap().status(),
        401
    );
    let mut stranger = sample.clone();
    stranger["id"] = json!("ev-connect-2");
    stranger["detail"]["agentInfo"]["agentArn"] =
        json!("arn:aws:connect:r:1:instance/i/agent/nobody");
    let r = connect(stranger, CONNECT_KEY).await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["outcome"], "unmapped");
    // EventBridge retries for a day: the same event again pops nothing.
    let r = connect(sample.clone(), CONNECT_KEY).await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["outcome"], "duplicate");

    let now = screenpop_relay::deliver::now_ms() / 1000;
    let body = json!({"event_id": "gen-1", "seat": "alice@acme.com", "id": "conv-g"}).to_string();
    let signed = |t: u64, body: &str| generic::header_value(GENERIC_SECRET, t, body.as_bytes());
    let post = |signature: String, body: String| {
        client
            .post(format!("{}/v1/pop", world.http))
            .header("content-type", "application/json")
            .header("screenpop-signature", signature)
            .body(body)
            .send()
    };
    assert_eq!(
        post(signed(now - 301, &body), body.clone())
            .await
            .unwrap()
            .status(),
        401
    );
    let changed = body.replace("conv-g", "conv-h");
    assert_eq!(
        post(signed(now, &body), changed).await.unwrap().status(),
        401
    );
    assert_eq!(
        post(signed(now, &body), body.clone())
            .await
            .unwrap()
            .status(),
        202
    );
    let pop = next(&mut sub).await;
    assert_eq!(
        (pop.platform, pop.id.as_deref()),
        (Platform::Generic, Some("conv-g"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_refusal_and_the_relay_keeps_serving() {
    let world = World::start().await;
    let (alice, _) = world.seat("alice@acme.com").await;
    let mut sub = alice
        .subscribe(pop_subject(TENANT, "alice@acme.com").unwrap())
        .await
        .unwrap();
    alice.flush().await.unwrap();
    let client = http();
    let url = |p: &str| format!("{}{p}", world.http);
    let now = screenpop_relay::deliver::now_ms() / 1000;
    let signed = |body: &str| generic::header_value(GENERIC_SECRET, now, body.as_bytes());
    let big = "x".repeat(screenpop_relay::server::MAX_BODY + 1);
    let no_agent = json!({"id": "x", "detail": {"eventType": "CONNECTED_TO_AGENT"}}).to_string();
    let unknown_field =
        json!({"event_id": "gen-u", "seat": "alice", "id": "c", "surprise": 1}).to_string();
    // (endpoint, content type, body, the header that authenticates it, the answer)
    let refused = [
        (
            "/v1/aws/connect",
            "application/json",
            big,
            ("x-api-key", CONNECT_KEY.to_owned()),
            413,
        ),
        (
            "/v1/aws/connect",
            "text/plain",
            "{}".to_owned(),
            ("x-api-key", CONNECT_KEY.to_owned()),
            415,
        ),
        (
            "/v1/aws/connect",
            "application/json",
            "{not json".to_owned(),
            ("x-api-key", CONNECT_KEY.to_owned()),
            400,
        ),
        (
            "/v1/aws/connect",
            "application/json",
            no_agent,
            ("x-api-key", CONNECT_KEY.to_owned()),
            400,
        ),
        (
            "/v1/twilio/taskrouter",
            "application/json",
            "{}".to_owned(),
            ("x-twilio-signature", String::new()),
            415,
        ),
        (
            "/v1/pop",
            "application/json",
            unknown_field.clone(),
            ("screenpop-signature", signed(&unknown_field)),
            400,
        ),
    ];
    for (path, content_type, body, (header, value), want) in refused {
        let r = client
            .post(url(path))
            .header("content-type", content_type)
            .header(header, value)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want, "{path} {content_type}");
    }
    // Signed, well formed, and still nothing to pop: a seat or an id that cannot be one.
    for body in [
        json!({"event_id": "gen-x", "seat": "alice\u{7}", "id": "conv-x"}),
        json!({"event_id": "gen-y", "seat": "alice@acme.com", "id": "4111 1111 1111 1111"}),
        json!({"event_id": "gen-z", "seat": "alice@acme.com"}),
    ] {
        let body = body.to_string();
        let r = client
            .post(url("/v1/pop"))
            .header("content-type", "application/json")
            .header("screenpop-signature", signed(&body))
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        assert_ne!(r.json::<Value>().await.unwrap()["outcome"], "popped");
    }
    assert_eq!(
        client.get(url("/nowhere")).send().await.unwrap().status(),
        404
    );
    // Still serving, and nothing of the above reached the seat.
    assert_eq!(
        client.get(url("/healthz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        post_twilio(&world, &accepted("EV9", "alice@acme.com", "conv-9"), None)
            .await
            .status(),
        204
    );
    assert_eq!(next(&mut sub).await.event_id, "EV9");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_nats_user_reaches_only_what_the_generated_permissions_allow() {
    let world = World::start().await;
    let (alice, alice_errors) = world.seat("alice@acme.com").await;
    let (bob, _) = world.seat("bob").await;
    let (relay, relay_errors) = world.seat("relay").await;
    let bobs = pop_subject(TENANT, "bob").unwrap();
    let mut bob_sub = bob.subscribe(bobs.clone()).await.unwrap();
    let mut snooping = alice.subscribe(bobs.clone()).await.unwrap();
    let mut relay_snooping = relay.subscribe(bobs.clone()).await.unwrap();
    alice.flush().await.unwrap();
    relay.flush().await.unwrap();
    bob.flush().await.unwrap();
    // A seat cannot publish pops, to anyone.
    alice.publish(bobs.clone(), "{}".into()).await.unwrap();
    alice.flush().await.unwrap();

    assert_eq!(
        post_twilio(&world, &accepted("EV-B", "bob", "conv-b"), None)
            .await
            .status(),
        204
    );
    assert_eq!(
        next(&mut bob_sub).await.event_id,
        "EV-B",
        "bob's own pop, and not alice's forgery first"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(200), snooping.next())
            .await
            .is_err()
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), relay_snooping.next())
            .await
            .is_err()
    );
    let alice_said = alice_errors.lock().await.join("\n").to_lowercase();
    assert!(
        alice_said.contains("subscription") && alice_said.contains("publish"),
        "{alice_said}"
    );
    let relay_said = relay_errors.lock().await.join("\n");
    assert!(
        relay_said.to_lowercase().contains("permissions violation"),
        "{relay_said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_back_within_the_minute_asks_for_the_pop_it_missed() {
    let world = World::start().await;
    // Nobody at bob's seat is connected when the call is accepted.
    assert_eq!(
        post_twilio(&world, &accepted("EV-C", "bob", "conv-c"), None)
            .await
            .status(),
        204
    );
    let (bob, _) = world.seat("bob").await;
    let kept = bob
        .request(catch_up_subject(TENANT, "bob").unwrap(), "".into())
        .await
        .unwrap();
    let pop = PopMessage::read(&kept.payload).unwrap();
    assert_eq!(pop.event_id, "EV-C");
    assert!(pop.fresh(screenpop_relay::deliver::now_ms()));
    // Alice may not ask for bob's.
    let (alice, _) = world.seat("alice@acme.com").await;
    let refused = tokio::time::timeout(
        Duration::from_secs(3),
        alice.request(catch_up_subject(TENANT, "bob").unwrap(), "".into()),
    )
    .await;
    assert!(!matches!(refused, Ok(Ok(ref m)) if PopMessage::read(&m.payload).is_ok()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop_crosses_a_cluster_from_the_relays_node_to_the_seats() {
    let tenant = TenantNats::on_nodes(2, TENANT, &["bob"]);
    let (a, b) = (&tenant.nats, &tenant.others[0]);
    tenant.write("generic", GENERIC_SECRET);
    let text = tenant.relay_config("", "[generic]\nsecret_file = \"generic\"\n");
    let config = Config::parse(&text, tenant.dir()).unwrap();
    // The cluster elects its JetStream leader first: the relay waits for it as systemd would
    // restart it.
    let until = std::time::Instant::now() + Duration::from_secs(30);
    let delivery = loop {
        match Delivery::connect(&config).await {
            Ok(d) => break d,
            Err(e) if std::time::Instant::now() < until => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("{e}\n{}\n{}", a.log(), b.log()),
        }
    };
    let bob = ConnectOptions::with_user_and_password(tenant.user("bob"), tenant.password("bob"))
        .custom_inbox_prefix(seat_inbox(TENANT, "bob").unwrap())
        .connect(b.url())
        .await
        .unwrap();
    let mut sub = bob
        .subscribe(pop_subject(TENANT, "bob").unwrap())
        .await
        .unwrap();
    bob.flush().await.unwrap();
    // The subscription reaches node a over the route: publish until it arrives.
    let pop = screenpop_relay::event::Pop {
        platform: Platform::Generic,
        event_id: "EV-X".into(),
        call_id: None,
        seat: "bob".into(),
        id: Some("conv-x".into()),
        shared_id: None,
    };
    let got = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            delivery.publish(&pop).await.unwrap();
            if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(300), sub.next()).await
            {
                break PopMessage::read(&m.payload).unwrap();
            }
        }
    })
    .await
    .expect("the pop crossed the cluster");
    assert_eq!(got.event_id, "EV-X");
    // Asked for from node b, the pop node a's stream keeps.
    let kept = bob
        .request(catch_up_subject(TENANT, "bob").unwrap(), "".into())
        .await
        .unwrap();
    assert_eq!(PopMessage::read(&kept.payload).unwrap().event_id, "EV-X");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_keyless_mode_the_relay_sends_masked_states_and_answers_seats_within_their_rate() {
    use screenpop_api::relay::{lookup_subject, LookupAnswer};

    let api = api_with_a_card_number().await;
    let tenant = TenantNats::start(TENANT, &["alice", "bob"]);
    let relay = tenant.keyless_relay(&api, 3, GENERIC_SECRET).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_at = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(relay)).await });
    let seat = |name: &str| {
        ConnectOptions::with_user_and_password(tenant.user(name), tenant.password(name))
            .custom_inbox_prefix(seat_inbox(TENANT, name).unwrap())
            .connect(tenant.nats.url())
    };
    let alice = seat("alice").await.unwrap();
    let mut sub = alice
        .subscribe(pop_subject(TENANT, "alice").unwrap())
        .await
        .unwrap();
    alice.flush().await.unwrap();

    // A pushed pop carries the state, its card number cut before it left the relay.
    let body = json!({"event_id": "k-1", "seat": "alice", "id": "conv-card"}).to_string();
    let now = screenpop_relay::deliver::now_ms() / 1000;
    let r = http()
        .post(format!("{http_at}/v1/pop"))
        .header("content-type", "application/json")
        .header(
            "screenpop-signature",
            generic::header_value(GENERIC_SECRET, now, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let wire = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8(wire.payload.to_vec()).unwrap();
    assert!(
        !text.contains("4111 1111 1111 1111") && !text.contains("4111111111111111"),
        "{text}"
    );
    let pop = PopMessage::read(&wire.payload).unwrap();
    let state = pop.state.expect("the state rides with the pop");
    assert_eq!(state.data["customer_name"], "Dana Card");
    assert!(state.data["card"].as_str().unwrap().ends_with("1111"));

    // A seat's own lookups: answered, masked, until its rate is spent; another seat's subject
    // is not its to ask on.
    let ask = |client: Client, seat: &'static str, id: &'static str| async move {
        let m = client
            .request(
                lookup_subject(TENANT, seat).unwrap(),
                json!({"id": id}).to_string().into(),
            )
            .await
            .unwrap();
        serde_json::from_slice::<LookupAnswer>(&m.payload).unwrap()
    };
    assert!(
        matches!(ask(alice.clone(), "alice", "demo-billing").await, LookupAnswer::State(s) if s.data["customer_name"] == "Priya Raman")
    );
    assert!(
        matches!(ask(alice.clone(), "alice", "no-such-id").await, LookupAnswer::Refused { kind, .. } if kind == "not_found")
    );
    assert!(matches!(
        ask(alice.clone(), "alice", "demo-orders").await,
        LookupAnswer::State(_)
    ));
    assert!(
        matches!(ask(alice.clone(), "alice", "demo-nested").await, LookupAnswer::Refused { kind, .. } if kind == "rate_limited")
    );
    let bob = seat("bob").await.unwrap();
    assert!(
        matches!(
            ask(bob.clone(), "bob", "demo-billing").await,
            LookupAnswer::State(_)
        ),
        "bob has his own rate"
    );
    let checked = bob
        .request(
            lookup_subject(TENANT, "bob").unwrap(),
            json!({"check": true}).to_string().into(),
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<LookupAnswer>(&checked.payload).unwrap(),
        LookupAnswer::Ready,
        "a check: the relay's key works"
    );
    let sneaky = tokio::time::timeout(
        Duration::from_secs(2),
        bob.request(
            lookup_subject(TENANT, "alice").unwrap(),
            json!({"id": "demo-billing"}).to_string().into(),
        ),
    )
    .await;
    assert!(!matches!(sneaky, Ok(Ok(_))), "bob asked on alice's subject");

    // The audit log: who asked for what and what came of it, never what was found.
    let audit = tenant.audit();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["seat"].as_str().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("alice", "found"),
            ("alice", "found"),
            ("alice", "not_found"),
            ("alice", "found"),
            ("alice", "rate_limited"),
            ("bob", "found"),
            ("bob", "ready")
        ]
    );
    assert!(
        !audit.contains("Priya") && !audit.contains("Dana") && !audit.contains("4111"),
        "{audit}"
    );
}
