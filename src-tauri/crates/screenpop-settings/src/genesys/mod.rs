//! A profile's Genesys Cloud connection, as configured: the org's region, the OAuth client the
//! Genesys admin created, and where the PolyAI ids are found in a call. Read from
//! `[profile.genesys]` in the settings file or in a managed profile of the fleet policy (which
//! locks it); written by `screenpop genesys setup`.

use screenpop_api::endpoint::Endpoint;
use toml::{Table, Value};
use url::Url;

pub mod token;

/// Genesys Cloud's regions, by host: sign-in is at `login.{host}`, the API at `api.{host}`.
pub const REGIONS: [&str; 17] = [
    "mypurecloud.com",
    "mypurecloud.ie",
    "mypurecloud.de",
    "euw2.pure.cloud",
    "usw2.pure.cloud",
    "mypurecloud.com.au",
    "mypurecloud.jp",
    "cac1.pure.cloud",
    "apne2.pure.cloud",
    "aps1.pure.cloud",
    "use2.us-gov-pure.cloud",
    "sae1.pure.cloud",
    "mec1.pure.cloud",
    "apne3.pure.cloud",
    "euc2.pure.cloud",
    "mxc1.pure.cloud",
    "apse1.pure.cloud",
];

/// Longest OAuth client id or attribute name accepted.
const MAX_NAME_CHARS: usize = 128;

/// Where the PolyAI ids of a call are found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSources {
    /// A participant-data attribute holding the PolyAI conversation id (looked up as `id`).
    pub id_attribute: Option<String>,
    /// A participant-data attribute holding a shared id (looked up as `shared_id`).
    pub shared_id_attribute: Option<String>,
    /// The Genesys conversation id is the shared id: the PolyAI agent stored the `x-inin-cnv`
    /// SIP header as its `shared_id`.
    pub shared_id_from_conversation: bool,
}

/// Where one profile's agent signs in to Genesys Cloud and how their calls name PolyAI's ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesysConfig {
    /// The region's host (`mypurecloud.ie`); `None` when explicit URLs are given.
    pub region: Option<String>,
    /// The OAuth client ("Code Authorization" with PKCE, redirect `http://localhost`).
    pub client_id: String,
    /// Where the PolyAI ids come from.
    pub ids: IdSources,
    /// Where the agent signs in (`https://login.{host}/`).
    pub login_url: Url,
    /// The REST API (`https://api.{host}/`).
    pub api_url: Url,
}

/// Where a profile's Genesys org lives: a region, or explicit URLs (private and test
/// environments; plain `http` only to this machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenesysPlace<'a> {
    /// One of [`REGIONS`].
    Region(&'a str),
    /// Sign-in and API base URLs.
    Urls {
        /// Where the agent signs in.
        login: &'a str,
        /// The REST API.
        api: &'a str,
    },
}

impl GenesysConfig {
    /// A configuration, every part checked; the message of an error names what is wrong.
    pub fn new(place: GenesysPlace<'_>, client_id: &str, ids: IdSources) -> Result<Self, String> {
        let (region, login_url, api_url) = match place {
            GenesysPlace::Region(host) => {
                let host = host.trim().to_ascii_lowercase();
                let host = host.trim_start_matches("api.").trim_start_matches("login.");
                let Some(known) = REGIONS.iter().find(|r| **r == host) else {
                    return Err(format!(
                        "\"{host}\" is not a Genesys Cloud region; use one of {}",
                        REGIONS.join(", ")
                    ));
                };
                (
                    Some((*known).to_owned()),
                    base(&format!("https://login.{known}/"))?,
                    base(&format!("https://api.{known}/"))?,
                )
            }
            GenesysPlace::Urls { login, api } => (None, base(login)?, base(api)?),
        };
        let ids = IdSources {
            id_attribute: name(ids.id_attribute.as_deref(), "id_attribute")?,
            shared_id_attribute: name(ids.shared_id_attribute.as_deref(), "shared_id_attribute")?,
            shared_id_from_conversation: ids.shared_id_from_conversation,
        };
        if ids.id_attribute.is_none()
            && ids.shared_id_attribute.is_none()
            && !ids.shared_id_from_conversation
        {
            return Err("say where the PolyAI ids come from: `id_attribute`, `shared_id_attribute` or `shared_id_from_conversation = true`".to_owned());
        }
        let client_id = name(Some(client_id), "client_id")?.ok_or_else(|| {
            "`client_id` is empty: the Genesys admin's OAuth client id".to_owned()
        })?;
        if !client_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "`client_id` \"{client_id}\" is not an OAuth client id (letters, digits, '-', '_', '.')"
            ));
        }
        Ok(Self {
            region,
            client_id,
            ids,
            login_url,
            api_url,
        })
    }

    /// Reads `[profile.genesys]`.
    pub fn from_table(t: &Table) -> Result<Self, String> {
        const KNOWN: [&str; 7] = [
            "region",
            "client_id",
            "id_attribute",
            "shared_id_attribute",
            "shared_id_from_conversation",
            "login_url",
            "api_url",
        ];
        if let Some(unknown) = t.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(format!(
                "unknown key `{unknown}` (known: {})",
                KNOWN.join(", ")
            ));
        }
        let text = |key: &str| -> Result<Option<&str>, String> {
            match t.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(format!("`{key}` must be text")),
            }
        };
        let from_conversation = match t.get("shared_id_from_conversation") {
            None => false,
            Some(Value::Boolean(b)) => *b,
            Some(_) => return Err("`shared_id_from_conversation` must be true or false".to_owned()),
        };
        let place = match (text("region")?, text("login_url")?, text("api_url")?) {
            (Some(region), None, None) => GenesysPlace::Region(region),
            (None, Some(login), Some(api)) => GenesysPlace::Urls { login, api },
            _ => return Err("give either `region` or both `login_url` and `api_url`".to_owned()),
        };
        Self::new(
            place,
            text("client_id")?.unwrap_or_default(),
            IdSources {
                id_attribute: text("id_attribute")?.map(str::to_owned),
                shared_id_attribute: text("shared_id_attribute")?.map(str::to_owned),
                shared_id_from_conversation: from_conversation,
            },
        )
    }

    /// `[profile.genesys]` as the settings file writes it.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new();
        match &self.region {
            Some(region) => {
                t.insert("region".into(), Value::String(region.clone()));
            }
            None => {
                t.insert(
                    "login_url".into(),
                    Value::String(self.login_url.to_string()),
                );
                t.insert("api_url".into(), Value::String(self.api_url.to_string()));
            }
        }
        t.insert("client_id".into(), Value::String(self.client_id.clone()));
        if let Some(a) = &self.ids.id_attribute {
            t.insert("id_attribute".into(), Value::String(a.clone()));
        }
        if let Some(a) = &self.ids.shared_id_attribute {
            t.insert("shared_id_attribute".into(), Value::String(a.clone()));
        }
        if self.ids.shared_id_from_conversation {
            t.insert("shared_id_from_conversation".into(), Value::Boolean(true));
        }
        t
    }

    /// Whether every request stays on this machine (the stand-in): plain `http` is then allowed.
    pub fn is_loopback(&self) -> bool {
        [&self.login_url, &self.api_url]
            .iter()
            .all(|u| Endpoint::custom(u.as_str()).is_ok_and(|e| e.is_loopback()))
    }
}

