use std::path::Path;

use super::*;
use crate::policy::parse;
use screenpop_api::endpoint::Endpoint;

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
    assert_eq!(e.kind(), screenpop_api::ErrorKind::Policy);

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

const ADMX: &str = include_str!("../../../../packaging/windows/policy/screenpop.admx");
const ADML: &str = include_str!("../../../../packaging/windows/policy/en-US/screenpop.adml");

/// Each `<policy …>` of the template: its registry key (below HKLM), its value names and
/// whether it is a switch (enabled = 1, disabled = 0).
fn admx_policies() -> Vec<(String, Vec<String>, bool)> {
    let attr = |text: &str, name: &str| -> Vec<String> {
        text.split(&format!(" {name}=\""))
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    ADMX.split("<policy ")
        .skip(1)
        .map(|block| {
            let block = block.split("</policy>").next().unwrap_or_default();
            let key = attr(block, "key").into_iter().next().unwrap_or_default();
            (
                key,
                attr(block, "valueName"),
                block.contains("<enabledValue>"),
            )
        })
        .collect()
}

#[test]
fn the_admx_template_and_the_code_agree() {
    let base = r"Software\Policies\screenpop";
    let policies = admx_policies();
    let names_under = |key: &str| -> Vec<String> {
        let mut names: Vec<String> = policies
            .iter()
            .filter(|(k, _, _)| k == key)
            .flat_map(|(_, v, _)| v.clone())
            .collect();
        names.sort();
        names
    };
    let mut every: Vec<String> = Setting::ALL.iter().map(|s| s.name().to_owned()).collect();
    every.sort();
    for table in ["locked", "defaults"] {
        assert_eq!(names_under(&format!(r"{base}\{table}")), every, "{table}");
    }
    // The top level: what the policy reads beside [defaults] and [locked].
    let mut top = names_under(base);
    for list in ["allowed_hosts", "profiles"] {
        assert!(
            policies
                .iter()
                .any(|(k, _, _)| *k == format!(r"{base}\{list}")),
            "{list}"
        );
        top.push(list.to_owned());
    }
    // [updates] is a table of its own, one policy with each of its keys.
    let mut keys = crate::updates::KEYS.map(str::to_owned).to_vec();
    keys.sort();
    assert_eq!(names_under(&format!(r"{base}\updates")), keys);
    top.push("updates".to_owned());
    top.extend(["defaults".to_owned(), "locked".to_owned()]);
    top.sort();
    let mut known = parse::TOP_KEYS.map(str::to_owned).to_vec();
    known.sort();
    assert_eq!(top, known);
    // Switches are what the registry reader turns into true and false.
    let mut switches: Vec<String> = policies
        .iter()
        .filter(|(_, _, switch)| *switch)
        .flat_map(|(_, v, _)| v.clone())
        .collect();
    switches.sort();
    switches.dedup();
    let mut expected = SWITCHES.map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(switches, expected);
    // Every string and presentation the template names is in the English resources.
    for (kind, tag) in [("string", "string"), ("presentation", "presentation")] {
        for id in ADMX
            .split(&format!("$({kind}."))
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            assert!(ADML.contains(&format!("<{tag} id=\"{id}\"")), "{kind} {id}");
        }
    }
}

#[test]
fn every_setting_value_the_template_offers_is_one_the_code_accepts() {
    let mut s = Settings::default();
    for value in ["notify", "notify_and_raise", "raise"] {
        assert!(ADMX.contains(&format!("<string>{value}</string>")));
        Setting::PopAction
            .put(&mut s, &Value::String(value.to_owned()))
            .expect(value);
    }
}

#[test]
fn the_example_shipped_in_the_packages_reads_cleanly() {
    let p = policy(include_str!("../../../../packaging/policy.example.toml"));
    assert_eq!(p.broken_reason(), None);
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    assert!(p.manages("Acme UK") && p.manages("Acme US"));
    assert!(p.locks(Setting::Autostart) && p.decides(Setting::PopAction));
}

/// The values of a property list's XML (the subset configuration profiles use) as TOML values.
fn plist_value(tokens: &mut std::iter::Peekable<std::vec::IntoIter<(String, String)>>) -> Value {
    let (tag, text) = tokens.next().expect("a value");
    match tag.as_str() {
        "string" => Value::String(text),
        "integer" => Value::Integer(text.parse().expect("integer")),
        "true/" => Value::Boolean(true),
        "false/" => Value::Boolean(false),
        "array" => {
            let mut items = Vec::new();
            while tokens.peek().map(|t| t.0.as_str()) != Some("/array") {
                items.push(plist_value(tokens));
            }
            tokens.next();
            Value::Array(items)
        }
        "dict" => {
            let mut table = toml::Table::new();
            while tokens.peek().map(|t| t.0.as_str()) != Some("/dict") {
                let (k, key) = tokens.next().expect("a key");
                assert_eq!(k, "key");
                table.insert(key, plist_value(tokens));
            }
            tokens.next();
            Value::Table(table)
        }
        other => panic!("unexpected <{other}>"),
    }
}

