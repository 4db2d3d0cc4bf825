//! Genesys Cloud in the real window, against the stand-in over loopback: calls answered there pop
//! once; what must not pop does not; the connection lives through what networks and Genesys do
//! to it; a sign-in that ends is said, and every other way in keeps working.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use screenpop_core::push::genesys::signin::SignIn;
use screenpop_settings::genesys::token::{AccessToken, Tokens};
use screenpop_settings::genesys::{GenesysConfig, GenesysPlace, IdSources};
use screenpop_settings::keys::Keys;
use screenpop_settings::secret::Keychain;

use crate::sandbox::LocalGenesys;
use crate::wait::{check, eventually};
use crate::webdriver::Driver;
use crate::window::*;

const ID: &str = "polyai_conversation_id";

/// A seat whose profile "Genesys" is set up for the stand-in, its agent signed in (through the
/// real sign-in, the stand-in playing the browser), and a second profile "Plain" that is not;
/// the window is open and connected.
struct Seat {
    // The window first: it goes before what it talks to.
    d: Driver,
    env: Vec<(&'static str, String)>,
    opened_log: std::path::PathBuf,
    token: AccessToken,
    genesys: LocalGenesys,
    _api: Api,
    _home: tempfile::TempDir,
}

impl Seat {
    fn open() -> Self {
        let api = api();
        let genesys = LocalGenesys::start();
        let url = genesys.standin.base_url();
        let (home, env) = configured_home(&api, "Genesys");
        let settings = home.path().join("config/screenpop/settings.toml");
        let mut text = std::fs::read_to_string(&settings).unwrap();
        text.push_str(&format!(
            "\n[profile.genesys]\nlogin_url = \"{url}\"\napi_url = \"{url}\"\nclient_id = \"{}\"\nid_attribute = \"{ID}\"\n\n[[profile]]\nname = \"Plain\"\nbase_url = \"{}\"\naccount = \"acct\"\nproject = \"proj\"\n",
            genesys.standin.client_id(),
            api.sandbox.base_url(),
        ));
        std::fs::write(&settings, format!("active_profile = \"Genesys\"\n{text}")).unwrap();

        let config = GenesysConfig::new(
            GenesysPlace::Urls {
                login: &url,
                api: &url,
            },
            genesys.standin.client_id(),
            IdSources {
                id_attribute: Some(ID.into()),
                ..IdSources::default()
            },
        )
        .unwrap();
        let token = genesys.block_on(async {
            let sign_in = SignIn::start(&config).await.unwrap();
            let address = sign_in.address().to_string();
            let (token, browsed) = tokio::join!(
                sign_in.finish(Duration::from_secs(10)),
                genesys.standin.complete_sign_in(&address)
            );
            assert_eq!(browsed, Ok(200));
            let token = token.unwrap();
            Tokens::new(Arc::new(Keys::new(Arc::new(Keychain))))
                .set("Genesys", &token)
                .await
                .unwrap();
            token
        });

        let (path, opened_log) = browser(home.path());
        let mut env = env;
        env.push(("PATH", path));
        let d = app(&[], &env);
        let seat = Self {
            d,
            env,
            opened_log,
            token,
            genesys,
            _api: api,
            _home: home,
        };
        seat.window_is("connected");
        seat
    }

