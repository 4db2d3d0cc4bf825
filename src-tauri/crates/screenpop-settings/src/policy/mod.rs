//! The fleet policy: what an IT admin decides for every seat, from a machine-wide place an agent
//! cannot write (`/etc/screenpop/policy.toml`, `HKLM\Software\Policies\screenpop`). It brings
//! managed profiles, limits which profiles an agent may add, gives first values (`[defaults]`)
//! and enforces others (`[locked]`).
//!
//! The settings store applies it in one place: what the services read is the policy laid over
//! the agent's own settings ([`Policy::apply`]), and every change the services make is checked
//! against it before it reaches the agent's file ([`Policy::absorb`]). Precedence: locked > the
//! agent's settings > policy defaults > built-in defaults.
//!
//! A policy that cannot be read fails closed: every setting it could lock stays as it is, and
//! no profile can be added or changed, until it is fixed.

#[cfg(target_os = "macos")]
mod managed;
mod parse;
#[cfg(windows)]
mod registry;
mod source;

use std::collections::BTreeMap;

use toml::Value;

use crate::config::Settings;
use crate::setting::Setting;
use crate::updates::UpdatePolicy;
use crate::{Error, Profile, Result};
use screenpop_api::mask::CardNumbers;

pub use source::{from_file, load, Source, POLICY_FILE};

/// The policy's yes/no values: in the registry, a REG_DWORD of 0 or 1 (what the ADMX template's
/// switches write).
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
const SWITCHES: [&str; 4] = [
    "allow_user_profiles",
    "mask_card_numbers",
    "trigger_enabled",
    "autostart",
];

/// The words shown beside every setting the policy locks.
pub const SET_BY_ORGANISATION: &str = "Set by your organisation";

/// A fleet policy as read, or why it could not be.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    source: Source,
    broken: Option<String>,
    warnings: Vec<String>,
    allow_user_profiles: bool,
    /// `mask_card_numbers = false`: so the safe value is the default, and a broken policy's.
    shows_card_numbers: bool,
    default_profile: Option<String>,
    allowed_hosts: Vec<String>,
    profiles: Vec<Profile>,
    defaults: BTreeMap<Setting, Value>,
    locked: BTreeMap<Setting, Value>,
    updates: UpdatePolicy,
}

impl Policy {
    /// No policy: the agent decides everything.
    pub fn none() -> Self {
        Self {
            allow_user_profiles: true,
            ..Self::default()
        }
    }

    /// A policy that could not be read from `source`, for `reason`: it fails closed.
    pub fn broken(source: Source, reason: String) -> Self {
        Self {
            source,
            broken: Some(reason),
            ..Self::default()
        }
    }

    /// Where it was read from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Why it could not be read (its place and reason), when it could not.
    pub fn broken_reason(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// What was ignored in it (unknown keys, profiles it hides), one sentence each.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether agents may add profiles of their own.
    pub fn allows_user_profiles(&self) -> bool {
        self.broken.is_none() && self.allow_user_profiles
    }

    /// Whether card numbers in caller data are masked (always, unless a readable policy says
    /// `mask_card_numbers = false`).
    pub fn card_numbers(&self) -> CardNumbers {
        if self.broken.is_none() && self.shows_card_numbers {
            CardNumbers::Shown
        } else {
            CardNumbers::Masked
        }
    }

    /// What screenpop does about new versions (off unless a readable policy says notify).
    pub fn updates(&self) -> UpdatePolicy {
        if self.broken.is_some() {
            UpdatePolicy::default()
        } else {
            self.updates.clone()
        }
    }

    /// The hosts profiles may point at; empty when any host is allowed.
    pub fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }

    /// Whether the profile called `name` is managed by the policy.
    pub fn manages(&self, name: &str) -> bool {
        self.managed(name).is_some()
    }

    fn managed(&self, name: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
    }

    /// Whether `setting` cannot be changed: the policy locks it, or is broken and might.
    pub fn locks(&self, setting: Setting) -> bool {
        self.broken.is_some() || self.locked.contains_key(&setting)
    }

    /// Whether the policy gives `setting` a value (a default or a lock).
    pub fn decides(&self, setting: Setting) -> bool {
        self.defaults.contains_key(&setting) || self.locked.contains_key(&setting)
    }

    /// The value the policy enforces for `setting`, if it locks it.
    pub fn locked_value(&self, setting: Setting) -> Option<&Value> {
        self.locked.get(&setting)
    }

    /// Why `profile`, which the agent is adding or changing, is refused; `Ok` if it may be.
    pub fn admits(&self, profile: &Profile) -> Result<()> {
        if let Some(why) = &self.broken {
            return Err(Error::Policy(format!(
                "Profiles cannot be added or changed while your organisation's screenpop policy is broken ({why}). Ask your IT team to fix it."
            )));
        }
        if !self.allow_user_profiles {
            return Err(Error::Policy(format!(
                "{SET_BY_ORGANISATION}: your organisation's policy does not allow adding profiles (\"{}\"). Use a profile it provides.",
                profile.name
            )));
        }
        if !self.host_allowed(profile) {
            let host = profile.endpoint.base_url();
            return Err(Error::Policy(format!(
                "{SET_BY_ORGANISATION}: profiles may only point at {}, not {}.",
                self.allowed_hosts.join(", "),
                host.host_str().unwrap_or_default()
            )));
        }
        Ok(())
    }

