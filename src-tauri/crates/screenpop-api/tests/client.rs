//! The Handoff API client against the sandbox: a real HTTP server on loopback that speaks the
//! Handoff API, with faults injected per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use screenpop_api::endpoint::Endpoint;
use screenpop_api::retry::{Retryable, Timeouts};
use screenpop_api::Project;
use screenpop_api::{ApiKey, ErrorKind, HandoffClient, HandoffState, Lookup};
use screenpop_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig, StoredState};
use serde_json::json;

const KEY: &str = "sandbox-key";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts")
}

/// Short limits so fault tests finish in about a second each.
fn quick() -> Timeouts {
    Timeouts {
        connect_ms: 500,
        attempt_ms: 1_000,
        wait_window_ms: 1_500,
        deadline_ms: 3_000,
    }
}

fn client(sandbox: &Sandbox, timeouts: Timeouts) -> HandoffClient {
    let endpoint = Endpoint::custom(&sandbox.base_url()).expect("loopback URL");
    let project = Project::new(endpoint, "acct-1", "proj-1").expect("profile");
    HandoffClient::new(&project, timeouts).expect("client")
}

fn key() -> ApiKey {
    ApiKey::new(KEY).expect("key")
}

/// Room for one rate-limited retry: a `Retry-After` of 1 s is waited for up to 1.5 s (the spread
/// that keeps many desks from retrying in step), and that must fit in the wait window, whatever
/// the jitter drew.
fn rate_limit_room() -> Timeouts {
    Timeouts {
        wait_window_ms: 2_000,
        ..quick()
    }
}

/// A lookup given room for one rate-limited retry (see [`rate_limit_room`]).
async fn lookup_rate_limited(sandbox: &Sandbox, id: &str) -> screenpop_api::Result<HandoffState> {
    client(sandbox, rate_limit_room())
        .lookup(&key(), &Lookup::by_id(id).expect("id"))
        .await
}

/// Looks `id` up through a fresh client with [`quick`] limits.
async fn lookup(sandbox: &Sandbox, id: &str) -> screenpop_api::Result<HandoffState> {
    client(sandbox, quick())
        .lookup(&key(), &Lookup::by_id(id).expect("id"))
        .await
}

fn fault(sandbox: &Sandbox, fault: Fault, times: Option<u32>) {
    sandbox.set_faults(FaultPlan {
        latency_ms: 0,
        fault: Some(fault),
        times,
    });
}

#[tokio::test]
async fn finds_a_state_by_id_with_the_documented_request() {
    let sb = sandbox().await;
    let c = client(&sb, quick());
    let state = c
        .lookup(&key(), &Lookup::by_id("demo-billing").expect("id"))
        .await
        .expect("found");
    assert_eq!(state.id.as_deref(), Some("demo-billing"));
    assert_eq!(state.data["customer_name"], json!("Priya Raman"));

    let reqs = sb.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.path, "/v1/acct-1/proj-1/handoff_state");
    assert_eq!(r.query, vec![("id".to_owned(), "demo-billing".to_owned())]);
    assert_eq!(r.api_key.as_deref(), Some(KEY));
    assert_eq!(r.accept.as_deref(), Some("application/json"));
    assert!(
        r.user_agent
            .as_deref()
            .is_some_and(|ua| ua.starts_with("screenpop/")),
        "{:?}",
        r.user_agent
    );
}

#[tokio::test]
async fn keeps_the_servers_key_order_in_data() {
    let sb = sandbox().await;
    let state = lookup(&sb, "demo-billing").await.expect("found");
    let keys: Vec<_> = state.data.keys().take(3).cloned().collect();
    assert_eq!(keys, ["customer_name", "customer_id", "account_number"]);
}

#[tokio::test]
async fn shared_id_wins_when_both_are_given() {
    let sb = sandbox().await;
    let c = client(&sb, quick());
    let lookup = Lookup::new(
        Some("demo-billing"),
        Some("genesys-7d2b9c1e-4a5f-4e3b-8c6d-1f2a3b4c5d6e"),
    )
    .expect("both");
    let state = c.lookup(&key(), &lookup).await.expect("found");
    assert_eq!(state.id.as_deref(), Some("demo-nested"));
    let sent: Vec<_> = sb.requests()[0]
        .query
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(sent, ["id", "shared_id"], "both ids are sent");
}

