//! Profiles with their keys: the one place a profile is built from what a person typed,
//! validated, added, renamed (its key follows), made active and deleted (its key too). The
//! window and the command line both go through here.

use std::sync::Arc;

use crate::genesys::GenesysConfig;
use crate::keys::Keys;
use crate::relay::RelayConfig;
use crate::store::SettingsStore;
use crate::{Profile, Result};
use screenpop_api::endpoint::Endpoint;
use screenpop_api::{ApiKey, Error as ApiError, LookupBy, Message};

/// What the agent sent from the profile form: the profile as typed, the one being edited, and a
/// key if they typed one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileForm {
    /// The profile being edited (`None`: a new one).
    pub editing: Option<String>,
    /// The profile as typed.
    pub input: ProfileInput,
    /// A key, when one was typed; blank keeps the stored one.
    pub key: String,
}

impl ProfileForm {
    /// Whether the form must be saved before a test: a new profile, or a key typed, is tested as
    /// typed; otherwise the test is of the profile as saved.
    pub fn needs_saving_to_test(&self) -> bool {
        self.editing.is_none() || !self.key.trim().is_empty()
    }
}

/// A profile as entered in the settings form or on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInput {
    /// Name.
    pub name: String,
    /// An Agent Studio URL, which gives region, account and project at once.
    pub studio_url: Option<String>,
    /// A region name, with `account` and `project`.
    pub region: Option<String>,
    /// A custom base URL, with `account` and `project`.
    pub base_url: Option<String>,
    /// Account id.
    pub account: String,
    /// Project id.
    pub project: String,
}

impl ProfileInput {
    /// Validates the input into a profile.
    pub fn into_profile(self) -> Result<Profile> {
        let nonblank = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(url) = nonblank(&self.studio_url) {
            return Profile::from_studio_url(&self.name, &url);
        }
        let endpoint = match (nonblank(&self.region), nonblank(&self.base_url)) {
            (Some(_), Some(_)) => {
                return Err(ApiError::Refused(Message::new("refusal.region_and_base_url")).into())
            }
            (None, Some(url)) => Endpoint::custom(&url)?,
            (Some(region), None) => Endpoint::Region(region.parse()?),
            (None, None) => {
                return Err(ApiError::Refused(Message::new("refusal.no_endpoint")).into())
            }
        };
        Profile::new(&self.name, endpoint, &self.account, &self.project)
    }
}

/// One profile as listed, with what is known of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEntry {
    /// The profile.
    pub profile: Profile,
    /// Whether a key is stored; `None` when the keychain cannot be asked.
    pub has_key: Option<bool>,
    /// The kind of id last looked up with it.
    pub lookup_by: LookupBy,
    /// Whether the fleet policy provides it (then only its key can be changed).
    pub managed: bool,
}

/// All profiles, which is active, and why key states are unknown if they are.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileList {
    /// In the order they were added.
    pub entries: Vec<ProfileEntry>,
    /// The active profile's name.
    pub active: Option<String>,
    /// Why `has_key` is unknown, when the keychain cannot be reached.
    pub keychain_error: Option<String>,
    /// Whether the agent may add profiles of their own (the fleet policy may forbid it).
    pub can_add: bool,
    /// Why some of the agent's own profiles are not used under the policy.
    pub hidden: Vec<String>,
}

/// The profiles service.
#[derive(Debug, Clone)]
pub struct Profiles {
    store: Arc<SettingsStore>,
    keys: Arc<Keys>,
}

impl Profiles {
    /// Profiles kept in `store`, their keys in `keys`.
    pub fn new(store: Arc<SettingsStore>, keys: Arc<Keys>) -> Self {
        Self { store, keys }
    }

    /// The profiles, asking the keychain whether each has a key.
    pub async fn list(&self) -> ProfileList {
        let settings = self.store.get();
        let policy = self.store.policy();
        let names: Vec<String> = settings.profiles().iter().map(|p| p.name.clone()).collect();
        let (has_keys, keychain_error) = match self.keys.stored(names).await {
            Ok(v) => (v.into_iter().map(Some).collect(), None),
            Err(e) => (vec![None; settings.profiles().len()], Some(e.to_string())),
        };
        ProfileList {
            entries: settings
                .profiles()
                .iter()
                .zip(has_keys)
                .map(|(p, has_key)| ProfileEntry {
                    profile: p.clone(),
                    has_key,
                    lookup_by: settings.lookup_by(&p.name),
                    managed: policy.manages(&p.name),
                })
                .collect(),
            active: settings.active().map(str::to_owned),
            keychain_error,
            can_add: policy.allows_user_profiles(),
            hidden: policy.hidden_profiles(&self.store.user()),
        }
    }

    /// The profiles' names and the active one, without asking the keychain.
    pub fn names(&self) -> (Vec<String>, Option<String>) {
        self.store.read(|s| {
            (
                s.profiles().iter().map(|p| p.name.clone()).collect(),
                s.active().map(str::to_owned),
            )
        })
    }

