//! Updates under the admin's control, through the real binary: the policy file (as IT writes
//! it), a fleet's web server on loopback behind TLS with a throw-away CA (the sandbox's
//! terminator; the program trusts it through `SSL_CERT_FILE`), and manifests signed with
//! `screenpop update keygen` and `sign`. "off" asks nothing; "notify" says when a newer version
//! is there and where, and refuses a bad signature, a plain `http://` address and an oversized
//! body with a line in `doctor`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/catalogue.rs"]
mod catalogue;
#[path = "support/fleet_server.rs"]
mod fleet_server;
#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/cli.rs"]
mod support;

use fleet_server::FleetServer;
use support::User;

/// IT's policy file holding `text`.
fn policy_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

fn status(user: &User, policy: &std::path::Path, fleet: &FleetServer) -> (i32, String, String) {
    let out = user
        .command(&["update", "status", "--json"])
        .env("SCREENPOP_POLICY_FILE", policy)
        .env("SSL_CERT_FILE", fleet.ca.path())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn doctor(user: &User, policy: &std::path::Path, fleet: &FleetServer) -> String {
    let out = user
        .command(&["doctor"])
        .env("SCREENPOP_POLICY_FILE", policy)
        .env("SSL_CERT_FILE", fleet.ca.path())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A signing key from the binary: (the secret key's file, the public key).
fn keygen(user: &User) -> (std::path::PathBuf, String) {
    let key = user.home.path().join("manifest.key");
    let public = user.ok(&["update", "keygen", "--out", key.to_str().unwrap()]);
    (key, public.trim().to_owned())
}

fn signed(user: &User, key: &std::path::Path, version: &str) -> String {
    user.ok(&[
        "update",
        "sign",
        "--key",
        key.to_str().unwrap(),
        "--version",
        version,
        "--url",
        &format!("https://it.acme.example/screenpop-{version}-x64.msi"),
        "--notes",
        "Faster cards.",
    ])
}

const CURRENT: &str = env!("CARGO_PKG_VERSION");

fn bumped(by: u64) -> String {
    let mut parts: Vec<u64> = CURRENT.split('.').map(|p| p.parse().unwrap()).collect();
    parts[2] += by;
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[test]
fn off_asks_nothing_and_notify_says_when_a_newer_signed_version_is_there() {
    let fleet = FleetServer::start();
    let admin = User::new();
    let (key, public) = keygen(&admin);
    let user = User::new();
    let off = policy_file("[updates]\nmode = \"off\"\n");

    // Off (also the default): no request at all.
    fleet.serve(signed(&admin, &key, &bumped(1)));
    let (code, out, err) = status(&user, off.path(), &fleet);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"state\": \"off\""), "{out}");
    let none = policy_file("");
    let (code, out, _) = status(&user, none.path(), &fleet);
    assert_eq!(code, 0);
    assert!(out.contains("\"state\": \"off\""), "{out}");
    assert!(doctor(&user, off.path(), &fleet).contains("updates: Off"));
    assert_eq!(fleet.hits(), 0, "off asked the server");

    // Notify: a newer version is reported with its address; the same or an older one is not.
    let notify = format!(
        "[updates]\nmode = \"notify\"\nmanifest_url = \"{}\"\npublic_key = \"{public}\"\n",
        fleet.url()
    );
    let policy = policy_file(&notify);
    let (code, out, err) = status(&user, policy.path(), &fleet);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"]["state"], "available", "{out}");
    assert_eq!(v["status"]["version"], bumped(1));
    assert_eq!(
        v["status"]["url"],
        format!("https://it.acme.example/screenpop-{}-x64.msi", bumped(1))
    );
    let said = doctor(&user, policy.path(), &fleet);
    assert!(
        said.contains(&format!("ok   updates: Version {} is available", bumped(1))),
        "{said}"
    );
    // The same in the locale's language, in doctor and in `update status`; its address as given.
    let in_dutch = |args: &[&str]| {
        let out = user
            .command_in("nl_NL.UTF-8", args)
            .env("SCREENPOP_POLICY_FILE", policy.path())
            .env("SSL_CERT_FILE", fleet.ca.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dutch = format!("Versie {} is beschikbaar (dit is {CURRENT})", bumped(1));
    let said = in_dutch(&["update", "status"]);
    assert!(said.contains(&dutch), "{said}");
    assert!(
        said.contains(&format!("screenpop-{}-x64.msi", bumped(1))),
        "{said}"
    );
    let said = in_dutch(&["doctor"]);
    assert!(said.contains(&format!("updates: {dutch}")), "{said}");
    for offered in [CURRENT.to_owned(), "0.0.1".to_owned()] {
        fleet.serve(signed(&admin, &key, &offered));
        let (_, out, _) = status(&user, policy.path(), &fleet);
        assert!(
            out.contains("\"state\": \"up_to_date\""),
            "{offered}: {out}"
        );
    }
    assert!(fleet.hits() >= 4);
}

#[test]
fn a_bad_signature_a_plain_address_or_an_oversized_body_is_refused_with_a_line_in_doctor() {
    let fleet = FleetServer::start();
    let admin = User::new();
    let (key, public) = keygen(&admin);
    let user = User::new();
    let policy_for = |url: &str, public: &str| {
        policy_file(&format!(
            "[updates]\nmode = \"notify\"\nmanifest_url = \"{url}\"\npublic_key = \"{public}\"\n"
        ))
    };

    // Signed with another key, or changed after signing.
    let other = User::new();
    let (other_key, _) = keygen(&other);
    let policy = policy_for(&fleet.url(), &public);
    fleet.serve(signed(&other, &other_key, &bumped(1)));
    let (code, _, err) = status(&user, policy.path(), &fleet);
    assert_ne!(code, 0);
    assert!(err.contains("does not match the key"), "{err}");
    let said = doctor(&user, policy.path(), &fleet);
    assert!(said.contains("FAIL updates: The update manifest cannot be used: its signature does not match the key."), "{said}");
    assert!(said.contains("A pop would"), "{said}");
    let forged = signed(&admin, &key, &bumped(1)).replace(&bumped(1), &bumped(7));
    fleet.serve(forged);
    let (code, _, err) = status(&user, policy.path(), &fleet);
    assert_ne!(code, 0);
    assert!(err.contains("signature does not match"), "{err}");

    // Oversized.
    fleet.serve(vec![b' '; 70 * 1024]);
    let (code, _, err) = status(&user, policy.path(), &fleet);
    assert_ne!(code, 0);
    assert!(err.contains("longer than 64 KiB"), "{err}");

    // A plain address is never asked.
    let before = fleet.hits();
    let plain = policy_for(&fleet.url().replace("https://", "http://"), &public);
    let (code, _, err) = status(&user, plain.path(), &fleet);
    assert_ne!(code, 0);
    assert!(err.contains("is not https://"), "{err}");
    assert!(doctor(&user, plain.path(), &fleet).contains("FAIL updates"));
    assert_eq!(fleet.hits(), before);

    // The key made by keygen is its owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the secret key is readable by others");
    }
    let again = admin.run(&["update", "keygen", "--out", key.to_str().unwrap()]);
    assert_ne!(again.code, 0, "keygen overwrote a key");
}
