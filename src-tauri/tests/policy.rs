//! The fleet policy and the health check through the real `screenpop` binary: a policy file
//! (named by `SCREENPOP_POLICY_FILE`, which only debug builds read), the settings file an agent
//! could edit, the real Secret Service (gnome-keyring, in `bash .ci/test`'s private session) and
//! the sandbox API over loopback.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/cli.rs"]
mod support;

use std::path::PathBuf;

use support::{assert_one_line_error, files_under, words, LocalApi, Ran, User};

const KEY: &str = "sbx-9f8e7d6c5b4a";

/// A user of a managed seat: the policy file lives beside their home.
struct Seat {
    user: User,
    policy: PathBuf,
}

impl Seat {
    fn new(policy: &str, keychain: bool) -> Self {
        let user = if keychain {
            User::with_keychain()
        } else {
            User::new()
        };
        let path = user.home.path().join("policy.toml");
        std::fs::write(&path, policy).unwrap();
        Self { user, policy: path }
    }

    fn run(&self, line: &str) -> Ran {
        self.run_with_stdin(line, "")
    }

    fn run_with_stdin(&self, line: &str, stdin: &str) -> Ran {
        self.run_args(&words(line), stdin)
    }

    fn run_args(&self, args: &[&str], stdin: &str) -> Ran {
        let mut c = self.user.command(args);
        c.env("SCREENPOP_POLICY_FILE", &self.policy);
        support::run_with_stdin(c, stdin)
    }

    fn ok(&self, line: &str) -> String {
        let r = self.run(line);
        assert_eq!(r.code, 0, "{line}: {}", r.stderr);
        r.stdout
    }

    fn settings_file(&self) -> PathBuf {
        self.user.config_dir().join("screenpop/settings.toml")
    }

    /// Writes the agent's settings file by hand, as an agent trying to escape the policy would.
    fn hand_edit(&self, text: &str) {
        std::fs::create_dir_all(self.settings_file().parent().unwrap()).unwrap();
        std::fs::write(self.settings_file(), text).unwrap();
    }
}

fn managed(api: &str) -> String {
    format!(
        r#"allow_user_profiles = false
default_profile = "Acme UK"
mystery = true

[[profiles]]
name = "Acme UK"
base_url = "{api}"
account = "acme"
project = "support"

[defaults]
pop_action = "notify_and_raise"

[locked]
hotkey = "Ctrl+Alt+P"
trigger_port = 47655
wait_window_ms = 4000
"#
    )
}

#[test]
fn managed_profiles_cannot_be_edited_removed_or_shadowed_and_no_profile_can_be_added() {
    let seat = Seat::new(&managed("http://127.0.0.1:9"), false);
    let list = seat.ok("profile list");
    assert!(
        list.starts_with("* \"Acme UK\"") && list.contains("managed by your organisation"),
        "{list}"
    );
    let add = |name| {
        [
            "profile",
            "add",
            name,
            "--region",
            "uk-1",
            "--account",
            "a",
            "--project",
            "b",
        ]
    };
    for args in [
        &add("mine")[..],
        &add("ACME UK"),
        &["profile", "remove", "acme uk"],
    ] {
        let r = seat.run_args(args, "");
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_one_line_error(&r);
        assert!(
            r.stderr.contains("Set by your organisation") || r.stderr.contains("already exists"),
            "{}",
            r.stderr
        );
    }
    assert!(seat.ok("profile list").contains("Acme UK"));

    // A same-named profile written into the agent's own file does not replace the managed one.
    seat.hand_edit(
        "[[profile]]\nname = \"acme uk\"\nbase_url = \"https://evil.example.com\"\naccount = \"x\"\nproject = \"y\"\n",
    );
    let list = seat.ok("profile list");
    assert!(
        list.contains("account acme, project support") && !list.contains("evil"),
        "{list}"
    );
}

#[test]
fn allowed_hosts_refuse_a_profile_pointing_elsewhere() {
    let seat = Seat::new(
        "allowed_hosts = [\"api.uk-1.platform.polyai.app\"]\n",
        false,
    );
    let r = seat.run("profile add elsewhere --region us-1 --account a --project b");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("Set by your organisation")
            && r.stderr.contains("api.us-1.platform.polyai.app"),
        "{}",
        r.stderr
    );
    seat.ok("profile add here --region uk-1 --account a --project b");
}