    /// What `screenpop genesys status --json` says.
    fn status(&self) -> Value {
        let out = second_process(
            &self.env,
            &["genesys", "status", "--profile", "Genesys", "--json"],
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Waits until the window's source says `state` (`null`: no source runs).
    fn window_is(&self, state: &str) {
        eventually(Duration::from_secs(20), || {
            let s = self.status();
            let now = s["window"]["state"].as_str().unwrap_or("null");
            check(now == state, || format!("waiting for {state}: {s}"))
        });
    }

    /// Places a call carrying `attributes` and answers it; answers its id.
    fn answered(&self, attributes: &[(&str, &str)]) -> String {
        let call = self.genesys.standin.place_call(attributes);
        self.genesys.standin.set_agent_state(&call, "connected");
        call
    }

    /// Waits until Settings says something starting with `text`.
    fn settings_say(&self, text: &str) {
        self.d.wait_until(
            text,
            &format!("return document.getElementById('g-status').textContent.startsWith({text:?})"),
            60,
        );
    }

    fn choose_profile(&self, name: &str) {
        self.d.exec(
            "const s = document.getElementById('profile'); s.value = arguments[0]; \
             s.dispatchEvent(new Event('change')); return 1",
            json!([name]),
        );
    }
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn a_call_answered_in_genesys_cloud_pops_its_card_once() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let seat = Seat::open();
    let (d, standin) = (&seat.d, &seat.genesys.standin);

    // Alerting pops nothing; the answer pops once, however many snapshots follow.
    let before = card_seq(d);
    let _ringing = standin.place_call(&[(ID, "demo-orders")]);
    let call = seat.answered(&[(ID, "demo-billing")]);
    for _ in 0..10 {
        standin.resend(&call);
    }
    next_pop_is(d, before, "Priya Raman");
    // A consult, and a caller who never met the voice agent, pop nothing; the next call does.
    let consult = standin.place_call(&[(ID, "demo-orders")]);
    standin.make_consult(&consult);
    standin.set_agent_state(&consult, "connected");
    seat.answered(&[("queue_name", "Billing")]);
    seat.answered(&[(ID, "demo-nested")]);
    next_pop_is(d, before + 1, "Tomasz Wiśniewski");
    let s = seat.status();
    assert_eq!(s["window"]["counts"]["pops"], 2, "{s}");
    assert_eq!(s["window"]["counts"]["without_ids"], 1, "{s}");
    assert_eq!(s["window"]["signed_in_as"], "Sam Agent", "{s}");

    // The token never reaches the page.
    let secret = seat.token.token.expose_secret().to_owned();
    let page = d.exec("return document.documentElement.outerHTML", json!([]));
    assert!(!page.as_str().unwrap().contains(&secret));
    assert!(!s.to_string().contains(&secret));

    // Settings say how it stands; signing out and in again happen there too.
    d.click(&d.wait("#open-settings", 5));
    seat.settings_say("Connected as Sam Agent");
    d.exec(
        "document.getElementById('genesys-section').scrollIntoView(); return 1",
        json!([]),
    );
    screenshot(d, "genesys.png");
    d.click(&d.wait("#g-sign-out", 5));
    seat.settings_say("Not signed in");
    d.click(&d.wait("#g-sign-in", 5));
    let address = eventually(Duration::from_secs(10), || {
        opened(&seat.opened_log)
            .into_iter()
            .find(|u| u.contains("/oauth/authorize?"))
            .ok_or("the browser was not asked to open the sign-in")
    });
    assert_eq!(
        seat.genesys.block_on(standin.complete_sign_in(&address)),
        Ok(200)
    );
    seat.settings_say("Connected as Sam Agent");

    // Another profile, not set up for Genesys: the connection stops there (and Settings no
    // longer show it); back on this one it connects again, without a restart.
    let before = card_seq(d);
    seat.choose_profile("Plain");
    seat.window_is("null");
    d.wait_until(
        "the Genesys section hidden",
        "return document.getElementById('genesys-section').hidden",
        10,
    );
    let unheard = seat.answered(&[(ID, "demo-orders")]);
    standin.set_agent_state(&unheard, "disconnected");
    seat.choose_profile("Genesys");
    seat.window_is("connected");
    seat.settings_say("Connected as Sam Agent");
    seat.answered(&[(ID, "demo-unicode")]);
    next_pop_is(d, before, "Zoë Ångström-Nakamura");
}

#[test]
#[ignore = "needs Xvfb, WebKitWebDriver and a Secret Service: run `bash .ci/test`"]
fn the_genesys_connection_lives_through_drops_and_says_when_to_sign_in_again() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let seat = Seat::open();
    let (d, standin) = (&seat.d, &seat.genesys.standin);
    let before = card_seq(d);

    // Genesys warns that the socket closes: a call answered meanwhile still pops, on the
    // socket opened again before the old one went.
    let opened = standin.sockets_opened();
    standin.close_sockets_soon(Duration::from_millis(500));
    seat.answered(&[(ID, "demo-billing")]);
    next_pop_is(d, before, "Priya Raman");
    eventually(Duration::from_secs(10), || {
        check(standin.sockets_opened() > opened, || {
            "not reopened".to_owned()
        })
    });

    // The network drops while the agent answers: after the back-off, the catch-up pops it once.
    let call = standin.place_call(&[(ID, "demo-nested")]);
    standin.drop_sockets();
    standin.set_agent_state_quietly(&call, "connected");
    next_pop_is(d, before + 1, "Tomasz Wiśniewski");
    seat.window_is("connected");

    // The channel is gone (404): a new one, subscribed again, and calls pop on it.
    let channel = seat.status()["window"]["channel"].clone();
    standin.delete_channels();
    seat.window_is("connected");
    eventually(Duration::from_secs(20), || {
        let s = seat.status();
        check(
            s["window"]["channel"] != channel && s["window"]["state"] == "connected",
            || format!("{s}"),
        )
    });
    seat.answered(&[(ID, "demo-orders")]);
    next_pop_is(d, before + 2, "Marcus Oyelaran-Smith");

    // The socket goes silent (no heartbeat, no pong): taken for dead after 40 s, and reopened.
    let opened = standin.sockets_opened();
    standin.set_heartbeats(false);
    eventually(Duration::from_secs(60), || {
        check(standin.sockets_opened() > opened, || {
            "a silent socket was kept".to_owned()
        })
    });
    standin.set_heartbeats(true);
    seat.window_is("connected");
    seat.answered(&[(ID, "demo-unicode")]);
    next_pop_is(d, before + 3, "Zoë Ångström-Nakamura");

    // The sign-in ends (401): Settings, the tray's status and the command line say so, and a
    // deep link still pops.
    standin.expire_tokens();
    standin.drop_sockets();
    seat.window_is("sign_in_again");
    d.click(&d.wait("#open-settings", 5));
    seat.settings_say("Sign in to Genesys Cloud again");
    assert!(d
        .exec(
            "return !document.getElementById('g-sign-in').hidden",
            json!([])
        )
        .as_bool()
        .unwrap());
    second_process(&seat.env, &["screenpop://lookup?id=demo-billing"]);
    next_pop_is(d, before + 4, "Priya Raman");
}
