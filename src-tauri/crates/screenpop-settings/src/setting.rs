//! The settings an agent or an admin can set, by their one name each: the names of the fleet
//! policy's `[defaults]` and `[locked]` tables, of the Windows registry values, of the ADMX
//! template and of `screenpop settings set`. Each knows where it sits in the settings file and
//! how to read, check and write its value, so every way in checks a value the same way.

use toml::Value;

use crate::config::{PopAction, Settings};
use crate::i18n::LanguageChoice;

/// One setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Setting {
    /// What a pushed transfer does when the window is not in front.
    PopAction,
    /// The clipboard shortcut; empty turns it off.
    Hotkey,
    /// Whether the local trigger listens.
    TriggerEnabled,
    /// The local trigger's port; 0 for a free port per session.
    TriggerPort,
    /// Whether screenpop starts at login, hidden in the tray.
    Autostart,
    /// The language of the window, the tray menu and the notifications.
    Language,
    /// Time allowed to open a connection.
    ConnectMs,
    /// Time allowed for one request.
    AttemptMs,
    /// How long a state not written yet is waited for.
    WaitWindowMs,
    /// Hard limit for a whole lookup.
    DeadlineMs,
}

impl Setting {
    /// Every setting, in the order they are listed to people.
    pub const ALL: [Setting; 10] = [
        Self::PopAction,
        Self::Hotkey,
        Self::TriggerEnabled,
        Self::TriggerPort,
        Self::Autostart,
        Self::Language,
        Self::ConnectMs,
        Self::AttemptMs,
        Self::WaitWindowMs,
        Self::DeadlineMs,
    ];

    /// The setting's name (`pop_action`, `trigger_port`…).
    pub fn name(self) -> &'static str {
        match self {
            Self::PopAction => "pop_action",
            Self::Hotkey => "hotkey",
            Self::TriggerEnabled => "trigger_enabled",
            Self::TriggerPort => "trigger_port",
            Self::Autostart => "autostart",
            Self::Language => "language",
            Self::ConnectMs => "connect_ms",
            Self::AttemptMs => "attempt_ms",
            Self::WaitWindowMs => "wait_window_ms",
            Self::DeadlineMs => "deadline_ms",
        }
    }

    /// The setting called `name`.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Where the settings file keeps it: a table and a key, or a top-level key.
    pub(crate) fn file_path(self) -> (Option<&'static str>, &'static str) {
        match self {
            Self::TriggerEnabled => (Some("trigger"), "enabled"),
            Self::TriggerPort => (Some("trigger"), "port"),
            Self::ConnectMs | Self::AttemptMs | Self::WaitWindowMs | Self::DeadlineMs => {
                (Some("timeouts"), self.name())
            }
            _ => (None, self.name()),
        }
    }

    /// Its value in `settings`.
    pub fn get(self, s: &Settings) -> Value {
        match self {
            Self::PopAction => Value::String(pop_action_name(s.pop_action).to_owned()),
            Self::Hotkey => Value::String(s.hotkey.clone()),
            Self::TriggerEnabled => Value::Boolean(s.trigger.enabled),
            Self::TriggerPort => Value::Integer(s.trigger.port.into()),
            Self::Autostart => Value::Boolean(s.autostart),
            Self::Language => Value::String(s.language.name().to_owned()),
            Self::ConnectMs => ms(s.timeouts.connect_ms),
            Self::AttemptMs => ms(s.timeouts.attempt_ms),
            Self::WaitWindowMs => ms(s.timeouts.wait_window_ms),
            Self::DeadlineMs => ms(s.timeouts.deadline_ms),
        }
    }

    /// Sets it in `settings`, or says why `value` cannot be its value. Timeouts are checked
    /// together afterwards (see [`screenpop_api::retry::Timeouts::validate`]).
    pub fn put(self, s: &mut Settings, value: &Value) -> Result<(), String> {
        let name = self.name();
        match self {
            Self::PopAction => {
                s.pop_action = match value.as_str() {
                    Some("notify") => PopAction::Notify,
                    Some("notify_and_raise") => PopAction::NotifyAndRaise,
                    Some("raise") => PopAction::Raise,
                    _ => {
                        return Err(format!(
                            "{name} must be \"notify\", \"notify_and_raise\" or \"raise\""
                        ))
                    }
                }
            }
            Self::Hotkey => {
                let text = value
                    .as_str()
                    .ok_or_else(|| format!("{name} must be text, such as \"Ctrl+Alt+P\""))?;
                s.hotkey = check_hotkey(text)?;
            }
            Self::TriggerEnabled => s.trigger.enabled = boolean(name, value)?,
            Self::TriggerPort => s.trigger.port = port(value)?,
            Self::Autostart => s.autostart = boolean(name, value)?,
            Self::Language => {
                let text = value
                    .as_str()
                    .ok_or_else(|| format!("{name} must be text, such as \"system\" or \"de\""))?;
                s.language = LanguageChoice::named(text)?;
            }
            Self::ConnectMs => s.timeouts.connect_ms = millis(name, value)?,
            Self::AttemptMs => s.timeouts.attempt_ms = millis(name, value)?,
            Self::WaitWindowMs => s.timeouts.wait_window_ms = millis(name, value)?,
            Self::DeadlineMs => s.timeouts.deadline_ms = millis(name, value)?,
        }
        Ok(())
    }

    /// Reads a value typed on the command line (`true`, `4000`, `notify`) as this setting's type.
    pub fn parse_text(self, text: &str) -> Value {
        let text = text.trim();
        match self {
            Self::PopAction | Self::Hotkey | Self::Language => Value::String(text.to_owned()),
            _ => match text {
                "true" | "on" | "yes" => Value::Boolean(true),
                "false" | "off" | "no" => Value::Boolean(false),
                _ => text
                    .parse::<i64>()
                    .map(Value::Integer)
                    .unwrap_or_else(|_| Value::String(text.to_owned())),
            },
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The name of a pop action as written in files.
pub fn pop_action_name(action: PopAction) -> &'static str {
    match action {
        PopAction::Notify => "notify",
        PopAction::NotifyAndRaise => "notify_and_raise",
        PopAction::Raise => "raise",
    }
}

/// Checks a clipboard shortcut's text; the desktop judges the keys themselves when it is
/// registered. Answers it trimmed.
pub fn check_hotkey(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.len() > 64 || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("A shortcut is keys joined by +, such as Ctrl+Alt+P.".to_owned());
    }
    Ok(text.to_owned())
}