#[test]
fn locked_settings_win_over_the_command_line_and_the_settings_file() {
    let seat = Seat::new(&managed("http://127.0.0.1:9"), false);
    let r = seat.run("settings set hotkey Ctrl+Alt+K");
    assert_eq!(r.code, 2);
    assert_one_line_error(&r);
    assert!(
        r.stderr.contains("Set by your organisation"),
        "{}",
        r.stderr
    );
    let r = seat.run("settings set trigger_port 0");
    assert_eq!(r.code, 2, "{}", r.stderr);

    // What the agent may change is theirs, and written; a policy default was not their choice.
    seat.ok("settings set pop_action raise");
    let file = std::fs::read_to_string(seat.settings_file()).unwrap();
    assert!(file.contains("pop_action = \"raise\""), "{file}");
    assert!(!file.contains("hotkey"), "{file}");

    // Editing the file by hand does not beat a lock.
    seat.hand_edit("hotkey = \"Ctrl+Alt+K\"\n[timeouts]\nwait_window_ms = 100\n");
    let list = seat.ok("settings list");
    assert!(
        list.contains("hotkey = \"Ctrl+Alt+P\"   (Set by your organisation)"),
        "{list}"
    );
    assert!(list.contains("wait_window_ms = 4000"), "{list}");
    assert!(
        list.contains("pop_action = \"notify_and_raise\"\n"),
        "the policy's default, unlocked: {list}"
    );

    // In the locale's language: the lock, the change, and a name that is no setting (verbatim).
    let in_french = |line: &str| {
        let mut c = seat.user.command_in("fr_FR.UTF-8", &words(line));
        c.env("SCREENPOP_POLICY_FILE", &seat.policy);
        support::run_with_stdin(c, "")
    };
    let list = in_french("settings list").stdout;
    assert!(
        list.contains("hotkey = \"Ctrl+Alt+P\"   (Défini par votre organisation)"),
        "{list}"
    );
    let r = in_french("settings set pop_action raise");
    assert_eq!(
        r.stdout.trim(),
        "pop_action vaut maintenant raise.",
        "{}",
        r.stderr
    );
    let r = in_french("settings set hot<key> 1");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_one_line_error(&r);
    assert!(
        r.stderr
            .contains("Aucun réglage ne s’appelle « hot<key> ». Réglages : "),
        "{}",
        r.stderr
    );
}

#[test]
fn a_broken_policy_fails_closed_with_its_place_and_reason() {
    let seat = Seat::new("[locked]\ntrigger_port = \"soon\"\n", false);
    let r = seat.run("settings set pop_action raise");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("policy.toml, line 2") && r.stderr.contains("trigger_port"),
        "{}",
        r.stderr
    );
    let mut c = seat.user.command_in("fr_FR.UTF-8", &words("settings list"));
    c.env("SCREENPOP_POLICY_FILE", &seat.policy);
    let r = support::run_with_stdin(c, "");
    assert!(
        r.stderr
            .contains("screenpop: la stratégie de votre organisation est inutilisable (")
            && r.stderr.contains("policy.toml, line 2"),
        "{}",
        r.stderr
    );
    let r = seat.run("profile add mine --region uk-1 --account a --project b");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = seat.run("doctor --json");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["policy"]["ok"], false);
    assert!(report["policy"]["error"]
        .as_str()
        .unwrap()
        .contains("line 2"));
}

#[test]
#[ignore = "needs a Secret Service (run by bash .ci/test)"]
fn doctor_names_each_failure_with_its_exit_code_and_never_the_key() {
    let api = LocalApi::start();
    let seat = Seat::new(&managed(&api.sandbox.base_url()), true);
    // The keyring outlives a test run on a developer's machine.
    seat.run("key delete");

    // Key missing.
    let r = seat.run("doctor --json");
    assert_eq!(r.code, 3, "{}", r.stdout);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["problem"]["code"], "no_key");
    assert_eq!(report["profiles"][0]["managed"], true);
    assert_eq!(report["keychain"]["ok"], true);
    assert!(report["policy"]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("mystery"));

    // Key status for a login script, then the key provisioned once.
    let status: serde_json::Value = serde_json::from_str(&seat.ok("key status --json")).unwrap();
    assert_eq!(
        status,
        serde_json::json!({"profile": "Acme UK", "stored": false})
    );
    let r = seat.run_with_stdin("key set --if-missing", "wrong-key-123\n");
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Key rejected.
    let r = seat.run("doctor");
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL key accepted") && r.stdout.contains("401"),
        "{}",
        r.stdout
    );
    // --if-missing leaves a stored key alone, even a wrong one.
    let r = seat.run_with_stdin("key set --if-missing", &format!("{KEY}\n"));
    assert!(r.stdout.contains("already stored"), "{}", r.stdout);
    assert_eq!(seat.run("doctor").code, 3);
    seat.run_with_stdin("key set", &format!("{KEY}\n"));

    let r = seat.run("doctor --json");
    assert_eq!(r.code, 0, "{}", r.stdout);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["ok"], true);
    let p = &report["profiles"][0];
    for check in ["key", "resolve", "connect", "key_accepted"] {
        assert_eq!(p[check]["ok"], true, "{check}: {p}");
    }
    assert!(p["connect"]["ms"].is_u64());
    let text = seat.ok("doctor");
    assert!(text.ends_with("A pop would work.\n"), "{text}");
    // In the locale's language, and its JSON, a contract, the same as in English.
    let in_spanish = |args: &[&str]| {
        let mut c = seat.user.command(args);
        c.env("SCREENPOP_POLICY_FILE", &seat.policy)
            .env("LANG", "es_ES.UTF-8");
        support::run_with_stdin(c, "")
    };
    let spanish = in_spanish(&["doctor"]);
    assert_eq!(spanish.code, 0, "{}", spanish.stderr);
    for said in [
        "ok   llavero: El llavero del sistema responde.\n",
        "perfil «Acme UK» (activo, gestionado), 127.0.0.1\n",
        "  ok   clave guardada: Hay una clave de API guardada.\n",
        "  ok   clave aceptada: La API acepta la clave para este proyecto.",
        "ok   idioma: Español (es-ES): según la configuración regional del sistema es_ES.UTF-8.\n",
    ] {
        assert!(
            spanish.stdout.contains(said),
            "no {said:?} in\n{}",
            spanish.stdout
        );
    }
    assert!(
        spanish.stdout.ends_with("Un pop funcionaría.\n"),
        "{}",
        spanish.stdout
    );
    let without_timings = |json: &str| {
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        for check in ["key", "resolve", "connect", "key_accepted"] {
            v["profiles"][0][check]["ms"] = serde_json::Value::Null;
        }
        v["updates"]["ms"] = serde_json::Value::Null;
        v["language"] = serde_json::Value::Null;
        v
    };
    let json_es = in_spanish(&["doctor", "--json"]);
    assert_eq!(
        without_timings(&json_es.stdout),
        without_timings(&r.stdout),
        "doctor --json is the same whatever the language"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json_es.stdout).unwrap()["language"]["detail"],
        "Español (es-ES): from the system locale es_ES.UTF-8.",
        "the JSON's sentences stay English"
    );
    for out in [&r.stdout, &r.stderr, &text] {
        assert!(!out.contains(KEY), "the key is never printed");
    }
    let status: serde_json::Value = serde_json::from_str(&seat.ok("key status --json")).unwrap();
    assert_eq!(status["stored"], true);

    // Host unreachable: a managed profile pointing at a closed port.
    std::fs::write(&seat.policy, managed("http://127.0.0.1:9")).unwrap();
    let r = seat.run("doctor --json");
    assert_eq!(r.code, 5, "{}", r.stdout);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["problem"]["code"], "unreachable");
    assert_eq!(report["profiles"][0]["connect"]["ok"], false);

    // Keychain unavailable.
    let mut no_bus = User::new();
    no_bus.home = tempfile::tempdir().unwrap();
    let mut c = no_bus.command(&["doctor"]);
    c.env("SCREENPOP_POLICY_FILE", &seat.policy);
    let r = support::run_with_stdin(c, "");
    assert_eq!(r.code, 6, "{}", r.stdout);
    assert!(r.stdout.contains("FAIL keychain"), "{}", r.stdout);

    // Nothing of the key reached a file of the user's.
    for f in files_under(seat.user.home.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "{}",
            f.display()
        );
    }
}

