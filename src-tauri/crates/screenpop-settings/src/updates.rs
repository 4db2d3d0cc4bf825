//! How screenpop learns of a new version: the fleet's choice, `[updates]` in the policy. Off
//! unless the policy says "notify": a per-machine install is updated by the fleet's own tool
//! (an agent has no rights to run an installer), so screenpop never downloads or runs one; at
//! most it reads a manifest the fleet signed and says that a version is available, and where.

use toml::{Table, Value};

/// What screenpop does about new versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateMode {
    /// Nothing: no request is made (the default; the fleet's tool updates screenpop).
    #[default]
    Off,
    /// Reads the policy's signed manifest now and then, and says when a newer version is there.
    Notify,
}

/// `[updates]` as the policy gives it. The address and key are checked when they are used, so
/// a mistake here stops only the update check (which says why), never the rest of the policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdatePolicy {
    /// Off or notify.
    pub mode: UpdateMode,
    /// Where the signed manifest is (`https://` only).
    pub manifest_url: Option<String>,
    /// The Ed25519 public key the manifest must be signed with (base64 of its 32 bytes), when
    /// the program has none built in.
    pub public_key: Option<String>,
}

/// The keys of `[updates]`.
pub(crate) const KEYS: [&str; 3] = ["mode", "manifest_url", "public_key"];

impl UpdatePolicy {
    /// Reads `[updates]`; the error names the key and what it must be.
    pub fn from_table(t: &Table) -> Result<Self, String> {
        if let Some(unknown) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!(
                "unknown key `{unknown}` (known: {})",
                KEYS.join(", ")
            ));
        }
        let text = |key: &str| match t.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(format!("`{key}` must be text")),
        };
        let mode = match text("mode")?.as_deref() {
            None | Some("off") => UpdateMode::Off,
            Some("notify") => UpdateMode::Notify,
            Some(other) => {
                return Err(format!(
                    "`mode` is \"off\" or \"notify\", not \"{other}\" (screenpop never installs updates itself)"
                ))
            }
        };
        Ok(Self {
            mode,
            manifest_url: text("manifest_url")?,
            public_key: text("public_key")?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn off_unless_told_and_every_mistake_named() {
        let read = |text: &str| UpdatePolicy::from_table(&toml::from_str(text).unwrap());
        assert_eq!(read("").unwrap().mode, UpdateMode::Off);
        let p = read("mode = \"notify\"\nmanifest_url = \"https://it.acme.example/screenpop.json\"\npublic_key = \"abc\"").unwrap();
        assert_eq!(p.mode, UpdateMode::Notify);
        assert_eq!(
            p.manifest_url.as_deref(),
            Some("https://it.acme.example/screenpop.json")
        );
        assert!(read("mode = \"auto\"")
            .unwrap_err()
            .contains("never installs"));
        assert!(read("channel = \"beta\"")
            .unwrap_err()
            .contains("unknown key"));
        assert!(read("manifest_url = 3")
            .unwrap_err()
            .contains("`manifest_url`"));
    }
}
