use std::path::Path;

use super::*;
use crate::endpoint::Endpoint;

const ACME: &str = r#"
allow_user_profiles = false
default_profile = "Acme UK"
allowed_hosts = ["api.uk-1.platform.polyai.app"]
colour = "blue"

[[profiles]]
name = "Acme UK"
studio_url = "https://studio.uk.poly.ai/acme-uk/acme-team-4/agent"

[defaults]
pop_action = "notify_and_raise"
wait_window_ms = 3000

[locked]
hotkey = "Ctrl+Alt+P"
trigger_enabled = true
trigger_port = 47655
"#;

fn policy(text: &str) -> Policy {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, text).expect("write");
    from_file(&path)
}

fn own(name: &str, base: &str) -> Profile {
    Profile::new(name, Endpoint::custom(base).expect("url"), "a", "b").expect("valid")
}

#[test]
fn a_policy_reads_with_warnings_for_what_it_does_not_know() {
    let p = policy(ACME);
    assert_eq!(p.broken_reason(), None);
    assert!(p.manages("acme uk"));
    assert!(!p.allows_user_profiles());
    assert!(p.locks(Setting::Hotkey) && !p.locks(Setting::PopAction));
    assert_eq!(p.warnings().len(), 1, "{:?}", p.warnings());
    assert!(
        p.warnings()[0].contains("line 5") && p.warnings()[0].contains("colour"),
        "{:?}",
        p.warnings()
    );
}

#[test]
fn a_broken_policy_names_file_and_line_and_fails_closed() {
    for (text, place) in [
        (
            "[locked]\ntrigger_port = 80\n",
            "line 2 (locked.trigger_port)",
        ),
        ("allow_user_profiles = 'no'\n", "line 1"),
        (
            "[[profiles]]\nname = 'x'\nregion = 'mars'\naccount='a'\nproject='b'\n",
            "line 1",
        ),
        ("[locked\n", "line 1"),
    ] {
        let p = policy(text);
        let why = p.broken_reason().expect(text);
        assert!(
            why.contains("policy.toml") && why.contains(place),
            "{text}: {why}"
        );
        assert!(Setting::ALL.into_iter().all(|s| p.locks(s)), "fails closed");
        assert!(p.admits(&own("x", "https://example.com")).is_err());
    }
}

#[test]
fn locked_beats_the_agent_who_beats_defaults() {
    let p = policy(ACME);
    let mut user = Settings::default();
    user.add_profile(own("Mine", "https://example.com"))
        .expect("add");
    user.hotkey = "Ctrl+Alt+K".into();
    user.chosen.insert(Setting::Hotkey);
    user.timeouts.wait_window_ms = 2000;
    user.chosen.insert(Setting::WaitWindowMs);
    let eff = p.apply(&user);
    assert_eq!(eff.hotkey, "Ctrl+Alt+P", "locked wins");
    assert_eq!(
        eff.timeouts.wait_window_ms, 2000,
        "the agent beats a default"
    );
    assert_eq!(eff.pop_action, crate::config::PopAction::NotifyAndRaise);
    assert!(eff.trigger.enabled);
    let names: Vec<&str> = eff.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Acme UK"], "own profiles hidden when not allowed");
    assert_eq!(eff.active(), Some("Acme UK"));
    assert_eq!(p.hidden_profiles(&user).len(), 1);
}

#[test]
fn changes_the_policy_forbids_are_refused_and_the_rest_reach_the_agent() {
    let p = policy(ACME);
    let user = Settings::default();
    let before = p.apply(&user);

    let mut locked = before.clone();
    locked.hotkey = "Ctrl+K".into();
    let e = p.absorb(&user, &before, locked).expect_err("locked");
    assert!(e.to_string().contains(SET_BY_ORGANISATION), "{e}");
    assert_eq!(e.kind(), crate::ErrorKind::Policy);

    let mut removed = before.clone();
    removed.remove_profile("Acme UK").expect("remove");
    assert!(p.absorb(&user, &before, removed).is_err(), "managed stays");

    let mut added = before.clone();
    added
        .add_profile(own("Mine", "https://api.uk-1.platform.polyai.app"))
        .expect("add");
    assert!(p.absorb(&user, &before, added).is_err(), "no own profiles");

    let mut fine = before.clone();
    fine.pop_action = crate::config::PopAction::Raise;
    let next = p.absorb(&user, &before, fine).expect("allowed");
    assert!(next.chose(Setting::PopAction) && !next.chose(Setting::WaitWindowMs));
    assert!(
        next.profiles().is_empty(),
        "managed profiles never reach the agent's file"
    );
}

#[test]
fn allowed_hosts_limit_own_profiles() {
    let p = policy("allowed_hosts = ['api.uk-1.platform.polyai.app']\n");
    assert!(p
        .admits(&own("ok", "https://API.uk-1.platform.polyai.app"))
        .is_ok());
    let e = p
        .admits(&own("no", "https://evil.example.com"))
        .expect_err("host");
    assert!(e.to_string().contains("evil.example.com"), "{e}");
}

#[test]
fn a_missing_file_is_no_policy() {
    let p = from_file(Path::new("/nonexistent/policy.toml"));
    assert_eq!(p.broken_reason(), None);
    assert!(!p.source().present());
    assert!(p.allows_user_profiles());
}