/// A base URL, checked as a PolyAI base URL is (https, or http to this machine only).
fn base(raw: &str) -> Result<Url, String> {
    Endpoint::custom(raw)
        .map(|e| e.base_url())
        .map_err(|e| e.to_string())
}

/// An attribute name or client id: trimmed, at most 128 characters, no control characters.
fn name(raw: Option<&str>, key: &str) -> Result<Option<String>, String> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if raw.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "`{key}` is longer than {MAX_NAME_CHARS} characters"
        ));
    }
    if raw.chars().any(|c| c.is_control()) {
        return Err(format!("`{key}` contains a control character"));
    }
    Ok(Some(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> IdSources {
        IdSources {
            id_attribute: Some("polyai_conversation_id".into()),
            ..IdSources::default()
        }
    }

    #[test]
    fn a_region_gives_its_login_and_api_hosts() {
        let c = GenesysConfig::new(
            GenesysPlace::Region(" API.mypurecloud.ie "),
            "abc-123",
            ids(),
        )
        .unwrap();
        assert_eq!(c.region.as_deref(), Some("mypurecloud.ie"));
        assert_eq!(c.login_url.as_str(), "https://login.mypurecloud.ie/");
        assert_eq!(c.api_url.as_str(), "https://api.mypurecloud.ie/");
        assert!(!c.is_loopback());
        let err =
            GenesysConfig::new(GenesysPlace::Region("example.com"), "abc", ids()).unwrap_err();
        assert!(err.contains("mypurecloud.de"), "{err}");
    }

    #[test]
    fn explicit_urls_are_https_or_this_machine() {
        let local = GenesysPlace::Urls {
            login: "http://127.0.0.1:9/login",
            api: "http://127.0.0.1:9/api",
        };
        let c = GenesysConfig::new(local, "abc", ids()).unwrap();
        assert!(c.is_loopback());
        assert_eq!(c.api_url.as_str(), "http://127.0.0.1:9/api/");
        let remote = GenesysPlace::Urls {
            login: "http://genesys.example.com",
            api: "https://api.example.com",
        };
        assert!(GenesysConfig::new(remote, "abc", ids())
            .unwrap_err()
            .contains("https"));
    }

    #[test]
    fn a_call_must_say_where_its_ids_are_and_names_are_plain() {
        let region = GenesysPlace::Region("mypurecloud.com");
        let none = GenesysConfig::new(region, "abc", IdSources::default()).unwrap_err();
        assert!(none.contains("where the PolyAI ids come from"), "{none}");
        assert!(GenesysConfig::new(region, "", ids())
            .unwrap_err()
            .contains("client_id"));
        assert!(GenesysConfig::new(region, "a b", ids()).is_err());
        let bad = IdSources {
            id_attribute: Some("a\u{7}b".into()),
            ..IdSources::default()
        };
        assert!(GenesysConfig::new(region, "abc", bad)
            .unwrap_err()
            .contains("control"));
        let conversation = IdSources {
            shared_id_from_conversation: true,
            ..IdSources::default()
        };
        assert!(GenesysConfig::new(region, "abc", conversation).is_ok());
    }

    #[test]
    fn the_table_reads_back_as_written() {
        let c = GenesysConfig::new(
            GenesysPlace::Region("euw2.pure.cloud"),
            "client-1",
            IdSources {
                id_attribute: Some("polyai_id".into()),
                shared_id_attribute: Some("polyai_shared".into()),
                shared_id_from_conversation: true,
            },
        )
        .unwrap();
        assert_eq!(GenesysConfig::from_table(&c.to_table()).unwrap(), c);
        let mut t = c.to_table();
        t.insert("colour".into(), Value::String("red".into()));
        assert!(GenesysConfig::from_table(&t)
            .unwrap_err()
            .contains("colour"));
        let mut both = c.to_table();
        both.insert(
            "api_url".into(),
            Value::String("https://api.example.com".into()),
        );
        assert!(GenesysConfig::from_table(&both)
            .unwrap_err()
            .contains("either"));
    }
}
