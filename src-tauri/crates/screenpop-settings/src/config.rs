//! Non-secret settings (profiles, the active profile, timeouts) in a TOML file in the OS config
//! directory. The file never holds an API key: keys live in the keychain only.
//!
//! The file is read as raw strings and validated once on load, so the rest of the program only
//! sees valid profiles; a hand-edited mistake is reported with the file's path and the culprit.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::genesys::GenesysConfig;
use crate::i18n::LanguageChoice;
use crate::profiles::ProfileInput;
use crate::relay::RelayConfig;
use crate::setting::Setting;
use crate::{Error, Profile, Result};
use screenpop_api::ids::LookupBy;
use screenpop_api::retry::Timeouts;
use screenpop_card::Layout;

/// File name of the settings inside the screenpop config directory.
pub const SETTINGS_FILE: &str = "settings.toml";

/// Where the settings file lives: `$XDG_CONFIG_HOME/screenpop/settings.toml` on Linux
/// (`~/.config/…` without it), the platform's config directory elsewhere.
pub fn default_path() -> Result<PathBuf> {
    dirs::config_dir()
        .map(|d| d.join("screenpop").join(SETTINGS_FILE))
        .ok_or_else(|| {
            Error::Config(
                "Cannot find the configuration directory: set HOME (or XDG_CONFIG_HOME)."
                    .to_owned(),
            )
        })
}

/// Validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub(crate) profiles: Vec<Profile>,
    pub(crate) active: Option<String>,
    pub(crate) lookup_by: BTreeMap<String, LookupBy>,
    /// The settings the agent chose (written in the file); the others follow the fleet policy's
    /// defaults (see [`crate::policy`]).
    pub(crate) chosen: BTreeSet<Setting>,
    /// Time limits for lookups.
    pub timeouts: Timeouts,
    /// What a pushed transfer does when the window is not in front.
    pub pop_action: PopAction,
    /// The local trigger for CTI systems.
    pub trigger: TriggerSettings,
    /// The global shortcut that looks up the id on the clipboard; empty turns it off.
    pub hotkey: String,
    /// Whether screenpop starts at login (kept by the OS; recorded here once chosen).
    pub autostart: bool,
    /// The language of the window, the tray menu and the notifications.
    pub language: LanguageChoice,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            profiles: Vec::new(),
            active: None,
            lookup_by: BTreeMap::new(),
            chosen: BTreeSet::new(),
            timeouts: Timeouts::default(),
            pop_action: PopAction::default(),
            trigger: TriggerSettings::default(),
            hotkey: default_hotkey(),
            autostart: false,
            language: LanguageChoice::System,
        }
    }
}

/// The default clipboard shortcut.
pub const DEFAULT_HOTKEY: &str = "Ctrl+Alt+P";

/// The local trigger: off until the agent or an admin turns it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriggerSettings {
    /// Whether it listens.
    pub enabled: bool,
    /// Port on 127.0.0.1; 0 picks a free one in each session (and publishes it, see
    /// [`crate::session`]).
    pub port: u16,
}

impl Default for TriggerSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: 47_655,
        }
    }
}

/// What a pushed transfer does when the window is not in front.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopAction {
    /// A desktop notification; the agent's typing elsewhere is never interrupted.
    #[default]
    Notify,
    /// A notification, and the window is brought forward (without taking the keyboard).
    NotifyAndRaise,
    /// The window is brought forward, without a notification.
    Raise,
}

impl PopAction {
    /// Whether a notification is shown.
    pub fn notifies(self) -> bool {
        matches!(self, Self::Notify | Self::NotifyAndRaise)
    }

    /// Whether the window is brought forward.
    pub fn raises(self) -> bool {
        matches!(self, Self::NotifyAndRaise | Self::Raise)
    }
}

fn default_hotkey() -> String {
    DEFAULT_HOTKEY.to_owned()
}

