//! Card layouts through the real `screenpop` binary: `card preview` on the README's own example
//! (so the README cannot drift from what the program prints), layouts in the policy and in the
//! agent's settings file, rules that cannot be read, the mask switch, and `lookup --json`
//! against the sandbox with a sensitive field.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/readme.rs"]
mod readme;
#[path = "support/sandbox.rs"]
mod sandbox;
#[path = "support/cli.rs"]
mod support;

use std::path::{Path, PathBuf};

use support::{assert_one_line_error, words, LocalApi, Ran, User};

use readme::example as readme_example;

/// `line` split at spaces, except inside double quotes (which are dropped), as a shell would.
fn quoted_words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
            None => rest.split_once(' ').unwrap_or((rest, "")),
        };
        out.push(word);
        rest = after.trim_start();
    }
    out
}

/// A user whose seat has `policy` as its fleet policy, and the README's example data in a file.
fn seat(policy: &str) -> (User, PathBuf, PathBuf) {
    let user = User::new();
    let path = user.home.path().join("policy.toml");
    std::fs::write(&path, policy).unwrap();
    let data = user.home.path().join("call.json");
    std::fs::write(&data, readme_example("data")).unwrap();
    (user, path, data)
}

/// `screenpop card preview` of the README's data for "Acme UK", under `policy`.
fn preview_under(policy: &str) -> Ran {
    let (user, policy, data) = seat(policy);
    let data = data.to_str().unwrap();
    run(
        &user,
        &policy,
        &["card", "preview", "--profile", "Acme UK", "--data", data],
    )
}

fn run(user: &User, policy: &Path, args: &[&str]) -> Ran {
    let mut c = user.command(args);
    c.env("SCREENPOP_POLICY_FILE", policy);
    support::run_with_stdin(c, "")
}

