//! Whether this Windows has the Microsoft Edge WebView2 Runtime that the window is drawn with.
//!
//! Windows 11 and current Windows 10 ship it, but fleets have machines without it: LTSC images,
//! Windows Server 2016/2019 session hosts, images where IT removed Edge's components. Microsoft's
//! installers register it under EdgeUpdate's client key, value `pv` (its version), and that is
//! where Microsoft's own detection looks, as do screenpop's installers, `screenpop doctor` and
//! the launcher: reading three registry values is quick and loads nothing. The window asks the
//! WebView2 loader as well (`tauri::webview_version`), which finds the runtime that will really
//! start; a registered runtime whose files are gone is caught there.

/// EdgeUpdate's client id for the WebView2 Runtime.
pub const CLIENT_ID: &str = "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";

/// The registry keys that may hold the runtime's version, in the order they are read: a
/// machine-wide install as a 32-bit updater writes it, as a 64-bit one does, then a per-user one.
pub fn keys() -> [String; 3] {
    [
        format!(r"HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{CLIENT_ID}"),
        format!(r"HKLM\SOFTWARE\Microsoft\EdgeUpdate\Clients\{CLIENT_ID}"),
        format!(r"HKCU\Software\Microsoft\EdgeUpdate\Clients\{CLIENT_ID}"),
    ]
}

/// A registered runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Its version (`pv`), such as `131.0.2903.70`.
    pub version: String,
    /// The registry key that holds it.
    pub key: String,
}

/// The first registered runtime, if any. An empty `pv` or `0.0.0.0` is what an uninstall
/// leaves behind, so it counts as none.
pub fn registration() -> Option<Registration> {
    keys().into_iter().find_map(|key| {
        let version = platform::pv(&key)?;
        let version = version.trim().to_owned();
        (!version.is_empty() && version != "0.0.0.0").then_some(Registration { version, key })
    })
}

#[cfg(windows)]
mod platform {
    use windows_sys::Win32::System::Registry::{
        RegGetValueW, HKEY, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ,
    };

    /// The `pv` value of `key` (`HKLM\…` or `HKCU\…`).
    pub(super) fn pv(key: &str) -> Option<String> {
        let (root, path): (HKEY, &str) = if let Some(p) = key.strip_prefix(r"HKLM\") {
            (HKEY_LOCAL_MACHINE, p)
        } else {
            (HKEY_CURRENT_USER, key.strip_prefix(r"HKCU\")?)
        };
        let wide = |s: &str| -> Vec<u16> { s.encode_utf16().chain(Some(0)).collect() };
        let (path, name) = (wide(path), wide("pv"));
        let mut buf = vec![0u16; 256];
        let mut len = u32::try_from(buf.len() * 2).ok()?;
        // SAFETY: `path` and `name` are NUL-terminated; `buf` holds `len` bytes.
        let status = unsafe {
            RegGetValueW(
                root,
                path.as_ptr(),
                name.as_ptr(),
                RRF_RT_REG_SZ,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if status != 0 {
            return None;
        }
        let chars = (len as usize / 2).min(buf.len());
        Some(
            String::from_utf16_lossy(&buf[..chars])
                .trim_end_matches('\0')
                .to_owned(),
        )
    }
}

#[cfg(not(windows))]
mod platform {
    /// Only Windows has the registry; elsewhere the web engine comes with the system or the
    /// package, and nothing asks for this.
    pub(super) fn pv(_key: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_are_the_ones_microsoft_documents_in_its_order() {
        let keys = keys();
        assert!(keys[0].starts_with(r"HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{"));
        assert!(keys[1].starts_with(r"HKLM\SOFTWARE\Microsoft\EdgeUpdate\Clients\{"));
        assert!(keys[2].starts_with(r"HKCU\Software\Microsoft\EdgeUpdate\Clients\{"));
        assert!(keys.iter().all(|k| k.ends_with(CLIENT_ID)));
    }

    #[cfg(not(windows))]
    #[test]
    fn nothing_is_registered_outside_windows() {
        assert_eq!(registration(), None);
    }
}
