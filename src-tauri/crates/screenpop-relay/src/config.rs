//! The relay's one configuration file (TOML). Secrets are named by file (`…_file`) or environment
//! variable (`…_env`), never written in it or passed on the command line. Every mistake is
//! refused at start with the key that is wrong.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::secret::Secret;
use crate::{Error, Result};

/// Where the relay listens unless told: loopback, behind the contact centre's TLS front end.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8470";

/// What the relay runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the HTTP inputs listen.
    pub listen: SocketAddr,
    /// The contact centre, as seats' subjects name it.
    pub tenant: String,
    /// The screenpop profile seats look pops up with (by its name on the seat), if not the
    /// profile their relay connection belongs to.
    pub profile: Option<String>,
    /// The address the platforms call, as they call it (`https://relay.example.com`): Twilio
    /// signs the URL it called, which a TLS front end hides from the relay.
    pub public_url: Option<Url>,
    /// Where pops go.
    pub nats: NatsConfig,
    /// Twilio TaskRouter, if used.
    pub twilio: Option<TwilioConfig>,
    /// Amazon Connect, if used.
    pub connect: Option<ConnectConfig>,
    /// The signed generic webhook, if used.
    pub generic: Option<GenericConfig>,
    /// The PolyAI project whose key the relay holds, so seats hold none (keyless mode).
    pub polyai: Option<PolyaiConfig>,
}

/// Keyless mode: the relay looks handoff states up itself.
#[derive(Debug, Clone)]
pub struct PolyaiConfig {
    /// The project (its API's address and ids).
    pub project: screenpop_api::Project,
    /// Its API key.
    pub api_key: Secret,
    /// Lookups each seat may ask for in a minute.
    pub lookups_per_minute: u32,
    /// Where each lookup is written (seat, id, time, outcome; never caller data).
    pub audit_log: PathBuf,
}

/// The NATS servers and the relay's own user there.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// `nats://`, `tls://` or `ws(s)://` addresses of one cluster.
    pub servers: Vec<String>,
    /// The relay's user (as `screenpop-relay seats` wrote it).
    pub user: String,
    /// Its password.
    pub password: Secret,
}

/// Twilio TaskRouter.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// The account's auth token, which signs every request.
    pub auth_token: Secret,
    /// Where the seat is: `WorkerName`, or `WorkerAttributes.<field>` (`WorkerAttributes.email`).
    pub seat_field: String,
    /// The field of `TaskAttributes` holding the PolyAI conversation id.
    pub id_field: Option<String>,
    /// The field of `TaskAttributes` holding a PolyAI shared id.
    pub shared_id_field: Option<String>,
}

/// Amazon Connect, through an EventBridge API destination.
#[derive(Debug, Clone)]
pub struct ConnectConfig {
    /// The API key the API destination sends.
    pub api_key: Secret,
    /// The header it is sent in.
    pub api_key_header: String,
    /// Agents' user ids (the end of `agentArn`), lower-case, to seats.
    pub seats: BTreeMap<String, String>,
}

