//! The relay as a contact centre runs it, from the test process: a real `nats-server` with the
//! permissions `screenpop-relay seats` writes and JetStream, and the relay serving Twilio
//! TaskRouter's webhook on loopback, on a runtime of its own; and Twilio, played by signing and
//! posting its form.
#![allow(dead_code)]

use std::time::Duration;

use screenpop_relay::config::Config;
use screenpop_relay::twilio;

use crate::nats_seats::TenantNats;

/// The contact centre's name in the tests.
pub(crate) const TENANT: &str = "acme";
const TWILIO_TOKEN: &str = "twilio-auth-token-e2e";
const PUBLIC: &str = "https://relay.acme.example";

/// A relay beside its NATS server (or a cluster of them), serving while this lives.
pub(crate) struct LocalRelay {
    /// The tenant's NATS: the node the relay publishes to, the others, the seats' passwords.
    pub(crate) tenant: TenantNats,
    /// The relay's HTTP address.
    pub(crate) http: String,
    runtime: tokio::runtime::Runtime,
}

impl LocalRelay {
    /// NATS and the relay, with `seat_names` as the tenant's seats.
    pub(crate) fn start(seat_names: &[&str]) -> Self {
        Self::on_nodes(1, seat_names)
    }

    /// `nodes` NATS servers clustered on loopback, the relay publishing to the first.
    pub(crate) fn on_nodes(nodes: usize, seat_names: &[&str]) -> Self {
        Self::build(nodes, seat_names, None)
    }

    /// NATS and a relay holding the PolyAI key of the Handoff API at `base_url` (keyless mode),
    /// its audit log in the relay's own folder.
    pub(crate) fn keyless(seat_names: &[&str], base_url: &str, key: &str) -> Self {
        Self::build(1, seat_names, Some((base_url, key)))
    }

    fn build(nodes: usize, seat_names: &[&str], polyai: Option<(&str, &str)>) -> Self {
        let tenant = TenantNats::on_nodes(nodes, TENANT, seat_names);
        tenant.write("twilio", TWILIO_TOKEN);
        let mut tables =
            "[twilio]\nauth_token_file = \"twilio\"\nid_field = \"polyai_conversation_id\"\n"
                .to_owned();
        if let Some((base_url, key)) = polyai {
            tables.push_str(&tenant.polyai(base_url, key, 30));
        }
        let text = tenant.relay_config(&format!("public_url = \"{PUBLIC}\"\n"), &tables);
        let config = Config::parse(&text, tenant.dir()).unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let at = listener.local_addr().unwrap();
        let http = format!("http://{at}");
        // Started again after a failure, as systemd does: a cluster elects its JetStream leader
        // before the relay can keep its stream.
        runtime.spawn(async move {
            let mut listener = Some(listener);
            loop {
                let bound = match listener.take() {
                    Some(l) => l,
                    None => match tokio::net::TcpListener::bind(at).await {
                        Ok(l) => l,
                        Err(_) => continue,
                    },
                };
                match screenpop_relay::server::serve_on(bound, config.clone()).await {
                    Ok(()) => return,
                    Err(e) => {
                        eprintln!("the test's relay stopped, starting again: {e}");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        let relay = Self {
            tenant,
            http,
            runtime,
        };
        relay.wait_healthy();
        relay
    }

    fn wait_healthy(&self) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        crate::wait::eventually(Duration::from_secs(30), || {
            let status = reqwest::blocking::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .get(format!("{}/healthz", self.http))
                .send()
                .map(|r| r.status().as_u16());
            crate::wait::check(status.as_ref().is_ok_and(|s| *s == 200), || {
                format!("the relay is not healthy: {status:?}")
            })
        });
    }

    /// `seat`'s NATS password.
    pub(crate) fn password(&self, seat: &str) -> String {
        self.tenant.password(seat)
    }

    /// Twilio saying `worker` accepted the reservation of a call whose task carries PolyAI's
    /// `conversation` id, as event `sid`: the relay's answer status.
    pub(crate) fn twilio_accepted(&self, sid: &str, worker: &str, conversation: &str) -> u16 {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let task = serde_json::json!({"call_sid": "CA1", "polyai_conversation_id": conversation})
            .to_string();
        let params: Vec<(String, String)> = [
            ("EventType", "reservation.accepted"),
            ("Sid", sid),
            ("ReservationSid", "WR1"),
            ("TaskSid", "WT1"),
            ("WorkerName", worker),
            ("TaskAttributes", task.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let path = "/v1/twilio/taskrouter";
        let signature = twilio::signature(TWILIO_TOKEN, &format!("{PUBLIC}{path}"), &params);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(format!("{}{path}", self.http))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(body)
            .send()
            .map_or(0, |r| r.status().as_u16())
    }

    /// Publishes `payload` on `seat`'s subject as the relay's own NATS user (a pop the relay
    /// did not make: a stale one, say).
    pub(crate) fn publish_raw(&self, seat: &str, payload: Vec<u8>) {
        let (user, password) = (self.tenant.user("relay"), self.tenant.password("relay"));
        let url = self.tenant.nats.url();
        let subject = screenpop_api::relay::pop_subject(TENANT, seat).unwrap();
        self.runtime.block_on(async move {
            let client = async_nats::ConnectOptions::with_user_and_password(user, password)
                .custom_inbox_prefix("_INBOX_RELAY")
                .connect(url)
                .await
                .unwrap();
            client.publish(subject, payload.into()).await.unwrap();
            client.flush().await.unwrap();
        });
    }
}
