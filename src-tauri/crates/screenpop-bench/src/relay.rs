//! 9. The relay, run as the contact centre runs it (the release `screenpop-relay` beside a real
//!    `nats-server` with the permissions it writes): webhook to card (a Twilio-signed POST
//!    leaving → the card painted), against the sandbox's own answer time, as the trigger's line
//!    is, with the key on the seat and with the key held by the relay; and capacity (500 seats subscribed, signed webhooks at a steady rate: POST → the
//!    message at the seat, nothing lost, the relay's CPU and memory).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::mpsc;

use screenpop_api::relay::{pop_subject, seat_inbox, PopMessage};
use screenpop_core::push::{self, SourceState};
use screenpop_relay::{generic, seats, twilio};
use screenpop_sandbox::nats::{NatsOptions, NatsServer};
use screenpop_settings::keys::Keys;
use screenpop_settings::relay::RelayCredentials;
use screenpop_settings::secret::Keychain;

use crate::cases::{add, configure_desk, demo_data, sandbox_answer, Bench, KEY, WAIT};
use crate::desk::{free_port, now_ms, App};
use crate::error::{BenchError, Result};
use crate::stats::{fmt, Summary};
use crate::table::Row;

const TENANT: &str = "bench";
const TWILIO_TOKEN: &str = "bench-twilio-token";
const GENERIC_SECRET: &str = "bench-generic-secret";
const PUBLIC: &str = "https://relay.bench.example";

/// NATS and the relay program, stopped when dropped.
struct Running {
    nats: NatsServer,
    relay: Child,
    http: String,
    passwords: HashMap<String, String>,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.relay.kill();
        let _ = self.relay.wait();
    }
}

