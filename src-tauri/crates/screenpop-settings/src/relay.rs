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
    /// Where the profile's PolyAI key is held: in this seat's keychain (the default), or by the
    /// relay (keyless mode: the seat holds none, and asks the relay for what it looks up).
    pub polyai_key: KeyHolder,
}

/// Where a relay profile's PolyAI key is held (`polyai_key` in `[profile.relay]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeyHolder {
    /// In this seat's keychain, as for a profile without a relay.
    #[default]
    Keychain,
    /// By the relay: pushed pops bring their state, pasted ids are asked of the relay.
    Relay,
}

impl KeyHolder {
    /// The word the settings file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keychain => "keychain",
            Self::Relay => "relay",
        }
    }

    /// Reads the settings file's word.
    pub fn parse(word: &str) -> std::result::Result<Self, String> {
        match word {
            "keychain" => Ok(Self::Keychain),
            "relay" => Ok(Self::Relay),
            other => Err(format!(
                "`polyai_key` is \"keychain\" or \"relay\", not \"{other}\""
            )),
        }
    }
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
            polyai_key: KeyHolder::Keychain,
        })
    }

    /// The same relay with the PolyAI key held by `holder`.
    pub fn with_polyai_key(self, holder: KeyHolder) -> Self {
        Self {
            polyai_key: holder,
            ..self
        }
    }

    /// Whether the relay holds the PolyAI key, so this seat needs none.
    pub fn keyless(&self) -> bool {
        self.polyai_key == KeyHolder::Relay
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
        const KNOWN: [&str; 4] = ["servers", "tenant", "seat", "polyai_key"];
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
        let holder = match t.get("polyai_key") {
            None => KeyHolder::Keychain,
            Some(Value::String(word)) => KeyHolder::parse(word)?,
            Some(_) => return Err("`polyai_key` must be text".to_owned()),
        };
        Ok(Self::new(servers, text("tenant")?, text("seat")?)?.with_polyai_key(holder))
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
        if self.keyless() {
            t.insert(
                "polyai_key".into(),
                Value::String(self.polyai_key.as_str().to_owned()),
            );
        }
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
        assert!(!c.keyless(), "the keychain is the default");
        let keyless: Table = toml::from_str(&format!("{text}polyai_key = \"relay\"\n")).unwrap();
        let k = RelayConfig::from_table(&keyless).unwrap();
        assert!(k.keyless());
        assert_eq!(RelayConfig::from_table(&k.to_table()).unwrap(), k);
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
            (
                "servers = [\"tls://x:1\"]\ntenant = \"a\"\nseat = \"b\"\npolyai_key = \"cloud\"",
                "`polyai_key` is",
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
