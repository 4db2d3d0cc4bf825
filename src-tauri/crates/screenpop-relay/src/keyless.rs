//! Keyless mode: the relay holds the PolyAI key, so no seat does. For a pushed pop it looks the
//! handoff state up itself and sends it with the pop; a keyless seat's own lookups (a pasted id)
//! come to it as NATS requests on `screenpop.lookup.<tenant>.<seat>`, limited per seat and
//! written to an audit log (seat, ids, time, outcome: never caller data). Every state leaves the
//! relay through the core's client, so card numbers and secrets are cut before anything is sent.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_nats::Client;
use futures_util::StreamExt;
use serde_json::json;

use screenpop_api::relay::{token, LookupAnswer, LookupRequest, LOOKUP_PREFIX};
use screenpop_api::retry::Timeouts;
use screenpop_api::{ApiKey, HandoffClient, HandoffState, Lookup};

use crate::config::PolyaiConfig;
use crate::deliver::now_ms;
use crate::event::Pop;
use crate::{log, Error, Result};

/// How long a pushed pop's lookup may take: the platform waits for the answer.
const PUSHED_WITHIN: Duration = Duration::from_secs(3);

/// The relay's side of keyless mode.
pub struct Keyless {
    client: HandoffClient,
    key: ApiKey,
    per_minute: u32,
    /// Each seat's lookups in the current minute.
    spent: Mutex<HashMap<String, (Instant, u32)>>,
    audit: Mutex<std::fs::File>,
}

