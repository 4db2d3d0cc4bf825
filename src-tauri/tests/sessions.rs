//! Two agents on one shared host: two private login sessions on this machine, each with its own
//! runtime directory, display, D-Bus session and Secret Service, each running its own window with the
//! local trigger on port 0. Each window picks a free port and publishes it in its session's
//! runtime directory; a pop sent to a session (through its published trigger, or a deep link on
//! its bus) reaches that session's window only, as the windows' paint logs show. `bash .ci/test`
//! runs it under Xvfb; a plain `cargo test` skips it.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/seat.rs"]
#[allow(dead_code)] // its profile writer only: the session stores its own key
mod seat;
#[path = "support/wait.rs"]
mod wait;

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sandbox::LocalApi;
use screenpop_sandbox::session::LoginSession;
use screenpop_sandbox::Sandbox;
use screenpop_settings::session::TriggerAddress;
use wait::{check, eventually};

/// One agent's login session (its own home, runtime directory, display, bus and keyring, from
/// the sandbox crate, as the benchmark's seats have) and the window started in it.
struct Session {
    login: LoginSession,
    window: Option<Child>,
}

impl Session {
    /// A session whose settings hold a profile for `api` (key stored) and the trigger on `port`.
    fn new(api: &Sandbox, port: u16) -> Self {
        let login = LoginSession::start().unwrap();
        let trigger = format!("[trigger]\nenabled = true\nport = {port}\n\n");
        seat::write_profile(&login.config_dir(), "Desk", &api.base_url(), &trigger);
        login.store_secret("Desk", api.key()).unwrap();
        Self {
            login,
            window: None,
        }
    }

    /// `program` in this session's environment, its paint log on.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = self.login.command(program);
        c.env("SCREENPOP_PAINT_LOG", self.paint_log())
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        c
    }

    fn paint_log(&self) -> PathBuf {
        self.login.dir().join("paint.log")
    }

    fn painted(&self) -> String {
        std::fs::read_to_string(self.paint_log()).unwrap_or_default()
    }

    fn published(&self) -> Option<TriggerAddress> {
        let file = self.login.runtime_dir().join("screenpop/trigger.json");
        serde_json::from_slice(&std::fs::read(file).ok()?).ok()
    }

    /// Starts this session's window, and waits until its trigger is published.
    fn open_window(&mut self) -> TriggerAddress {
        let window = self
            .command(env!("CARGO_BIN_EXE_screenpop"))
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        self.window = Some(window);
        wait_for("the trigger's published address", 30, || {
            self.published().is_some()
        });
        self.published().unwrap()
    }

    /// The trigger's token, from this session's keychain.
    fn token(&self) -> String {
        let out = self
            .command("secret-tool")
            .args([
                "lookup",
                "service",
                "screenpop",
                "username",
                "@local-trigger",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// `screenpop ARGS` in this session: (exit code, stdout, stderr).
    fn screenpop(&self, args: &[&str]) -> (i32, String, String) {
        let out = self
            .command(env!("CARGO_BIN_EXE_screenpop"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(w) = &mut self.window {
            // The window's process group holds its WebKit processes.
            let _ = Command::new("kill")
                .args(["--", &format!("-{}", w.id())])
                .status();
            let _ = w.wait();
        }
    }
}

fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    eventually(Duration::from_secs(secs), || {
        check(done(), || format!("no {what} within {secs} s"))
    });
}

fn pop(address: &TriggerAddress, token: &str, id: &str) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(&address.url)
        .bearer_auth(token)
        .json(&serde_json::json!({ "id": id }))
        .send()
        .unwrap();
    assert!(answer.status().is_success(), "{}: {answer:?}", address.url);
}

fn painted_id(log: &str, id: &str) -> bool {
    log.lines()
        .any(|l| serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v["id"] == id))
}

#[test]
#[ignore = "needs Xvfb, dbus-daemon and gnome-keyring: run `bash .ci/test`"]
fn two_sessions_each_pop_into_their_own_window_on_a_port_of_their_own() {
    let local = LocalApi::keyed(format!("sessions-key-{:08x}", std::process::id()));
    let api = &local.sandbox;
    let mut first = Session::new(api, 0);
    let mut second = Session::new(api, 0);
    let a = first.open_window();
    let b = second.open_window();
    assert!(
        a.port != 0 && b.port != 0 && a.port != b.port,
        "{a:?} {b:?}"
    );
    assert_ne!(a.pid, b.pid);
    let text =
        std::fs::read_to_string(first.login.runtime_dir().join("screenpop/trigger.json")).unwrap();
    assert!(
        !text.contains(&first.token()),
        "the token is never published"
    );

    // Each session's CLI reads its own window's address.
    let (code, out, err) = first.screenpop(&["trigger"]);
    assert_eq!((code, out.trim()), (0, a.url.as_str()), "{err}");
    let (code, out, err) = second.screenpop(&["trigger"]);
    assert_eq!((code, out.trim()), (0, b.url.as_str()), "{err}");

    // A pop through each session's trigger reaches that session's window only.
    pop(&a, &first.token(), "demo-billing");
    pop(&b, &second.token(), "demo-orders");
    wait_for("the first window's card", 20, || {
        painted_id(&first.painted(), "demo-billing")
    });
    wait_for("the second window's card", 20, || {
        painted_id(&second.painted(), "demo-orders")
    });
    // A deep link goes over the session's own bus to its own window.
    let (code, _, err) = second.screenpop(&["screenpop://lookup?id=demo-nested"]);
    assert_eq!(code, 0, "{err}");
    wait_for("the second window's deep-linked card", 20, || {
        painted_id(&second.painted(), "demo-nested")
    });
    assert!(!painted_id(&first.painted(), "demo-orders"));
    assert!(!painted_id(&first.painted(), "demo-nested"));
    assert!(!painted_id(&second.painted(), "demo-billing"));

    // A third session set to the first one's fixed port is told plainly that it is taken.
    let third = Session::new(api, a.port);
    let (code, _, err) = third.screenpop(&["trigger"]);
    assert_eq!(code, 7, "{err}");
    assert!(
        err.contains(&format!(
            "Port {} is taken by another program or session",
            a.port
        )) && err.contains("set the port to 0"),
        "{err}"
    );
}