/// The generic webhook.
#[derive(Debug, Clone)]
pub struct GenericConfig {
    /// The HMAC-SHA256 signing secret.
    pub secret: Secret,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    listen: Option<String>,
    tenant: String,
    profile: Option<String>,
    public_url: Option<String>,
    nats: RawNats,
    twilio: Option<RawTwilio>,
    connect: Option<RawConnect>,
    generic: Option<RawGeneric>,
    polyai: Option<RawPolyai>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolyai {
    region: Option<String>,
    base_url: Option<String>,
    account: String,
    project: String,
    api_key_file: Option<PathBuf>,
    api_key_env: Option<String>,
    lookups_per_minute: Option<u32>,
    audit_log: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNats {
    servers: Vec<String>,
    user: String,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTwilio {
    auth_token_file: Option<PathBuf>,
    auth_token_env: Option<String>,
    seat_field: Option<String>,
    id_field: Option<String>,
    shared_id_field: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConnect {
    api_key_file: Option<PathBuf>,
    api_key_env: Option<String>,
    api_key_header: Option<String>,
    #[serde(default)]
    seats: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGeneric {
    secret_file: Option<PathBuf>,
    secret_env: Option<String>,
}

/// One secret, from `<key>_file` or `<key>_env` (exactly one of them), relative paths from
/// the configuration file's directory.
fn secret(base: &Path, key: &str, file: Option<PathBuf>, env: Option<String>) -> Result<Secret> {
    match (file, env) {
        (Some(file), None) => Secret::from_file(&base.join(file), key),
        (None, Some(env)) => Secret::from_env(&env, key),
        _ => Err(Error::Config(format!(
            "{key}: give exactly one of {key}_file and {key}_env."
        ))),
    }
}

impl Config {
    /// Reads and checks the configuration at `path`, and the secrets it names.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!(
                "Cannot read the configuration {}: {e}.",
                path.display()
            ))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    /// Checks configuration `text`; secret files are read relative to `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self> {
        let raw: Raw = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        let listen = raw
            .listen
            .as_deref()
            .unwrap_or(DEFAULT_LISTEN)
            .parse()
            .map_err(|_| {
                Error::Config("listen: give an address and port, like 127.0.0.1:8470.".into())
            })?;
        screenpop_api::relay::token(&raw.tenant)
            .map_err(|e| Error::Config(format!("tenant: {e}")))?;
        let public_url = raw
            .public_url
            .map(|u| {
                Url::parse(&u)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
                    .ok_or_else(|| {
                        Error::Config(format!("public_url: \"{u}\" is not an http(s) address."))
                    })
            })
            .transpose()?;
        if raw.nats.servers.is_empty() {
            return Err(Error::Config(
                "nats.servers: name at least one server.".into(),
            ));
        }
        for s in &raw.nats.servers {
            let ok = ["nats://", "tls://", "ws://", "wss://"]
                .iter()
                .any(|p| s.starts_with(p));
            if !ok {
                return Err(Error::Config(format!(
                    "nats.servers: \"{s}\" must start with nats://, tls://, ws:// or wss://."
                )));
            }
        }
        let nats = NatsConfig {
            servers: raw.nats.servers,
            user: raw.nats.user,
            password: secret(
                base,
                "nats.password",
                raw.nats.password_file,
                raw.nats.password_env,
            )?,
        };
        let twilio = raw
            .twilio
            .map(|t| {
                let seat_field = t.seat_field.unwrap_or_else(|| "WorkerName".to_owned());
                if seat_field != "WorkerName" && !seat_field.starts_with("WorkerAttributes.") {
                    return Err(Error::Config(format!(
                        "twilio.seat_field: \"{seat_field}\" must be WorkerName or WorkerAttributes.<field>."
                    )));
                }
                if t.id_field.is_none() && t.shared_id_field.is_none() {
                    return Err(Error::Config(
                        "twilio: name the task attribute holding the PolyAI id (id_field) or shared id (shared_id_field).".into(),
                    ));
                }
                if public_url.is_none() {
                    return Err(Error::Config(
                        "twilio: set public_url to the address Twilio calls (it signs that address).".into(),
                    ));
                }
                Ok(TwilioConfig {
                    auth_token: secret(base, "twilio.auth_token", t.auth_token_file, t.auth_token_env)?,
                    seat_field,
                    id_field: t.id_field,
                    shared_id_field: t.shared_id_field,
                })
            })
            .transpose()?;
        let connect = raw
            .connect
            .map(|c| {
                Ok::<_, Error>(ConnectConfig {
                    api_key: secret(base, "connect.api_key", c.api_key_file, c.api_key_env)?,
                    api_key_header: c
                        .api_key_header
                        .unwrap_or_else(|| "x-api-key".to_owned())
                        .to_ascii_lowercase(),
                    seats: c
                        .seats
                        .into_iter()
                        .map(|(agent, seat)| (agent.to_ascii_lowercase(), seat))
                        .collect(),
                })
            })
            .transpose()?;
        let generic = raw
            .generic
            .map(|g| {
                Ok::<_, Error>(GenericConfig {
                    secret: secret(base, "generic.secret", g.secret_file, g.secret_env)?,
                })
            })
            .transpose()?;
        let polyai = raw
            .polyai
            .map(|p| {
                let endpoint = match (p.region.as_deref(), p.base_url.as_deref()) {
                    (Some(region), None) => region
                        .parse()
                        .map(screenpop_api::endpoint::Endpoint::Region)
                        .map_err(|e| Error::Config(format!("polyai.region: {e}"))),
                    (None, Some(url)) => screenpop_api::endpoint::Endpoint::custom(url)
                        .map_err(|e| Error::Config(format!("polyai.base_url: {e}"))),
                    _ => Err(Error::Config(
                        "polyai: give either region or base_url.".into(),
                    )),
                }?;
                let project = screenpop_api::Project::new(endpoint, &p.account, &p.project)
                    .map_err(|e| Error::Config(format!("polyai: {e}")))?;
                let per_minute = p.lookups_per_minute.unwrap_or(30);
                if per_minute == 0 {
                    return Err(Error::Config(
                        "polyai.lookups_per_minute: at least 1.".into(),
                    ));
                }
                Ok(PolyaiConfig {
                    project,
                    api_key: secret(base, "polyai.api_key", p.api_key_file, p.api_key_env)?,
                    lookups_per_minute: per_minute,
                    audit_log: base.join(p.audit_log),
                })
            })
            .transpose()?;
        if twilio.is_none() && connect.is_none() && generic.is_none() {
            return Err(Error::Config(
                "Nothing to receive: configure at least one of [twilio], [connect] and [generic]."
                    .into(),
            ));
        }
        Ok(Self {
            listen,
            tenant: raw.tenant,
            profile: raw.profile,
            public_url,
            nats,
            twilio,
            connect,
            generic,
            polyai,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn with_secrets() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in ["nats", "twilio", "connect", "generic"] {
            std::fs::write(dir.path().join(f), format!("{f}-secret\n")).unwrap();
        }
        dir
    }

    const GOOD: &str = r#"
tenant = "acme"
public_url = "https://relay.acme.example"
[nats]
servers = ["nats://127.0.0.1:4222"]
user = "relay"
password_file = "nats"
[twilio]
auth_token_file = "twilio"
id_field = "polyai_conversation_id"
[connect]
api_key_file = "connect"
[connect.seats]
"8E6E1F5B-0000-4000-8000-000000000001" = "alice"
[generic]
secret_file = "generic"
"#;

    #[test]
    fn a_whole_configuration_reads_with_its_secrets() {
        let dir = with_secrets();
        let c = Config::parse(GOOD, dir.path()).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.nats.password.expose(), "nats-secret");
        let t = c.twilio.unwrap();
        assert_eq!(t.seat_field, "WorkerName");
        assert_eq!(t.auth_token.expose(), "twilio-secret");
        assert!(!format!("{t:?}").contains("twilio-secret"));
        let connect = c.connect.unwrap();
        assert_eq!(connect.api_key_header, "x-api-key");
        assert_eq!(
            connect.seats["8e6e1f5b-0000-4000-8000-000000000001"],
            "alice"
        );
    }

    #[test]
    fn each_mistake_names_its_key() {
        let dir = with_secrets();
        let cases = [
            (
                GOOD.replace("password_file = \"nats\"", ""),
                "nats.password",
            ),
            (GOOD.replace("nats://127", "http://127"), "nats.servers"),
            (
                GOOD.replace("tenant = \"acme\"", "tenant = \"a\\u0007\""),
                "tenant",
            ),
            (
                GOOD.replace("public_url = \"https://relay.acme.example\"", ""),
                "public_url",
            ),
            (
                GOOD.replace(
                    "auth_token_file = \"twilio\"",
                    "auth_token_file = \"missing\"",
                ),
                "twilio.auth_token",
            ),
            (
                GOOD.replace("id_field = \"polyai_conversation_id\"", ""),
                "id_field",
            ),
            (format!("{GOOD}\nsurprise = 1\n"), "surprise"),
        ];
        for (text, key) in cases {
            let e = Config::parse(&text, dir.path()).unwrap_err().to_string();
            assert!(e.contains(key), "{key}: {e}");
        }
    }
}
