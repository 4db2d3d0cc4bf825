//! The `screenpop` binary, run as a user would, with its settings in a throw-away directory.
//!
//! Tests marked `ignore` need a real Secret Service; `bash .ci/test` runs them inside a private
//! D-Bus session with gnome-keyring unlocked, so they never touch a real keyring.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/catalogue.rs"]
mod catalogue;
#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/cli.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use screenpop_sandbox::{Fault, FaultPlan};
use serde_json::json;
use support::{assert_one_line_error, files_under, words, LocalApi, User};

#[test]
fn version_and_help() {
    let user = User::new();
    assert!(user
        .ok(&["--version"])
        .starts_with(concat!("screenpop ", env!("CARGO_PKG_VERSION"))));
    let help = user.ok(&["--help"]);
    for cmd in ["profile", "key", "lookup", "sandbox", "demo"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn profiles_are_added_listed_switched_and_removed() {
    let user = User::new();
    assert!(user.ok(&["profile", "list"]).contains("No profiles yet"));
    let added = user.ok(&words(
        "profile add acme-uk --studio-url https://studio.uk.poly.ai/acme-uk/acme-team-4/agent",
    ));
    assert!(
        added.contains("account acme-uk, project acme-team-4"),
        "{added}"
    );
    assert!(
        added.contains("screenpop key set --profile acme-uk"),
        "{added}"
    );
    user.ok(&words(
        "profile add acme-us --region us-1 --account acme --project acme-us",
    ));
    user.ok(&words(
        "profile add local --base-url http://127.0.0.1:8765 --account demo --project demo",
    ));
    let list = user.ok(&["profile", "list"]);
    assert_eq!(list.lines().count(), 3, "{list}");
    assert!(
        list.lines().next().unwrap().starts_with("* \"acme-uk\""),
        "first is active: {list}"
    );

    user.ok(&["profile", "use", "local"]);
    let list = user.ok(&["profile", "list"]);
    assert!(list.lines().any(|l| l.starts_with("* \"local\"")), "{list}");

    let settings =
        std::fs::read_to_string(user.config_dir().join("screenpop/settings.toml")).unwrap();
    assert!(
        settings.contains("active_profile = \"local\""),
        "{settings}"
    );
    assert!(settings.contains("region = \"uk-1\""), "{settings}");

    // No keychain is reachable here: removal still works and says why the key was not deleted.
    let r = user.run(&["profile", "remove", "acme-us"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Removed profile \"acme-us\""));
    assert!(r.stderr.contains("keychain"), "{}", r.stderr);
    assert_eq!(user.ok(&["profile", "list"]).lines().count(), 2);
}

#[test]
fn bad_profile_input_exits_2_with_one_sentence() {
    let user = User::new();
    let cases = [
        "profile add x --studio-url https://example.com/a/b",
        "profile add x --region mars-1 --account a --project b",
        "profile add x --base-url http://api.example.com --account a --project b",
        "profile add bad%name --region us-1 --account a --project b",
        "profile add x --region us-1 --account a/b --project b",
        "profile use nobody",
        "profile remove nobody",
    ];
    for line in cases {
        let r = user.run(&words(line));
        assert_eq!(r.code, 2, "{line}: {}", r.stderr);
        assert_one_line_error(&r);
    }
    user.ok(&words(
        "profile add x --region us-1 --account a --project b",
    ));
    let dup = user.run(&words(
        "profile add X --region uk-1 --account a --project b",
    ));
    assert_eq!(dup.code, 2, "names are case-insensitive: {}", dup.stderr);
}
#[test]
fn a_hand_broken_settings_file_is_named_in_the_error() {
    let user = User::new();
    let dir = user.config_dir().join("screenpop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("settings.toml"), "[[profile]]\nname = 1\n").unwrap();
    let r = user.run(&["profile", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("settings.toml"), "{}", r.stderr);
}

#[test]
fn lookup_validates_ids_before_anything_else() {
    let user = User::new();
    for args in [
        vec!["lookup"],
        vec!["lookup", "--id", "   "],
        vec!["lookup", "--id", "a\u{7}b"],
    ] {
        let r = user.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
    let long = "x".repeat(513);
    let r = user.run(&["lookup", "--id", &long]);
    assert_eq!(r.code, 2);
    assert_one_line_error(&r);
    assert!(!r.stderr.contains(&long), "the id is not echoed whole");
}

#[test]
fn lookup_without_a_profile_says_how_to_add_one() {
    let r = User::new().run(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 2);
    assert_one_line_error(&r);
    assert!(r.stderr.contains("screenpop profile add"), "{}", r.stderr);
}

#[test]
fn an_unreachable_keychain_exits_6() {
    let user = User::new();
    user.ok(&words(
        "profile add p --region us-1 --account a --project b",
    ));
    for args in [
        vec!["key", "status"],
        vec!["lookup", "--id", "demo-billing"],
    ] {
        let r = user.run(&args);
        assert_eq!(r.code, 6, "{args:?}: {}", r.stderr);
        assert_one_line_error(&r);
        assert!(
            r.stderr.contains("keychain is not available"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn demo_shows_a_card_without_any_setup() {
    let user = User::new();
    let r = user.run(&["demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("Caller: Priya Raman\nReason: Billing\n"),
        "{}",
        r.stdout
    );
    let json = user.ok(&["demo", "--id", "demo-nested", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["id"], "demo-nested");
    assert!(!user.config_dir().exists(), "the demo writes no settings");
}

#[test]
fn the_card_speaks_the_locales_language_unless_scripts_ask_for_english() {
    let user = User::new();
    let run = |env: &[(&str, &str)]| {
        let mut c = user.command(&["demo"]);
        c.envs(env.iter().copied());
        let out = c.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let german = run(&[("LANG", "de_DE.UTF-8")]);
    assert!(
        german.starts_with("Anrufer: Priya Raman\nGrund: Billing\n"),
        "{german}"
    );
    assert!(german.contains("Successfully identified: Ja\n"), "{german}");
    let english = run(&[("LANG", "de_DE.UTF-8"), ("SCREENPOP_LANGUAGE", "en")]);
    assert!(english.starts_with("Caller: Priya Raman\n"), "{english}");

    // What a command says, in German: the profile added and listed.
    let in_german = |args: &[&str]| {
        let out = user.command_in("de_DE.UTF-8", args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let added = in_german(&[
        "profile",
        "add",
        "Büro",
        "--region",
        "uk-1",
        "--account",
        "acme",
        "--project",
        "desk",
    ]);
    assert!(
        added.starts_with(
            "Profil hinzugefügt: „Büro“: Konto acme, Projekt desk, uk-1 (api.uk-1.platform.polyai.app).\n"
        ),
        "{added}"
    );
    assert!(added.contains("Als Nächstes:"), "{added}");
    let listed = in_german(&["profile", "list"]);
    assert_eq!(
        listed,
        "* „Büro“: Konto acme, Projekt desk, uk-1 (api.uk-1.platform.polyai.app)\n"
    );

    // A refusal of what was typed, in French, the typed text in it as it was.
    let mut add = user.command(&[
        "profile",
        "add",
        "x",
        "--base-url",
        "ftp://files.example",
        "--account",
        "a",
        "--project",
        "p",
    ]);
    let out = add.env("LANG", "fr_FR.UTF-8").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        said,
        "screenpop: L’URL de base doit commencer par https://, pas ftp://.\n"
    );
}

#[test]
fn sandbox_prints_its_base_url_and_serves_the_api() {
    let user = User::new();
    let mut child = user
        .command(&[
            "sandbox",
            "--port",
            "0",
            "--genesys-port",
            "0",
            "--key",
            "k-123",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    // Kept open for as long as the sandbox runs, as a script's pipe would be.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    let base = line.trim().to_owned();
    let hostport = base.strip_prefix("http://").expect("http base URL");
    let mut s = TcpStream::connect(hostport).unwrap();
    write!(
        s,
        "GET /v1/a/p/handoff_state?id=demo-billing HTTP/1.1\r\nHost: {hostport}\r\nx-api-key: k-123\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"Priya Raman\""), "{response}");
}

#[test]
fn sandbox_serves_a_genesys_stand_in_that_a_script_drives() {
    let user = User::new();
    let mut child = user
        .command(&["sandbox", "--port", "0", "--genesys-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _handoff = lines.next().unwrap().unwrap();
    let url = lines.next().unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let post = |path: &str, body: serde_json::Value| {
        let r = http
            .post(format!("{url}{path}"))
            .json(&body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<serde_json::Value>().unwrap())
    };

    // The agent signed in without a browser; a call placed and answered is the agent's active call.
    let (code, signed) = post("_sandbox/sign-in", json!({}));
    assert_eq!(code, 200, "{signed}");
    let token = signed["access_token"].as_str().unwrap().to_owned();
    let (code, call) = post(
        "_sandbox/calls",
        json!({"attributes": {"polyai_conversation_id": "demo-billing"}, "state": "connected"}),
    );
    assert_eq!(code, 201, "{call}");
    let id = call["id"].as_str().unwrap().to_owned();
    let active = |token: &str| {
        http.get(format!("{url}api/v2/conversations/calls"))
            .bearer_auth(token)
            .send()
            .unwrap()
    };
    let calls: serde_json::Value = active(&token).json().unwrap();
    let entity = &calls["entities"][0];
    assert_eq!(entity["id"], json!(id));
    let participants = entity["participants"].as_array().unwrap();
    assert!(participants.iter().any(|p| p["purpose"] == "agent"
        && p["state"] == "connected"
        && p["user"]["name"] == "Sam Agent"));
    assert!(participants.iter().any(|p| p["purpose"] == "customer"
        && p["attributes"]["polyai_conversation_id"] == "demo-billing"));

    // Bad moves are refused with what would do; a hung-up call is no longer active.
    let (code, said) = post(&format!("_sandbox/calls/{id}"), json!({"state": "held"}));
    assert_eq!(code, 400);
    assert!(
        said["message"]
            .as_str()
            .unwrap()
            .contains("connected, disconnected"),
        "{said}"
    );
    let (code, _) = post("_sandbox/calls/conv-unknown", json!({"state": "connected"}));
    assert_eq!(code, 404);
    let (code, _) = post(
        &format!("_sandbox/calls/{id}"),
        json!({"state": "disconnected"}),
    );
    assert_eq!(code, 200);
    let calls: serde_json::Value = active(&token).json().unwrap();
    assert_eq!(calls["entities"], json!([]));

    // Expired tokens are refused from then on.
    let r = http.delete(format!("{url}_sandbox/tokens")).send().unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(active(&token).status().as_u16(), 401);

    child.kill().unwrap();
    let mut told = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut told)
        .unwrap();
    child.wait().unwrap();
    assert!(
        told.contains(&format!(
            "screenpop genesys setup --profile sandbox --login-url {url}"
        )),
        "{told}"
    );
    assert!(told.contains("_sandbox/calls"), "{told}");
}

#[test]
fn sandbox_rejects_an_unknown_fault() {
    let r = User::new().run(&["sandbox", "--port", "0", "--fault", "explode"]);
    assert_eq!(r.code, 2);
    assert_one_line_error(&r);
}

// ---- With a real Secret Service ------------------------------------------------------------

/// A user whose active profile points at `api`; `tag` keeps parallel tests' keychain entries apart.
fn sandbox_user(api: &LocalApi, tag: &str) -> User {
    let user = User::with_keychain();
    let name = format!("sbx-{tag}-{}", std::process::id());
    let line = format!(
        "profile add {name} --base-url {} --account acct --project proj",
        api.sandbox.base_url()
    );
    user.ok(&words(&line));
    user
}

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn key_set_status_lookup_and_delete_through_the_keychain() {
    let api = LocalApi::start();
    let user = sandbox_user(&api, "key");
    let key = api.sandbox.key().to_owned();

    let r = user.run(&["key", "status"]);
    assert_eq!(r.code, 3, "no key yet: {}", r.stderr);

    let r = user.run_with_stdin(&["key", "set"], &format!("{key}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(user.ok(&["key", "status"]).contains("An API key is stored"));

    let card = user.ok(&["lookup", "--id", "demo-billing"]);
    assert!(card.starts_with("Caller: Priya Raman\n"), "{card}");
    let json = user.ok(&["lookup", "--shared-id", "zoom-trace-81f3c0de", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["id"], serde_json::Value::Null);
    assert_eq!(v["data"]["handoff_to"], "default_queue");
    assert_eq!(
        api.sandbox.requests().last().unwrap().api_key.as_deref(),
        Some(key.as_str())
    );

    // The key is in the keychain, and nowhere in the settings.
    for file in files_under(&user.config_dir()) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&key), "{} holds the key", file.display());
    }

    let r = user.run(&["key", "delete"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = user.run(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("screenpop key set"), "{}", r.stderr);
}

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn lookup_exit_codes_follow_the_api() {
    let api = LocalApi::start();
    let user = sandbox_user(&api, "codes");
    let key = api.sandbox.key().to_owned();
    let r = user.run_with_stdin(&["key", "set"], &key);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = user.run(&["lookup", "--id", "nobody", "--no-wait"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_one_line_error(&r);
    assert!(
        r.stderr.contains("sandbox-"),
        "correlation id: {}",
        r.stderr
    );
    // In the locale's language, what PolyAI sent kept verbatim.
    let in_german =
        |args: &[&str]| support::run_with_stdin(user.command_in("de_DE.UTF-8", args), "");
    let r = in_german(&["lookup", "--id", "nobody", "--no-wait"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_one_line_error(&r);
    assert!(
        r.stderr
            .starts_with("screenpop: Kein Übergabestatus für diese ID. ")
            && r.stderr.contains("Korrelations-ID: sandbox-"),
        "{}",
        r.stderr
    );

    api.sandbox.set_faults(FaultPlan {
        fault: Some(Fault::Status { status: 503 }),
        ..FaultPlan::default()
    });
    let r = user.run(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_one_line_error(&r);

    api.sandbox.set_faults(FaultPlan {
        fault: Some(Fault::Status { status: 401 }),
        ..FaultPlan::default()
    });
    let r = user.run(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    api.sandbox.clear_faults();

    // A key the API rejects.
    let r = user.run_with_stdin(&["key", "set"], "wrong-key-0000");
    assert_eq!(r.code, 0);
    let r = user.run(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 401"), "{}", r.stderr);
    let r = in_german(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "Der API-Schlüssel wurde abgelehnt. PolyAI kennt diesen Schlüssel nicht (HTTP 401)."
        ) && r.stderr.contains("`screenpop key set`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wrong-key-0000") && !r.stdout.contains("wrong-key-0000"));

    let r = user.run_with_stdin(&["key", "set"], "   \n");
    assert_eq!(r.code, 2, "an empty key is refused: {}", r.stderr);
    let r = user.run(&[
        "profile",
        "remove",
        &format!("sbx-codes-{}", std::process::id()),
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("and its API key"), "{}", r.stdout);
}

/// A caller who paid by card: the number (in three spellings), a security code and a PIN.
pub(crate) const PAID_BY_CARD: &str = r#"{"id": "paid-by-card", "data": {
  "customer": {"full_name": "Sam Card"},
  "card_number": "4111 1111 1111 1111",
  "payment": {"card": 5500000000000004, "cvv": "123", "pin": 9876},
  "handoff_reason_summary": "Paid 378282246310005 then asked for a refund",
  "order_id": "4111111111111112"
}}"#;

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn a_card_number_in_the_data_never_reaches_the_terminal() {
    let fixtures = tempfile::tempdir().unwrap();
    std::fs::write(fixtures.path().join("card.json"), PAID_BY_CARD).unwrap();
    let api = LocalApi::with_fixtures(fixtures.path());
    let user = sandbox_user(&api, "card");
    let r = user.run_with_stdin(&["key", "set"], api.sandbox.key());
    assert_eq!(r.code, 0, "{}", r.stderr);
    for args in [
        &["lookup", "--id", "paid-by-card"][..],
        &["lookup", "--id", "paid-by-card", "--json"],
    ] {
        let r = user.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let out = format!("{}{}", r.stdout, r.stderr);
        // The order id (below) aside, no run of the card numbers' or the secrets' digits.
        let others = out.replace("4111111111111112", "");
        let compact: String = others.chars().filter(|c| c.is_ascii_digit()).collect();
        for digits in ["411111111111", "550000000000", "37828224631"] {
            assert!(!compact.contains(digits), "{args:?}: {digits} in {out}");
        }
        // The secrets are short: looked for as whole numbers, not as runs inside others.
        for secret in ["123", "9876"] {
            let mut numbers = out.split(|c: char| !c.is_ascii_digit());
            assert!(!numbers.any(|n| n == secret), "{args:?}: {secret} in {out}");
        }
        assert!(
            out.contains("•••• 1111") && out.contains("•••• 0004"),
            "{out}"
        );
        assert!(out.contains("•••• 0005"), "{out}");
        // A number that fails the Luhn check is an order id, and stays.
        assert!(out.contains("4111111111111112"), "{out}");
    }
}

#[test]
fn a_window_that_cannot_open_says_why_logs_it_and_exits_1_without_a_panic() {
    let catalogue = catalogue::catalogue("de");
    let user = User::new();
    let data = user.home.path().join("data");
    // No display to open a window on: Tauri would panic; screenpop says so, in German here.
    let mut command = user.command(&["screenpop://lookup?id=conv-42"]);
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_DATA_HOME", &data)
        .env("LANG", "de_DE.UTF-8");
    let r = support::run_with_stdin(command, "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&catalogue["start.window_failed"])
            && r.stderr.contains("    id conv-42")
            && r.stderr.contains("there is no display to open a window on"),
        "{}",
        r.stderr
    );
    let log = std::fs::read_to_string(data.join("screenpop/screenpop.log")).unwrap();
    assert!(
        log.contains("The window could not open (there is no display")
            && log.trim_end().ends_with("not shown: id conv-42."),
        "{log}"
    );
    assert_eq!(log.lines().count(), 1, "{log}");
}

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn genesys_sign_in_follows_the_printed_address_and_keeps_the_token_in_the_keychain_only() {
    let api = LocalApi::start();
    let genesys = sandbox::LocalGenesys::start();
    let user = sandbox_user(&api, "genesys");
    let url = genesys.standin.base_url();
    let setup = format!(
        "genesys setup --login-url {url} --api-url {url} --client-id {} --id-attribute polyai_conversation_id",
        genesys.standin.client_id()
    );
    assert!(user.ok(&words(&setup)).contains("screenpop genesys login"));
    let settings =
        std::fs::read_to_string(user.config_dir().join("screenpop/settings.toml")).unwrap();
    assert!(settings.contains("[profile.genesys]"), "{settings}");
    assert!(user.ok(&["genesys", "status"]).contains("Not signed in"));

    // No browser on this machine: the agent (here, the test) opens the printed address.
    let no_browser = tempfile::tempdir().unwrap();
    let mut login = user.command(&["genesys", "login"]);
    login
        .env("PATH", no_browser.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = lines.next().unwrap().unwrap();
    assert!(
        address.starts_with(&format!("{url}oauth/authorize?")),
        "{address}"
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let genesys_answer = browser.get(&address).send().unwrap();
    let back = genesys_answer.headers()["location"].to_str().unwrap();
    let back = back.replacen("http://localhost:", "http://127.0.0.1:", 1);
    let page = browser.get(back).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        rest.join("\n")
            .contains("Signed in to Genesys Cloud as Sam Agent"),
        "{rest:?}"
    );
    assert!(
        stderr.contains("open the address above yourself"),
        "{stderr}"
    );

    let status = user.ok(&["genesys", "status"]);
    assert!(status.contains("Signed in until"), "{status}");
    let json: serde_json::Value =
        serde_json::from_str(&user.ok(&["genesys", "status", "--json"])).unwrap();
    assert_eq!(json["signed_in"], true);
    // The token is in the keychain, and in no file or output.
    let profile = json["profile"].as_str().unwrap().to_owned();
    let stored = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "screenpop",
            "username",
            &format!("@genesys:{profile}"),
        ])
        .output()
        .unwrap();
    let stored = String::from_utf8(stored.stdout).unwrap();
    let token = stored.split_once(':').unwrap().1.trim().to_owned();
    assert!(token.starts_with("token-"), "{stored}");
    for file in files_under(user.home.path()) {
        let text = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&text).contains(&token),
            "{} holds the token",
            file.display()
        );
    }
    assert!(!json.to_string().contains(&token));

    // Signed in, but no window of this session is connected: calls would not pop by themselves.
    let r = user.run_with_stdin(&["key", "set"], &format!("{}\n", api.sandbox.key()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 9, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAIL Genesys Cloud: Signed in until"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("no screenpop window in this session is connected"),
        "{}",
        r.stdout
    );

    // The agent's own words follow the locale: status while signed in, then signing out.
    let german = catalogue::catalogue("de");
    let in_german = |args: &[&str]| {
        let r = support::run_with_stdin(user.command_in("de_DE.UTF-8", args), "");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let status = in_german(&["genesys", "status"]);
    let until = german["cli.genesys_signed_in_until"]
        .split("{until}")
        .next()
        .unwrap()
        .to_owned();
    assert!(status.contains(&until), "{status}");
    assert!(status.contains("OAuth-Client"), "{status}");
    assert!(
        in_german(&["genesys", "logout"]).contains("von Genesys Cloud abgemeldet"),
        "signed out, in German"
    );
    assert!(in_german(&["genesys", "logout"]).contains("war nicht bei Genesys Cloud angemeldet"));
    assert!(user.ok(&["genesys", "status"]).contains("Not signed in"));
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 9, "{}", r.stdout);
    assert!(
        r.stdout.contains("Not signed in to Genesys Cloud"),
        "{}",
        r.stdout
    );
}

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn a_relay_seat_is_set_up_and_its_password_provisioned_into_the_keychain_only() {
    let api = LocalApi::start();
    let user = sandbox_user(&api, "relay");
    // Plain NATS across a network is refused; the seat can be the login name.
    let r = user.run(&words(
        "relay setup --server nats://nats.acme.example:4222 --tenant acme --seat %USERNAME%",
    ));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_one_line_error(&r);
    assert!(r.stderr.contains("not encrypted"), "{}", r.stderr);
    let said = user.ok(&words(
        "relay setup --server nats://127.0.0.1:4999 --tenant acme --seat alice",
    ));
    assert!(said.contains("screenpop relay credentials set"), "{said}");
    let settings =
        std::fs::read_to_string(user.config_dir().join("screenpop/settings.toml")).unwrap();
    assert!(settings.contains("[profile.relay]"), "{settings}");

    let status: serde_json::Value =
        serde_json::from_str(&user.ok(&["relay", "status", "--json"])).unwrap();
    assert_eq!(status["password_stored"], false);
    assert_eq!(status["seat"], "alice");
    // The seat's own words follow the locale (LANG: `command` has cleared the others).
    let in_german = |args: &[&str], stdin: &str| {
        support::run_with_stdin(user.command_in("de_DE.UTF-8", args), stdin)
    };
    let r = in_german(&["relay", "status"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    for said in [
        "Relay unter nats://127.0.0.1:4999, Mandant „acme“.",
        "Platz „alice“.",
        "Kein Passwort gespeichert: `screenpop relay credentials set",
        "Kein screenpop-Fenster dieser Sitzung ist für dieses Profil mit dem Relay verbunden.",
    ] {
        assert!(r.stdout.contains(said), "{said}: {}", r.stdout);
    }
    let r = in_german(&["genesys", "status"], "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_one_line_error(&r);
    assert!(
        r.stderr.contains("ist nicht mit Genesys Cloud verbunden. Richten Sie es ein mit `screenpop genesys setup"),
        "{}",
        r.stderr
    );
    let r = in_german(&["relay", "credentials", "set"], "  \n");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim(), "screenpop: Das Passwort ist leer.");
    let r = user.run_with_stdin(&["relay", "credentials", "set"], "seat-password-1\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = in_german(&["relay", "status"], "");
    assert!(
        r.stdout
            .contains("Das Passwort des Platzes ist im Schlüsselbund des Systems gespeichert."),
        "{}",
        r.stdout
    );
    let r = user.run_with_stdin(
        &["relay", "credentials", "set", "--if-missing"],
        "another-password\n",
    );
    assert!(r.stdout.contains("left as it is"), "{}", r.stdout);
    let profile = status["profile"].as_str().unwrap().to_owned();
    let stored = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "screenpop",
            "username",
            &format!("@relay:{profile}"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(stored.stdout).unwrap().trim(),
        "seat-password-1"
    );
    for file in files_under(user.home.path()) {
        let text = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&text).contains("seat-password-1"),
            "{} holds the password",
            file.display()
        );
    }

    // Stored, but no window of this session is connected: calls would not pop by themselves.
    let r = user.run_with_stdin(&["key", "set"], &format!("{}\n", api.sandbox.key()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = user.run(&["doctor"]);
    assert_eq!(r.code, 9, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("no screenpop window in this session is connected to the relay"),
        "{}",
        r.stdout
    );
    let r = in_german(&["doctor"], "");
    assert_eq!(r.code, 9, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "Platz „alice“ hat sein Passwort, aber kein screenpop-Fenster dieser Sitzung ist mit dem Relay verbunden."
        ),
        "{}",
        r.stdout
    );
    assert!(user
        .ok(&["relay", "credentials", "delete"])
        .contains("Deleted the relay password"));
    let r = user.run(&["doctor"]);
    assert!(
        r.stdout.contains("No relay password for seat \"alice\""),
        "{}",
        r.stdout
    );

    // Keyless mode: the relay holds the PolyAI key, so every lookup asks the relay; with no
    // seat password here that cannot happen, and the error says what IT must do (exit 9).
    let r = user.run(&words(
        "relay setup --server nats://127.0.0.1:4999 --tenant acme --seat alice --polyai-key cloud",
    ));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let said = user.ok(&words(
        "relay setup --server nats://127.0.0.1:4999 --tenant acme --seat alice --polyai-key relay",
    ));
    assert!(said.contains("The relay holds its PolyAI key"), "{said}");
    let settings =
        std::fs::read_to_string(user.config_dir().join("screenpop/settings.toml")).unwrap();
    assert!(settings.contains("polyai_key = \"relay\""), "{settings}");
    let status: serde_json::Value =
        serde_json::from_str(&user.ok(&["relay", "status", "--json"])).unwrap();
    assert_eq!(status["polyai_key"], "relay");
    let r = user.run(&["lookup", "--id", "demo-billing"]);
    assert_eq!(r.code, 9, "{}{}", r.stdout, r.stderr);
    assert_one_line_error(&r);
    assert!(
        r.stderr
            .contains("screenpop relay credentials set --profile"),
        "{}",
        r.stderr
    );
}
