//! New versions, as far as the fleet allows: with `[updates] mode = "notify"` in the policy,
//! screenpop reads a manifest at the policy's address (HTTPS, the profile timeouts, 64 KiB at
//! most), checks its Ed25519 signature against the key built into the program or given by the
//! policy, and says whether it names a newer version and where to get it. It never downloads or
//! runs an installer: a per-machine install needs rights an agent does not have, and a fleet
//! signs and approves its own packages. With the policy's default, "off", it asks nothing.
//!
//! The manifest is JSON: `{"signed": "<the manifest's own JSON, as text>", "signature": "<base64
//! of the Ed25519 signature of that text's bytes>"}`, the manifest being `{"product":
//! "screenpop", "version": "0.2.0", "url": "https://…/screenpop-0.2.0-x64.msi", "notes": "…"}`.
//! Signing the exact text spares both sides any canonical form. [`sign`] makes one
//! (`screenpop update sign`).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};

use screenpop_api::client::root_cause;
use screenpop_api::retry::Timeouts;
use screenpop_api::Message;
use screenpop_settings::updates::{UpdateMode, UpdatePolicy};

use crate::{Error, Result};

/// The largest manifest read; anything longer is refused.
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;

/// A public key built in at compile time (`SCREENPOP_UPDATE_PUBLIC_KEY`, base64), for a fleet
/// that builds its own screenpop; the policy's `public_key` is used when there is none.
pub const BUILT_IN_KEY: Option<&str> = option_env!("SCREENPOP_UPDATE_PUBLIC_KEY");

/// The product every manifest must name, so a manifest signed for another program with the
/// same key is not taken for screenpop's.
pub const PRODUCT: &str = "screenpop";

/// What a manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`PRODUCT`].
    pub product: String,
    /// The version it offers (`MAJOR.MINOR.PATCH`).
    pub version: String,
    /// Where IT publishes it (`https://`).
    pub url: String,
    /// What changed, in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signed {
    signed: String,
    signature: String,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateStatus {
    /// The policy says off (the default): nothing was asked.
    Off,
    /// The manifest offers this version or an older one.
    UpToDate {
        /// The version the manifest offers.
        offered: String,
    },
    /// A newer version is there.
    Available {
        /// Its version.
        version: String,
        /// Where to get it.
        url: String,
        /// What changed.
        notes: Option<String>,
    },
}

impl UpdateStatus {
    /// In a sentence, for `doctor`, `screenpop update status` and Diagnostics, to be worded in
    /// the reader's language (its `Display` is the English).
    pub fn describe(&self, current: &str) -> Message {
        match self {
            Self::Off => Message::new("doctor.update_off"),
            Self::UpToDate { offered } => Message::new("doctor.update_current")
                .with("current", current)
                .with("offered", offered),
            Self::Available { version, url, .. } => Message::new("doctor.update_available")
                .with("version", version)
                .with("current", current)
                .with("url", url),
        }
    }
}

fn refused(why: String) -> Error {
    Error::Config(format!("The update manifest cannot be used: {why}."))
}

/// A new signing key: (its PKCS#8 document, to keep secret; its public key, base64, for the
/// policy's `public_key`).
pub fn keygen() -> Result<(Vec<u8>, String)> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| Error::Config("Cannot make a signing key.".to_owned()))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .map_err(|_| Error::Config("Cannot read the new signing key.".to_owned()))?;
    Ok((
        pkcs8.as_ref().to_vec(),
        BASE64.encode(pair.public_key().as_ref()),
    ))
}

/// The signed manifest (its JSON text) for `manifest`, with the PKCS#8 key `pkcs8`.
pub fn sign(pkcs8: &[u8], manifest: &Manifest) -> Result<String> {
    check_manifest(manifest).map_err(|why| Error::BadInput(format!("{why}.")))?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| {
        Error::BadInput(
            "The signing key is not an Ed25519 key (PKCS#8) made by `screenpop update keygen`."
                .to_owned(),
        )
    })?;
    let signed = serde_json::to_string(manifest)
        .map_err(|e| Error::Config(format!("Cannot write the manifest: {e}.")))?;
    let signature = BASE64.encode(pair.sign(signed.as_bytes()).as_ref());
    serde_json::to_string_pretty(&Signed { signed, signature })
        .map_err(|e| Error::Config(format!("Cannot write the manifest: {e}.")))
}

/// The manifest in `body`, if it is signed with `public_key` (base64) and well formed.
pub fn read(body: &[u8], public_key: &str) -> Result<Manifest> {
    let key = BASE64
        .decode(public_key.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| {
            refused(
                "the public key is not an Ed25519 key (base64 of 32 bytes, from `screenpop update keygen`)"
                    .to_owned(),
            )
        })?;
    let outer: Signed = serde_json::from_slice(body)
        .map_err(|e| refused(format!("it is not a signed manifest ({e})")))?;
    let signature = BASE64
        .decode(outer.signature.trim())
        .map_err(|_| refused("its signature is not base64".to_owned()))?;
    UnparsedPublicKey::new(&ED25519, &key)
        .verify(outer.signed.as_bytes(), &signature)
        .map_err(|_| refused("its signature does not match the key".to_owned()))?;
    let manifest: Manifest = serde_json::from_str(&outer.signed)
        .map_err(|e| refused(format!("what it signs is not a manifest ({e})")))?;
    check_manifest(&manifest).map_err(refused)?;
    Ok(manifest)
}

