//! 8. Genesys Cloud: answer to card (the stand-in sends the agent's "connected" → the card
//!    painted), against the sandbox's own answer time, as the trigger's line is; and reconnect
//!    (a socket dropped → subscribed again), over a run of drops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use screenpop_core::push::genesys::signin::SignIn;
use screenpop_core::push::genesys::source::{GenesysSource, Timing};
use screenpop_core::push::{self, SourceState};
use screenpop_sandbox::genesys::{GenesysConfig as StandInConfig, GenesysStandIn};
use screenpop_settings::genesys::token::Tokens;
use screenpop_settings::genesys::{GenesysConfig, GenesysPlace, IdSources};
use screenpop_settings::keys::Keys;
use screenpop_settings::secret::{KeyStore, Keychain, MemoryKeys};

use crate::cases::{add, configure_desk, demo_data, sandbox_answer, Bench, WAIT};
use crate::desk::{now_ms, App};
use crate::error::{BenchError, Result};
use crate::stats::{fmt, Summary};
use crate::table::Row;

const ATTRIBUTE: &str = "polyai_conversation_id";

fn config(standin: &GenesysStandIn) -> Result<GenesysConfig> {
    let url = standin.base_url();
    GenesysConfig::new(
        GenesysPlace::Urls {
            login: &url,
            api: &url,
        },
        standin.client_id(),
        IdSources {
            id_attribute: Some(ATTRIBUTE.to_owned()),
            ..IdSources::default()
        },
    )
    .map_err(BenchError::step)
}

/// Signs the agent in to `standin`, as `screenpop genesys login` does, and keeps the token in
/// `store` for profile `name`.
fn sign_in(
    b: &Bench,
    standin: &GenesysStandIn,
    store: Arc<dyn KeyStore>,
    name: &str,
) -> Result<()> {
    let config = config(standin)?;
    b.rt.block_on(async {
        let sign_in = SignIn::start(&config)
            .await
            .map_err(|e| BenchError::step(e.to_string()))?;
        let address = sign_in.address().to_string();
        let (token, browsed) = tokio::join!(
            sign_in.finish(Duration::from_secs(10)),
            standin.complete_sign_in(&address)
        );
        browsed.map_err(BenchError::step)?;
        let token = token.map_err(|e| BenchError::step(e.to_string()))?;
        Tokens::new(Arc::new(Keys::new(store)))
            .set(name, &token)
            .await
            .map_err(|e| BenchError::step(e.to_string()))
    })
}

