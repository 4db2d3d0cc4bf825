//! Delivery over NATS: each pop is published on its seat's subject and kept by JetStream for a
//! minute (stream [`STREAM`], the newest pop per seat), so a seat that was reconnecting when it
//! was sent asks for it when it is back. A pop counts as delivered once JetStream has stored it;
//! until then the webhook is not answered 2xx, so the platform sends it again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_nats::jetstream::{self, stream};
use async_nats::{Client, ConnectOptions};

use crate::config::{Config, NatsConfig};
use crate::event::Pop;
use crate::{Error, Result};
use screenpop_api::relay::{pop_subject, KEPT_SECS, POP_PREFIX, STREAM};
use screenpop_api::HandoffState;

/// How long a publish may wait for JetStream's acknowledgement: well inside the platforms'
/// 5 s (Connect) and 15 s (Twilio).
pub const PUBLISH_WITHIN: Duration = Duration::from_secs(3);

/// The inbox prefix the relay's own requests are answered on (apart from every seat's).
pub const RELAY_INBOX: &str = "_INBOX_RELAY";

/// How long the first connection may take.
const CONNECT_WITHIN: Duration = Duration::from_secs(10);

/// The relay's side of NATS.
#[derive(Clone)]
pub struct Delivery {
    client: Client,
    js: jetstream::Context,
    tenant: String,
    profile: Option<String>,
}

/// The stream's configuration: every pop subject, the newest pop per seat, for a minute (a pop
/// is worth nothing after that), on disk so a restarted server still has it, readable by seats
/// with a direct get.
pub fn stream_config() -> stream::Config {
    stream::Config {
        name: STREAM.to_owned(),
        subjects: vec![format!("{POP_PREFIX}.>")],
        max_age: Duration::from_secs(KEPT_SECS),
        max_messages_per_subject: 1,
        storage: stream::StorageType::File,
        allow_direct: true,
        ..stream::Config::default()
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Delivery {
    /// Connects as the relay's user and makes sure the stream exists.
    pub async fn connect(config: &Config) -> Result<Self> {
        let client = connect(&config.nats).await?;
        let js = jetstream::new(client.clone());
        js.get_or_create_stream(stream_config())
            .await
            .map_err(|e| Error::Nats(format!("cannot make the stream {STREAM}: {e}. Is JetStream on (jetstream {{ … }} in the server's configuration)?")))?;
        Ok(Self {
            client,
            js,
            tenant: config.tenant.clone(),
            profile: config.profile.clone(),
        })
    }

    /// Whether the connection is up now.
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Publishes `pop` on its seat's subject and waits for JetStream to have kept it.
    pub async fn publish(&self, pop: &Pop) -> Result<()> {
        self.publish_with(pop, None).await
    }

    /// [`Delivery::publish`], with the masked handoff `state` the relay looked up (keyless mode).
    pub async fn publish_with(&self, pop: &Pop, state: Option<HandoffState>) -> Result<()> {
        let subject =
            pop_subject(&self.tenant, &pop.seat).map_err(|e| Error::Nats(e.to_string()))?;
        let mut message = pop.message(self.profile.as_deref(), now_ms());
        message.state = state;
        let payload = serde_json::to_vec(&message).map_err(|e| Error::Nats(e.to_string()))?;
        let sent = async {
            self.js
                .publish(subject, payload.into())
                .await
                .map_err(|e| Error::Nats(e.to_string()))?
                .await
                .map_err(|e| Error::Nats(e.to_string()))
        };
        match tokio::time::timeout(PUBLISH_WITHIN, sent).await {
            Ok(Ok(_ack)) => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Nats(format!(
                "no acknowledgement within {} s",
                PUBLISH_WITHIN.as_secs()
            ))),
        }
    }

    /// The NATS connection (keyless mode answers seats' lookups on it).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends what is buffered before the relay exits.
    pub async fn flush(&self) {
        let _ = self.client.flush().await;
    }
}

async fn connect(nats: &NatsConfig) -> Result<Client> {
    let servers: Vec<async_nats::ServerAddr> = nats
        .servers
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|e| Error::Config(format!("nats.servers: \"{s}\": {e}")))
        })
        .collect::<Result<_>>()?;
    let options = ConnectOptions::with_user_and_password(
        nats.user.clone(),
        nats.password.expose().to_owned(),
    )
    .name("screenpop-relay")
    .custom_inbox_prefix(RELAY_INBOX)
    .connection_timeout(CONNECT_WITHIN)
    // Full jitter: relays restarted together do not come back in step.
    .reconnect_delay_callback(|attempts| {
        let cap = Duration::from_millis(250 * 2u64.saturating_pow(attempts.min(6) as u32))
            .min(Duration::from_secs(8));
        cap.mul_f64(fastrand::f64())
    });
    tokio::time::timeout(CONNECT_WITHIN, options.connect(servers))
        .await
        .map_err(|_| {
            Error::Nats(format!(
                "no answer from {} within {} s",
                nats.servers.join(", "),
                CONNECT_WITHIN.as_secs()
            ))
        })?
        .map_err(|e| {
            Error::Nats(format!(
                "cannot connect to {} as \"{}\": {e}",
                nats.servers.join(", "),
                nats.user
            ))
        })
}