fn check_manifest(m: &Manifest) -> std::result::Result<(), String> {
    if m.product != PRODUCT {
        return Err(format!("it is for \"{}\", not {PRODUCT}", m.product));
    }
    version(&m.version)?;
    if !m.url.starts_with("https://") {
        return Err(format!("its address {} is not https://", m.url));
    }
    Ok(())
}

/// `MAJOR.MINOR.PATCH` as numbers.
fn version(text: &str) -> std::result::Result<[u64; 3], String> {
    let parts: Vec<u64> = text
        .split('.')
        .map(str::parse)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| format!("its version \"{text}\" is not MAJOR.MINOR.PATCH"))?;
    <[u64; 3]>::try_from(parts)
        .map_err(|_| format!("its version \"{text}\" is not MAJOR.MINOR.PATCH"))
}

/// Whether `offered` is newer than `current`.
pub fn newer(offered: &str, current: &str) -> Result<bool> {
    let offered = version(offered).map_err(refused)?;
    let current = version(current).map_err(|why| Error::Config(why.replace("its", "this")))?;
    Ok(offered > current)
}

/// Asks the policy's manifest whether a version newer than `current` is there. With the policy
/// off, asks nothing.
pub async fn check(
    policy: &UpdatePolicy,
    timeouts: &Timeouts,
    current: &str,
) -> Result<UpdateStatus> {
    if policy.mode == UpdateMode::Off {
        return Ok(UpdateStatus::Off);
    }
    let address = policy
        .manifest_url
        .as_deref()
        .ok_or_else(|| refused("the policy's [updates] names no manifest_url".to_owned()))?;
    let url = url::Url::parse(address)
        .ok()
        .filter(|u| u.scheme() == "https")
        .ok_or_else(|| refused(format!("its address {address} is not https://")))?;
    let key = BUILT_IN_KEY
        .or(policy.public_key.as_deref())
        .ok_or_else(|| {
            refused("the policy's [updates] names no public_key, and none is built in".to_owned())
        })?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .https_only(true)
        .connect_timeout(timeouts.connect())
        .timeout(timeouts.attempt())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Config(format!("Cannot set up the HTTP client: {e}.")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let unreachable = |e: reqwest::Error| -> Error {
        if e.is_timeout() {
            screenpop_api::Error::Timeout {
                after: timeouts.attempt(),
            }
            .into()
        } else {
            screenpop_api::Error::Unreachable {
                host: host.clone(),
                reason: root_cause(&e),
            }
            .into()
        }
    };
    let mut response = client.get(url).send().await.map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(refused(format!(
            "{host} answered HTTP {}",
            response.status().as_u16()
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_MANIFEST_BYTES {
            return Err(refused(format!(
                "it is longer than {} KiB",
                MAX_MANIFEST_BYTES / 1024
            )));
        }
    }
    let manifest = read(&body, key)?;
    Ok(if newer(&manifest.version, current)? {
        UpdateStatus::Available {
            version: manifest.version,
            url: manifest.url,
            notes: manifest.notes,
        }
    } else {
        UpdateStatus::UpToDate {
            offered: manifest.version,
        }
    })
}

/// How often the window asks, when the policy says notify.
pub const CHECK_EVERY: Duration = Duration::from_secs(12 * 3600);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn manifest(version: &str) -> Manifest {
        Manifest {
            product: PRODUCT.to_owned(),
            version: version.to_owned(),
            url: format!("https://it.acme.example/screenpop-{version}-x64.msi"),
            notes: Some("Faster cards.".to_owned()),
        }
    }

    #[test]
    fn a_signed_manifest_reads_back_and_any_change_or_other_key_is_refused() {
        let (secret, public) = keygen().unwrap();
        let signed = sign(&secret, &manifest("0.2.0")).unwrap();
        assert_eq!(read(signed.as_bytes(), &public).unwrap(), manifest("0.2.0"));

        let (_, other) = keygen().unwrap();
        let e = read(signed.as_bytes(), &other).unwrap_err();
        assert!(e.to_string().contains("does not match the key"), "{e}");
        let tampered = signed.replace("0.2.0", "9.9.9");
        assert!(read(tampered.as_bytes(), &public).is_err());
        assert!(read(b"{}", &public).is_err());
        assert!(read(signed.as_bytes(), "not-a-key").is_err());
    }

    #[test]
    fn what_cannot_be_offered_is_not_signed() {
        let (secret, _) = keygen().unwrap();
        let mut plain = manifest("0.2.0");
        plain.url = "http://it.acme.example/x.msi".to_owned();
        assert!(sign(&secret, &plain).is_err());
        assert!(sign(&secret, &manifest("0.2")).is_err());
        let mut other = manifest("0.2.0");
        other.product = "zoom".to_owned();
        assert!(sign(&secret, &other).is_err());
        assert!(sign(b"not a key", &manifest("0.2.0")).is_err());
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert!(newer("0.10.0", "0.9.9").unwrap());
        assert!(newer("1.0.0", "0.99.99").unwrap());
        assert!(!newer("0.1.0", "0.1.0").unwrap());
        assert!(!newer("0.0.9", "0.1.0").unwrap());
        assert!(newer("0.1", "0.1.0").is_err());
    }
}
