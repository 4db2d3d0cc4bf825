//! The Genesys Cloud source against the stand-in over loopback: the PKCE sign-in through its
//! one-shot listener, and the source's connection, answers, reconnects and sign-in ending.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/wait.rs"]
mod wait;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::redirect;
use screenpop_core::push::genesys::events::Answered;
use screenpop_core::push::genesys::signin::SignIn;
use screenpop_core::push::genesys::source::{login_delay, GenesysSource, Timing, LOGIN_SPREAD};
use screenpop_core::push::{SourceState, SourceStatus};
use screenpop_sandbox::genesys::{GenesysConfig as StandInConfig, GenesysStandIn};
use screenpop_settings::genesys::token::{AccessToken, Tokens};
use screenpop_settings::genesys::{GenesysConfig, GenesysPlace, IdSources};
use screenpop_settings::keys::Keys;
use screenpop_settings::secret::MemoryKeys;
use tokio::sync::watch;
use wait::{check, eventually_async};

const ATTRIBUTE: &str = "polyai_conversation_id";

async fn stand_in(heartbeat: Duration) -> GenesysStandIn {
    GenesysStandIn::start(StandInConfig {
        heartbeat,
        ..StandInConfig::default()
    })
    .await
    .unwrap()
}

fn config(g: &GenesysStandIn) -> GenesysConfig {
    let url = g.base_url();
    GenesysConfig::new(
        GenesysPlace::Urls {
            login: &url,
            api: &url,
        },
        g.client_id(),
        IdSources {
            id_attribute: Some(ATTRIBUTE.into()),
            ..IdSources::default()
        },
    )
    .unwrap()
}

/// A client that does not follow redirects: the test is the browser, and follows them itself.
fn browser() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// Opens `address` as a browser would: Genesys's redirect, then the listener it points at
/// (`localhost` there is this machine). Answers the listener's status and text.
async fn follow(address: &str) -> (u16, String) {
    let b = browser();
    let genesys = b.get(address).send().await.unwrap();
    assert_eq!(genesys.status().as_u16(), 302, "the stand-in redirects");
    let back = genesys.headers()["location"].to_str().unwrap().to_owned();
    let back = back.replacen("http://localhost:", "http://127.0.0.1:", 1);
    let page = b.get(back).send().await.unwrap();
    (page.status().as_u16(), page.text().await.unwrap())
}

/// Signs in against the stand-in and answers the token.
async fn signed_in(g: &GenesysStandIn) -> AccessToken {
    let sign_in = SignIn::start(&config(g)).await.unwrap();
    let address = sign_in.address().to_string();
    let (done, browsed) = tokio::join!(sign_in.finish(Duration::from_secs(10)), follow(&address));
    assert_eq!(browsed.0, 200, "{}", browsed.1);
    done.unwrap()
}