#[tokio::test]
async fn a_null_id_from_a_shared_id_lookup_is_accepted() {
    let sb = sandbox().await;
    let state = client(&sb, quick())
        .lookup(
            &key(),
            &Lookup::by_shared_id("zoom-trace-81f3c0de").expect("sid"),
        )
        .await
        .expect("found");
    assert_eq!(state.id, None);
    assert_eq!(state.shared_id.as_deref(), Some("zoom-trace-81f3c0de"));
}

#[tokio::test]
async fn awkward_ids_round_trip_exactly() {
    let sb = sandbox().await;
    let c = client(&sb, quick());
    let awkward = [
        "a b+c&d=e",
        "50%/done?#frag",
        "Zoë-会話-🙂",
        "'quotes\"and<angle>",
        "semi;colon,comma",
    ];
    for id in awkward {
        sb.add_state(StoredState {
            id: Some(id.to_owned()),
            shared_id: None,
            data: json!({ "echo": id }).as_object().cloned().expect("object"),
        });
        let state = c
            .lookup(&key(), &Lookup::by_id(id).expect("valid id"))
            .await
            .unwrap_or_else(|e| panic!("{id:?}: {e}"));
        assert_eq!(state.id.as_deref(), Some(id));
        assert_eq!(state.data["echo"], json!(id));
    }
    let raw = sb.requests()[0].raw_query.clone().expect("query");
    assert!(
        !raw.contains(' ') && !raw.contains("&d="),
        "encoded on the wire: {raw}"
    );
}

#[tokio::test]
async fn ids_are_trimmed_before_sending() {
    let sb = sandbox().await;
    lookup(&sb, "  demo-orders\n").await.expect("found");
    assert_eq!(sb.requests()[0].query[0].1, "demo-orders");
}

#[tokio::test]
async fn a_wrong_key_is_rejected_at_once_with_the_servers_reason() {
    let sb = sandbox().await;
    let err = client(&sb, quick())
        .lookup(
            &ApiKey::new("not-the-key").expect("key"),
            &Lookup::by_id("demo-billing").expect("id"),
        )
        .await
        .expect_err("401");
    assert_eq!(err.kind(), ErrorKind::KeyRejected);
    let msg = err.to_string();
    assert!(msg.contains("HTTP 401"), "{msg}");
    assert!(msg.contains("Invalid API key"), "{msg}");
    assert!(err.correlation_id().is_some(), "{msg}");
    assert!(!msg.contains("not-the-key"), "never echoes the key: {msg}");
    assert_eq!(sb.requests().len(), 1, "401 is never retried");
}

#[tokio::test]
async fn forbidden_is_never_retried() {
    let sb = sandbox().await;
    fault(&sb, Fault::Status { status: 403 }, None);
    let err = lookup(&sb, "demo-billing").await.expect_err("403");
    assert_eq!(err.kind(), ErrorKind::KeyRejected);
    assert!(err.to_string().contains("HTTP 403"), "{err}");
    assert_eq!(sb.requests().len(), 1);
}

#[tokio::test]
async fn bad_request_is_final_and_explained() {
    let sb = sandbox().await;
    fault(&sb, Fault::Status { status: 400 }, None);
    let err = lookup(&sb, "demo-billing").await.expect_err("400");
    assert_eq!(err.kind(), ErrorKind::BadInput);
    assert!(err.to_string().contains("HTTP 400"), "{err}");
    assert_eq!(sb.requests().len(), 1);
}

#[tokio::test]
async fn a_missing_state_is_retried_within_the_wait_window_then_reported() {
    let sb = sandbox().await;
    let started = Instant::now();
    let err = lookup(&sb, "never-written").await.expect_err("404");
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("No handoff state"), "{err}");
    assert!(err.correlation_id().is_some());
    let n = sb.requests().len();
    assert!(n >= 3, "retried while waiting: {n} requests");
    assert!(
        took >= Duration::from_millis(1_400),
        "keeps trying to the end of the 1.5 s window: {took:?}"
    );
}