/// The app's answer-to-card time against the sandbox alone.
pub(crate) fn answer_to_card(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    let sandbox = b.sandbox()?;
    let standin =
        b.rt.block_on(GenesysStandIn::start(StandInConfig::default()))
            .map_err(|e| BenchError::step(e.to_string()))?;
    configure_desk(&sandbox.base_url())?;
    let path = screenpop_settings::config::default_path()
        .map_err(|e| BenchError::step(format!("settings path: {e}")))?;
    let mut text = std::fs::read_to_string(&path).map_err(BenchError::io("the settings"))?;
    let genesys = toml_table(&config(&standin)?);
    text.push_str(&format!("\n[profile.genesys]\n{genesys}"));
    std::fs::write(&path, text).map_err(BenchError::io("the settings"))?;
    sign_in(b, &standin, Arc::new(Keychain), "Bench")?;

    let mut app = App::start(&b.binary, &[], &[], &b.out.join("paint-genesys.log"))?;
    let until = Instant::now() + WAIT;
    loop {
        let connected = push::read_published(push::Kind::Genesys)
            .ok()
            .flatten()
            .is_some_and(|s| matches!(s.state, SourceState::Connected { .. }));
        if connected {
            break;
        }
        if Instant::now() > until {
            return Err(BenchError::step(
                "the window did not connect to the Genesys stand-in",
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let own = sandbox_answer(b, &sandbox, b.pops + 5)?;
    let data = demo_data("demo-billing")?;
    let mut samples = Vec::new();
    for i in 0..b.pops + 5 {
        let id = format!("genesys-{i}");
        add(&sandbox, &id, &data);
        let call = standin.place_call(&[(ATTRIBUTE, &id)]);
        let t0 = now_ms();
        standin.set_agent_state(&call, "connected");
        let p = app.painted(&id, WAIT)?;
        if p.card != "filled" {
            return Err(BenchError::step(format!("{id} painted {}", p.card)));
        }
        if i >= 5 {
            samples.push(p.at_ms - t0);
        }
        standin.set_agent_state(&call, "disconnected");
    }
    app.stop();
    let s = Summary::of(&samples).ok_or_else(|| BenchError::step("no samples"))?;
    let over = s.p95 - own.p95;
    rows.push(Row {
        measure: "Answer to card, Genesys Cloud stand-in, API +0 ms: p50 / p95".to_owned(),
        screenpop: format!("{} / {} ms (max {})", fmt(s.p50), fmt(s.p95), fmt(s.max)),
        baseline: format!("sandbox alone {} / {} ms", fmt(own.p50), fmt(own.p95)),
        result: format!("p95 +{} ms", fmt(over)),
        target: "p95 within 17 ms (one frame at 60 Hz) of the sandbox".to_owned(),
        met: Some(over <= 17.0),
    });
    Ok(())
}

/// `[profile.genesys]`'s lines for the stand-in.
fn toml_table(config: &GenesysConfig) -> String {
    format!(
        "login_url = \"{}\"\napi_url = \"{}\"\nclient_id = \"{}\"\nid_attribute = \"{ATTRIBUTE}\"\n",
        config.login_url, config.api_url, config.client_id
    )
}

/// How long the source takes from a dropped socket to being subscribed again.
pub(crate) fn reconnect(b: &Bench, rows: &mut Vec<Row>) -> Result<()> {
    let drops = if b.pops < 20 { 3 } else { 20 };
    let standin =
        b.rt.block_on(GenesysStandIn::start(StandInConfig::default()))
            .map_err(|e| BenchError::step(e.to_string()))?;
    let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeys::default());
    sign_in(b, &standin, keys.clone(), "Bench")?;
    let source = GenesysSource::new(
        "Bench",
        config(&standin)?,
        Tokens::new(Arc::new(Keys::new(keys))),
        Timing::default(),
    );
    let status = source.status();
    let task = b.rt.spawn(source.run(Duration::ZERO, Arc::new(|_| {})));
    let subscribed = "PUT /api/v2/notifications/channels/{id}/subscriptions";
    let connected = || matches!(status.borrow().state, SourceState::Connected { .. });
    let wait = |done: &dyn Fn() -> bool| -> Result<()> {
        let until = Instant::now() + WAIT;
        while !done() {
            if Instant::now() > until {
                return Err(BenchError::step("the source did not reconnect"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    };
    wait(&connected)?;
    let mut samples = Vec::new();
    for _ in 0..drops {
        let before = standin.arrivals(subscribed).len();
        let t0 = Instant::now();
        standin.drop_sockets();
        wait(&|| standin.arrivals(subscribed).len() > before && connected())?;
        let at = standin.arrivals(subscribed)[before];
        samples.push(at.duration_since(t0).as_secs_f64() * 1000.0);
    }
    task.abort();
    let s = Summary::of(&samples).ok_or_else(|| BenchError::step("no samples"))?;
    rows.push(Row {
        measure: "Reconnect, Genesys Cloud stand-in: socket dropped → subscribed again".to_owned(),
        screenpop: s.spread("ms"),
        baseline: "—".to_owned(),
        result: format!("median {} ms, max {} ms", fmt(s.p50), fmt(s.max)),
        target: "the first back-off (2–3 s, jittered), then at once".to_owned(),
        met: Some(s.max <= 3_500.0),
    });
    Ok(())
}
