//! The fault and abuse suite, through the real app window (WebKitWebDriver under Xvfb, keys in
//! gnome-keyring): every sandbox fault ends in its state within its deadline with the window
//! still answering; hostile input on every entry point is refused or shown inert, and no
//! request ever carries an id other than one that was sent on purpose; afterwards a canary key
//! is searched for everywhere it must not be; the page's scripts run without a JIT. `bash
//! .ci/test` runs it; `cargo test` skips it.
// WebKitWebDriver, Xvfb, dunst and gnome-keyring: Linux only (the Windows programs are
// checked under Wine by `.ci/wine`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/seat.rs"]
mod seat;
#[path = "support/wait.rs"]
mod wait;
#[path = "support/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;
#[path = "support/window.rs"]
mod window;

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use screenpop_sandbox::{Fault, FaultPlan, StoredState};
use serde_json::json;
use webdriver::Driver;
use window::*;

/// Short limits, so faults that wait out a timeout end quickly.
const TIMEOUTS: &str =
    "\n[timeouts]\nconnect_ms = 1000\nattempt_ms = 1500\nwait_window_ms = 1500\ndeadline_ms = 3000\n";
/// The deadline above, plus time for the page to paint the result on a loaded machine.
const DEADLINE: Duration = Duration::from_millis(3_000 + 2_500);

/// An API whose key is a canary: it must never be found outside the keychain.
fn canary_api() -> (Api, String) {
    let canary = format!("canary-{:016x}", fastrand::u64(..));
    (Api::keyed(canary.clone()), canary)
}

