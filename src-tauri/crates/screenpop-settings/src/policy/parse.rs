//! A policy from its tree of values, whatever place it came from: a TOML file, or the registry
//! turned into the same tree. Every problem names its place (file and line, or registry value).

use std::collections::{BTreeMap, HashMap};

use toml::{Table, Value};

use super::{Policy, Source};
use crate::config::Settings;
use crate::profiles::ProfileInput;
use crate::setting::Setting;
use screenpop_card::Layout;

use crate::genesys::GenesysConfig;
use crate::relay::RelayConfig;
use crate::updates::UpdatePolicy;

/// Names the place of a dotted key (`locked.trigger_port`, `profiles[0].name`).
pub(super) type Place<'a> = &'a dyn Fn(&str) -> String;

pub(super) const TOP_KEYS: [&str; 8] = [
    "allow_user_profiles",
    "mask_card_numbers",
    "default_profile",
    "allowed_hosts",
    "profiles",
    "defaults",
    "locked",
    "updates",
];

const PROFILE_KEYS: [&str; 9] = [
    "card",
    "genesys",
    "relay",
    "name",
    "studio_url",
    "region",
    "base_url",
    "account",
    "project",
];

/// The policy in `table`, read from `source`; broken (fails closed) on the first error.
pub(super) fn policy(table: &Table, source: Source, place: Place<'_>) -> Policy {
    let mut warnings = Vec::new();
    match read(table, place, &mut warnings) {
        Ok(mut p) => {
            p.source = source;
            p.warnings = warnings;
            p
        }
        Err(why) => Policy::broken(source, why),
    }
}

fn read(table: &Table, place: Place<'_>, warnings: &mut Vec<String>) -> Result<Policy, String> {
    let fail = |key: &str, why: &str| format!("{}: {why}", place(key));
    unknown(table, &TOP_KEYS, "", place, warnings);
    let mut p = Policy::none();
    if let Some(v) = table.get("allow_user_profiles") {
        p.allow_user_profiles = v
            .as_bool()
            .ok_or_else(|| fail("allow_user_profiles", "must be true or false"))?;
    }
    if let Some(v) = table.get("mask_card_numbers") {
        p.shows_card_numbers = !v
            .as_bool()
            .ok_or_else(|| fail("mask_card_numbers", "must be true or false"))?;
    }
    if let Some(v) = table.get("default_profile") {
        let name = v
            .as_str()
            .ok_or_else(|| fail("default_profile", "must be a profile's name"))?;
        p.default_profile = Some(name.trim().to_owned());
    }
    if let Some(v) = table.get("allowed_hosts") {
        let hosts = v
            .as_array()
            .ok_or_else(|| fail("allowed_hosts", "must be a list of host names"))?;
        for (i, h) in hosts.iter().enumerate() {
            let host = h
                .as_str()
                .map(str::trim)
                .filter(|h| !h.is_empty() && !h.contains(['/', ':', ' ']))
                .ok_or_else(|| {
                    fail(
                        &format!("allowed_hosts[{i}]"),
                        "must be a host name such as api.uk-1.platform.polyai.app",
                    )
                })?;
            p.allowed_hosts.push(host.to_ascii_lowercase());
        }
    }
    if let Some(v) = table.get("profiles") {
        let list = v
            .as_array()
            .ok_or_else(|| fail("profiles", "must be a list of [[profiles]] tables"))?;
        for (i, entry) in list.iter().enumerate() {
            let key = format!("profiles[{i}]");
            let profile = profile(entry, &key, place, warnings)?;
            if p.manages(&profile.name) {
                return Err(fail(
                    &format!("{key}.name"),
                    &format!("a second profile is named \"{}\"", profile.name),
                ));
            }
            p.profiles.push(profile);
        }
    }
    if let Some(v) = table.get("updates") {
        let t = v
            .as_table()
            .ok_or_else(|| fail("updates", "must be a table ([updates])"))?;
        p.updates = UpdatePolicy::from_table(t).map_err(|why| fail("updates", &why))?;
    }
    p.defaults = settings(table, "defaults", place, warnings)?;
    p.locked = settings(table, "locked", place, warnings)?;
    let mut scratch = Settings::default();
    for (setting, value) in p.defaults.iter().chain(&p.locked) {
        let _ = setting.put(&mut scratch, value);
    }
    scratch.timeouts.validate().map_err(|why| {
        fail(
            "locked",
            &format!("the timeouts do not fit together: {why}"),
        )
    })?;
    if let Some(name) = &p.default_profile {
        if !p.manages(name) && !p.allow_user_profiles {
            warnings.push(format!(
                "{}: no profile of the policy is named \"{name}\"",
                place("default_profile")
            ));
        }
    }
    Ok(p)
}

