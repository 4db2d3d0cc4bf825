//! The agent's language. Every catalogue key the code names exists and every key is named; the
//! real window words its card, its failure cards and Settings in each language, and still fits a
//! narrow window; the system locale decides until the agent picks a language in Settings, the
//! policy can lock it, and the notification and the page follow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[path = "support/catalogue.rs"]
mod catalogue;
use catalogue::catalogue;

/// The repository's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Tauri-free files that name catalogue keys: "copy all" (the card), what refuses an
/// agent's input (the API crate's checks, the profile form), the health check's words, and the
/// command line's.
const CRATE_SOURCES: [&str; 19] = [
    "src-tauri/crates/screenpop-card/src/text.rs",
    "src-tauri/crates/screenpop-cli/src/failure.rs",
    "src-tauri/crates/screenpop-cli/src/genesys.rs",
    "src-tauri/crates/screenpop-cli/src/key.rs",
    "src-tauri/crates/screenpop-cli/src/lib.rs",
    "src-tauri/crates/screenpop-cli/src/pop.rs",
    "src-tauri/crates/screenpop-cli/src/profile.rs",
    "src-tauri/crates/screenpop-cli/src/relay.rs",
    "src-tauri/crates/screenpop-cli/src/settings.rs",
    "src-tauri/crates/screenpop-cli/src/trigger.rs",
    "src-tauri/crates/screenpop-cli/src/update.rs",
    "src-tauri/crates/screenpop-core/src/health/mod.rs",
    "src-tauri/crates/screenpop-core/src/push/mod.rs",
    "src-tauri/crates/screenpop-core/src/update.rs",
    "src-tauri/crates/screenpop-api/src/ids.rs",
    "src-tauri/crates/screenpop-api/src/endpoint.rs",
    "src-tauri/crates/screenpop-api/src/studio_url.rs",
    "src-tauri/crates/screenpop-api/src/key.rs",
    "src-tauri/crates/screenpop-settings/src/profiles.rs",
];

/// Namespaces of messages Rust formats itself (`Catalogue::say`, `Message`): placeholders and
/// plurals allowed.
const FORMATTED_BY_RUST: [&str; 5] = ["cli.", "copy.", "doctor.", "failure.", "refusal."];

/// Every file whose text may name a catalogue key: the page, the shell, and the core's words for
/// a window that cannot open (which the launcher says too).
fn sources() -> Vec<PathBuf> {
    let mut out = vec![root().join("src-tauri/crates/screenpop-core/src/startup.rs")];
    out.extend(CRATE_SOURCES.iter().map(|p| root().join(p)));
    for dir in ["ui", "src-tauri/src"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if ["js", "html", "rs"].contains(&ext) {
                out.push(path);
            }
        }
    }
    out
}