#[test]
fn the_sample_configuration_profile_says_what_the_example_policy_says() {
    let xml = include_str!("../../../../packaging/macos/screenpop-policy.mobileconfig");
    let start = xml
        .find("<key>mcx_preference_settings</key>")
        .expect("settings")
        + 34;
    // Tags and the text after each, comments and closing tags of leaves dropped.
    let tokens: Vec<(String, String)> = xml[start..]
        .split('<')
        .skip(1)
        .filter_map(|part| {
            let (tag, text) = part.split_once('>')?;
            let keep = !tag.starts_with('!') && !["/key", "/string", "/integer"].contains(&tag);
            keep.then(|| (tag.to_owned(), text.trim().to_owned()))
        })
        .collect();
    let Value::Table(table) = plist_value(&mut tokens.into_iter().peekable()) else {
        panic!("not a dictionary");
    };
    let from_profile = parse::policy(&table, Source::Nowhere, &|k: &str| k.to_owned());
    assert_eq!(from_profile.broken_reason(), None);
    assert!(
        from_profile.warnings().is_empty(),
        "{:?}",
        from_profile.warnings()
    );
    let example = policy(include_str!("../../../../packaging/policy.example.toml"));
    assert_eq!(
        Policy {
            source: Source::Nowhere,
            ..example
        },
        from_profile
    );
}

#[test]
fn card_numbers_are_masked_unless_a_readable_policy_says_otherwise() {
    assert_eq!(Policy::none().card_numbers(), CardNumbers::Masked);
    assert_eq!(policy(ACME).card_numbers(), CardNumbers::Masked);
    assert_eq!(
        policy("mask_card_numbers = false\n").card_numbers(),
        CardNumbers::Shown
    );
    assert_eq!(
        policy("mask_card_numbers = true\n").card_numbers(),
        CardNumbers::Masked
    );
    // Broken, anywhere: masked.
    let broken = policy("mask_card_numbers = false\n[locked]\nhotkey = 3\n");
    assert!(broken.broken_reason().is_some());
    assert_eq!(broken.card_numbers(), CardNumbers::Masked);
    let wrong = policy("mask_card_numbers = \"no\"\n");
    assert!(
        wrong.broken_reason().is_some_and(|r| r.contains("line 1")),
        "{wrong:?}"
    );
    assert_eq!(wrong.card_numbers(), CardNumbers::Masked);
}

#[test]
fn a_managed_profile_carries_its_card_layout_and_a_bad_rule_is_named_with_its_line() {
    let p = policy(
        "[[profiles]]\nname = \"Acme UK\"\nstudio_url = \"https://studio.uk.poly.ai/acme-uk/acme-team-4/agent\"\n\n[[profiles.card.fields]]\npath = \"internal_*\"\nhide = true\n\n[[profiles.card.links]]\nlabel = \"CRM\"\nurl = \"https://crm.example.com/{{id}}\"\n",
    );
    assert_eq!(p.broken_reason(), None);
    let settings = p.apply(&Settings::default());
    let managed = settings.profile(Some("Acme UK")).expect("managed");
    assert!(!managed.card.is_empty());
    let bad = policy(
        "[[profiles]]\nname = \"Acme UK\"\nstudio_url = \"https://studio.uk.poly.ai/acme-uk/acme-team-4/agent\"\n\n[[profiles.card.fields]]\npath = \"x\"\nformat = \"colour\"\n",
    );
    let why = bad.broken_reason().expect("broken");
    assert!(
        why.contains("profiles[0].card.fields[0].format")
            && why.contains("line 7")
            && why.contains("not a format"),
        "{why}"
    );
}

#[test]
fn a_managed_profile_carries_its_genesys_connection_and_the_seat_cannot_change_it() {
    let text = "[[profiles]]\nname = \"Acme UK\"\nstudio_url = \"https://studio.uk.poly.ai/acme-uk/acme-team-4/agent\"\n\n[profiles.genesys]\nregion = \"mypurecloud.ie\"\nclient_id = \"client-1\"\nid_attribute = \"polyai_conversation_id\"\n";
    let p = policy(text);
    assert_eq!(p.broken_reason(), None);
    let settings = p.apply(&Settings::default());
    let managed = settings.profile(Some("Acme UK")).expect("managed");
    let genesys = managed.genesys.as_ref().expect("genesys");
    assert_eq!(genesys.api_url.as_str(), "https://api.mypurecloud.ie/");

    let store = crate::store::SettingsStore::in_memory(Settings::default(), p);
    let refused = store
        .change(|s| s.set_genesys("Acme UK", None))
        .expect_err("the organisation's");
    assert_eq!(
        refused.kind(),
        screenpop_api::ErrorKind::Policy,
        "{refused}"
    );

    let bad = policy(&text.replace("mypurecloud.ie", "example.com"));
    let why = bad.broken_reason().expect("broken");
    assert!(
        why.contains("profiles[0].genesys") && why.contains("not a Genesys Cloud region"),
        "{why}"
    );
}