impl Keyless {
    /// Keyless mode as `config` says: the project's client and key, and the audit log opened
    /// for appending.
    pub fn new(config: &PolyaiConfig) -> Result<Self> {
        let client = HandoffClient::new(&config.project, Timeouts::default())
            .map_err(|e| Error::Config(format!("polyai: {e}")))?;
        let key = ApiKey::new(config.api_key.expose())
            .map_err(|e| Error::Config(format!("polyai.api_key: {e}")))?;
        let audit = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config.audit_log)
            .map_err(|e| {
                Error::Config(format!(
                    "polyai.audit_log: cannot open {}: {e}.",
                    config.audit_log.display()
                ))
            })?;
        Ok(Self {
            client,
            key,
            per_minute: config.lookups_per_minute,
            spent: Mutex::new(HashMap::new()),
            audit: Mutex::new(audit),
        })
    }

    /// The masked state of a pushed pop, if the API answers in time.
    pub async fn state_of(&self, pop: &Pop) -> Option<HandoffState> {
        let lookup = Lookup::new(pop.id.as_deref(), pop.shared_id.as_deref()).ok()?;
        let found =
            tokio::time::timeout(PUSHED_WITHIN, self.client.lookup(&self.key, &lookup)).await;
        let outcome = match &found {
            Ok(Ok(_)) => "found".to_owned(),
            Ok(Err(e)) => e.kind().code().to_owned(),
            Err(_) => "timeout".to_owned(),
        };
        self.audit(&pop.seat, &lookup, "pushed", &outcome);
        found.ok()?.ok()
    }

    /// Answers keyless seats' lookups on `client` until it closes.
    pub async fn answer_lookups(&self, client: &Client, tenant: &str) -> Result<()> {
        let tenant = token(tenant).map_err(|e| Error::Config(format!("tenant: {e}")))?;
        let mut requests = client
            .subscribe(format!("{LOOKUP_PREFIX}.{tenant}.*"))
            .await
            .map_err(|e| Error::Nats(format!("cannot take lookups: {e}")))?;
        while let Some(request) = requests.next().await {
            let Some(reply) = request.reply.clone() else {
                continue;
            };
            let seat = request
                .subject
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_owned();
            let answer = self.answer(&seat, &request.payload).await;
            let payload = serde_json::to_vec(&answer).unwrap_or_default();
            if let Err(e) = client.publish(reply, payload.into()).await {
                log::line(
                    "warn",
                    "lookup answer not sent",
                    json!({"seat": seat, "why": e.to_string()}),
                );
            }
        }
        Ok(())
    }

    /// One seat's lookup: refused past the seat's rate, else asked of the API.
    pub async fn answer(&self, seat: &str, payload: &[u8]) -> LookupAnswer {
        let refused = |kind: &str, message: String| LookupAnswer::Refused {
            kind: kind.to_owned(),
            message,
        };
        let request = match serde_json::from_slice::<LookupRequest>(payload) {
            Ok(r) => r,
            Err(e) => return refused("bad_input", format!("Not a lookup: {e}")),
        };
        if request.check {
            return self.check(seat, &request).await;
        }
        let lookup = match Lookup::new(request.id.as_deref(), request.shared_id.as_deref()) {
            Ok(l) => l,
            Err(e) => return refused("bad_input", format!("Not a lookup: {e}")),
        };
        if !self.within_rate(seat) {
            self.audit(seat, &lookup, "asked", "rate_limited");
            return refused(
                "rate_limited",
                format!(
                    "This seat asked for more than {} lookups in a minute; try again shortly.",
                    self.per_minute
                ),
            );
        }
        // A seat's window waits for a state not saved yet, as it would asking the API itself.
        let found = if request.wait {
            self.client.lookup(&self.key, &lookup).await
        } else {
            self.client.lookup_once(&self.key, &lookup).await
        };
        match found {
            Ok(state) => {
                self.audit(seat, &lookup, "asked", "found");
                LookupAnswer::State(state)
            }
            Err(e) => {
                self.audit(seat, &lookup, "asked", e.kind().code());
                refused(e.kind().code(), e.to_string())
            }
        }
    }

    /// A seat's check (`screenpop doctor`, Settings' Test): the relay's own key against its
    /// project. Counted in the seat's rate like a lookup, so checks cannot probe without limit.
    async fn check(&self, seat: &str, request: &LookupRequest) -> LookupAnswer {
        let refused = |kind: &str, message: String| LookupAnswer::Refused {
            kind: kind.to_owned(),
            message,
        };
        let outcome = if request.id.is_some() || request.shared_id.is_some() {
            Err(refused(
                "bad_input",
                "Not a lookup: a check names no id.".to_owned(),
            ))
        } else if !self.within_rate(seat) {
            Err(refused(
                "rate_limited",
                format!(
                    "This seat asked for more than {} lookups in a minute; try again shortly.",
                    self.per_minute
                ),
            ))
        } else {
            match self.client.check_connection(&self.key).await {
                Ok(()) => Ok(LookupAnswer::Ready),
                Err(e) => Err(refused(
                    e.kind().code(),
                    format!("The relay's PolyAI key does not work: {e}"),
                )),
            }
        };
        let code = match &outcome {
            Ok(_) => "ready".to_owned(),
            Err(LookupAnswer::Refused { kind, .. }) => kind.clone(),
            Err(_) => String::new(),
        };
        self.audit_line(seat, None, None, "check", &code);
        outcome.unwrap_or_else(|refusal| refusal)
    }

    fn within_rate(&self, seat: &str) -> bool {
        let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let entry = spent.entry(seat.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }

    /// One audit line: who asked for what, when, and what came of it; never what was found.
    fn audit(&self, seat: &str, lookup: &Lookup, how: &str, outcome: &str) {
        self.audit_line(seat, lookup.id(), lookup.shared_id(), how, outcome);
    }

    fn audit_line(
        &self,
        seat: &str,
        id: Option<&str>,
        shared_id: Option<&str>,
        how: &str,
        outcome: &str,
    ) {
        let line = json!({"ts_ms": now_ms(), "seat": seat, "how": how, "id": id,
            "shared_id": shared_id, "outcome": outcome});
        let mut file = self.audit.lock().unwrap_or_else(|p| p.into_inner());
        if writeln!(file, "{line}").is_err() {
            log::line(
                "error",
                "audit log not written",
                json!({"seat": seat, "outcome": outcome}),
            );
        }
    }
}