#[test]
fn the_language_follows_the_system_until_chosen_and_the_policy_can_set_or_lock_it() {
    let seat = Seat::new("", false);
    // `doctor` fails here (no keychain) but still says which language the window speaks; its
    // text in English, as a script that reads it asks.
    let language_line = |locale: &str| -> String {
        let mut c = seat.user.command(&["doctor"]);
        c.env("SCREENPOP_POLICY_FILE", &seat.policy)
            .env("SCREENPOP_LANGUAGE", "en")
            .env("LANG", locale)
            .env_remove("LANGUAGE")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        let r = support::run_with_stdin(c, "");
        r.stdout
            .lines()
            .find(|l| l.contains(" language: "))
            .unwrap_or_else(|| panic!("no language line: {}", r.stdout))
            .to_owned()
    };
    assert_eq!(
        language_line("de_AT.UTF-8"),
        "ok   language: Deutsch (de-AT): from the system locale de_AT.UTF-8."
    );
    assert_eq!(
        language_line("pt_BR.UTF-8"),
        "ok   language: English (en): from the system locale pt_BR.UTF-8."
    );
    assert_eq!(
        language_line("C"),
        "ok   language: English (en): no system locale, so English."
    );

    // The agent's choice is written and wins over the system's.
    seat.ok("settings set language fr");
    let file = std::fs::read_to_string(seat.settings_file()).unwrap();
    assert!(file.contains("language = \"fr\""), "{file}");
    assert_eq!(
        language_line("de_AT.UTF-8"),
        "ok   language: Français (fr): chosen in Settings."
    );
    let r = seat.run("settings set language klingon");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_one_line_error(&r);
    assert!(
        r.stderr.contains("\"system\"")
            && r.stderr.contains("\"nl\"")
            && r.stderr.contains("klingon"),
        "{}",
        r.stderr
    );

    // The organisation's lock beats the agent's choice, which cannot be made again.
    std::fs::write(&seat.policy, "[locked]\nlanguage = \"nl\"\n").unwrap();
    assert_eq!(
        language_line("de_AT.UTF-8"),
        "ok   language: Nederlands (nl): locked by the policy."
    );
    let r = seat.run("settings set language de");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("Set by your organisation"),
        "{}",
        r.stderr
    );

    // A language the policy cannot mean is named with its place, and the policy fails closed.
    std::fs::write(&seat.policy, "[defaults]\nlanguage = \"xx\"\n").unwrap();
    let r = seat.run("settings set pop_action raise");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("policy.toml, line 2") && r.stderr.contains("language"),
        "{}",
        r.stderr
    );
}