fn profile(
    entry: &Value,
    key: &str,
    place: Place<'_>,
    warnings: &mut Vec<String>,
) -> Result<crate::Profile, String> {
    let table = entry
        .as_table()
        .ok_or_else(|| format!("{}: must be a table with a name", place(key)))?;
    unknown(table, &PROFILE_KEYS, key, place, warnings);
    let text = |field: &str| -> Result<Option<String>, String> {
        match table.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!(
                "{}: must be text",
                place(&format!("{key}.{field}"))
            )),
        }
    };
    let input = ProfileInput {
        name: text("name")?.unwrap_or_default(),
        studio_url: text("studio_url")?,
        region: text("region")?,
        base_url: text("base_url")?,
        account: text("account")?.unwrap_or_default(),
        project: text("project")?.unwrap_or_default(),
    };
    let profile = input
        .into_profile()
        .map_err(|e| format!("{}: {e}", place(key)))?;
    // A registry value holds a table as TOML text (REG_SZ, or REG_MULTI_SZ a line each); a
    // file or managed preferences as a table.
    let genesys = match table.get("genesys") {
        None => None,
        Some(v) => Some(
            as_table(v)
                .and_then(|t| GenesysConfig::from_table(&t))
                .map_err(|why| format!("{}: {why}", place(&format!("{key}.genesys"))))?,
        ),
    };
    let relay = match table.get("relay") {
        None => None,
        Some(v) => Some(
            as_table(v)
                .and_then(|t| RelayConfig::from_table(&t))
                .map_err(|why| format!("{}: {why}", place(&format!("{key}.relay"))))?,
        ),
    };
    let profile = crate::Profile {
        genesys,
        relay,
        ..profile
    };
    let card = match table.get("card") {
        None => return Ok(profile),
        Some(Value::Table(t)) => Layout::from_table(t),
        Some(Value::String(text)) => Layout::from_text(text),
        Some(Value::Array(lines)) if lines.iter().all(Value::is_str) => {
            let lines: Vec<&str> = lines.iter().filter_map(Value::as_str).collect();
            Layout::from_text(&lines.join("\n"))
        }
        Some(_) => Err((
            "card".to_owned(),
            "must be a table of layout rules".to_owned(),
        )),
    }
    .map_err(|(at, why)| format!("{}: {why}", place(&format!("{key}.{at}"))))?;
    Ok(crate::Profile { card, ..profile })
}

/// A table given as a table, or as TOML text (a line each in an array).
fn as_table(v: &Value) -> Result<toml::Table, String> {
    let text = match v {
        Value::Table(t) => return Ok(t.clone()),
        Value::String(text) => text.clone(),
        Value::Array(lines) if lines.iter().all(Value::is_str) => lines
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return Err("must be a table".to_owned()),
    };
    toml::from_str(&text).map_err(|e: toml::de::Error| e.message().to_owned())
}

fn settings(
    table: &Table,
    name: &str,
    place: Place<'_>,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<Setting, Value>, String> {
    let mut out = BTreeMap::new();
    let Some(v) = table.get(name) else {
        return Ok(out);
    };
    let entries = v
        .as_table()
        .ok_or_else(|| format!("{}: must be a table of settings", place(name)))?;
    let mut scratch = Settings::default();
    for (key, value) in entries {
        let at = format!("{name}.{key}");
        let Some(setting) = Setting::named(key) else {
            warnings.push(format!("{}: unknown setting `{key}` ignored", place(&at)));
            continue;
        };
        setting
            .put(&mut scratch, value)
            .map_err(|why| format!("{}: {why}", place(&at)))?;
        out.insert(setting, value.clone());
    }
    Ok(out)
}

fn unknown(
    table: &Table,
    known: &[&str],
    prefix: &str,
    place: Place<'_>,
    warnings: &mut Vec<String>,
) {
    for key in table.keys().filter(|k| !known.contains(&k.as_str())) {
        let at = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        warnings.push(format!("{}: unknown key `{key}` ignored", place(&at)));
    }
}

/// The line of each dotted key in a TOML text, for messages that name file and line.
pub(super) fn lines(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    if let Ok(root) = toml::de::DeTable::parse(text) {
        walk(text, root.get_ref(), "", &mut out);
    }
    out
}

fn walk(text: &str, table: &toml::de::DeTable<'_>, prefix: &str, out: &mut HashMap<String, usize>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.insert(path.clone(), line_at(text, key.span().start));
        walk_value(text, value.get_ref(), &path, out);
    }
}

fn walk_value(
    text: &str,
    value: &toml::de::DeValue<'_>,
    path: &str,
    out: &mut HashMap<String, usize>,
) {
    match value {
        toml::de::DeValue::Table(t) => walk(text, t, path, out),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                out.insert(at.clone(), line_at(text, item.span().start));
                walk_value(text, item.get_ref(), &at, out);
            }
        }
        _ => {}
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}