    /// The profile called `name`, or the active one when `None`.
    pub fn get(&self, name: Option<&str>) -> Result<Profile> {
        self.store.read(|s| s.profile(name).cloned())
    }

    /// Adds a profile (`original` is `None`) or replaces one, and makes it active. A renamed
    /// profile keeps its key. Answers the profile's name as saved.
    pub async fn save(&self, original: Option<&str>, input: ProfileInput) -> Result<String> {
        let profile = input.into_profile()?;
        let name = profile.name.clone();
        let renamed_from = self.store.change(|s| {
            let renamed = match original {
                Some(old) => {
                    let old_name = s.profile(Some(old))?.name.clone();
                    s.replace_profile(old, profile)?;
                    (old_name != name).then_some(old_name)
                }
                None => {
                    s.add_profile(profile)?;
                    None
                }
            };
            s.use_profile(&name)?;
            Ok(renamed)
        })?;
        if let Some(old) = renamed_from {
            self.keys.rename(&old, &name).await?;
        }
        Ok(name)
    }

    /// Saves what the agent sent from the profile form and makes it active: the profile as
    /// typed, except a managed one, whose fields are the organisation's (it is only made
    /// active); then the key, when one was typed. Answers the profile's name as saved.
    pub async fn save_form(&self, form: &ProfileForm) -> Result<String> {
        let managed = form
            .editing
            .as_deref()
            .is_some_and(|name| self.store.policy().manages(name));
        let name = match form.editing.as_deref() {
            Some(name) if managed => self.activate(name)?,
            editing => self.save(editing, form.input.clone()).await?,
        };
        if !form.key.trim().is_empty() {
            self.store_key(Some(&name), &form.key).await?;
        }
        Ok(name)
    }

    /// Connects `profile` (the active one when `None`) to Genesys Cloud as `config` says, or
    /// disconnects it; refused for a profile the fleet policy manages. Answers its name.
    pub fn set_genesys(
        &self,
        profile: Option<&str>,
        config: Option<GenesysConfig>,
    ) -> Result<String> {
        let name = self.get(profile)?.name;
        self.store.change(|s| s.set_genesys(&name, config))
    }

    /// Connects `profile` (the active one when `None`) to the relay as `config` says, or
    /// disconnects it; refused for a profile the fleet policy manages. Answers its name.
    pub fn set_relay(&self, profile: Option<&str>, config: Option<RelayConfig>) -> Result<String> {
        let name = self.get(profile)?.name;
        self.store.change(|s| s.set_relay(&name, config))
    }

    /// Adds a profile without changing which one is active (the command line).
    pub fn add(&self, input: ProfileInput) -> Result<Profile> {
        let profile = input.into_profile()?;
        self.store.change(|s| s.add_profile(profile.clone()))?;
        Ok(profile)
    }

    /// Removes a profile, then its key. The profile is gone even if the keychain fails: the
    /// second part of the answer then says why its key is left behind.
    pub async fn delete(&self, name: &str) -> Result<(Profile, Result<()>)> {
        let removed = self.store.change(|s| s.remove_profile(name))?;
        let key = self.keys.delete(&removed.name).await.map(|_| ());
        Ok((removed, key))
    }

    /// Makes `name` the active profile; answers its name as saved.
    pub fn activate(&self, name: &str) -> Result<String> {
        self.store.change(|s| {
            s.use_profile(name)?;
            Ok(s.active().unwrap_or_default().to_owned())
        })
    }

    /// Stores the key of `profile` (the active one when `None`); it can never be read back
    /// through this service. Answers the profile's name.
    pub async fn store_key(&self, profile: Option<&str>, raw_key: &str) -> Result<String> {
        let name = self.get(profile)?.name;
        let key = ApiKey::new(raw_key)?;
        self.keys.set(&name, key).await?;
        Ok(name)
    }

    /// Whether `profile` has a key stored; answers its name too.
    pub async fn has_key(&self, profile: Option<&str>) -> Result<(String, bool)> {
        let name = self.get(profile)?.name;
        let stored = self.keys.stored(vec![name.clone()]).await?;
        Ok((name, stored.first().copied().unwrap_or(false)))
    }

    /// Asks the keychain for an entry no profile can have ('@' cannot start a name): `Ok` when
    /// the keychain answers at all.
    pub async fn probe_keychain(&self) -> Result<()> {
        self.keys
            .blocking(|keys| keys.get("@screenpop-doctor").map(|_| ()))
            .await
    }

    /// Deletes the key of `profile`; `true` if there was one. Answers its name too.
    pub async fn delete_key(&self, profile: Option<&str>) -> Result<(String, bool)> {
        let name = self.get(profile)?.name;
        let deleted = self.keys.delete(&name).await?;
        Ok((name, deleted))
    }
}