#[test]
fn card_preview_prints_the_readme_example_exactly() {
    let (user, policy, data) = seat(&readme_example("layout"));
    let expected = readme_example("preview");
    let (command, printed) = expected.split_once('\n').unwrap();
    let data_arg = data.to_str().unwrap();
    let args: Vec<&str> = quoted_words(command.trim_start_matches("$ screenpop "))
        .into_iter()
        .map(|a| if a == "call.json" { data_arg } else { a })
        .collect();
    let r = run(&user, &policy, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout, printed,
        "the README's preview is what the program prints"
    );
    // Card numbers, secrets, hidden and sensitive values: nowhere.
    for absent in ["4111 1111 1111 1111", "123\n", "1985", "sentiment", "-0.4"] {
        assert!(!r.stdout.contains(absent), "{absent}: {}", r.stdout);
    }

    let r = run(&user, &policy, &[&args[..], &["--json"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let card: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(card["title"], "Priya Raman");
    assert_eq!(card["reason"], "Billing dispute");
    let highlights: Vec<&str> = card["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(highlights, ["Account", "ID checked"]);
    assert_eq!(card["fields"][0]["label"], "Balance");
    assert_eq!(
        card["fields"][0]["value"]["value"],
        serde_json::json!({"kind": "money", "amount": "42.1", "currency": "GBP"})
    );
    assert_eq!(card["links"][0]["host"], "acme.my.salesforce.com");
    assert_eq!(
        card["links"][1]["url"],
        "https://orders.acme.example/search?q=ORD%2099120&call=layout-example"
    );
    assert_eq!(card["auto_open"], card["links"][0]["url"]);
    assert!(!r.stdout.contains("1985-03-14"), "{}", r.stdout);
    assert!(r.stdout.contains(r#""kind": "sensitive""#), "{}", r.stdout);
}

#[test]
fn a_rule_that_cannot_be_read_is_named_with_its_place() {
    // In the policy: it fails closed and says where.
    let bad = readme_example("layout").replace("money:GBP", "money:pounds");
    let r = preview_under(&bad);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("profiles[0].card.fields[2].format")
            && r.stderr.contains("line 23")
            && r.stderr.contains("`money:pounds` is not a format"),
        "{}",
        r.stderr
    );

    // In the agent's own settings file: refused with the file and the rule.
    let user = User::new();
    let file = user.config_dir().join("screenpop/settings.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "[[profile]]\nname = \"Mine\"\nregion = \"uk-1\"\naccount = \"a\"\nproject = \"b\"\n\n[[profile.card.links]]\nlabel = \"CRM\"\nurl = \"http://crm.example.com/{{id}}\"\n",
    )
    .unwrap();
    let r = user.run(&["profile", "list"]);
    assert_eq!(r.code, 2);
    assert_one_line_error(&r);
    assert!(
        r.stderr.contains("settings.toml")
            && r.stderr.contains("profile \"Mine\", card.links[0].url")
            && r.stderr.contains("only https links"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_agents_own_layout_survives_their_edits_links_need_every_value_and_bad_data_is_refused() {
    let user = User::new();
    let file = user.config_dir().join("screenpop/settings.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "[[profile]]\nname = \"Mine\"\nregion = \"uk-1\"\naccount = \"a\"\nproject = \"b\"\n\n[profile.card]\ntitle = [\"who\"]\n\n[[profile.card.links]]\nlabel = \"Ticket\"\nurl = \"https://desk.example.com/t/{{data.ticket}}\"\n\n[[profile.card.links]]\nlabel = \"Search\"\nurl = \"https://desk.example.com/s?q={{data.who}}\"\n",
    )
    .unwrap();
    user.ok(&words(
        "profile add Other --region us-1 --account c --project d",
    ));
    user.ok(&words("profile use Other"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("[profile.card]") && text.contains("title = [\"who\"]"),
        "{text}"
    );

    let data = user.home.path().join("who.json");
    std::fs::write(&data, r#"{"who": "Sam", "name": "Not the title"}"#).unwrap();
    let out = user.ok(&[
        "card",
        "preview",
        "--profile",
        "Mine",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(out.starts_with("Caller: Sam\n"), "{out}");
    // A link whose placeholder has no value is not shown; the other is, its value encoded.
    assert!(!out.contains("Ticket"), "{out}");
    assert!(
        out.contains("Search: https://desk.example.com/s?q=Sam\n"),
        "{out}"
    );
    std::fs::write(&data, "[1, 2]").unwrap();
    let r = user.run(&[
        "card",
        "preview",
        "--profile",
        "Mine",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert_one_line_error(&r);
    assert!(r.stderr.contains("not an array"), "{}", r.stderr);
}

#[test]
fn with_masking_turned_off_card_numbers_show_and_secrets_still_do_not() {
    let policy = format!("mask_card_numbers = false\n\n{}", readme_example("layout"));
    let r = preview_under(&policy);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Paid with: 4111 1111 1111 1111"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Cvv: ••••"), "{}", r.stdout);
}

#[test]
#[ignore = "needs a Secret Service: run `bash .ci/test`"]
fn lookup_json_shows_a_sensitive_field_masked() {
    let fixtures = tempfile::tempdir().unwrap();
    std::fs::write(fixtures.path().join("call.json"), readme_example("data")).unwrap();
    let api = LocalApi::with_fixtures(fixtures.path());
    let user = User::with_keychain();
    let name = format!("layout-{}", std::process::id());
    let file = user.config_dir().join("screenpop/settings.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!(
            "[[profile]]\nname = \"{name}\"\nbase_url = \"{}\"\naccount = \"acct\"\nproject = \"proj\"\n\n[[profile.card.fields]]\npath = \"customer.date_of_birth\"\nsensitive = true\n",
            api.sandbox.base_url()
        ),
    )
    .unwrap();
    let r = user.run_with_stdin(&["key", "set"], api.sandbox.key());
    assert_eq!(r.code, 0, "{}", r.stderr);
    for args in [
        &["lookup", "--id", "layout-example"][..],
        &["lookup", "--id", "layout-example", "--json"],
    ] {
        let r = user.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("1985"), "{args:?}: {}", r.stdout);
    }
    let r = user.run(&["lookup", "--id", "layout-example", "--json"]);
    assert!(
        r.stdout.contains(r#""date_of_birth": "••••""#),
        "{}",
        r.stdout
    );
    let _ = user.run(&["key", "delete"]);
}