fn system_language() -> String {
    LanguageChoice::System.name().to_owned()
}

/// The file as written on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    active_profile: Option<String>,
    #[serde(default)]
    timeouts: Timeouts,
    #[serde(default)]
    pop_action: PopAction,
    #[serde(default)]
    trigger: TriggerSettings,
    #[serde(default = "default_hotkey")]
    hotkey: String,
    #[serde(default)]
    autostart: bool,
    #[serde(default = "system_language")]
    language: String,
    /// The last kind of id looked up, per profile (the window remembers the choice).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    lookup_by: BTreeMap<String, LookupBy>,
    #[serde(default, rename = "profile", skip_serializing_if = "Vec::is_empty")]
    profiles: Vec<RawProfile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    account: String,
    project: String,
    /// The card's layout, as `[profile.card]` (README, "Card layouts").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card: Option<toml::Table>,
    /// Genesys Cloud, as `[profile.genesys]` (README, "Genesys Cloud").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    genesys: Option<toml::Table>,
    /// The relay, as `[profile.relay]` (README, "The relay").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    relay: Option<toml::Table>,
}

/// The entry of `setting` in a settings file's table, if the file sets it.
fn file_entry(table: &toml::Table, setting: Setting) -> Option<&toml::Value> {
    match setting.file_path() {
        (None, key) => table.get(key),
        (Some(parent), key) => table.get(parent)?.as_table()?.get(key),
    }
}