/// Checks a trigger port: 1024 to 65535, or 0 for a free port in each session.
pub fn check_port(port: u16) -> Result<u16, String> {
    if port != 0 && port < 1024 {
        return Err(format!(
            "The local trigger's port must be between 1024 and 65535, or 0 for a free port in each session, not {port}."
        ));
    }
    Ok(port)
}

fn port(value: &Value) -> Result<u16, String> {
    let n = value
        .as_integer()
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| "trigger_port must be a whole number from 1024 to 65535, or 0".to_owned())?;
    check_port(n)
}

fn boolean(name: &str, value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("{name} must be true or false"))
}

fn millis(name: &str, value: &Value) -> Result<u64, String> {
    value
        .as_integer()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| format!("{name} must be a whole number of milliseconds"))
}

fn ms(v: u64) -> Value {
    Value::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_round_trips_and_refuses_the_wrong_type() {
        let mut s = Settings::default();
        for setting in Setting::ALL {
            assert_eq!(Setting::named(setting.name()), Some(setting));
            let value = setting.get(&s);
            setting.put(&mut s, &value).expect("its own value");
            assert_eq!(setting.get(&s), value, "{setting}");
            let wrong = if value.is_str() {
                Value::Integer(1)
            } else {
                Value::String("x".into())
            };
            let e = setting.put(&mut s, &wrong).expect_err("wrong type");
            assert!(!e.is_empty());
        }
    }

    #[test]
    fn values_are_checked_as_the_window_checks_them() {
        let mut s = Settings::default();
        assert!(Setting::TriggerPort
            .put(&mut s, &Value::Integer(80))
            .is_err());
        assert!(Setting::TriggerPort.put(&mut s, &Value::Integer(0)).is_ok());
        assert!(Setting::TriggerPort
            .put(&mut s, &Value::Integer(70_000))
            .is_err());
        assert!(Setting::Hotkey
            .put(&mut s, &Value::String("Ctrl Alt".into()))
            .is_err());
        assert_eq!(
            Setting::WaitWindowMs.parse_text("2500"),
            Value::Integer(2500)
        );
        assert_eq!(Setting::Autostart.parse_text("true"), Value::Boolean(true));
    }
}
