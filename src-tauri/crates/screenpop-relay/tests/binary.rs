//! The `screenpop-relay` program as an admin runs it: `check` on the packaged example
//! configuration, `seats` writing the NATS permissions and a passwords file only its owner
//! reads, and `serve` against a real NATS server, healthy, popping, and stopping cleanly on
//! SIGTERM with its JSON log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use screenpop_relay::generic;

#[path = "../../../tests/support/nats_seats.rs"]
mod nats_seats;
use nats_seats::TenantNats;

const BIN: &str = env!("CARGO_BIN_EXE_screenpop-relay");
const EXAMPLE: &str = include_str!("../packaging/relay.example.toml");

fn secrets(dir: &Path) {
    for f in [
        "nats-password",
        "twilio-auth-token",
        "connect-api-key",
        "generic-secret",
    ] {
        std::fs::write(dir.join(f), format!("{f}-value\n")).unwrap();
    }
}

#[test]
fn check_reads_the_packaged_example_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    secrets(dir.path());
    let config = dir.path().join("relay.toml");
    std::fs::write(&config, EXAMPLE).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("fine. Tenant \"acme\""));

    std::fs::remove_file(dir.path().join("twilio-auth-token")).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("twilio.auth_token") && said.contains("twilio-auth-token"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "one line: {said}");
}

#[test]
fn seats_writes_the_permissions_and_a_private_passwords_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("seats.txt");
    std::fs::write(&list, "# floor 1\nalice@acme.example\nbob@acme.example\n").unwrap();
    let passwords = dir.path().join("passwords.csv");
    let run = || {
        Command::new(BIN)
            .args(["seats", "--tenant", "acme", "--seats"])
            .arg(&list)
            .arg("--passwords")
            .arg(&passwords)
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let block = String::from_utf8(out.stdout).unwrap();
    assert!(block.starts_with("# Written by `screenpop-relay seats`"));
    assert!(block.contains("\"acme.alice%40acme%2Eexample\""), "{block}");
    let written = std::fs::read_to_string(&passwords).unwrap();
    assert_eq!(written.lines().count(), 3, "the relay and two seats");
    for line in written.lines() {
        let password = line.rsplit(',').next().unwrap();
        assert!(!block.contains(password), "a plain password in the block");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&passwords).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = run();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("must not exist"));
    assert_eq!(
        std::fs::read_to_string(&passwords).unwrap(),
        written,
        "left as it was"
    );
}

#[test]
fn serve_is_healthy_pops_and_stops_cleanly_on_sigterm() {
    let tenant = TenantNats::start("acme", &["alice"]);
    tenant.write("generic", "g-secret");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = tenant.dir().join("relay.toml");
    tenant.write(
        "relay.toml",
        &tenant.relay_config(
            &format!("listen = \"127.0.0.1:{port}\"\n"),
            "[generic]\nsecret_file = \"generic\"\n",
        ),
    );
    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(15);
    while http
        .get(format!("{base}/healthz"))
        .send()
        .map_or(true, |r| r.status() != 200)
    {
        assert!(Instant::now() < until, "the relay never became healthy");
        std::thread::sleep(Duration::from_millis(50));
    }
    let now = screenpop_relay::deliver::now_ms() / 1000;
    let body = r#"{"event_id":"e-1","seat":"alice","id":"conv-1"}"#;
    let r = http
        .post(format!("{base}/v1/pop"))
        .header("content-type", "application/json")
        .header(
            "screenpop-signature",
            generic::header_value("g-secret", now, body.as_bytes()),
        )
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 202);

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let log: Vec<serde_json::Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).expect("every log line is JSON"))
        .collect();
    let said: Vec<&str> = log.iter().filter_map(|l| l["msg"].as_str()).collect();
    assert_eq!(said, ["listening", "popped", "stopped"], "{log:?}");
    assert!(!format!("{log:?}").contains("g-secret"));
}
