//! A profile's connection to the contact centre's relay (`screenpop-relay`), which pops calls
//! from Twilio Flex, Amazon Connect or any webhook over NATS. Read from `[profile.relay]` in the
//! settings file or in a managed profile of the fleet policy (which locks it). The seat's NATS
//! password is kept in the keychain beside the PolyAI key (entry `@relay:PROFILE`), provisioned
//! like a key: `screenpop relay credentials set` from standard input.

use std::sync::Arc;

use screenpop_api::relay::token;
use screenpop_api::ApiKey;
use toml::{Table, Value};

use crate::keys::Keys;
use crate::{Error, Result};

/// The seat names that stand for the signed-in user's login name, so one fleet policy serves
/// every seat.
pub const LOGIN_NAMES: [&str; 2] = ["$USER", "%USERNAME%"];

/// Where the relay is and who this seat is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// The NATS servers (`nats://`, `tls://`, `ws://`, `wss://`), tried in turn.
    pub servers: Vec<String>,
    /// The contact centre, as the relay's configuration names it.
    pub tenant: String,
    /// The seat: a name, or one of [`LOGIN_NAMES`].
    pub seat: String,
}

impl RelayConfig {
    /// A configuration, every part checked; the message of an error names what is wrong.
    pub fn new(
        servers: Vec<String>,
        tenant: &str,
        seat: &str,
    ) -> std::result::Result<Self, String> {
        if servers.is_empty() {
            return Err("name at least one NATS server in `servers`".to_owned());
        }
        for s in &servers {
            let plain_ok = s.starts_with("tls://") || s.starts_with("wss://") || loopback(s);
            let known = ["nats://", "tls://", "ws://", "wss://"]
                .iter()
                .any(|p| s.starts_with(p));
            if !known {
                return Err(format!(
                    "\"{s}\" in `servers` must start with tls://, wss://, nats:// or ws://"
                ));
            }
            if !plain_ok {
                return Err(format!(
                    "\"{s}\" in `servers` is not encrypted: use tls:// or wss:// (nats:// and ws:// only to this machine)"
                ));
            }
        }
        token(tenant).map_err(|e| format!("`tenant`: {e}"))?;
        if !LOGIN_NAMES.contains(&seat) {
            token(seat).map_err(|e| format!("`seat`: {e}"))?;
        }
        Ok(Self {
            servers,
            tenant: tenant.trim().to_owned(),
            seat: seat.trim().to_owned(),
        })
    }

    /// The seat's name now: the login name when the configuration says so.
    pub fn seat_name(&self) -> std::result::Result<String, String> {
        if !LOGIN_NAMES.contains(&self.seat.as_str()) {
            return Ok(self.seat.clone());
        }
        let login = ["USERNAME", "USER"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
            .ok_or_else(|| {
                format!(
                    "the seat is {}, but this session has no login name",
                    self.seat
                )
            })?;
        token(&login).map_err(|e| format!("the login name: {e}"))?;
        Ok(login)
    }

    /// Reads `[profile.relay]`.
    pub fn from_table(t: &Table) -> std::result::Result<Self, String> {
        const KNOWN: [&str; 3] = ["servers", "tenant", "seat"];
        if let Some(unknown) = t.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(format!(
                "unknown key `{unknown}` (known: {})",
                KNOWN.join(", ")
            ));
        }
        let servers = match t.get("servers") {
            Some(Value::Array(list)) => list
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or("`servers` must be a list of text")
                })
                .collect::<std::result::Result<Vec<_>, _>>()?,
            Some(Value::String(one)) => vec![one.clone()],
            _ => return Err("`servers` must list the relay's NATS servers".to_owned()),
        };
        let text = |key: &str| match t.get(key) {
            Some(Value::String(s)) => Ok(s.as_str()),
            _ => Err(format!("`{key}` must be text")),
        };
        Self::new(servers, text("tenant")?, text("seat")?)
    }

    /// `[profile.relay]` as the settings file writes it.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new();
        t.insert(
            "servers".into(),
            Value::Array(self.servers.iter().cloned().map(Value::String).collect()),
        );
        t.insert("tenant".into(), Value::String(self.tenant.clone()));
        t.insert("seat".into(), Value::String(self.seat.clone()));
        t
    }
}

/// Whether `server` is on this machine (where plain `nats://` and `ws://` are accepted).
fn loopback(server: &str) -> bool {
    let rest = server.split_once("://").map_or(server, |(_, r)| r);
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// The keychain entry of `profile`'s relay password ('@' cannot start a profile name).
pub fn entry(profile: &str) -> String {
    format!("@relay:{profile}")
}

/// The seats' relay passwords, one per profile, in the keychain.
#[derive(Debug, Clone)]
pub struct RelayCredentials {
    keys: Arc<Keys>,
}

impl RelayCredentials {
    /// Credentials kept through `keys`.
    pub fn new(keys: Arc<Keys>) -> Self {
        Self { keys }
    }

    /// `profile`'s relay password, if one was provisioned.
    pub async fn get(&self, profile: &str) -> Result<Option<ApiKey>> {
        let entry = entry(profile);
        self.keys.blocking(move |k| k.get(&entry)).await
    }

    /// Keeps `password` as `profile`'s.
    pub async fn set(&self, profile: &str, password: &str) -> Result<()> {
        let value = ApiKey::new(password).map_err(Error::from)?;
        let entry = entry(profile);
        self.keys.blocking(move |k| k.set(&entry, &value)).await
    }

    /// Forgets `profile`'s relay password; `false` if there was none.
    pub async fn delete(&self, profile: &str) -> Result<bool> {
        let entry = entry(profile);
        self.keys.blocking(move |k| k.delete(&entry)).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_relay_reads_back_and_refuses_what_would_leak_or_wander() {
        let text = "servers = [\"tls://nats.acme.example:4222\", \"wss://nats.acme.example\"]\ntenant = \"acme\"\nseat = \"%USERNAME%\"\n";
        let t: Table = toml::from_str(text).unwrap();
        let c = RelayConfig::from_table(&t).unwrap();
        assert_eq!(RelayConfig::from_table(&c.to_table()).unwrap(), c);
        let bad = [
            (
                "servers = [\"nats://nats.acme.example:4222\"]\ntenant = \"a\"\nseat = \"b\"",
                "not encrypted",
            ),
            (
                "servers = [\"http://x\"]\ntenant = \"a\"\nseat = \"b\"",
                "must start",
            ),
            ("servers = []\ntenant = \"a\"\nseat = \"b\"", "at least one"),
            (
                "servers = [\"tls://x:1\"]\ntenant = \"a\"\nseat = \"b\\u0007\"",
                "`seat`",
            ),
            (
                "servers = [\"tls://x:1\"]\ntenant = \"a\"\nseat = \"b\"\nport = 1",
                "unknown key",
            ),
        ];
        for (text, why) in bad {
            let t: Table = toml::from_str(text).unwrap();
            let e = RelayConfig::from_table(&t).unwrap_err();
            assert!(e.contains(why), "{why}: {e}");
        }
        assert!(RelayConfig::new(vec!["nats://127.0.0.1:4222".into()], "a", "b").is_ok());
        assert_eq!(
            RelayConfig::new(vec!["nats://127.0.0.1:1".into()], "a", "alice")
                .unwrap()
                .seat_name()
                .unwrap(),
            "alice"
        );
    }
}