    fn host_allowed(&self, profile: &Profile) -> bool {
        let url = profile.endpoint.base_url();
        let host = url.host_str().unwrap_or_default();
        self.allowed_hosts.is_empty()
            || self
                .allowed_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Why the agent's own profile `p` is not used, if it is not.
    fn hides(&self, p: &Profile) -> Option<String> {
        if self.manages(&p.name) {
            return Some(format!(
                "Your profile \"{}\" is not used: your organisation provides a profile of that name.",
                p.name
            ));
        }
        if self.broken.is_none() && !self.allow_user_profiles {
            return Some(format!(
                "Your profile \"{}\" is not used: your organisation's policy allows only the profiles it provides.",
                p.name
            ));
        }
        (!self.host_allowed(p)).then(|| {
            format!(
                "Your profile \"{}\" is not used: your organisation's policy does not allow its host.",
                p.name
            )
        })
    }

    /// Sentences about the agent's own profiles that the policy hides, for Settings and `doctor`.
    pub fn hidden_profiles(&self, user: &Settings) -> Vec<String> {
        user.profiles()
            .iter()
            .filter_map(|p| self.hides(p))
            .collect()
    }

    /// The settings in force: the policy laid over the agent's `user` settings.
    pub fn apply(&self, user: &Settings) -> Settings {
        let mut out = user.clone();
        for (setting, value) in &self.defaults {
            if !user.chosen.contains(setting) {
                // Checked when the policy was read.
                let _ = setting.put(&mut out, value);
            }
        }
        for (setting, value) in &self.locked {
            let _ = setting.put(&mut out, value);
        }
        if out.timeouts.validate().is_err() {
            // The agent's timeouts do not fit the locked ones: the policy's (and built-in) win.
            out.timeouts = Settings::default().timeouts;
            for (setting, value) in self.defaults.iter().chain(&self.locked) {
                let _ = setting.put(&mut out, value);
            }
        }
        let mut profiles = self.profiles.clone();
        profiles.extend(
            user.profiles()
                .iter()
                .filter(|p| self.hides(p).is_none())
                .cloned(),
        );
        out.profiles = profiles;
        let visible = |name: &str| out.find(name).map(|i| out.profiles[i].name.clone());
        out.active = user
            .active()
            .and_then(visible)
            .or_else(|| self.default_profile.as_deref().and_then(visible))
            .or_else(|| out.profiles.first().map(|p| p.name.clone()));
        out
    }

    /// The agent's settings after a change the services made to the settings in force
    /// (`before` → `after`), or why the policy refuses it. Only what changed reaches the agent's
    /// settings, so policy defaults keep applying to everything the agent never chose.
    pub fn absorb(&self, user: &Settings, before: &Settings, after: Settings) -> Result<Settings> {
        let mut next = user.clone();
        for setting in Setting::ALL {
            let value = setting.get(&after);
            if value == setting.get(before) {
                continue;
            }
            if self.locks(setting) {
                return Err(self.locked_error(setting));
            }
            setting.put(&mut next, &value).map_err(Error::BadInput)?;
            next.chosen.insert(setting);
        }
        next.timeouts
            .validate()
            .map_err(|why| Error::BadInput(format!("The timeouts do not fit together: {why}.")))?;
        for managed in &self.profiles {
            let kept = after.find(&managed.name).map(|i| &after.profiles[i]);
            if kept != Some(managed) {
                return Err(Error::Policy(format!(
                    "{SET_BY_ORGANISATION}: the profile \"{}\" cannot be changed or removed here.",
                    managed.name
                )));
            }
        }
        let mut own = Vec::new();
        for p in after.profiles.iter().filter(|p| !self.manages(&p.name)) {
            if !before.profiles.contains(p) {
                self.admits(p)?;
            }
            own.push(p.clone());
        }
        // The agent's profiles the policy hides are kept for the day it allows them again.
        let hidden: Vec<Profile> = user
            .profiles()
            .iter()
            .filter(|p| self.hides(p).is_some())
            .cloned()
            .collect();
        next.lookup_by = after.lookup_by.clone();
        for p in &hidden {
            if let Some(by) = user.lookup_by.get(&p.name) {
                next.lookup_by.insert(p.name.clone(), *by);
            }
        }
        own.extend(hidden);
        next.profiles = own;
        next.active = after.active;
        Ok(next)
    }

    /// The refusal for changing `setting`.
    pub fn locked_error(&self, setting: Setting) -> Error {
        Error::Policy(match &self.broken {
            Some(why) => format!(
                "{setting} cannot be changed while your organisation's screenpop policy is broken ({why}). Ask your IT team to fix it."
            ),
            None => format!("{SET_BY_ORGANISATION}: {setting} cannot be changed here."),
        })
    }
}

#[cfg(test)]
mod tests;