#[tokio::test]
async fn lookup_once_does_not_wait_for_a_missing_state() {
    let sb = sandbox().await;
    let err = client(&sb, quick())
        .lookup_once(&key(), &Lookup::by_id("never-written").expect("id"))
        .await
        .expect_err("404");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(sb.requests().len(), 1);
}

#[tokio::test]
async fn a_state_written_moments_after_the_transfer_is_found() {
    let sb = sandbox().await;
    fault(&sb, Fault::PendingFor { ms: 700 }, None);
    let state = lookup(&sb, "demo-billing")
        .await
        .expect("found once written");
    assert_eq!(state.id.as_deref(), Some("demo-billing"));
    assert!(sb.requests().len() >= 2, "it was 404 at first");
}

#[tokio::test]
async fn retries_are_reported_to_an_observer() {
    let sb = sandbox().await;
    fault(&sb, Fault::PendingFor { ms: 600 }, None);
    let seen = std::sync::Mutex::new(Vec::new());
    let state = client(&sb, quick())
        .lookup_observed(
            &key(),
            &Lookup::by_id("demo-billing").expect("id"),
            &|why| seen.lock().expect("lock").push(why),
        )
        .await
        .expect("found");
    assert!(state.id.is_some());
    let seen = seen.into_inner().expect("lock");
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|w| *w == Retryable::NotFound), "{seen:?}");
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let sb = sandbox().await;
    fault(&sb, Fault::Status { status: 503 }, None);
    let err = lookup(&sb, "demo-billing").await.expect_err("503");
    assert_eq!(err.kind(), ErrorKind::Server);
    let msg = err.to_string();
    assert!(msg.contains("HTTP 503"), "{msg}");
    assert!(
        msg.contains("Injected failure"),
        "server reason shown: {msg}"
    );
    assert_eq!(sb.requests().len(), 3, "one try and two retries");
}

#[tokio::test]
async fn a_transient_500_is_recovered_from() {
    let sb = sandbox().await;
    fault(&sb, Fault::Status { status: 500 }, Some(1));
    let state = lookup(&sb, "demo-billing")
        .await
        .expect("second attempt succeeds");
    assert_eq!(state.id.as_deref(), Some("demo-billing"));
    assert_eq!(sb.requests().len(), 2);
}

#[tokio::test]
async fn rate_limits_honour_retry_after() {
    let sb = sandbox().await;
    fault(
        &sb,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        Some(1),
    );
    let started = Instant::now();
    let state = lookup_rate_limited(&sb, "demo-billing")
        .await
        .expect("found after waiting");
    assert!(state.id.is_some());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited as asked: {:?}",
        started.elapsed()
    );
    assert_eq!(sb.requests().len(), 2);
}

#[tokio::test]
async fn a_lasting_rate_limit_costs_two_requests_then_shows() {
    let sb = sandbox().await;
    fault(
        &sb,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        None,
    );
    let err = lookup_rate_limited(&sb, "demo-billing")
        .await
        .expect_err("429 twice");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(sb.requests().len(), 2, "one retry, then the agent is told");
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_is_reported_not_waited_for() {
    let sb = sandbox().await;
    fault(
        &sb,
        Fault::RateLimited {
            retry_after_secs: 30,
        },
        None,
    );
    let started = Instant::now();
    let err = lookup(&sb, "demo-billing").await.expect_err("429");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.to_string().contains("30 s"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "gave up at once"
    );
}

#[tokio::test]
async fn a_hung_server_hits_the_deadline() {
    let sb = sandbox().await;
    fault(&sb, Fault::Hang, None);
    let started = Instant::now();
    let err = lookup(&sb, "demo-billing").await.expect_err("timeout");
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        took < Duration::from_millis(5_000),
        "bounded by the deadline: {took:?}"
    );
    assert!(sb.requests().len() >= 2, "timeouts are retried");
}

#[tokio::test]
async fn latency_under_the_attempt_timeout_is_fine() {
    let sb = sandbox().await;
    sb.set_faults(FaultPlan {
        latency_ms: 150,
        fault: None,
        times: None,
    });
    lookup(&sb, "demo-billing").await.expect("slow but in time");
}

