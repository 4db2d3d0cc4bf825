//! The policy in `HKLM\Software\Policies\screenpop`, as Group Policy (the ADMX template in
//! `src-tauri/packaging/windows/policy/`) or a script writes it, turned into the tree the TOML
//! file gives: values are keys (REG_DWORD numbers, 0/1 for switches; REG_SZ text; REG_MULTI_SZ
//! lists), subkeys are tables. Two subkeys are lists: `allowed_hosts` (its values, in name
//! order) and `profiles` (each subkey one profile; or values named after a profile holding its
//! Agent Studio URL, as the ADMX list writes them). Only HKLM counts: HKCU is the agent's.

use std::collections::HashMap;
use std::ptr::null_mut;

use toml::{Table, Value};
use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_NO_MORE_ITEMS, ERROR_SUCCESS};
use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegEnumKeyExW, RegEnumValueW, RegOpenKeyExW, HKEY, HKEY_LOCAL_MACHINE, KEY_READ,
    KEY_WOW64_64KEY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_QWORD, REG_SZ,
};

use super::{parse, Policy, Source, SWITCHES};

/// The key, below `HKEY_LOCAL_MACHINE`.
pub(super) const KEY: &str = r"Software\Policies\screenpop";

/// The policy in the registry; none when the key does not exist.
pub(super) fn load() -> Policy {
    let shown = format!(r"HKLM\{KEY}");
    let source = |present| Source::Registry {
        key: shown.clone(),
        present,
    };
    let root = match Key::open(KEY) {
        Ok(Some(key)) => key,
        Ok(None) => {
            return Policy {
                source: source(false),
                ..Policy::none()
            }
        }
        Err(why) => return Policy::broken(source(true), format!("{shown}: {why}")),
    };
    let mut places = HashMap::new();
    let table = match root.table(&shown, "", &mut places) {
        Ok(t) => t,
        Err(why) => return Policy::broken(source(true), why),
    };
    let place = |key: &str| {
        places
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("{shown} ({key})"))
    };
    parse::policy(&table, source(true), &place)
}

struct Key(HKEY);

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the handle was opened by RegOpenKeyExW and is closed once.
        unsafe { RegCloseKey(self.0) };
    }
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

impl Key {
    /// Opens `path` below HKLM for reading (the 64-bit view); `None` when it does not exist.
    fn open(path: &str) -> Result<Option<Self>, String> {
        let mut handle: HKEY = null_mut();
        let name = wide(path);
        // SAFETY: `name` is NUL-terminated and outlives the call; `handle` is written on success.
        let status = unsafe {
            RegOpenKeyExW(
                HKEY_LOCAL_MACHINE,
                name.as_ptr(),
                0,
                KEY_READ | KEY_WOW64_64KEY,
                &mut handle,
            )
        };
        match status {
            ERROR_SUCCESS => Ok(Some(Self(handle))),
            ERROR_FILE_NOT_FOUND => Ok(None),
            code => Err(format!("cannot be read (Windows error {code})")),
        }
    }

    fn subkeys(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = [0u16; 256];
        for index in 0.. {
            let mut len = buf.len() as u32;
            // SAFETY: `buf` holds `len` UTF-16 units; the optional pointers are null.
            let status = unsafe {
                RegEnumKeyExW(
                    self.0,
                    index,
                    buf.as_mut_ptr(),
                    &mut len,
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    null_mut(),
                )
            };
            if status != ERROR_SUCCESS {
                break;
            }
            out.push(String::from_utf16_lossy(&buf[..len as usize]));
        }
        out
    }

