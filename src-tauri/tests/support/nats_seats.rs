//! A tenant's NATS as a contact centre sets it up: Debian's `nats-server` (one node, or a cluster
//! on loopback) with the `authorization` block `screenpop-relay seats` writes for the seats and
//! JetStream on, and a folder holding the relay's NATS password and the start of its
//! configuration. Every relay test (the relay's own, the seat's, the window's) starts here.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use screenpop_relay::config::Config;
use screenpop_relay::deliver::Delivery;
use screenpop_relay::seats;
use screenpop_relay::server::Relay;
use screenpop_sandbox::nats::{NatsOptions, NatsServer};
use screenpop_sandbox::{Sandbox, SandboxConfig, StoredState};

/// The sandbox Handoff API with one more caller, `conv-card`, whose state holds a card number:
/// what keyless tests look up to see the relay mask it.
pub(crate) async fn api_with_a_card_number() -> Sandbox {
    let api = Sandbox::start(SandboxConfig::default()).await.unwrap();
    api.add_state(StoredState {
        id: Some("conv-card".into()),
        shared_id: None,
        data: serde_json::from_value(
            serde_json::json!({"customer_name": "Dana Card", "card": "4111 1111 1111 1111"}),
        )
        .unwrap(),
    });
    api
}

/// The NATS servers of one tenant, its seats' passwords, and the relay's folder.
pub(crate) struct TenantNats {
    /// The node the relay connects to.
    pub(crate) nats: NatsServer,
    /// The cluster's other nodes, when there are some.
    pub(crate) others: Vec<NatsServer>,
    /// (NATS user, seat or `relay`, password), as `seats` wrote them; the relay's first.
    pub(crate) passwords: Vec<(String, String, String)>,
    tenant: String,
    dir: tempfile::TempDir,
}

impl TenantNats {
    /// One node for `tenant`'s `seat_names`.
    pub(crate) fn start(tenant: &str, seat_names: &[impl AsRef<str>]) -> Self {
        Self::on_nodes(1, tenant, seat_names)
    }

    /// `nodes` servers clustered on loopback for `tenant`'s `seat_names`.
    pub(crate) fn on_nodes(nodes: usize, tenant: &str, seat_names: &[impl AsRef<str>]) -> Self {
        let names: Vec<String> = seat_names.iter().map(|s| s.as_ref().to_owned()).collect();
        // bcrypt's cheapest cost: the permissions are the same, the test is quicker.
        let written = seats::write(tenant, "relay", &names, 4).unwrap();
        let options = NatsOptions {
            authorization: Some(written.block),
            jetstream: true,
            ..NatsOptions::default()
        };
        let mut cluster = if nodes == 1 {
            vec![NatsServer::start(options).unwrap()]
        } else {
            NatsServer::cluster(nodes, &options).unwrap()
        };
        let nats = cluster.remove(0);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("nats"), &written.passwords[0].2).unwrap();
        Self {
            nats,
            others: cluster,
            passwords: written.passwords,
            tenant: tenant.to_owned(),
            dir,
        }
    }

    /// `seat`'s password (`relay` for the relay's).
    pub(crate) fn password(&self, seat: &str) -> String {
        self.passwords
            .iter()
            .find(|(_, s, _)| s == seat)
            .map(|(_, _, p)| p.clone())
            .unwrap()
    }

    /// `seat`'s NATS user.
    pub(crate) fn user(&self, seat: &str) -> String {
        self.passwords
            .iter()
            .find(|(_, s, _)| s == seat)
            .map(|(u, _, _)| u.clone())
            .unwrap()
    }

    /// The relay's folder: its configuration's secrets are named relative to it.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` as the relay's file `name` (a secret, say).
    pub(crate) fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    /// Keyless mode's `[polyai]` table: the relay holds `key` (written to its file) for the
    /// Handoff API at `base_url`, `per_minute` lookups a seat, the audit log in its folder.
    pub(crate) fn polyai(&self, base_url: &str, key: &str, per_minute: u32) -> String {
        self.write("polyai", key);
        format!(
            "[polyai]\nbase_url = \"{base_url}\"\naccount = \"acct\"\nproject = \"proj\"\napi_key_file = \"polyai\"\nlookups_per_minute = {per_minute}\naudit_log = \"audit.jsonl\"\n"
        )
    }

    /// The relay's keyless audit log, so far.
    pub(crate) fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("audit.jsonl")).unwrap_or_default()
    }

    /// The relay's configuration: the tenant, `top` (top-level keys: `listen`, `public_url`),
    /// its NATS user on the first node, then `tables` (the inputs, `[polyai]`…).
    pub(crate) fn relay_config(&self, top: &str, tables: &str) -> String {
        format!(
            "tenant = \"{}\"\n{top}[nats]\nservers = [\"{}\"]\nuser = \"relay\"\npassword_file = \"nats\"\n{tables}",
            self.tenant,
            self.nats.url()
        )
    }

    /// A relay in this process holding `api`'s key (keyless mode, `per_minute` lookups a
    /// seat), with the generic webhook signed by `generic_secret`.
    pub(crate) async fn keyless_relay(
        &self,
        api: &Sandbox,
        per_minute: u32,
        generic_secret: &str,
    ) -> Arc<Relay> {
        self.write("generic", generic_secret);
        let polyai = self.polyai(&api.base_url(), api.key(), per_minute);
        let text = self.relay_config(
            "",
            &format!("[generic]\nsecret_file = \"generic\"\n{polyai}"),
        );
        let config = Config::parse(&text, self.dir()).unwrap();
        let delivery = Delivery::connect(&config).await.unwrap();
        Arc::new(Relay::new(config, delivery).unwrap())
    }
}
