//! The services (profiles, lookups, preferences) against the sandbox, with keys in memory (the
//! real keychain is covered by `keychain.rs` and the end-to-end tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/desk.rs"]
mod desk;
#[path = "../../../tests/support/wait.rs"]
mod wait;

use std::sync::Arc;

use desk::{desk_on, input};
use screenpop_api::Lookup;
use screenpop_api::{ErrorKind, LookupBy};
use screenpop_core::desk::Desk;
use screenpop_sandbox::{Sandbox, SandboxConfig};
use screenpop_settings::profiles::ProfileInput;
use screenpop_settings::secret::{KeyStore, MemoryKeys};
use wait::eventually_async;

#[tokio::test]
async fn setup_test_lookup_rename_and_delete() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    let keys = Arc::new(MemoryKeys::default());
    let desk = Desk::open(path.clone(), keys.clone()).unwrap();

    desk.profiles
        .save(None, input("Local", &sb.base_url()))
        .await
        .unwrap();
    let p = desk.profiles.list().await;
    assert_eq!(p.active.as_deref(), Some("Local"));
    assert_eq!(p.entries[0].has_key, Some(false));

    let err = desk.lookups.test_connection(None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoKey);
    desk.profiles
        .store_key(Some("Local"), "wrong-key")
        .await
        .unwrap();
    let err = desk.lookups.test_connection(None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KeyRejected);
    desk.profiles
        .store_key(Some("local"), sb.key())
        .await
        .unwrap();
    desk.lookups.test_connection(Some("Local")).await.unwrap();
    let probe = sb.requests().last().unwrap().query[0].1.clone();
    assert!(probe.starts_with("screenpop-connection-test-"), "{probe}");

    let hostile = desk
        .lookups
        .fetch(None, &Lookup::by_id("demo-hostile").unwrap(), &|_| {})
        .await
        .unwrap();
    assert!(
        !hostile.raw_json.contains('\u{202E}'),
        "escaped in the raw view"
    );
    assert!(hostile.raw_json.contains("\\u202e"));
    let r = desk
        .lookups
        .fetch(
            None,
            &Lookup::of(LookupBy::SharedId, " zoom-trace-81f3c0de ").unwrap(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(r.query, "zoom-trace-81f3c0de");
    assert_eq!(r.card.title, "Alex Morgan");
    assert!(r.text.starts_with("Caller: Alex Morgan\n"), "{}", r.text);
    assert!(r
        .raw_json
        .contains("\"shared_id\": \"zoom-trace-81f3c0de\""));
    desk.prefs.remember_lookup_by(None, LookupBy::SharedId);
    assert_eq!(
        desk.profiles.list().await.entries[0].lookup_by,
        LookupBy::SharedId
    );
    assert_eq!(
        sb.connections(),
        1,
        "remembering the id kind keeps the warm connection"
    );

    // Renaming keeps the key; the settings survive a restart; the key is not in them.
    desk.profiles
        .save(Some("Local"), input("Sandbox", &sb.base_url()))
        .await
        .unwrap();
    assert!(keys.get("Sandbox").unwrap().is_some());
    assert!(keys.get("Local").unwrap().is_none());
    let reopened = Desk::open(path.clone(), keys.clone()).unwrap();
    let p = reopened.profiles.list().await;
    assert_eq!(p.entries[0].profile.name, "Sandbox");
    assert_eq!(p.entries[0].lookup_by, LookupBy::SharedId);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(sb.key()), "{text}");
    assert!(!text.contains("Alex"), "{text}");

    reopened
        .profiles
        .delete("sandbox")
        .await
        .unwrap()
        .1
        .unwrap();
    assert!(keys.get("Sandbox").unwrap().is_none());
    assert!(reopened.profiles.list().await.entries.is_empty());
}