/// NATS and the relay for `seat_names`; holding the PolyAI key of the Handoff API at
/// `polyai` (keyless mode) when given.
fn start(
    b: &Bench,
    relay_bin: &Path,
    seat_names: &[String],
    polyai: Option<&str>,
) -> Result<Running> {
    // bcrypt's cheapest cost: 500 seats' hashes in a second; the permissions are the same.
    let written = seats::write(TENANT, "relay", seat_names, 4)
        .map_err(|e| BenchError::step(e.to_string()))?;
    let nats = NatsServer::start(NatsOptions {
        authorization: Some(written.block),
        jetstream: true,
        ..NatsOptions::default()
    })
    .map_err(|e| BenchError::step(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(BenchError::io("a directory"))?;
    let passwords: HashMap<String, String> = written
        .passwords
        .into_iter()
        .map(|(_, seat, password)| (seat, password))
        .collect();
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).map_err(BenchError::io("the relay's files"))
    };
    write("nats", &passwords["relay"])?;
    write("twilio", TWILIO_TOKEN)?;
    write("generic", GENERIC_SECRET)?;
    let port = free_port()?;
    let config = dir.path().join("relay.toml");
    let mut text = format!(
        "tenant = \"{TENANT}\"\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"{PUBLIC}\"\n[nats]\nservers = [\"{}\"]\nuser = \"relay\"\npassword_file = \"nats\"\n[twilio]\nauth_token_file = \"twilio\"\nid_field = \"polyai_conversation_id\"\n[generic]\nsecret_file = \"generic\"\n",
        nats.url()
    );
    if let Some(base_url) = polyai {
        write("polyai", KEY)?;
        text.push_str(&format!(
            "[polyai]\nbase_url = \"{base_url}\"\naccount = \"acct\"\nproject = \"proj\"\napi_key_file = \"polyai\"\nlookups_per_minute = 1000\naudit_log = \"audit.jsonl\"\n"
        ));
    }
    write("relay.toml", &text)?;
    let relay = Command::new(relay_bin)
        .args(["serve", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .spawn()
        .map_err(BenchError::io("starting screenpop-relay"))?;
    let http = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + WAIT;
    loop {
        let healthy =
            b.rt.block_on(b.http.get(format!("{http}/healthz")).send())
                .is_ok_and(|r| r.status() == 200);
        if healthy {
            break;
        }
        if Instant::now() > until {
            return Err(BenchError::step("the relay did not become healthy"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Running {
        nats,
        relay,
        http,
        passwords,
        _dir: dir,
    })
}

fn relay_binary(b: &Bench) -> Result<&Path> {
    b.relay.as_deref().ok_or_else(|| {
        BenchError::step("the relay's measurements need --relay (bash .ci/bench builds it)")
    })
}

/// Twilio's signed form for `worker` accepting a call with PolyAI's `conversation` id.
fn twilio_form(sid: &str, worker: &str, conversation: &str) -> (String, String) {
    let task =
        serde_json::json!({"call_sid": "CA1", "polyai_conversation_id": conversation}).to_string();
    let params: Vec<(String, String)> = [
        ("EventType", "reservation.accepted"),
        ("Sid", sid),
        ("ReservationSid", sid),
        ("WorkerName", worker),
        ("TaskAttributes", task.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let signature = twilio::signature(
        TWILIO_TOKEN,
        &format!("{PUBLIC}/v1/twilio/taskrouter"),
        &params,
    );
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    (body, signature)
}

/// The app's webhook-to-card time (keychain mode: the seat looks the state up) against the
/// sandbox alone.
pub(crate) fn webhook_to_card(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    webhook_to_card_in(b, rows, false)
}

/// The same with the key held by the relay (keyless mode: the relay looks the state up and
/// sends it with the pop; the seat's keychain holds no PolyAI key).
pub(crate) fn webhook_to_card_keyless(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    webhook_to_card_in(b, rows, true)
}

fn webhook_to_card_in(b: &Bench, rows: &mut Vec<Row>, keyless: bool) -> Result<()> {
    let relay_bin = relay_binary(b)?;
    let sandbox = b.sandbox()?;
    let base_url = sandbox.base_url();
    let running = start(
        b,
        relay_bin,
        &["bench-seat".to_owned()],
        keyless.then_some(base_url.as_str()),
    )?;
    configure_desk(&base_url)?;
    let path = screenpop_settings::config::default_path()
        .map_err(|e| BenchError::step(format!("settings path: {e}")))?;
    let mut text = std::fs::read_to_string(&path).map_err(BenchError::io("the settings"))?;
    text.push_str(&format!(
        "\n[profile.relay]\nservers = [\"{}\"]\ntenant = \"{TENANT}\"\nseat = \"bench-seat\"\npolyai_key = \"{}\"\n",
        running.nats.url(),
        if keyless { "relay" } else { "keychain" }
    ));
    std::fs::write(&path, text).map_err(BenchError::io("the settings"))?;
    let keys = Arc::new(Keys::new(Arc::new(Keychain)));
    if keyless {
        b.rt.block_on(keys.delete("Bench"))
            .map_err(|e| BenchError::step(e.to_string()))?;
    }
    let credentials = RelayCredentials::new(keys);
    b.rt.block_on(credentials.set("Bench", &running.passwords["bench-seat"]))
        .map_err(|e| BenchError::step(e.to_string()))?;

    let mut app = App::start(&b.binary, &[], &[], &b.out.join("paint-relay.log"))?;
    let until = Instant::now() + WAIT;
    while !push::read_published(push::Kind::Relay)
        .ok()
        .flatten()
        .is_some_and(|s| matches!(s.state, SourceState::Connected { .. }))
    {
        if Instant::now() > until {
            return Err(BenchError::step("the window did not connect to the relay"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let own = sandbox_answer(b, &sandbox, b.pops + 5)?;
    let data = demo_data("demo-billing")?;
    let mut samples = Vec::new();
    for i in 0..b.pops + 5 {
        let id = format!("relay-{i}");
        add(&sandbox, &id, &data);
        let (body, signature) = twilio_form(&format!("EV{i}"), "bench-seat", &id);
        let t0 = now_ms();
        let status =
            b.rt.block_on(
                b.http
                    .post(format!("{}/v1/twilio/taskrouter", running.http))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-twilio-signature", signature)
                    .body(body)
                    .send(),
            )
            .map_err(|e| BenchError::step(format!("the webhook: {e}")))?
            .status();
        if status != 204 {
            return Err(BenchError::step(format!("the relay answered {status}")));
        }
        let p = app.painted(&id, WAIT)?;
        if p.card != "filled" {
            return Err(BenchError::step(format!("{id} painted {}", p.card)));
        }
        if i >= 5 {
            samples.push(p.at_ms - t0);
        }
    }
    app.stop();
    let s = Summary::of(&samples).ok_or_else(|| BenchError::step("no samples"))?;
    let over = s.p95 - own.p95;
    let mode = if keyless {
        "keyless (the relay looks up)"
    } else {
        "keychain (the seat looks up)"
    };
    rows.push(Row {
        measure: format!(
            "Webhook to card, relay (Twilio's signed form), {mode}, API +0 ms: p50 / p95"
        ),
        screenpop: format!("{} / {} ms (max {})", fmt(s.p50), fmt(s.p95), fmt(s.max)),
        baseline: format!("sandbox alone {} / {} ms", fmt(own.p50), fmt(own.p95)),
        result: format!("p95 +{} ms", fmt(over)),
        target: "p95 within 17 ms (one frame at 60 Hz) of the sandbox".to_owned(),
        met: Some(over <= 17.0),
    });
    Ok(())
}

/// CPU time (user + system, in clock ticks) and peak resident memory (KiB) of `pid`.
fn usage(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (tick(11) + tick(12), hwm)
}

/// 500 seats subscribed; signed webhooks at a steady rate; POST → the message at the seat.
pub(crate) fn capacity(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    const SEATS: usize = 500;
    // The seats' clients are made, used and dropped on the bench's runtime.
    let _runtime = b.rt.enter();
    let (rate, secs) = if b.quick { (100u64, 2u64) } else { (1000, 10) };
    let relay_bin = relay_binary(b)?;
    let names: Vec<String> = (0..SEATS).map(|i| format!("seat-{i:03}")).collect();
    let running = start(b, relay_bin, &names, None)?;
    let (heard, mut arrivals) = mpsc::unbounded_channel::<(String, f64)>();
    let mut clients = Vec::new();
    for name in &names {
        let options = async_nats::ConnectOptions::with_user_and_password(
            format!("{TENANT}.{name}"),
            running.passwords[name].clone(),
        )
        .custom_inbox_prefix(
            seat_inbox(TENANT, name).map_err(|e| BenchError::step(e.to_string()))?,
        );
        let client =
            b.rt.block_on(options.connect(running.nats.url()))
                .map_err(|e| BenchError::step(format!("seat {name}: {e}")))?;
        let subject = pop_subject(TENANT, name).map_err(|e| BenchError::step(e.to_string()))?;
        let mut sub =
            b.rt.block_on(client.subscribe(subject))
                .map_err(|e| BenchError::step(e.to_string()))?;
        let heard = heard.clone();
        b.rt.spawn(async move {
            while let Some(m) = sub.next().await {
                let at = now_ms();
                if let Ok(pop) = PopMessage::read(&m.payload) {
                    let _ = heard.send((pop.event_id, at));
                }
            }
        });
        clients.push(client);
    }
    for c in &clients {
        b.rt.block_on(c.flush())
            .map_err(|e| BenchError::step(e.to_string()))?;
    }
    let pid = running.relay.id();
    let (cpu_before, _) = usage(pid);
    let started = Instant::now();
    let total = rate * secs;
    let sent = b.rt.block_on(async {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
        let mut posts = Vec::new();
        for i in 0..total {
            tick.tick().await;
            let seat = &names[i as usize % SEATS];
            let body = serde_json::json!({"event_id": format!("cap-{i}"), "seat": seat, "id": format!("conv-{i}")}).to_string();
            let now = (now_ms() / 1000.0) as u64;
            let request = b
                .http
                .post(format!("{}/v1/pop", running.http))
                .header("content-type", "application/json")
                .header(generic::HEADER, generic::header_value(GENERIC_SECRET, now, body.as_bytes()))
                .body(body);
            let t0 = now_ms();
            posts.push(tokio::spawn(async move {
                let ok = request.send().await.is_ok_and(|r| r.status() == 202);
                (format!("cap-{i}"), t0, ok)
            }));
        }
        let mut sent = HashMap::new();
        let mut refused = 0usize;
        for p in posts {
            match p.await {
                Ok((id, t0, true)) => {
                    sent.insert(id, t0);
                }
                _ => refused += 1,
            }
        }
        (sent, refused)
    });
    let wall = started.elapsed();
    let (cpu_after, peak_kib) = usage(pid);
    let (sent, refused) = sent;
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while latencies.len() < sent.len() && Instant::now() < deadline {
        let next = b.rt.block_on(tokio::time::timeout(
            Duration::from_millis(200),
            arrivals.recv(),
        ));
        if let Ok(Some((id, at))) = next {
            if let Some(t0) = sent.get(&id) {
                latencies.push(at - t0);
            }
        }
    }
    let lost = total as usize - latencies.len();
    let s = Summary::of(&latencies).ok_or_else(|| BenchError::step("no pop reached a seat"))?;
    let cpu = (cpu_after - cpu_before) as f64 / 100.0 / wall.as_secs_f64() * 100.0;
    rows.push(Row {
        measure: format!("Relay capacity: {SEATS} seats, {rate} signed webhooks/s for {secs} s: POST → seat, p50 / p99"),
        screenpop: format!("{} / {} ms (max {}), {lost} lost, {refused} refused", fmt(s.p50), fmt(s.p99), fmt(s.max)),
        baseline: "—".to_owned(),
        result: format!("p99 {} ms", fmt(s.p99)),
        target: "p99 ≤ 20 ms on loopback, nothing lost".to_owned(),
        met: Some(s.p99 <= 20.0 && lost == 0),
    });
    rows.push(Row {
        measure: "Relay capacity: the relay's CPU and peak memory meanwhile".to_owned(),
        screenpop: format!(
            "{} % of one core, {} MiB peak resident",
            fmt(cpu),
            fmt(peak_kib as f64 / 1024.0)
        ),
        baseline: "—".to_owned(),
        result: "—".to_owned(),
        target: "—".to_owned(),
        met: None,
    });
    drop(clients);
    Ok(())
}
