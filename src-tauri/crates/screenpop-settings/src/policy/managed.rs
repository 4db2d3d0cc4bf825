//! The policy in macOS managed preferences: the values a configuration profile (MDM, or a
//! `.mobileconfig` an admin installs; sample in `src-tauri/packaging/macos/`) forces for the
//! domain `ai.screenpop.desktop`, read through CFPreferences. Only forced values count: what an
//! agent writes with `defaults write` for the same domain is not forced and is ignored. The
//! values are the TOML file's, as property-list types (booleans, numbers, strings, arrays of
//! dictionaries for `profiles`, dictionaries for `defaults` and `locked`).

use core_foundation::array::CFArray;
use core_foundation::base::TCFType;
use core_foundation::boolean::CFBoolean;
use core_foundation::dictionary::CFDictionary;
use core_foundation::number::CFNumber;
use core_foundation::propertylist::CFPropertyList;
use core_foundation::string::CFString;
use core_foundation_sys::preferences::{CFPreferencesAppValueIsForced, CFPreferencesCopyAppValue};
use toml::{Table, Value};

use super::{parse, Policy, Source};

/// The preference domain: the app's bundle identifier.
pub(super) const DOMAIN: &str = "ai.screenpop.desktop";

/// The forced values of the domain; none when there are none.
pub(super) fn load() -> Policy {
    let domain = CFString::new(DOMAIN);
    let mut table = Table::new();
    for key in parse::TOP_KEYS {
        let name = CFString::new(key);
        // SAFETY: both strings are valid for the calls; the copied value is owned here and
        // released when `value` drops.
        let value = unsafe {
            if CFPreferencesAppValueIsForced(
                name.as_concrete_TypeRef(),
                domain.as_concrete_TypeRef(),
            ) == 0
            {
                continue;
            }
            let raw =
                CFPreferencesCopyAppValue(name.as_concrete_TypeRef(), domain.as_concrete_TypeRef());
            if raw.is_null() {
                continue;
            }
            CFPropertyList::wrap_under_create_rule(raw)
        };
        match to_toml(&value) {
            Ok(v) => {
                table.insert(key.to_owned(), v);
            }
            Err(why) => {
                return Policy::broken(
                    source(true),
                    format!("managed preferences {DOMAIN} ({key}): {why}"),
                )
            }
        }
    }
    let place = |key: &str| format!("managed preferences {DOMAIN} ({key})");
    parse::policy(&table, source(!table.is_empty()), &place)
}

fn source(present: bool) -> Source {
    Source::ManagedPreferences {
        domain: DOMAIN.to_owned(),
        present,
    }
}

fn to_toml(value: &CFPropertyList) -> Result<Value, String> {
    if let Some(b) = value.downcast::<CFBoolean>() {
        return Ok(Value::Boolean(b.into()));
    }
    if let Some(n) = value.downcast::<CFNumber>() {
        return n
            .to_i64()
            .map(Value::Integer)
            .ok_or_else(|| "a number that is not whole".to_owned());
    }
    if let Some(s) = value.downcast::<CFString>() {
        return Ok(Value::String(s.to_string()));
    }
    if let Some(items) = value.downcast::<CFArray>() {
        return items
            .iter()
            .map(|item| {
                // SAFETY: an array's items are valid property-list objects while it lives.
                to_toml(&unsafe { CFPropertyList::wrap_under_get_rule(*item) })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if let Some(dict) = value.downcast::<CFDictionary>() {
        let (keys, values) = dict.get_keys_and_values();
        let mut table = Table::new();
        for (k, v) in keys.into_iter().zip(values) {
            // SAFETY: a dictionary's keys and values are valid objects while it lives.
            let (k, v) = unsafe {
                (
                    CFPropertyList::wrap_under_get_rule(k),
                    CFPropertyList::wrap_under_get_rule(v),
                )
            };
            let key = k
                .downcast::<CFString>()
                .ok_or_else(|| "a dictionary key that is not text".to_owned())?
                .to_string();
            table.insert(key, to_toml(&v)?);
        }
        return Ok(Value::Table(table));
    }
    Err("a value that is not a boolean, number, string, array or dictionary".to_owned())
}
