//! This seat on the relay's NATS: its names and subjects, worked out once from the profile's
//! relay configuration, and a connection made the one way both of its users need it (the push
//! source, which reads pops, and keyless lookups, which ask the relay).

use std::time::Duration;

use async_nats::{Client, ConnectOptions, ServerAddr};

use screenpop_api::relay::{catch_up_subject, lookup_subject, pop_subject, seat_inbox, token};
use screenpop_api::ApiKey;
use screenpop_settings::relay::RelayConfig;

/// A seat's names on the relay's NATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// The seat's name (the login name when the configuration says so).
    pub name: String,
    /// Its NATS user, as `screenpop-relay seats` wrote it.
    pub user: String,
    /// Where its pops arrive.
    pub pops: String,
    /// Its inbox prefix (the only one it may read answers on).
    pub inbox: String,
    /// Where it asks JetStream for the newest pop kept for it.
    pub catch_up: String,
    /// Where a keyless seat asks the relay to look an id up.
    pub lookups: String,
}

/// Why a connection was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The configuration or the password is wrong: trying again will not help.
    Credentials(String),
    /// The relay's NATS did not answer, or not in time: try again later.
    Unreachable(String),
}

impl Seat {
    /// The seat `config` names, or why it cannot be one.
    pub fn of(config: &RelayConfig) -> Result<Self, String> {
        let name = config.seat_name()?;
        let tenant = &config.tenant;
        let named = || -> screenpop_api::Result<Self> {
            Ok(Self {
                user: format!("{}.{}", token(tenant)?, token(&name)?),
                pops: pop_subject(tenant, &name)?,
                inbox: seat_inbox(tenant, &name)?,
                catch_up: catch_up_subject(tenant, &name)?,
                lookups: lookup_subject(tenant, &name)?,
                name: name.clone(),
            })
        };
        named().map_err(|_| "the tenant or seat cannot be a NATS name".to_owned())
    }

    /// Whether `seat`, as a pop names it, is this seat.
    pub fn is(&self, seat: &str) -> bool {
        token(seat).ok() == token(&self.name).ok()
    }

    /// Connection options for this seat with `password`: its user and inbox, and `within` for
    /// connecting and for each request. Callers add what only they need (events, reconnects).
    pub fn options(&self, password: &ApiKey, within: Duration) -> ConnectOptions {
        ConnectOptions::with_user_and_password(
            self.user.clone(),
            password.expose_secret().to_owned(),
        )
        .name("screenpop")
        .custom_inbox_prefix(self.inbox.clone())
        .connection_timeout(within)
        .request_timeout(Some(within))
    }
}

/// Connects to `config`'s servers with `options`, TLS as the rest of screenpop does it when a
/// server asks for it, within `within`.
pub async fn connect(
    config: &RelayConfig,
    mut options: ConnectOptions,
    within: Duration,
) -> Result<Client, Refused> {
    if config
        .servers
        .iter()
        .any(|s| s.starts_with("tls://") || s.starts_with("wss://"))
    {
        let tls = crate::push::platform_tls().map_err(Refused::Unreachable)?;
        options = options.require_tls(true).tls_client_config(tls);
    }
    let servers: Vec<ServerAddr> = config
        .servers
        .iter()
        .map(|s| s.parse())
        .collect::<Result<_, _>>()
        .map_err(|e| Refused::Credentials(format!("a NATS server address is wrong: {e}")))?;
    match tokio::time::timeout(within, options.connect(servers)).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) if refused_password(&e.to_string()) => Err(Refused::Credentials(
            "the relay's NATS server refused this seat's password".to_owned(),
        )),
        Ok(Err(e)) => Err(Refused::Unreachable(format!("cannot reach the relay: {e}"))),
        Err(_) => Err(Refused::Unreachable(
            "the relay did not answer in time".to_owned(),
        )),
    }
}

/// Whether a NATS error says the server refused the seat's credentials.
pub fn refused_password(what: &str) -> bool {
    what.to_lowercase().contains("authorization")
}