#[tokio::test]
async fn a_studio_url_makes_a_region_profile_and_bad_input_is_explained() {
    let desk = Desk::in_memory(Default::default(), Arc::new(MemoryKeys::default()));
    let err = desk
        .profiles
        .save(
            None,
            ProfileInput {
                name: "x".into(),
                ..ProfileInput::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Agent Studio URL"), "{err}");
    desk.profiles
        .save(
            None,
            ProfileInput {
                name: "Acme UK".into(),
                studio_url: Some("https://studio.uk.poly.ai/acme-uk/acme-team-4/agent".into()),
                ..ProfileInput::default()
            },
        )
        .await
        .unwrap();
    let p = desk.profiles.get(None).unwrap();
    assert_eq!(p.endpoint.region().map(|r| r.name()), Some("uk-1"));
    assert_eq!(p.project.to_string(), "acme-team-4");
    let err = desk
        .profiles
        .save(None, input("acme uk", "https://api.example.com"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

/// Counts keychain reads.
#[derive(Default)]
struct CountingKeys {
    inner: MemoryKeys,
    reads: std::sync::atomic::AtomicUsize,
}

impl KeyStore for CountingKeys {
    fn get(&self, profile: &str) -> screenpop_settings::Result<Option<screenpop_api::ApiKey>> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.get(profile)
    }
    fn set(&self, profile: &str, key: &screenpop_api::ApiKey) -> screenpop_settings::Result<()> {
        self.inner.set(profile, key)
    }
    fn delete(&self, profile: &str) -> screenpop_settings::Result<bool> {
        self.inner.delete(profile)
    }
}

#[tokio::test]
async fn warming_up_readies_key_and_connection_for_the_next_pop() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let keys = Arc::new(CountingKeys::default());
    let desk = desk_on(&sb, keys.clone()).await;

    desk.lookups.warm_up().await;
    assert_eq!(sb.connections(), 1, "a connection is open");
    assert!(
        sb.requests().is_empty(),
        "no lookup, no key, no id was sent"
    );
    let reads = keys.reads.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(reads, 1);

    desk.lookups
        .fetch(None, &Lookup::by_id("demo-billing").unwrap(), &|_| {})
        .await
        .unwrap();
    desk.lookups.warm_up().await;
    desk.lookups
        .fetch(None, &Lookup::by_id("demo-orders").unwrap(), &|_| {})
        .await
        .unwrap();
    assert_eq!(sb.connections(), 1, "the pops used the warm connection");
    assert_eq!(
        keys.reads.load(std::sync::atomic::Ordering::SeqCst),
        reads,
        "the pops did not wait for the keychain"
    );

    // A key replaced from another program (`screenpop key set`) is read again as soon as the
    // API rejects the cached one.
    desk.profiles
        .store_key(Some("Local"), "old-key")
        .await
        .unwrap();
    let err = desk
        .lookups
        .fetch(None, &Lookup::by_id("demo-billing").unwrap(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KeyRejected);
    keys.inner
        .set("Local", &screenpop_api::ApiKey::new(sb.key()).unwrap())
        .unwrap();
    desk.lookups
        .fetch(None, &Lookup::by_id("demo-billing").unwrap(), &|_| {})
        .await
        .expect("the new key is used");
}

#[tokio::test]
async fn an_idle_desk_keeps_its_one_connection_warm() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let desk = desk_on(&sb, Arc::new(MemoryKeys::default())).await;

    // 50 ms stands in for the app's 45 s: a probe at once, then one per interval, until the
    // sandbox has counted four (or the test gives up and fails).
    let four_probes = eventually_async(std::time::Duration::from_secs(10), || async {
        let probes = sb.probes();
        if probes >= 4 {
            Ok(())
        } else {
            Err(format!("only {probes} probes in 10 s"))
        }
    });
    let warm = desk.lookups.keep_warm(std::time::Duration::from_millis(50));
    tokio::select! {
        () = four_probes => {}
        () = warm => unreachable!("keep_warm returned"),
    }
    assert_eq!(sb.connections(), 1, "every probe on the same connection");
    assert!(
        sb.requests().is_empty(),
        "no key, no id, no lookup was sent"
    );
}

#[test]
fn the_clipboard_shortcut_is_saved_turned_off_and_garbage_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    let keys = Arc::new(MemoryKeys::default());
    let desk = Desk::open(path.clone(), keys.clone()).unwrap();
    assert_eq!(
        desk.prefs.hotkey(),
        screenpop_settings::config::DEFAULT_HOTKEY
    );

    desk.prefs.set_hotkey(" Ctrl+Shift+F9 ").unwrap();
    assert_eq!(
        Desk::open(path.clone(), keys.clone())
            .unwrap()
            .prefs
            .hotkey(),
        "Ctrl+Shift+F9"
    );
    desk.prefs.set_hotkey("").unwrap();
    assert_eq!(
        Desk::open(path.clone(), keys.clone())
            .unwrap()
            .prefs
            .hotkey(),
        "",
        "off survives a restart"
    );

    for bad in ["Ctrl+\u{7}", "Ctrl + Alt + P", &"Ctrl+".repeat(20)] {
        let e = desk.prefs.set_hotkey(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "{bad:?}");
        assert!(e.to_string().contains("Ctrl+Alt+P"), "{e}");
    }
    assert_eq!(
        desk.prefs.hotkey(),
        "",
        "a refused shortcut changes nothing"
    );
}

#[test]
fn the_trigger_takes_port_0_or_1024_and_above() {
    use screenpop_settings::config::TriggerSettings;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.toml");
    let keys = Arc::new(MemoryKeys::default());
    let desk = Desk::open(path.clone(), keys.clone()).unwrap();

    for port in [0, 1024, 65_535] {
        let wanted = TriggerSettings {
            enabled: true,
            port,
        };
        desk.prefs.set_trigger(wanted).unwrap();
        let reopened = Desk::open(path.clone(), keys.clone()).unwrap();
        assert_eq!(reopened.prefs.trigger(), wanted, "port {port}");
    }
    for port in [1, 80, 1023] {
        let e = desk
            .prefs
            .set_trigger(TriggerSettings {
                enabled: true,
                port,
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "port {port}");
        assert!(e.to_string().contains("or 0 for a free port"), "{e}");
    }
    assert_eq!(
        desk.prefs.trigger().port,
        65_535,
        "a refused port changes nothing"
    );
}
