//! The fleet policy in the window, and a change applied while it runs.

use serde_json::json;

use crate::window::*;

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_fleet_policy_governs_the_window_and_a_change_applies_while_it_runs() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    // The agent's own file has a profile of the managed profile's name: it must not shadow it.
    let (home, mut env) = configured_home(&api, "Fleet");
    let policy = home.path().join("policy.toml");
    let managed = format!(
        "allow_user_profiles = false\n\n[[profiles]]\nname = \"Fleet\"\nbase_url = \"{}\"\naccount = \"managed\"\nproject = \"desk\"\n\n[locked]\nhotkey = \"Ctrl+Alt+P\"\n",
        api.sandbox.base_url()
    );
    std::fs::write(&policy, &managed).unwrap();
    env.push(("SCREENPOP_POLICY_FILE", policy.display().to_string()));
    let d = app(&[], &env);
    look_up(&d, "demo-billing");
    title_is(&d, "Priya Raman");

    d.click(&d.wait("#open-settings", 5));
    let list = d.text(&d.wait("#profile-list", 5));
    assert!(
        list.contains("Managed by your organisation") && list.contains("managed / desk"),
        "{list}"
    );
    let state = d.exec(
        "const $ = (id) => document.getElementById(id); return [$('p-name').disabled, $('p-delete').hidden, $('p-managed').hidden, $('p-new').hidden, $('hotkey-change').disabled, document.querySelector('[data-lock-for=hotkey]').hidden, $('pop-action').disabled]",
        json!([]),
    );
    assert_eq!(state, json!([true, true, false, true, true, false, false]));
    d.exec(
        "document.getElementById('prefs-title').scrollIntoView(); return 1",
        json!([]),
    );
    screenshot(&d, "policy.png");

    // Diagnostics: the checks `screenpop doctor` runs, as text for the helpdesk, without the key.
    d.click(&d.wait("#diag-run", 5));
    d.wait_until(
        "the health check",
        "return !document.getElementById('diag-text').hidden",
        15,
    );
    let report = d.text(&d.wait("#diag-text", 5));
    assert!(
        report.contains("profile \"Fleet\" (active, managed)")
            && report.contains("ok   key accepted")
            && report.contains("A pop would work."),
        "{report}"
    );
    assert!(!report.contains(api.sandbox.key()), "{report}");
    d.exec(
        "document.getElementById('diag-section').scrollIntoView(); return 1",
        json!([]),
    );
    screenshot(&d, "diagnostics.png");

    // A page that calls the commands itself is refused by Rust all the same.
    let refused = d.exec_async(
        "const done = arguments[arguments.length - 1];
         const invoke = window.__TAURI__.core.invoke;
         Promise.allSettled([
           invoke('set_hotkey', { hotkey: 'Ctrl+Alt+K' }),
           invoke('delete_profile', { name: 'Fleet' }),
           invoke('save_setup', { form: { name: 'Mine', region: 'uk-1', account: 'a', project: 'b' } }),
         ]).then((r) => done(r.map((x) => x.status + ' ' + (x.reason ? x.reason.kind + ' ' + x.reason.message : ''))));",
        json!([]),
    );
    for r in refused.as_array().unwrap() {
        let r = r.as_str().unwrap();
        assert!(
            r.starts_with("rejected set_by_policy Set by your organisation"),
            "{r}"
        );
    }

    // The admin locks one more setting: within 10 s Settings show it, and the card stays.
    std::fs::write(&policy, format!("{managed}pop_action = \"raise\"\n")).unwrap();
    d.wait_until(
        "the new lock",
        "return document.body.dataset.locked.split(' ').includes('pop_action') && document.getElementById('pop-action').disabled",
        10,
    );
    assert_eq!(
        d.exec(
            "return document.getElementById('pop-action').value",
            json!([])
        ),
        json!("raise")
    );
    d.click(&d.wait("#p-cancel", 5));
    title_is(&d, "Priya Raman");

    // A broken policy: everything it could lock is locked, and the window says where and why.
    std::fs::write(&policy, "[locked\n").unwrap();
    d.wait_until(
        "the broken policy",
        "return document.body.dataset.locked.split(' ').length === 10",
        10,
    );
    // The agent's own profile of that name is back: the broken policy provides none.
    d.wait_until(
        "the agent's own profiles",
        "return document.getElementById('profile-list').textContent.includes('acct / proj')",
        5,
    );
    d.click(&d.wait("#open-settings", 5));
    let status = d.text(&d.wait("#policy-status", 5));
    assert!(
        status.contains("policy.toml, line 1") && status.contains("cannot be used"),
        "{status}"
    );
    screenshot(&d, "policy-broken.png");
    d.click(&d.wait("#p-cancel", 5));
    look_up(&d, "demo-billing");
    title_is(&d, "Priya Raman");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_newer_version_the_fleets_manifest_offers_is_said_in_settings_and_nothing_is_installed() {
    use screenpop_core::update::{keygen, sign, Manifest, PRODUCT};

    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let api = api();
    let fleet = crate::fleet_server::FleetServer::start();
    let (secret, public) = keygen().unwrap();
    let offered = "99.0.0";
    let url = format!("https://it.acme.example/screenpop-{offered}-x64.msi");
    fleet.serve(
        sign(
            &secret,
            &Manifest {
                product: PRODUCT.to_owned(),
                version: offered.to_owned(),
                url: url.clone(),
                notes: None,
            },
        )
        .unwrap(),
    );
    let (home, mut env) = configured_home(&api, "Fleet");
    let policy = home.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[updates]\nmode = \"notify\"\nmanifest_url = \"{}\"\npublic_key = \"{public}\"\n",
            fleet.url()
        ),
    )
    .unwrap();
    env.push(("SCREENPOP_POLICY_FILE", policy.display().to_string()));
    env.push(("SSL_CERT_FILE", fleet.ca.path().display().to_string()));
    let d = app(&[], &env);
    d.click(&d.wait("#open-settings", 5));
    d.wait_until(
        "the new version in Settings",
        "return !document.getElementById('update-section').hidden",
        20,
    );
    let said = d.text(&d.wait("#update-status", 5));
    assert_eq!(
        said,
        format!("Version {offered} of screenpop is available. Ask your IT team to install it.")
    );
    let r#where = d.text(&d.wait("#update-where", 5));
    assert_eq!(r#where, format!("Where IT publishes it: {url}"));
    // Text, not a link: IT installs it.
    let links = d.exec(
        "return document.querySelectorAll('#update-section a').length",
        json!([]),
    );
    assert_eq!(links, json!(0));
    d.exec(
        "document.getElementById('update-section').scrollIntoView(); return 1",
        json!([]),
    );
    screenshot(&d, "update.png");
    assert_eq!(fleet.hits(), 1, "one check at start, nothing downloaded");
}
