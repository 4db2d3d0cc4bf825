//! Where a project's Handoff API lives: one of PolyAI's regions, or a custom base URL.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::{Error, Message, Result};

/// A PolyAI region. A workspace lives in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Region {
    /// United States: `api.us-1.platform.polyai.app`.
    #[serde(rename = "us-1")]
    Us1,
    /// United Kingdom: `api.uk-1.platform.polyai.app`.
    #[serde(rename = "uk-1")]
    Uk1,
    /// European Union: `api.euw-1.platform.polyai.app`.
    #[serde(rename = "euw-1")]
    Euw1,
    /// Self-serve Agent Studio: `api.studio.poly.ai`. PolyAI does not document the Handoff API
    /// on this host; it is offered but unverified.
    #[serde(rename = "studio")]
    Studio,
}

impl Region {
    /// Every region, in the order a picker shows them.
    pub const ALL: [Region; 4] = [Region::Us1, Region::Uk1, Region::Euw1, Region::Studio];

    /// The region's name as PolyAI writes it (`us-1`, `uk-1`, `euw-1`, `studio`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Us1 => "us-1",
            Self::Uk1 => "uk-1",
            Self::Euw1 => "euw-1",
            Self::Studio => "studio",
        }
    }

    /// Host of the runtime API that serves handoff states.
    pub fn api_host(self) -> &'static str {
        match self {
            Self::Us1 => "api.us-1.platform.polyai.app",
            Self::Uk1 => "api.uk-1.platform.polyai.app",
            Self::Euw1 => "api.euw-1.platform.polyai.app",
            Self::Studio => "api.studio.poly.ai",
        }
    }

    /// Host of the Agent Studio web UI for this region.
    pub fn studio_host(self) -> &'static str {
        match self {
            Self::Us1 => "studio.us.poly.ai",
            Self::Uk1 => "studio.uk.poly.ai",
            Self::Euw1 => "studio.eu.poly.ai",
            Self::Studio => "studio.poly.ai",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        Region::ALL
            .into_iter()
            .find(|r| r.name() == wanted)
            .ok_or_else(|| {
                Error::Refused(Message::new("refusal.region_unknown").with("input", s.trim()))
            })
    }
}

/// Where requests go: a PolyAI region, or a custom base URL (a private deployment, a proxy, or
/// the local sandbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// One of PolyAI's regions.
    Region(Region),
    /// A custom base URL, validated by [`Endpoint::custom`].
    BaseUrl(#[serde(with = "url_serde")] Url),
}

impl Endpoint {
    /// Validates a custom base URL: `https`, or `http` only for loopback hosts (127.0.0.0/8,
    /// `::1`, `localhost`); no credentials, query or fragment. A path is kept as a prefix.
    pub fn custom(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let url = Url::parse(raw).map_err(|e| {
            Error::Refused(
                Message::new("refusal.base_url_invalid")
                    .with("input", raw)
                    .with("why", e),
            )
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::Refused(
                    Message::new("refusal.base_url_http").with("input", raw),
                ))
            }
            other => {
                return Err(Error::Refused(
                    Message::new("refusal.base_url_scheme").with("scheme", other),
                ))
            }
        }
        if url.host().is_none() {
            return Err(Error::Refused(
                Message::new("refusal.base_url_no_host").with("input", raw),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::Refused(Message::new("refusal.base_url_credentials")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Refused(Message::new("refusal.base_url_query")));
        }
        Ok(Self::BaseUrl(url))
    }

    /// The base URL requests are built on, always ending with `/` so paths append to it.
    pub fn base_url(&self) -> Url {
        let mut url = match self {
            Self::Region(r) => Url::parse(&format!("https://{}/", r.api_host()))
                .unwrap_or_else(|_| unreachable!("region hosts are valid URLs")),
            Self::BaseUrl(u) => u.clone(),
        };
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        url
    }

    /// The region, when this endpoint is one.
    pub fn region(&self) -> Option<Region> {
        match self {
            Self::Region(r) => Some(*r),
            Self::BaseUrl(_) => None,
        }
    }

    /// The custom base URL, when this endpoint is one.
    pub fn custom_url(&self) -> Option<&Url> {
        match self {
            Self::Region(_) => None,
            Self::BaseUrl(u) => Some(u),
        }
    }

    /// Whether requests go to this machine only (plain http is then allowed).
    pub fn is_loopback(&self) -> bool {
        match self {
            Self::Region(_) => false,
            Self::BaseUrl(u) => is_loopback(u),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Region(r) => write!(f, "{r} ({})", r.api_host()),
            Self::BaseUrl(u) => f.write_str(u.as_str()),
        }
    }
}

/// Hosts for which plain http is acceptable: the request never leaves this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

mod url_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use url::Url;

    pub(super) fn serialize<S: Serializer>(url: &Url, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(url.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
        let raw = String::deserialize(d)?;
        match super::Endpoint::custom(&raw) {
            Ok(super::Endpoint::BaseUrl(u)) => Ok(u),
            Ok(super::Endpoint::Region(_)) => Err(serde::de::Error::custom("expected a URL")),
            Err(e) => Err(serde::de::Error::custom(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_and_map_to_hosts() {
        assert_eq!("uk-1".parse::<Region>().ok(), Some(Region::Uk1));
        assert_eq!(" EUW-1 ".parse::<Region>().ok(), Some(Region::Euw1));
        assert!("eu".parse::<Region>().is_err());
        assert_eq!(
            Endpoint::Region(Region::Us1).base_url().as_str(),
            "https://api.us-1.platform.polyai.app/"
        );
        assert_eq!(
            Endpoint::Region(Region::Studio).base_url().as_str(),
            "https://api.studio.poly.ai/"
        );
    }

    #[test]
    fn custom_urls_must_be_https_except_on_loopback() {
        for ok in [
            "https://api.example.com",
            "https://proxy.example.com/polyai",
            "http://127.0.0.1:8080",
            "http://127.8.9.10:1/",
            "http://[::1]:9000",
            "http://localhost:3000",
        ] {
            assert!(Endpoint::custom(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.example.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@api.example.com",
            "https://api.example.com/?a=b",
            "https://api.example.com/#x",
            "api.example.com",
            "",
        ] {
            assert!(Endpoint::custom(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_base_path_is_kept_as_a_prefix() {
        let e = Endpoint::custom("https://proxy.example.com/polyai").expect("valid");
        assert_eq!(e.base_url().as_str(), "https://proxy.example.com/polyai/");
    }
}