#[tokio::test]
async fn malformed_bodies_are_reported_with_the_correlation_id() {
    let sb = sandbox().await;
    for f in [Fault::Malformed, Fault::WrongContentType] {
        fault(&sb, f, None);
        let err = lookup(&sb, "demo-billing").await.expect_err("malformed");
        assert_eq!(err.kind(), ErrorKind::Malformed, "{f:?}: {err}");
        assert!(err.to_string().contains("sandbox-"), "{f:?}: {err}");
    }
}

#[tokio::test]
async fn data_that_is_not_an_object_is_malformed() {
    let sb = sandbox().await;
    // The sandbox only stores objects, so serve the bad shape from a raw server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let body = r#"{"id":"x","data":["not","an","object"]}"#;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(body.as_bytes()).await;
        }
    });
    drop(sb);
    let endpoint = Endpoint::custom(&format!("http://{addr}")).expect("url");
    let c = HandoffClient::new(&Project::new(endpoint, "a", "p").expect("project"), quick())
        .expect("client");
    let err = c
        .lookup(&key(), &Lookup::by_id("x").expect("id"))
        .await
        .expect_err("array data");
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(
        err.to_string().contains("\"data\" should be an object"),
        "{err}"
    );
}

#[tokio::test]
async fn a_connection_reset_mid_answer_is_retried() {
    let sb = sandbox().await;
    fault(&sb, Fault::Reset, Some(1));
    let state = lookup(&sb, "demo-billing").await.expect("second try works");
    assert_eq!(state.id.as_deref(), Some("demo-billing"));
    assert_eq!(sb.requests().len(), 2);

    fault(&sb, Fault::Reset, None);
    sb.clear_requests();
    let err = lookup(&sb, "demo-billing").await.expect_err("always reset");
    assert!(
        err.kind() == ErrorKind::Unreachable && err.to_string().contains("connection"),
        "{:?}: {err}",
        err.kind()
    );
    assert_eq!(
        sb.requests().len(),
        3,
        "two retries, then the agent is told"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let sb = sandbox().await;
    fault(&sb, Fault::Oversized, None);
    let err = lookup(&sb, "demo-billing").await.expect_err("too big");
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    assert_eq!(sb.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn a_cross_origin_redirect_never_delivers_the_key() {
    let sb = sandbox().await;
    fault(&sb, Fault::Redirect, None);
    let err = lookup(&sb, "demo-billing")
        .await
        .expect_err("refused redirect");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.to_string().contains("redirected to http://127.0.0.1:"),
        "{err}"
    );
    assert!(
        sb.stray_requests().is_empty(),
        "the other origin was contacted: {:?}",
        sb.stray_requests()
    );
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test]
async fn an_unreachable_api_is_reported_without_the_url_query() {
    // Bind then drop, so the port is (almost certainly) closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let endpoint = Endpoint::custom(&format!("http://127.0.0.1:{port}")).expect("url");
    let c = HandoffClient::new(&Project::new(endpoint, "a", "p").expect("project"), quick())
        .expect("client");
    let err = c
        .lookup(&key(), &Lookup::by_id("secret-looking-id").expect("id"))
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Unreachable);
    let msg = err.to_string();
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(!msg.contains("secret-looking-id"), "{msg}");
}

#[tokio::test]
async fn one_client_reuses_its_connection() {
    let sb = sandbox().await;
    let c = client(&sb, quick());
    for _ in 0..3 {
        c.lookup(&key(), &Lookup::by_id("demo-orders").expect("id"))
            .await
            .expect("found");
    }
    assert_eq!(sb.connections(), 1, "keep-alive: one TCP connection");
}

#[tokio::test]
async fn plain_http_is_refused_for_remote_hosts() {
    let err = Endpoint::custom("http://api.example.com").expect_err("http remote");
    assert_eq!(err.kind(), ErrorKind::BadInput);
    assert!(Endpoint::custom("https://api.example.com").is_ok());
    assert!(Endpoint::custom("http://localhost:8765").is_ok());
    assert!(Endpoint::custom("http://[::1]:8765").is_ok());
}
