//! The keychain against the real Secret Service (gnome-keyring). `bash .ci/test` runs these in a
//! private D-Bus session with a throw-away keyring; `secret-tool` checks what really got stored.
//! One test function, because keyring connects once per process and D-Bus calls race.
//! Linux only: Windows' Credential Manager is tested through the CLI under Wine (`.ci/wine`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use screenpop_api::endpoint::{Endpoint, Region};
use screenpop_api::ApiKey;
use screenpop_settings::config::Settings;
use screenpop_settings::secret::{linux, KeyStore, Keychain, KEYCHAIN_SERVICE};
use screenpop_settings::Profile;

fn secret_tool(args: &[&str]) -> (bool, String) {
    let out = Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool is installed (libsecret-tools)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Stores `secret` with `secret-tool store ARGS`, as an IT admin's script would.
fn secret_tool_store(args: &[&str], secret: &[u8]) {
    let mut store = Command::new("secret-tool")
        .arg("store")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool store");
    std::io::Write::write_all(&mut store.stdin.take().expect("stdin"), secret).expect("write");
    assert!(store.wait().expect("wait").success());
}

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn keys_live_in_the_secret_service_and_nowhere_else() {
    let profile = format!("keychain-test-{}", std::process::id());
    let key = ApiKey::new("pk-live-5a1d9c3e7f").expect("key");

    assert_eq!(Keychain.get(&profile).expect("reachable"), None);
    Keychain.set(&profile, &key).expect("set");
    assert_eq!(
        Keychain.get(&profile).expect("get").as_ref(),
        Some(&key),
        "read back"
    );
    // The quick read (what `get` tries first) opens its own encrypted session with the real
    // service and finds what the keyring crate stored; a missing key is left to the crate.
    assert_eq!(
        linux::read(KEYCHAIN_SERVICE, &profile).as_deref(),
        Some("pk-live-5a1d9c3e7f")
    );
    assert_eq!(
        linux::read(KEYCHAIN_SERVICE, &format!("{profile}-absent")),
        None
    );

    // Stored under service "screenpop", user = profile name, as IT admins are told.
    let (found, secret) =
        secret_tool(&["lookup", "service", KEYCHAIN_SERVICE, "username", &profile]);
    assert!(found, "secret-tool sees the entry");
    assert_eq!(secret.trim_end(), "pk-live-5a1d9c3e7f");

    // Replacing a key overwrites it rather than adding a second entry.
    let replaced = ApiKey::new("pk-live-000replaced").expect("key");
    Keychain.set(&profile, &replaced).expect("replace");
    assert_eq!(Keychain.get(&profile).expect("get"), Some(replaced));

    // A key stored by another tool (an IT admin's script) is read, trimmed.
    let scripted = format!("{profile}-scripted");
    secret_tool_store(
        &[
            "--label=screenpop test",
            "service",
            KEYCHAIN_SERVICE,
            "username",
            &scripted,
        ],
        b"pk-from-script\n",
    );
    assert_eq!(
        Keychain
            .get(&scripted)
            .expect("get")
            .map(|k| format!("{k:?}")),
        Some("ApiKey(<redacted>)".to_owned())
    );
    assert_eq!(
        Keychain.get(&scripted).expect("get"),
        Some(ApiKey::new("pk-from-script").expect("key"))
    );
    assert_eq!(
        linux::read(KEYCHAIN_SERVICE, &scripted).map(|k| k.trim_end().to_owned()),
        Some("pk-from-script".to_owned())
    );

    // Two items for one profile (a script ran twice with different labels): the quick read
    // declines to choose, and the keyring crate reports the ambiguity instead of guessing.
    let second = [
        "service",
        KEYCHAIN_SERVICE,
        "username",
        &scripted,
        "copy",
        "second",
    ];
    secret_tool_store(
        &[&["--label=screenpop test, again"], &second[..]].concat(),
        b"pk-other\n",
    );
    assert_eq!(linux::read(KEYCHAIN_SERVICE, &scripted), None);
    assert!(Keychain.get(&scripted).is_err(), "ambiguous, not a guess");
    let (cleared, _) = secret_tool(&[&["clear"], &second[..]].concat());
    assert!(cleared);
    assert_eq!(
        Keychain.get(&scripted).expect("get"),
        Some(ApiKey::new("pk-from-script").expect("key"))
    );

    // Settings saved beside a stored key never contain it.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("settings.toml");
    let mut settings = Settings::default();
    settings
        .add_profile(
            Profile::new(&profile, Endpoint::Region(Region::Uk1), "acme", "team").expect("profile"),
        )
        .expect("add");
    settings.save(&path).expect("save");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(&profile));
    assert!(!text.contains("pk-live"), "{text}");

    assert!(Keychain.delete(&profile).expect("delete"));
    assert!(
        !Keychain.delete(&profile).expect("delete again"),
        "idempotent"
    );
    assert!(Keychain.delete(&scripted).expect("delete"));
    assert_eq!(Keychain.get(&profile).expect("get"), None);
    let (found, _) = secret_tool(&["lookup", "service", KEYCHAIN_SERVICE, "username", &profile]);
    assert!(!found, "gone from the Secret Service");

    // Every quick read above (a replaced key, a scripted one, an ambiguous one) went over one
    // encrypted session, opened once: a window reads its key on every pop.
    assert_eq!(linux::sessions_opened(), 1);
}