impl Settings {
    /// Reads the settings at `path`; a missing file means no profiles yet.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(Error::Config(format!(
                    "Cannot read the settings file {}: {e}.",
                    path.display()
                )))
            }
        };
        Self::parse(&text).map_err(|why| {
            Error::Config(format!(
                "The settings file {} is not valid: {why}. Fix or delete it.",
                path.display()
            ))
        })
    }

    fn parse(text: &str) -> std::result::Result<Self, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let chosen = Setting::ALL
            .into_iter()
            .filter(|s| file_entry(&table, *s).is_some())
            .collect();
        let raw: RawSettings = table
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_owned())?;
        raw.timeouts.validate()?;
        crate::setting::check_hotkey(&raw.hotkey)?;
        crate::setting::check_port(raw.trigger.port)?;
        let mut settings = Settings {
            profiles: Vec::with_capacity(raw.profiles.len()),
            active: None,
            lookup_by: BTreeMap::new(),
            chosen,
            timeouts: raw.timeouts,
            pop_action: raw.pop_action,
            trigger: raw.trigger,
            hotkey: raw.hotkey,
            autostart: raw.autostart,
            language: LanguageChoice::named(&raw.language)?,
        };
        for p in raw.profiles {
            if p.region.is_some() == p.base_url.is_some() {
                return Err(format!(
                    "profile \"{}\" needs exactly one of `region` and `base_url`",
                    p.name
                ));
            }
            // Built as the window's form and `screenpop profile add` build it.
            let name = p.name.clone();
            let profile = ProfileInput {
                name: p.name,
                studio_url: None,
                region: p.region,
                base_url: p.base_url,
                account: p.account,
                project: p.project,
            }
            .into_profile()
            .map_err(|e| format!("profile \"{name}\": {e}"))?;
            let profile = match p.card {
                Some(table) => Profile {
                    card: Layout::from_table(&table)
                        .map_err(|(at, why)| format!("profile \"{name}\", {at}: {why}"))?,
                    ..profile
                },
                None => profile,
            };
            let genesys = p
                .genesys
                .map(|t| GenesysConfig::from_table(&t))
                .transpose()
                .map_err(|why| format!("profile \"{name}\", genesys: {why}"))?;
            let relay = p
                .relay
                .map(|t| RelayConfig::from_table(&t))
                .transpose()
                .map_err(|why| format!("profile \"{name}\", relay: {why}"))?;
            let profile = Profile {
                genesys,
                relay,
                ..profile
            };
            settings.add_profile(profile).map_err(|e| e.to_string())?;
        }
        // The active profile and the remembered kinds of id may name a profile of the fleet
        // policy, which is not in this file: the policy resolves them (see `Policy::apply`).
        settings.active = raw.active_profile;
        settings.lookup_by = raw.lookup_by;
        Ok(settings)
    }

    /// Writes the settings to `path` atomically (a crash never leaves half a file), creating the
    /// directory if needed.
    pub fn save(&self, path: &Path) -> Result<()> {
        let fail = |e: std::io::Error| {
            Error::Config(format!(
                "Cannot write the settings file {}: {e}.",
                path.display()
            ))
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(fail)?;
        let text = self.to_toml()?;
        let tmp = dir.join(format!(".{SETTINGS_FILE}.{}.tmp", std::process::id()));
        let mut file = fs::File::create(&tmp).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        fs::rename(&tmp, path).map_err(fail)
    }

    fn to_toml(&self) -> Result<String> {
        let raw = RawSettings {
            active_profile: self.active.clone(),
            timeouts: self.timeouts,
            pop_action: self.pop_action,
            trigger: self.trigger,
            hotkey: self.hotkey.clone(),
            autostart: self.autostart,
            language: self.language.name().to_owned(),
            lookup_by: self.lookup_by.clone(),
            profiles: self
                .profiles
                .iter()
                .map(|p| RawProfile {
                    name: p.name.clone(),
                    region: p.endpoint.region().map(|r| r.name().to_owned()),
                    base_url: p.endpoint.custom_url().map(Url::to_string),
                    account: p.account.to_string(),
                    project: p.project.to_string(),
                    card: (!p.card.is_empty()).then(|| p.card.to_table()),
                    genesys: p.genesys.as_ref().map(GenesysConfig::to_table),
                    relay: p.relay.as_ref().map(RelayConfig::to_table),
                })
                .collect(),
        };
        let encode =
            |e: toml::ser::Error| Error::Config(format!("Cannot encode the settings: {e}."));
        let mut table = toml::Table::try_from(&raw).map_err(encode)?;
        // Only what the agent chose is written, so the policy's defaults apply to the rest.
        for setting in Setting::ALL
            .into_iter()
            .filter(|s| !self.chosen.contains(s))
        {
            match setting.file_path() {
                (None, key) => {
                    table.remove(key);
                }
                (Some(parent), key) => {
                    if let Some(t) = table.get_mut(parent).and_then(toml::Value::as_table_mut) {
                        t.remove(key);
                        if t.is_empty() {
                            table.remove(parent);
                        }
                    }
                }
            }
        }
        let body = toml::to_string_pretty(&table).map_err(encode)?;
        Ok(format!(
            "# screenpop settings. API keys are not stored here: they live in the system keychain.\n{body}"
        ))
    }

    /// All profiles, in the order they were added.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The name of the active profile, if any.
    pub fn active(&self) -> Option<&str> {
        self.active.as_deref()
    }

    /// Adds a profile; the first one becomes active. Names are unique, ignoring case.
    pub fn add_profile(&mut self, profile: Profile) -> Result<()> {
        if self.find(&profile.name).is_some() {
            return Err(Error::BadInput(format!(
                "A profile named \"{}\" already exists. Remove it first or choose another name.",
                profile.name
            )));
        }
        if self.active.is_none() {
            self.active = Some(profile.name.clone());
        }
        self.profiles.push(profile);
        Ok(())
    }

    /// Removes a profile and returns it. If it was active, the first remaining one becomes active.
    pub fn remove_profile(&mut self, name: &str) -> Result<Profile> {
        let index = self.index_of(name)?;
        let removed = self.profiles.remove(index);
        self.lookup_by.remove(&removed.name);
        if self.active.as_deref() == Some(removed.name.as_str()) {
            self.active = self.profiles.first().map(|p| p.name.clone());
        }
        Ok(removed)
    }

    /// Replaces the profile called `original` by `profile` (which may be renamed), in place.
    pub fn replace_profile(&mut self, original: &str, profile: Profile) -> Result<()> {
        let index = self.index_of(original)?;
        if let Some(other) = self.find(&profile.name) {
            if other != index {
                return Err(Error::BadInput(format!(
                    "A profile named \"{}\" already exists. Choose another name.",
                    profile.name
                )));
            }
        }
        // An edit from the window or the command line changes where the profile points; its
        // card layout, written in the file, stays.
        let mut profile = profile;
        if profile.card.is_empty() {
            profile.card = self.profiles[index].card.clone();
        }
        if profile.genesys.is_none() {
            profile.genesys = self.profiles[index].genesys.clone();
        }
        if profile.relay.is_none() {
            profile.relay = self.profiles[index].relay.clone();
        }
        let old = std::mem::replace(&mut self.profiles[index], profile);
        let new_name = self.profiles[index].name.clone();
        if self.active.as_deref() == Some(old.name.as_str()) {
            self.active = Some(new_name.clone());
        }
        if let Some(by) = self.lookup_by.remove(&old.name) {
            self.lookup_by.insert(new_name, by);
        }
        Ok(())
    }

    /// The kind of id last looked up with profile `name`.
    pub fn lookup_by(&self, name: &str) -> LookupBy {
        self.lookup_by.get(name).copied().unwrap_or_default()
    }

    /// Remembers the kind of id last looked up with profile `name`.
    pub fn set_lookup_by(&mut self, name: &str, by: LookupBy) -> Result<()> {
        let index = self.index_of(name)?;
        let name = self.profiles[index].name.clone();
        if by == LookupBy::default() {
            self.lookup_by.remove(&name);
        } else {
            self.lookup_by.insert(name, by);
        }
        Ok(())
    }

    /// Makes `name` the active profile.
    pub fn use_profile(&mut self, name: &str) -> Result<()> {
        let index = self.index_of(name)?;
        self.active = Some(self.profiles[index].name.clone());
        Ok(())
    }

    /// Connects profile `name` to Genesys Cloud as `config` says (`None`: disconnects it).
    /// Answers the profile's name as saved.
    pub fn set_genesys(&mut self, name: &str, config: Option<GenesysConfig>) -> Result<String> {
        let index = self.index_of(name)?;
        self.profiles[index].genesys = config;
        Ok(self.profiles[index].name.clone())
    }

    /// Connects profile `name` to the relay as `config` says (`None`: disconnects it).
    /// Answers the profile's name as saved.
    pub fn set_relay(&mut self, name: &str, config: Option<RelayConfig>) -> Result<String> {
        let index = self.index_of(name)?;
        self.profiles[index].relay = config;
        Ok(self.profiles[index].name.clone())
    }

    /// The profile called `name`, or the active one when `name` is `None`.
    pub fn profile(&self, name: Option<&str>) -> Result<&Profile> {
        match name {
            Some(n) => self.index_of(n).map(|i| &self.profiles[i]),
            None => {
                let active = self.active.as_deref().ok_or_else(|| {
                    Error::Config(
                        "No profile is set up yet. Add one with `screenpop profile add NAME --studio-url URL`."
                            .to_owned(),
                    )
                })?;
                self.index_of(active).map(|i| &self.profiles[i])
            }
        }
    }

    /// Whether the agent chose `setting` (rather than leaving it to the policy's default).
    pub fn chose(&self, setting: Setting) -> bool {
        self.chosen.contains(&setting)
    }

    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.profiles
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name))
    }

    fn index_of(&self, name: &str) -> Result<usize> {
        self.find(name).ok_or_else(|| {
            let known: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
            Error::Config(if known.is_empty() {
                format!(
                    "There is no profile named \"{}\"; no profiles are set up yet.",
                    name.trim()
                )
            } else {
                format!(
                    "There is no profile named \"{}\". Known profiles: {}.",
                    name.trim(),
                    known.join(", ")
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use screenpop_api::endpoint::{Endpoint, Region};

    fn profile(name: &str) -> Profile {
        Profile::new(name, Endpoint::Region(Region::Uk1), "acme", "team").expect("valid")
    }

    #[test]
    fn round_trips_through_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested").join(SETTINGS_FILE);
        let mut s = Settings::default();
        s.add_profile(profile("uk")).expect("add");
        s.add_profile(
            Profile::new(
                "local",
                Endpoint::custom("http://127.0.0.1:9999").expect("url"),
                "a",
                "b",
            )
            .expect("valid"),
        )
        .expect("add");
        s.use_profile("LOCAL").expect("case-insensitive");
        s.timeouts.wait_window_ms = 1_500;
        s.chosen.insert(Setting::WaitWindowMs);
        s.save(&path).expect("save");
        let text = fs::read_to_string(&path).expect("read");
        assert!(text.contains("wait_window_ms = 1500"), "{text}");
        assert!(
            !text.contains("connect_ms") && !text.contains("hotkey"),
            "only what the agent chose is written: {text}"
        );
        let loaded = Settings::load(&path).expect("load");
        assert_eq!(loaded, s);
        assert_eq!(loaded.active(), Some("local"));
    }

    #[test]
    fn an_edited_profile_keeps_the_card_layout_its_file_gives_it() {
        let mut s = Settings::parse(
            "[[profile]]\nname = \"uk\"\nregion = \"uk-1\"\naccount = \"acme\"\nproject = \"team\"\n\n[profile.card]\ntitle = [\"who\"]\n",
        )
        .expect("valid");
        let layout = s.profiles()[0].card.clone();
        assert!(!layout.is_empty());
        // What the window and `profile` commands hand over: a profile without a layout.
        s.replace_profile("uk", profile("renamed"))
            .expect("replace");
        assert_eq!(s.profiles()[0].name, "renamed");
        assert_eq!(s.profiles()[0].card, layout);
    }

    #[test]
    fn a_missing_file_is_an_empty_setup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Settings::load(&dir.path().join("none.toml")).expect("load");
        assert!(s.profiles().is_empty());
        let e = s.profile(None).expect_err("no profile");
        assert!(e.to_string().contains("screenpop profile add"), "{e}");
    }

    #[test]
    fn first_profile_is_active_and_removal_moves_on() {
        let mut s = Settings::default();
        s.add_profile(profile("a")).expect("add");
        s.add_profile(profile("b")).expect("add");
        assert_eq!(s.active(), Some("a"));
        assert!(
            s.add_profile(profile("A")).is_err(),
            "names are unique ignoring case"
        );
        s.remove_profile("a").expect("remove");
        assert_eq!(s.active(), Some("b"));
        s.remove_profile("b").expect("remove");
        assert_eq!(s.active(), None);
        assert!(s.remove_profile("b").is_err());
    }

    #[test]
    fn bad_files_name_the_problem() {
        for (text, expect) in [
            (
                "[[profile]]\nname='x'\naccount='a'\nproject='b'\n",
                "exactly one of",
            ),
            (
                "[[profile]]\nname='x'\nregion='mars'\naccount='a'\nproject='b'\n",
                "Unknown region",
            ),
            (
                "[[profile]]\nname='x'\nbase_url='http://example.com'\naccount='a'\nproject='b'\n",
                "https",
            ),
            (
                "[[profile]]\nname='x'\nregion='uk-1'\naccount='a/b'\nproject='b'\n",
                "Account id may only contain",
            ),
            ("api_key = 'nope'\n", "unknown field"),
            ("[timeouts]\nconnect_ms = 0\n", "connect_ms"),
            ("not toml", ""),
        ] {
            let e = Settings::parse(text).expect_err(text);
            assert!(e.contains(expect), "{text}: {e}");
        }
    }
}