/// A configured home with short timeouts and the trigger on a free port; returns the port.
fn abuse_home(api: &Api) -> (tempfile::TempDir, Vec<(&'static str, String)>, u16) {
    let (home, env) = configured_home(api, "Abuse");
    let port = with_trigger(&home, TIMEOUTS);
    (home, env, port)
}

/// Types `query` (set directly, so control characters arrive as they are) and presses Enter.
fn submit(d: &Driver, query: &str) {
    d.exec(
        "document.getElementById('by').value = 'id'; document.getElementById('query').value = arguments[0]; return 1",
        json!([query]),
    );
    d.type_into(&d.wait("#query", 5), ENTER);
}

/// The window answers a script at once: it is not blocked by whatever the lookup is doing.
fn responsive(d: &Driver) {
    let t = Instant::now();
    let v = d.exec(
        "return document.getElementById('query').value.length",
        json!([]),
    );
    assert!(v.is_number());
    assert!(
        t.elapsed() < Duration::from_millis(1_500),
        "the window took {:?} to answer",
        t.elapsed()
    );
}

fn works_again(d: &Driver, api: &Api) {
    set_fault(api, None);
    api.sandbox.set_faults(FaultPlan::default());
    look_up(d, "demo-billing");
    expect_card(d, 15, "filled");
    title_is(d, "Priya Raman");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn every_fault_ends_in_its_state_within_its_deadline_and_the_next_lookup_works() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let (api, _canary) = canary_api();
    let (_home, env, _port) = abuse_home(&api);
    let d = app(&[], &env);
    works_again(&d, &api);

    let cases: Vec<(&str, FaultPlan, &str)> = vec![
        (
            "latency beyond the timeout",
            FaultPlan {
                latency_ms: 2_500,
                ..FaultPlan::default()
            },
            "failure-timeout",
        ),
        (
            "500",
            fault(Fault::Status { status: 500 }),
            "failure-server_error",
        ),
        (
            "429",
            fault(Fault::RateLimited {
                retry_after_secs: 1,
            }),
            "failure-rate_limited",
        ),
        (
            "pending, then ready",
            fault(Fault::PendingFor { ms: 800 }),
            "filled",
        ),
        ("hang", fault(Fault::Hang), "failure-timeout"),
        ("reset", fault(Fault::Reset), "failure-unreachable"),
        (
            "malformed JSON",
            fault(Fault::Malformed),
            "failure-malformed_response",
        ),
        (
            "wrong content type",
            fault(Fault::WrongContentType),
            "failure-malformed_response",
        ),
        (
            "oversized body",
            fault(Fault::Oversized),
            "failure-malformed_response",
        ),
        (
            "cross-origin redirect",
            fault(Fault::Redirect),
            "failure-bad_configuration",
        ),
    ];
    for (name, plan, class) in cases {
        api.sandbox.set_faults(plan);
        let started = Instant::now();
        look_up(&d, "demo-orders");
        responsive(&d);
        let got = settled(&d, DEADLINE.as_secs() + 1);
        let took = started.elapsed();
        assert!(
            got.split_whitespace().any(|c| c == class),
            "{name}: expected {class}, got {got}"
        );
        assert!(took <= DEADLINE, "{name}: took {took:?}");
        responsive(&d);
        works_again(&d, &api);
    }
    assert!(
        api.sandbox
            .stray_requests()
            .iter()
            .all(|r| r.api_key.is_none()),
        "the key never followed the redirect"
    );
}

fn fault(f: Fault) -> FaultPlan {
    FaultPlan {
        fault: Some(f),
        ..FaultPlan::default()
    }
}

/// Waits for the card of `id` to settle in `class`, with the id shown as text.
fn card_shows(d: &Driver, id: &str, class: &str) {
    d.wait_until(
        &format!("the card of {id:?}"),
        &format!(
            "const c = document.getElementById('card'); return !c.classList.contains('pending') && c.querySelector('.meta')?.textContent.includes({})",
            json!(id)
        ),
        10,
    );
    expect_card(d, 5, class);
}

/// Waits for the refusal banner to say `starts`.
fn banner_says(d: &Driver, starts: &str) {
    d.wait_until(
        &format!("the banner \"{starts}…\""),
        &format!(
            "const b = document.getElementById('banner'); return !b.hidden && b.textContent.startsWith({starts:?})"
        ),
        10,
    );
}

fn clear_banner(d: &Driver) {
    d.exec(
        "const b = document.getElementById('banner'); b.hidden = true; b.textContent = ''; return 1",
        json!([]),
    );
}

/// Runs the binary with raw (possibly non-UTF-8) arguments; returns its exit code and output.
fn run_raw(env: &[(&str, String)], args: &[&[u8]]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_screenpop"));
    cmd.args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn set_clipboard_bytes(bytes: &[u8]) {
    let mut xclip = Command::new("xclip")
        .args(["-selection", "clipboard"])
        .stdin(Stdio::piped())
        // It stays behind serving the clipboard: keep it off the test's output.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xclip is installed");
    xclip.stdin.take().unwrap().write_all(bytes).unwrap();
    assert!(xclip.wait().unwrap().success());
}

fn press_hotkey() {
    let ok = Command::new("xdotool")
        .args(["key", "--clearmodifiers", "ctrl+alt+p"])
        .status()
        .unwrap()
        .success();
    assert!(ok, "xdotool");
}

#[test]
#[ignore = "needs Xvfb, xclip, xdotool, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn hostile_input_is_refused_or_inert_and_the_canary_key_is_nowhere() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let (api, canary) = canary_api();
    let (home, mut env, port) = abuse_home(&api);
    // WebKit's data and caches land in this home too, so the canary search covers them.
    env.push((
        "XDG_DATA_HOME",
        home.path().join("data").display().to_string(),
    ));
    env.push((
        "XDG_CACHE_HOME",
        home.path().join("cache").display().to_string(),
    ));
    let paint_log = home.path().join("paint.log");
    env.push(("SCREENPOP_PAINT_LOG", paint_log.display().to_string()));
    let app_log = home.path().join("app.log");
    let d = Driver::start_logged(
        Path::new(env!("CARGO_BIN_EXE_screenpop")),
        &[],
        &env,
        Some(&app_log),
    );
    d.wait_until(
        "the page to start",
        "return document.body.dataset.started",
        20,
    );
    let long = "x".repeat(10_000);
    // Ids that are odd but valid: each must reach the API exactly as sent.
    let mut sent: BTreeSet<String> = BTreeSet::new();

    // The lookup box.
    for bad in ["abc\u{7}def", long.as_str(), "abc\u{202E}fdp.exe"] {
        submit(&d, bad);
        expect_card(&d, 10, "failure-bad_input");
        let shown = d.text(&d.wait("#card .meta", 5));
        assert!(
            !shown.contains('\u{202E}') && !shown.contains('\u{7}') && shown.len() < 400,
            "the id is shown inert and short: {shown:?}"
        );
    }
    for odd in [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "a&id=b#c",
        "محادثة-١٢٣",
    ] {
        submit(&d, odd);
        card_shows(&d, odd, "failure-not_found");
        sent.insert(odd.to_owned());
    }

    // Deep links handed to the running window.
    for (link, says) in [
        (
            "screenpop://lookup?id=a%07b",
            "A screenpop link was refused",
        ),
        (
            "screenpop://lookup?id=%FF%FE",
            "A screenpop link was refused",
        ),
        (
            "screenpop://lookup?id=%E2%80%AEexe.txt",
            "A screenpop link was refused",
        ),
        (
            "screenpop://lookup?id=a&callback=evil",
            "A screenpop link was refused",
        ),
        (
            "screenpop://../../etc/passwd",
            "A screenpop link was refused",
        ),
    ] {
        clear_banner(&d);
        let (code, out) = run_raw(&env, &[link.as_bytes()]);
        assert_eq!(code, 0, "{link}: {out}");
        banner_says(&d, says);
    }
    let long_link = format!("screenpop://lookup?id={long}");
    clear_banner(&d);
    run_raw(&env, &[long_link.as_bytes()]);
    banner_says(&d, "A screenpop link was refused");
    let (code, out) = run_raw(&env, &[b"screenpop://lookup?id=\xff\xfe"]);
    assert_eq!(code, 2, "raw bytes in the argument: {out}");
    assert!(out.contains("not valid UTF-8"), "{out}");
    run_raw(&env, &[b"screenpop://lookup?id=%3Cb%3Ebold%3C%2Fb%3E"]);
    sent.insert("<b>bold</b>".to_owned());
    card_shows(&d, "<b>bold</b>", "failure-not_found");

    // `screenpop pop`.
    for bad in ["abc\u{1b}[31m", long.as_str(), "x\u{2067}y"] {
        let (code, out) = run_raw(&env, &[b"pop", b"--id", bad.as_bytes()]);
        assert_eq!(code, 2, "{bad:?}: {out}");
        assert!(out.contains("Conversation id"), "{out}");
    }
    let (code, out) = run_raw(&env, &[b"pop", b"--id", b"\xc3\x28"]);
    assert_eq!(code, 2, "{out}");

    // The local trigger.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let token = trigger_token(&d);
    d.click(&d.wait("#p-cancel", 5));
    let post = |body: Vec<u8>| {
        std::thread::sleep(Duration::from_millis(250)); // under the 5 per second limit
        http.post(format!("http://127.0.0.1:{port}/v1/pop"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(post(json!({"id": "a\u{7}b"}).to_string().into_bytes()), 400);
    assert_eq!(
        post(json!({"id": "a\u{202E}b"}).to_string().into_bytes()),
        400
    );
    assert_eq!(post(json!({"id": long}).to_string().into_bytes()), 413);
    assert_eq!(post(b"{\"id\": \"\xff\xfe\"}".to_vec()), 400);
    assert_eq!(post(b"<script>".to_vec()), 400);
    let get = |query: &str| {
        std::thread::sleep(Duration::from_millis(250));
        http.get(format!(
            "http://127.0.0.1:{port}/v1/pop?{query}&token={token}"
        ))
        .send()
        .unwrap()
        .status()
        .as_u16()
    };
    assert_eq!(get("id=%FF%FE"), 400);
    assert_eq!(get("id=%00"), 400);
    assert_eq!(
        post(
            json!({"id": "\"><svg onload=alert(1)>"})
                .to_string()
                .into_bytes()
        ),
        202
    );
    sent.insert("\"><svg onload=alert(1)>".to_owned());
    card_shows(&d, "\"><svg onload=alert(1)>", "failure-not_found");

    // The clipboard shortcut.
    for bytes in [
        &b"id\x07with-bell"[..],
        b"\xff\xfe\xfd",
        "x\u{202D}y".as_bytes(),
        long.as_bytes(),
    ] {
        clear_banner(&d);
        set_clipboard_bytes(bytes);
        press_hotkey();
        banner_says(&d, "The clipboard does not hold an id");
    }

    // Caller data written by someone hostile: keys and values render as text.
    api.sandbox.add_state(StoredState {
        id: Some("hostile-keys".to_owned()),
        shared_id: None,
        data: json!({
            "customer_name": "<script>document.title='pwned'</script>",
            "<img src=x onerror=alert(1)>": "key as markup",
            "\u{202E}reversed": "\u{0}\u{7}control\u{1b}[2J",
            "long": "y".repeat(100_000),
            "nested": {"<a href='javascript:alert(1)'>x</a>": ["<iframe src=//evil>"]},
        })
        .as_object()
        .unwrap()
        .clone(),
    });
    look_up(&d, "hostile-keys");
    expect_card(&d, 15, "filled");
    sent.insert("hostile-keys".to_owned());
    let injected = d.exec(
        "return document.querySelectorAll('#card img, #card script, #card iframe, #card a[href^=javascript], #card svg').length",
        json!([]),
    );
    assert_eq!(injected, json!(0));
    assert_eq!(
        d.exec("return document.title", json!([])),
        json!("screenpop")
    );
    let body = d.text(&d.wait("#card", 5));
    assert!(body.contains("<img src=x onerror=alert(1)>"), "{body}");
    assert!(!body.contains('\u{202E}'), "bidi override stripped");

    // Still standing.
    works_again(&d, &api);

    // Every request carried an id that was sent on purpose, byte for byte.
    sent.insert("demo-billing".to_owned());
    for r in api.sandbox.requests() {
        for (k, v) in &r.query {
            if k == "id" {
                assert!(sent.contains(v), "a request for an id nobody sent: {v:?}");
            }
        }
    }

    // The canary: not in the page or anything it can ask for, not in any process's arguments
    // or environment, not in any file of the home (settings, WebKit's data and caches), the
    // paint log or the app's output.
    let page = d.exec(
        "return (async () => {
         const { invoke } = window.__TAURI__.core;
         const answers = [];
         for (const cmd of ['app_info', 'profiles', 'recent', 'trigger_info', 'take_pending']) {
           try { answers.push(JSON.stringify(await invoke(cmd))); } catch (e) { answers.push(String(e)); }
         }
         const inputs = [...document.querySelectorAll('input, textarea')].map((i) => i.value);
         return [document.documentElement.outerHTML, JSON.stringify(localStorage),
                 JSON.stringify(sessionStorage), document.cookie, ...inputs, ...answers].join('\\n');
         })()",
        json!([]),
    );
    let page = page.as_str().unwrap();
    assert!(page.contains("Abuse"), "the page's answers were read");
    assert!(
        !page.contains(&canary),
        "the canary key is readable by the page"
    );
    let mut scanned = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        for part in ["cmdline", "environ"] {
            if let Ok(bytes) = std::fs::read(entry.path().join(part)) {
                scanned += 1;
                assert!(
                    !contains(&bytes, canary.as_bytes()),
                    "the canary key is in {}/{part}",
                    entry.path().display()
                );
            }
        }
    }
    assert!(scanned > 10, "processes were scanned");
    drop(d);
    let files = files_under(home.path());
    assert!(files.iter().any(|f| f.ends_with("settings.toml")));
    assert!(files.iter().any(|f| f.ends_with("paint.log")));
    assert!(files.iter().any(|f| f.ends_with("app.log")));
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        assert!(
            !contains(&bytes, canary.as_bytes()),
            "the canary key is in {}",
            f.display()
        );
    }
    // The keychain is where it is.
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "screenpop", "username", "Abuse"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), canary);
}