/// The quoted words of `text` that look like keys of one of `namespaces` (`"card.copy_all"`).
fn keys_named(text: &str, namespaces: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices('"') {
        let rest = &text[at + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let word = &rest[..len];
        let space = word.split('.').next().unwrap_or_default();
        if rest[len..].starts_with('"') && word.contains('.') && namespaces.contains(space) {
            out.insert(word.to_owned());
        }
    }
    out
}

#[test]
fn every_key_the_code_names_is_in_the_catalogue_and_every_key_is_named() {
    let english = catalogue("en");
    let namespaces: BTreeSet<&str> = english.keys().filter_map(|k| k.split('.').next()).collect();
    let mut named = BTreeSet::new();
    let mut named_by_rust = BTreeSet::new();
    for path in sources() {
        let keys = keys_named(&std::fs::read_to_string(&path).unwrap(), &namespaces);
        if path.extension().is_some_and(|e| e == "rs") {
            named_by_rust.extend(
                keys.iter()
                    .filter(|k| !FORMATTED_BY_RUST.iter().any(|n| k.starts_with(n)))
                    .cloned(),
            );
        }
        named.extend(keys);
    }
    let missing: Vec<&String> = named.iter().filter(|k| !english.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "named in the code, not in locales/en.json: {missing:?}"
    );
    let unused: Vec<&String> = english.keys().filter(|k| !named.contains(*k)).collect();
    assert!(
        unused.is_empty(),
        "in locales/en.json, named nowhere: {unused:?}"
    );
    // Rust shows the shell's few messages as they are: they must not need formatting in any
    // language (what "copy all" and a refusal say, Rust formats).
    assert!(named_by_rust.contains("tray.quit"), "{named_by_rust:?}");
    for tag in ["en", "fr", "de", "es", "nl"] {
        let words = catalogue(tag);
        for key in &named_by_rust {
            assert!(
                !words[key].contains('{'),
                "{tag} {key} has a placeholder Rust would not fill"
            );
        }
    }
}

#[test]
fn the_scan_finds_keys_however_the_code_quotes_them() {
    let namespaces = BTreeSet::from(["card", "failure"]);
    let found = keys_named(
        r#"t("card.copy_all") data-i18n="failure.not_found.title" "style.css" format!("\"{x}\" card.no") "card""#,
        &namespaces,
    );
    assert_eq!(
        found,
        BTreeSet::from([
            "card.copy_all".to_owned(),
            "failure.not_found.title".to_owned()
        ])
    );
}

#[cfg(target_os = "linux")]
#[path = "support/sandbox.rs"]
mod sandbox;
#[cfg(target_os = "linux")]
#[path = "support/seat.rs"]
mod seat;
#[cfg(target_os = "linux")]
#[path = "support/wait.rs"]
mod wait;
#[cfg(target_os = "linux")]
#[path = "support/webdriver.rs"]
mod webdriver;
#[cfg(target_os = "linux")]
#[path = "support/window.rs"]
mod window;

#[cfg(target_os = "linux")]
mod window_tests {
    use std::time::Duration;

    use screenpop_sandbox::Fault;
    use serde_json::json;

    use super::wait::{check, eventually};

    use super::window::*;
    use super::{catalogue, webdriver};

    /// Writes `language = "tag"` into the settings file of a configured home.
    fn choose_language(home: &tempfile::TempDir, tag: &str) {
        let path = home.path().join("config/screenpop/settings.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("language = \"{tag}\"\n{text}")).unwrap();
    }

    /// What "copy all" of `demo-billing` says in German and Dutch: its words and yes in the
    /// language, its data (labels, codes) as the sandbox has it.
    fn copied_in(tag: &str) -> Option<[&'static str; 4]> {
        match tag {
            "de" => Some([
                "Anrufer: Priya Raman\nGrund: Billing\n",
                "Gesprächs-ID: demo-billing\n",
                "Handoff to: billing_queue\n",
                "Successfully identified: Ja\n",
            ]),
            "nl" => Some([
                "Beller: Priya Raman\nReden: Billing\n",
                "Gespreks-id: demo-billing\n",
                "Handoff to: billing_queue\n",
                "Successfully identified: Ja\n",
            ]),
            _ => None,
        }
    }

    fn text_of(d: &webdriver::Driver, selector: &str) -> String {
        d.text(&d.wait(selector, 5))
    }

    #[test]
    #[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
    fn each_language_words_the_card_a_failure_and_settings_and_fits_a_narrow_window() {
        let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
        let api = api();
        for tag in ["en", "fr", "de", "es", "nl"] {
            let words = catalogue(tag);
            let (home, env) = configured_home(&api, "Acme");
            choose_language(&home, tag);
            let d = app(&[], &env);
            assert_eq!(
                d.exec("return document.documentElement.lang", json!([])),
                json!(tag)
            );
            assert_eq!(text_of(&d, "#lookup-hint"), words["lookup.hint"], "{tag}");

            set_fault(&api, None);
            look_up(&d, "demo-billing");
            title_is(&d, "Priya Raman");
            assert_eq!(text_of(&d, "#copy-all"), words["card.copy_all"], "{tag}");
            // The data's own labels stay as the data has them.
            assert!(
                d.exec(
                    "return document.getElementById('card').innerText",
                    json!([])
                )
                .as_str()
                .unwrap()
                .contains("Customer"),
                "{tag}"
            );
            assert_fits_narrow(&d, &format!("the card in {tag}"));
            if tag == "de" {
                screenshot(&d, "card-de.png");
            }
            // "Copy all", as an agent pastes it into the CRM's notes: the words in the
            // language (plurals included), the data as it is.
            if let Some(want) = copied_in(tag) {
                d.click(&d.wait("#copy-all", 5));
                eventually(Duration::from_secs(10), || {
                    let copied = clipboard();
                    check(want.iter().all(|w| copied.contains(w)), || {
                        format!("copy all in {tag}: {copied}")
                    })
                });
            }

            // A failure is worded in the language; what the API said stays as it said it.
            set_fault(&api, Some(Fault::Status { status: 503 }));
            look_up(&d, "demo-billing");
            expect_card(&d, 20, "failure-server_error");
            assert_eq!(
                text_of(&d, "#card h1"),
                words["failure.server_error.title"],
                "{tag}"
            );
            assert_eq!(
                text_of(&d, "#failure-action"),
                words["failure.action_retry"],
                "{tag}"
            );
            let body = text_of(&d, "#card .reason");
            assert!(body.starts_with("HTTP 503."), "{tag}: {body}");
            let said = text_of(&d, "#card .failure-details");
            let correlation_label = words["failure.correlation"].replace("{id}", "");
            assert!(said.contains(correlation_label.trim_end()), "{tag}: {said}");
            assert_fits_narrow(&d, &format!("a failure in {tag}"));
            set_fault(&api, None);

            d.click(&d.wait("#open-settings", 5));
            assert_eq!(text_of(&d, "#prefs-title"), words["prefs.title"], "{tag}");
            assert_eq!(
                d.exec(
                    "return document.getElementById('language').value",
                    json!([])
                ),
                json!(tag)
            );
            assert_fits_narrow(&d, &format!("Settings in {tag}"));
            // Diagnostics, as the agent copies them for the helpdesk: in their language.
            d.click(&d.wait("#diag-run", 5));
            d.wait_until(
                "the health check",
                "return !document.getElementById('diag-text').hidden",
                15,
            );
            let report = text_of(&d, "#diag-text");
            let accepted = format!(
                "ok   {}: {}",
                words["doctor.key_accepted"], words["doctor.accepted"]
            );
            assert!(report.contains(&accepted), "{tag}: {report}");
            if tag == "de" {
                d.exec(
                    "document.getElementById('prefs-title').scrollIntoView(); return 1",
                    json!([]),
                );
                screenshot(&d, "settings-de.png");
            }
        }
    }

    #[test]
    #[ignore = "needs Xvfb, WebKitWebDriver, python3-gi and a Secret Service: run `bash .ci/test`"]
    fn the_tray_menu_speaks_the_agents_language_as_the_panel_reads_it() {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};

        let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
        let api = api();
        let (home, env) = configured_home(&api, "Acme");
        choose_language(&home, "de");
        // A panel's StatusNotifierWatcher, started first as a desktop's is: the tray icon
        // registers with it, and it reads the menu over D-Bus (com.canonical.dbusmenu).
        // Debian's Python, which python3-gi is installed for (not a pyenv one on PATH).
        let mut watcher = Command::new("/usr/bin/python3")
            .arg(super::root().join("src-tauri/tests/support/sni_watcher.py"))
            .arg("60")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 runs the watcher");
        let mut said = String::new();
        BufReader::new(watcher.stderr.take().unwrap())
            .read_line(&mut said)
            .unwrap();
        assert_eq!(said.trim(), "watching", "the watcher did not start");
        let _d = app(&[], &env);
        let out = watcher.wait_with_output().unwrap();
        assert!(out.status.success(), "no tray menu was read: {out:?}");
        let labels: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
        let german = catalogue("de");
        assert_eq!(
            labels,
            ["tray.show", "tray.clipboard", "tray.profile", "tray.quit"].map(|k| german[k].clone()),
        );
    }

    #[test]
    #[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
    fn what_was_typed_is_refused_in_the_agents_language_and_shown_as_it_was_typed() {
        let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
        let (_home, mut env) = home();
        env.push(("LANG", "fr_FR.UTF-8".to_owned()));
        let d = app(&[], &env);
        let french = catalogue("fr");
        let studio = d.wait("#p-studio", 5);
        d.type_into(&studio, &format!("https://crm.example/acme/team{TAB}"));
        let said = d.wait_until(
            "the Studio URL to be refused",
            "const p = document.getElementById('p-studio-parsed'); return p.classList.contains('bad') && p.textContent",
            5,
        );
        let said = said.as_str().unwrap();
        assert_eq!(
            said,
            format!(
                "{} {}",
                french["refusal.studio_host"].replace("{host}", "crm.example"),
                french["refusal.studio_expected"]
            )
        );
        assert!(said.starts_with("« crm.example » n’est pas"), "{said}");
    }

    #[test]
    #[ignore = "needs Xvfb, WebKitWebDriver, dunst and a Secret Service: run `bash .ci/test`"]
    fn the_system_locale_decides_until_the_agent_picks_and_the_policy_can_lock_it() {
        let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
        let api = api();
        let (home, mut env) = configured_home(&api, "Sprache");
        env.push(("LANG", "de_AT.UTF-8".to_owned()));
        let policy = home.path().join("policy.toml");
        std::fs::write(&policy, "").unwrap();
        env.push(("SCREENPOP_POLICY_FILE", policy.display().to_string()));
        let notifications = Notifications::watch(home.path());
        let d = app(&[], &env);
        let german = catalogue("de");
        assert_eq!(
            d.exec("return document.documentElement.lang", json!([])),
            json!("de-AT")
        );

        // A transfer in the background: the notification's button is German too.
        second_process(&env, &["screenpop://lookup?id=demo-billing"]);
        title_is(&d, "Priya Raman");
        let notified = notifications.calls(1);
        assert!(
            notified.contains(&format!(
                "string \"{}\"",
                german["notification.show_caller"]
            )),
            "{notified}"
        );
        // Dates and times follow the locale: 24-hour Austrian time, no AM or PM.
        let when = text_of(&d, "#card .meta span:last-child");
        assert!(
            !when.contains('M') && when.matches(':').count() == 2,
            "{when}"
        );

        // The agent picks French: the page loads again in it, back in Settings, and it is saved.
        d.click(&d.wait("#open-settings", 5));
        let first = d.exec(
            "return document.querySelector('#language option').textContent",
            json!([]),
        );
        assert_eq!(first, json!("Wie das System: Deutsch"));
        d.exec(
            "const s = document.getElementById('language'); s.value = 'fr'; s.dispatchEvent(new Event('change')); return 1",
            json!([]),
        );
        d.wait_until(
            "the page in French, back in Settings",
            &format!(
                "return document.body.dataset.started && !document.getElementById('settings-view').hidden
                   && document.getElementById('prefs-title').textContent === {:?}",
                catalogue("fr")["prefs.title"]
            ),
            15,
        );
        assert_eq!(
            d.exec("return document.documentElement.lang", json!([])),
            json!("fr")
        );
        let settings =
            std::fs::read_to_string(home.path().join("config/screenpop/settings.toml")).unwrap();
        assert!(settings.contains("language = \"fr\""), "{settings}");

        // The organisation locks Dutch: the window changes at once and the picker is locked.
        std::fs::write(&policy, "[locked]\nlanguage = \"nl\"\n").unwrap();
        d.wait_until(
            "the page in Dutch",
            "return document.documentElement.lang === 'nl' && document.body.dataset.started",
            15,
        );
        d.click(&d.wait("#open-settings", 5));
        assert_eq!(
            d.exec(
                "return document.getElementById('language').disabled",
                json!([])
            ),
            json!(true)
        );
        let dutch = catalogue("nl");
        let lock = d.exec(
            "return document.querySelector('[data-lock-for=language]').textContent",
            json!([]),
        );
        assert_eq!(lock, json!(dutch["settings.locked"]));
        // A locked language is refused by Rust too, not only greyed out in the page.
        let refused = d.exec_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('set_language', { choice: 'de' }).then(() => done('accepted'), (e) => done(e.kind));",
            json!([]),
        );
        assert_eq!(refused, json!("set_by_policy"));
    }
}
