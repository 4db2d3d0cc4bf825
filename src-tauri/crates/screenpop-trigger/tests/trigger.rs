//! The local trigger over real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use screenpop_core::transfer::Transfer;
use screenpop_trigger::{Trigger, MAX_PER_SECOND};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// The time the trigger's rate limit sees: moved on by the test, never by waiting.
#[derive(Clone)]
struct TestClock(Arc<Mutex<Instant>>);

impl TestClock {
    /// A second later, as far as the rate limit can tell.
    fn next_second(&self) {
        *self.0.lock().unwrap() += Duration::from_millis(1_001);
    }
}

async fn trigger() -> (Trigger, Arc<Mutex<Vec<Transfer>>>, TestClock) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let clock = TestClock(Arc::new(Mutex::new(Instant::now())));
    let now = clock.0.clone();
    let t = Trigger::start_with_clock(
        0,
        TOKEN.into(),
        Arc::new(move |t| sink.lock().unwrap().push(t)),
        Arc::new(move || *now.lock().unwrap()),
    )
    .await
    .unwrap();
    (t, got, clock)
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[tokio::test]
async fn authenticated_pops_are_accepted_in_both_forms() {
    let (t, got, _clock) = trigger().await;
    let base = format!("http://{}", t.addr());
    let r = http()
        .post(format!("{base}/v1/pop"))
        .bearer_auth(TOKEN)
        .json(&json!({"id": "conv 1&2", "profile": "Acme UK"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "accepted"})
    );
    let r = http()
        .get(format!("{base}/v1/pop?shared_id=CA-42&token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let got = got.lock().unwrap().clone();
    assert_eq!(
        got[0],
        Transfer::new(Some("conv 1&2"), None, Some("Acme UK")).unwrap()
    );
    assert_eq!(got[1], Transfer::new(None, Some("CA-42"), None).unwrap());
}

#[tokio::test]
async fn refusals_are_clear_and_nothing_pops() {
    let (t, got, clock) = trigger().await;
    let base = format!("http://{}", t.addr());
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            http()
                .post(format!("{base}/v1/pop"))
                .json(&json!({"id": "a"})),
            StatusCode::UNAUTHORIZED,
            "token",
        ),
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth("wrong-token-000000")
                .json(&json!({"id": "a"})),
            StatusCode::UNAUTHORIZED,
            "token",
        ),
        (
            http().get(format!("{base}/v1/pop?id=a")),
            StatusCode::UNAUTHORIZED,
            "token",
        ),
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .header("host", "evil.example:80")
                .json(&json!({"id": "a"})),
            StatusCode::MISDIRECTED_REQUEST,
            "Host",
        ),
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .header("origin", "https://evil.example")
                .json(&json!({"id": "a"})),
            StatusCode::FORBIDDEN,
            "web pages",
        ),
    ];
    for (req, status, says) in cases {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
    clock.next_second();
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .body("x".repeat(5_000)),
            StatusCode::PAYLOAD_TOO_LARGE,
            "4 KiB",
        ),
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .body("not json"),
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .json(&json!({"id": "a", "run": "calc"})),
            StatusCode::BAD_REQUEST,
            "unknown field",
        ),
        (
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .json(&json!({"id": "bad\u{7}"})),
            StatusCode::BAD_REQUEST,
            "control character",
        ),
        (
            http().get(format!("{base}/v1/pop?id=a&token={TOKEN}&exec=1")),
            StatusCode::BAD_REQUEST,
            "Unknown",
        ),
    ];
    for (req, status, says) in cases {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
    assert!(got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn floods_are_slowed_and_garbage_does_not_stop_it() {
    let (t, got, clock) = trigger().await;
    let base = format!("http://{}", t.addr());
    // Sent at once, so the whole flood lands inside one second however slow the machine.
    let requests: Vec<_> = (0..(MAX_PER_SECOND + 5))
        .map(|i| {
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth(TOKEN)
                .json(&json!({"id": format!("flood-{i}")}))
                .send()
        })
        .collect();
    let mut statuses = Vec::new();
    for r in futures_util::future::join_all(requests).await {
        statuses.push(r.unwrap().status());
    }
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((accepted, limited), (MAX_PER_SECOND, 5));
    assert_eq!(got.lock().unwrap().len(), MAX_PER_SECOND);

    // Arbitrary bytes on the socket.
    for junk in [
        &b"\x00\xff\xfe garbage\r\n\r\n"[..],
        b"GET /v1/pop?id=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        &[0u8; 9000][..],
    ] {
        if let Ok(mut s) = tokio::net::TcpStream::connect(t.addr()).await {
            let _ = s.write_all(junk).await;
            let mut buf = Vec::new();
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(2), s.read_to_end(&mut buf))
                    .await;
        }
    }
    clock.next_second();
    let r = http()
        .post(format!("{base}/v1/pop"))
        .bearer_auth(TOKEN)
        .json(&json!({"id": "still-serving"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_flood_without_the_token_does_not_hold_back_a_real_pop() {
    let (t, got, _clock) = trigger().await;
    let base = format!("http://{}", t.addr());
    let flood: Vec<_> = (0..40)
        .map(|i| {
            http()
                .post(format!("{base}/v1/pop"))
                .bearer_auth("wrong-token-wrong-token")
                .json(&json!({"id": format!("flood-{i}")}))
                .send()
        })
        .collect();
    for r in futures_util::future::join_all(flood).await {
        assert_eq!(r.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let r = http()
        .post(format!("{base}/v1/pop"))
        .bearer_auth(TOKEN)
        .json(&json!({"id": "the-real-call"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(got.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_weak_token_or_a_taken_port_is_explained() {
    let weak = Trigger::start(0, "short".into(), Arc::new(|_| {})).await;
    assert!(weak.is_err());
    let (t, _, _) = trigger().await;
    let err = Trigger::start(t.addr().port(), TOKEN.into(), Arc::new(|_| {}))
        .await
        .err()
        .unwrap();
    let port = t.addr().port();
    let text = err.to_string();
    assert!(
        text.contains(&format!("port {port}: it is already in use")),
        "{text}"
    );
    assert!(text.contains("set the port to 0"), "{text}");
}