/// The page's scripts run without JavaScriptCore's JIT: the web process this window started
/// inherited the switch, and holds no writable-executable memory (the JIT reserves a region of
/// a gigabyte that is both; a page or two of it may belong to a library's trampolines).
#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_web_process_runs_the_page_without_a_jit() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let (home, env) = configured_home(&api, "No JIT");
    let d = app(&[], &env);
    look_up(&d, "demo-billing");
    expect_card(&d, 15, "filled");
    let mine = format!("HOME={}", home.path().display());
    let mut web = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let vars: Vec<&[u8]> = environ.split(|b| *b == 0).collect();
        if !comm.starts_with("WebKitWebProces") || !vars.contains(&mine.as_bytes()) {
            continue;
        }
        web += 1;
        assert!(
            vars.contains(&b"JSC_useJIT=0".as_slice()),
            "the web process {} was started with the JIT",
            entry.path().display()
        );
        let maps = std::fs::read_to_string(entry.path().join("maps")).unwrap();
        for line in maps.lines().filter(|l| l.contains(" rwxp ")) {
            let (start, end) = line.split_once(' ').unwrap().0.split_once('-').unwrap();
            let size =
                u64::from_str_radix(end, 16).unwrap() - u64::from_str_radix(start, 16).unwrap();
            assert!(
                size <= 64 * 1024,
                "the web process holds {size} bytes of writable-executable memory: {line}"
            );
        }
    }
    assert_eq!(web, 1, "this window's web process was found");
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => todo.push(p),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
    out
}