#[tokio::test]
async fn the_sign_in_exchanges_a_code_for_a_token_through_a_one_shot_listener() {
    let g = stand_in(Duration::from_secs(30)).await;
    let sign_in = SignIn::start(&config(&g)).await.unwrap();
    let address = sign_in.address().clone();
    let q: Vec<(String, String)> = address.query_pairs().into_owned().collect();
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("client_id"), g.client_id());
    assert!(get("redirect_uri").starts_with("http://localhost:"));
    let port: u16 = get("redirect_uri")
        .trim_start_matches("http://localhost:")
        .trim_end_matches('/')
        .parse()
        .unwrap();

    // A return with another `state` is refused, and the sign-in keeps waiting for its own.
    let waiting = tokio::spawn(sign_in.finish(Duration::from_secs(10)));
    let b = browser();
    let forged = b
        .get(format!(
            "http://127.0.0.1:{port}/?code=stolen&state=not-ours"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    assert!(forged
        .text()
        .await
        .unwrap()
        .contains("not the one screenpop started"));

    let (status, page) = follow(address.as_str()).await;
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"), "{page}");
    let token = waiting.await.unwrap();
    let token = token.unwrap();
    assert!(!token.expired(Duration::from_secs(3600)));
    assert!(format!("{token:?}").contains("<redacted>"));

    // The listener is gone: a second use finds nothing to talk to.
    let again = b
        .get(format!("http://127.0.0.1:{port}/?code=x&state=y"))
        .send()
        .await;
    assert!(again.is_err(), "the listener answered after the sign-in");
}

#[tokio::test]
async fn a_refusal_from_genesys_ends_the_sign_in_with_its_reason() {
    let g = stand_in(Duration::from_secs(30)).await;
    let mut wrong = config(&g);
    wrong.client_id = "not-the-client".into();
    let sign_in = SignIn::start(&wrong).await.unwrap();
    let address = sign_in.address().to_string();
    let (done, (status, _)) =
        tokio::join!(sign_in.finish(Duration::from_secs(10)), follow(&address));
    assert_eq!(status, 400);
    let e = done.unwrap_err().to_string();
    assert!(
        e.contains("Genesys Cloud did not sign you in: Unknown client"),
        "{e}"
    );
}

/// A running source, what it handed on, and its status.
struct Running {
    answers: Arc<Mutex<Vec<Answered>>>,
    status: watch::Receiver<SourceStatus>,
    task: tokio::task::JoinHandle<()>,
    tokens: Tokens,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn quick() -> Timing {
    Timing {
        ping_after: Duration::from_millis(600),
        dead_after: Duration::from_millis(1_500),
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_millis(400),
        token_poll: Duration::from_millis(200),
    }
}

async fn running(g: &GenesysStandIn, timing: Timing) -> Running {
    let tokens = Tokens::new(Arc::new(Keys::new(Arc::new(MemoryKeys::default()))));
    tokens.set("Desk", &signed_in(g).await).await.unwrap();
    let source = GenesysSource::new("Desk", config(g), tokens.clone(), timing);
    let status = source.status();
    let answers = Arc::new(Mutex::new(Vec::new()));
    let sink = answers.clone();
    let task = tokio::spawn(source.run(
        Duration::ZERO,
        Arc::new(move |a: Answered| sink.lock().unwrap().push(a)),
    ));
    let r = Running {
        answers,
        status,
        task,
        tokens,
    };
    r.until("connected", |s| {
        matches!(s.state, SourceState::Connected { .. })
    })
    .await;
    r
}

impl Running {
    async fn until(&self, what: &str, done: impl Fn(&SourceStatus) -> bool) -> SourceStatus {
        eventually_async(Duration::from_secs(10), || async {
            let s = self.status.borrow().clone();
            if done(&s) {
                Ok(s)
            } else {
                Err(format!("waited for {what}: {s:?}"))
            }
        })
        .await
    }

    fn answered(&self) -> Vec<Answered> {
        self.answers.lock().unwrap().clone()
    }

    /// Waits until `n` answers were handed on.
    async fn answers(&self, n: usize) -> Vec<Answered> {
        eventually_async(Duration::from_secs(10), || async {
            let got = self.answered();
            check(got.len() >= n, || format!("{n} answers, got {got:?}")).map(|()| got)
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_call_pops_once_and_only_this_agents_answers_count() {
    let g = stand_in(Duration::from_secs(30)).await;
    let r = running(&g, Timing::default()).await;
    let call = g.place_call(&[(ATTRIBUTE, "CONV-123")]);
    r.until("the alerting event", |s| s.counts.events == 1)
        .await;
    assert!(r.answered().is_empty(), "alerting pops nothing");
    g.set_agent_state(&call, "connected");
    for _ in 0..10 {
        g.resend(&call);
    }
    let got = r.answers(1).await;
    assert_eq!(got[0].id.as_deref(), Some("CONV-123"));
    assert_eq!(got[0].conversation, call);
    // Everything sent so far has been read (12 events): the snapshots after the answer added nothing.
    r.until("every snapshot read", |s| s.counts.events == 12)
        .await;
    assert_eq!(r.answered().len(), 1);

    // A consult pops nothing; a call without PolyAI ids pops nothing and is counted.
    let consult = g.place_call(&[(ATTRIBUTE, "CONV-CONSULT")]);
    g.make_consult(&consult);
    g.set_agent_state(&consult, "connected");
    let plain = g.place_call(&[]);
    g.set_agent_state(&plain, "connected");
    r.until("the call without ids", |s| s.counts.without_ids == 1)
        .await;
    // The next call's card comes second, after the first.
    let next = g.place_call(&[(ATTRIBUTE, "CONV-456")]);
    g.set_agent_state(&next, "connected");
    let got = r.answers(2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].id.as_deref(), Some("CONV-456"));
    assert_eq!(r.status.borrow().counts.pops, 2);
    drop(r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closing_socket_is_replaced_and_no_event_is_lost() {
    let g = stand_in(Duration::from_secs(30)).await;
    let r = running(&g, Timing::default()).await;
    let opened = g.sockets_opened();
    g.close_sockets_soon(Duration::from_millis(500));
    // Answered while the new socket opens: it reaches the old one, which is read to its end.
    let during = g.place_call(&[(ATTRIBUTE, "CONV-456")]);
    g.set_agent_state(&during, "connected");
    eventually_async(Duration::from_secs(10), || async {
        check(g.sockets_opened() > opened, || "no new socket".to_owned())
    })
    .await;
    let call = g.place_call(&[(ATTRIBUTE, "CONV-789")]);
    g.set_agent_state(&call, "connected");
    let ids: Vec<_> = r.answers(2).await.into_iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        [Some("CONV-456".to_owned()), Some("CONV-789".to_owned())]
    );
    assert_eq!(g.channels().0, 1, "the same channel");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_answered_while_the_socket_was_down_pops_once_from_the_catch_up() {
    let g = stand_in(Duration::from_secs(30)).await;
    let r = running(&g, quick()).await;
    let call = g.place_call(&[(ATTRIBUTE, "CONV-GAP")]);
    r.until("the alerting event", |s| s.counts.events == 1)
        .await;
    g.drop_sockets();
    g.set_agent_state_quietly(&call, "connected");
    let got = r.answers(1).await;
    assert_eq!(got[0].id.as_deref(), Some("CONV-GAP"));
    r.until("connected again", |s| {
        matches!(s.state, SourceState::Connected { .. })
    })
    .await;
    // Heard again live after the reconnect: still one pop.
    g.resend(&call);
    r.until("the resent snapshot", |s| s.counts.events >= 2)
        .await;
    assert_eq!(r.answered().len(), 1);
    assert_eq!(g.channels().0, 1, "the channel was reused, not churned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_reconnects_and_a_lost_channel_is_made_again() {
    let g = stand_in(Duration::from_millis(300)).await;
    let r = running(&g, quick()).await;
    let opened = g.sockets_opened();
    g.set_heartbeats(false);
    eventually_async(Duration::from_secs(10), || async {
        check(g.sockets_opened() > opened, || {
            "no reconnect after silence".to_owned()
        })
    })
    .await;
    g.set_heartbeats(true);
    r.until("connected again", |s| {
        matches!(s.state, SourceState::Connected { .. })
    })
    .await;
    let before = r.status.borrow().channel.clone();
    g.delete_channels();
    r.until("a new channel", |s| {
        matches!(s.state, SourceState::Connected { .. }) && s.channel != before
    })
    .await;
    let call = g.place_call(&[(ATTRIBUTE, "CONV-NEW-CHANNEL")]);
    g.set_agent_state(&call, "connected");
    assert_eq!(
        r.answers(1).await[0].id.as_deref(),
        Some("CONV-NEW-CHANNEL")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_sign_in_says_sign_in_again_and_a_new_one_resumes() {
    let g = stand_in(Duration::from_secs(30)).await;
    let r = running(&g, quick()).await;
    g.revoke_tokens();
    let s = r
        .until("sign in again", |s| {
            matches!(s.state, SourceState::SignInAgain { .. })
        })
        .await;
    assert!(
        !format!("{s:?}").contains("token-"),
        "no token in the status"
    );
    r.tokens.set("Desk", &signed_in(&g).await).await.unwrap();
    r.until("connected again", |s| {
        matches!(s.state, SourceState::Connected { .. })
    })
    .await;
    // Signing out elsewhere (the command line) is noticed too.
    r.tokens.delete("Desk").await.unwrap();
    r.until("signed out", |s| s.state == SourceState::SignedOut)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_are_dropped_and_counted_never_a_crash() {
    let g = stand_in(Duration::from_secs(30)).await;
    let r = running(&g, Timing::default()).await;
    for frame in [
        "{not json".to_owned(),
        serde_json::json!({"topicName": "v2.users.x.presence", "eventBody": {}}).to_string(),
        format!(
            "{{\"topicName\": \"channel.metadata\", \"eventBody\": {{\"message\": \"{}\"}}}}",
            "x".repeat(300_000)
        ),
    ] {
        g.send_raw(&frame);
    }
    r.until("three dropped", |s| s.counts.dropped == 3).await;
    let call = g.place_call(&[(ATTRIBUTE, "4111 1111 1111 1111")]);
    g.set_agent_state(&call, "connected");
    r.until("the refused id", |s| s.counts.refused == 1).await;
    assert!(r.answered().is_empty());
    assert!(matches!(
        r.status.borrow().state,
        SourceState::Connected { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_seats_starting_together_spread_their_first_connections() {
    const SEATS: usize = 500;
    // The window's own spread. A shorter one (10 s was tried) puts 5 seats in a mean 100 ms,
    // and a busy 2-core host stalling the stand-in for a moment then bunched 41 into one.
    let spread = LOGIN_SPREAD;
    let g = stand_in(Duration::from_secs(30)).await;
    let token = signed_in(&g).await;
    let started = tokio::time::Instant::now().into_std();
    let mut tasks = Vec::new();
    for _ in 0..SEATS {
        let tokens = Tokens::new(Arc::new(Keys::new(Arc::new(MemoryKeys::default()))));
        tokens.set("Desk", &token).await.unwrap();
        let source = GenesysSource::new("Desk", config(&g), tokens, Timing::default());
        tasks.push(tokio::spawn(
            source.run(login_delay(spread), Arc::new(|_| {})),
        ));
    }
    let me = "GET /api/v2/users/me";
    eventually_async(spread + Duration::from_secs(20), || async {
        let n = g.arrivals(me).len();
        check(n >= SEATS, || {
            format!("{n} of {SEATS} seats asked who they are")
        })
    })
    .await;
    for t in &tasks {
        t.abort();
    }
    let mut per_slot = std::collections::BTreeMap::<u128, usize>::new();
    for at in g.arrivals(me).iter().take(SEATS) {
        *per_slot
            .entry(at.duration_since(started).as_millis() / 100)
            .or_default() += 1;
    }
    let busiest = per_slot.values().copied().max().unwrap();
    assert!(
        busiest * 20 <= SEATS,
        "the busiest 100 ms held {busiest} of {SEATS} first connections"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_is_waited_out_as_genesys_asks() {
    let g = stand_in(Duration::from_secs(30)).await;
    let token = signed_in(&g).await;
    g.set_rate_limit(Some(2));
    let tokens = Tokens::new(Arc::new(Keys::new(Arc::new(MemoryKeys::default()))));
    tokens.set("Desk", &token).await.unwrap();
    let source = GenesysSource::new("Desk", config(&g), tokens, quick());
    let status = source.status();
    let task = tokio::spawn(source.run(Duration::ZERO, Arc::new(|_| {})));
    let told = eventually_async(Duration::from_secs(10), || async {
        let s = status.borrow().clone();
        match &s.state {
            SourceState::Reconnecting { in_secs, .. } => Ok(*in_secs),
            _ => Err(format!("waited for the rate limit: {s:?}")),
        }
    })
    .await;
    assert_eq!(told, 2, "Retry-After, not the back-off");
    g.set_rate_limit(None);
    eventually_async(Duration::from_secs(10), || async {
        let s = status.borrow().clone();
        check(matches!(s.state, SourceState::Connected { .. }), || {
            format!("{s:?}")
        })
    })
    .await;
    let asked = g.arrivals("GET /api/v2/users/me");
    assert!(
        asked[1].duration_since(asked[0]) >= Duration::from_secs(2),
        "{asked:?}"
    );
    task.abort();
}