    /// Each value's name and data; data that cannot be policy (binary) is an error naming it.
    fn values(&self, shown: &str) -> Result<Vec<(String, RegValue)>, String> {
        let mut out = Vec::new();
        let mut name = [0u16; 256];
        let mut data = vec![0u8; 16 * 1024];
        for index in 0.. {
            let mut name_len = name.len() as u32;
            let mut data_len = data.len() as u32;
            let mut kind = 0u32;
            // SAFETY: both buffers are as long as the lengths passed with them.
            let status = unsafe {
                RegEnumValueW(
                    self.0,
                    index,
                    name.as_mut_ptr(),
                    &mut name_len,
                    null_mut(),
                    &mut kind,
                    data.as_mut_ptr(),
                    &mut data_len,
                )
            };
            if status == ERROR_NO_MORE_ITEMS {
                break;
            }
            let value_name = String::from_utf16_lossy(&name[..name_len as usize]);
            if status != ERROR_SUCCESS {
                return Err(format!(
                    r"{shown}\{value_name} cannot be read (Windows error {status})"
                ));
            }
            let bytes = &data[..data_len as usize];
            let value = match kind {
                REG_DWORD if bytes.len() == 4 => RegValue::Number(
                    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]).into(),
                ),
                REG_QWORD if bytes.len() == 8 => {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(bytes);
                    RegValue::Number(u64::from_le_bytes(b))
                }
                REG_SZ | REG_EXPAND_SZ => RegValue::Text(utf16(bytes).concat()),
                REG_MULTI_SZ => RegValue::List(utf16(bytes)),
                _ => {
                    return Err(format!(
                        r"{shown}\{value_name} must be a REG_DWORD, REG_SZ or REG_MULTI_SZ value"
                    ))
                }
            };
            out.push((value_name, value));
        }
        Ok(out)
    }

    /// This key as a table: values become keys, subkeys tables (or lists, see the module).
    fn table(
        &self,
        shown: &str,
        dotted: &str,
        places: &mut HashMap<String, String>,
    ) -> Result<Table, String> {
        let join = |name: &str| {
            if dotted.is_empty() {
                name.to_owned()
            } else {
                format!("{dotted}.{name}")
            }
        };
        let mut table = Table::new();
        for (name, value) in self.values(shown)? {
            let key = join(&name);
            places.insert(key, format!(r"{shown}\{name}"));
            table.insert(
                name.clone(),
                value.into_toml(SWITCHES.contains(&name.as_str())),
            );
        }
        for sub in self.subkeys() {
            let path = format!(r"{shown}\{sub}");
            let Some(child) = Key::open(&strip_hklm(&path))? else {
                continue;
            };
            let key = join(&sub);
            places.insert(key.clone(), path.clone());
            let value = match (dotted, sub.as_str()) {
                ("", "allowed_hosts") => Value::Array(
                    child
                        .values(&path)?
                        .into_iter()
                        .map(|(_, v)| v.into_toml(false))
                        .collect(),
                ),
                ("", "profiles") => Value::Array(child.profiles(&path, &key, places)?),
                _ => Value::Table(child.table(&path, &key, places)?),
            };
            table.insert(sub, value);
        }
        Ok(table)
    }

    fn profiles(
        &self,
        shown: &str,
        dotted: &str,
        places: &mut HashMap<String, String>,
    ) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        for (name, value) in self.values(shown)? {
            places.insert(
                format!("{dotted}[{}]", out.len()),
                format!(r"{shown}\{name}"),
            );
            let mut t = Table::new();
            t.insert("name".into(), Value::String(name));
            t.insert("studio_url".into(), value.into_toml(false));
            out.push(Value::Table(t));
        }
        for sub in self.subkeys() {
            let path = format!(r"{shown}\{sub}");
            let Some(child) = Key::open(&strip_hklm(&path))? else {
                continue;
            };
            let key = format!("{dotted}[{}]", out.len());
            places.insert(key.clone(), path.clone());
            out.push(Value::Table(child.table(&path, &key, places)?));
        }
        Ok(out)
    }
}

fn strip_hklm(shown: &str) -> String {
    shown.trim_start_matches(r"HKLM\").to_owned()
}

/// NUL-separated UTF-16 strings from registry data.
fn utf16(bytes: &[u8]) -> Vec<String> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    units
        .split(|&u| u == 0)
        .filter(|s| !s.is_empty())
        .map(String::from_utf16_lossy)
        .collect()
}

enum RegValue {
    Number(u64),
    Text(String),
    List(Vec<String>),
}

impl RegValue {
    fn into_toml(self, switch: bool) -> Value {
        match self {
            Self::Number(n) if switch => Value::Boolean(n != 0),
            Self::Number(n) => Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)),
            Self::Text(s) => Value::String(s),
            Self::List(items) => Value::Array(items.into_iter().map(Value::String).collect()),
        }
    }
}
