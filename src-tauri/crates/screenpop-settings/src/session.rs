//! What the window in this login session tells other programs of the same user: where its local
//! trigger listens (and, in a file of its own, how its push sources are doing). On a shared host (Citrix, Remote Desktop, two private sessions on one Linux
//! machine) each session's window may listen on a different port (port `0` picks a free one), so
//! a CTI connector running in the agent's session reads the address here rather than assuming
//! one. The file holds the address and the window's process id, never the token.
//!
//! Where it lives:
//! - Linux: `$XDG_RUNTIME_DIR/screenpop/trigger.json` (one runtime directory per login session,
//!   private to the user); without `XDG_RUNTIME_DIR`, the data directory below.
//! - Windows: `%LOCALAPPDATA%\screenpop\trigger-session-N.json`, where `N` is the Remote Desktop
//!   session id (`ProcessIdToSessionId`), as one user may be logged on in several sessions.
//! - macOS: `~/Library/Application Support/screenpop/trigger.json`.

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Where the local trigger of this session's window listens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerAddress {
    /// The URL to `POST` pops to (or `GET` with the token in the query).
    pub url: String,
    /// The port on 127.0.0.1.
    pub port: u16,
    /// The window's process id, to tell a file left by a crashed window.
    pub pid: u32,
}

impl TriggerAddress {
    /// The address of a trigger listening on 127.0.0.1:`port` in this process.
    pub fn here(port: u16) -> Self {
        Self {
            url: format!("http://127.0.0.1:{port}/v1/pop"),
            port,
            pid: std::process::id(),
        }
    }
}

/// How long a check that a published port answers may take (loopback answers at once).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// The address this session's window published, if its trigger answers there: a file left by
/// a window that crashed names a port nobody answers on.
pub fn listening() -> Result<Option<TriggerAddress>> {
    Ok(read()?.filter(|a| answers(a.port)))
}

/// Whether something listens on 127.0.0.1:`port`.
pub fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), CONNECT_TIMEOUT).is_ok()
}

/// Whether 127.0.0.1:`port` is taken (on a shared host, perhaps by another session).
pub fn port_taken(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .is_err_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
}

/// The file this session's trigger address is published in.
pub fn trigger_file() -> Result<PathBuf> {
    session_file("trigger")
}

/// The file of this login session named `stem` (`trigger`, `genesys`): kept apart per Remote
/// Desktop session on Windows, in the session's runtime directory elsewhere.
pub fn session_file(stem: &str) -> Result<PathBuf> {
    let dir = session_dir().ok_or_else(|| {
        Error::Config(
            "Cannot find a directory for this session's files: set HOME (or XDG_RUNTIME_DIR)."
                .to_owned(),
        )
    })?;
    Ok(dir.join("screenpop").join(file_name(stem)))
}

#[cfg(windows)]
fn session_dir() -> Option<PathBuf> {
    dirs::data_local_dir()
}

#[cfg(not(windows))]
fn session_dir() -> Option<PathBuf> {
    dirs::runtime_dir().or_else(dirs::data_local_dir)
}

#[cfg(windows)]
fn file_name(stem: &str) -> String {
    use windows_sys::Win32::System::RemoteDesktop::ProcessIdToSessionId;
    use windows_sys::Win32::System::Threading::GetCurrentProcessId;
    let mut session = 0u32;
    // SAFETY: `session` is a valid place for the one u32 the call writes.
    let ok = unsafe { ProcessIdToSessionId(GetCurrentProcessId(), &mut session) } != 0;
    if ok {
        format!("{stem}-session-{session}.json")
    } else {
        format!("{stem}.json")
    }
}

#[cfg(not(windows))]
fn file_name(stem: &str) -> String {
    format!("{stem}.json")
}

/// Publishes `address` in [`trigger_file`], replacing what was there; returns the file.
pub fn publish(address: &TriggerAddress) -> Result<PathBuf> {
    let path = trigger_file()?;
    write(&path, address)?;
    Ok(path)
}

/// Publishes `value` as this session's `stem` file (see [`session_file`]), replacing it whole.
pub fn publish_file<T: Serialize>(stem: &str, value: &T) -> Result<PathBuf> {
    let path = session_file(stem)?;
    write(&path, value)?;
    Ok(path)
}

/// Removes this session's `stem` file, if there is one.
pub fn remove_file(stem: &str) -> Result<()> {
    match fs::remove_file(session_file(stem)?) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Config(format!(
            "Cannot remove this session's {stem} file: {e}."
        ))),
        _ => Ok(()),
    }
}

/// This session's `stem` file, if a window published one.
pub fn read_file<T: for<'de> Deserialize<'de>>(stem: &str) -> Result<Option<T>> {
    read_from(&session_file(stem)?)
}

/// Removes the published address, if this process published it (a second window that could not
/// listen must not remove the first one's).
pub fn withdraw() {
    if let Ok(path) = trigger_file() {
        if read_from::<TriggerAddress>(&path)
            .is_ok_and(|a| a.is_some_and(|a| a.pid == std::process::id()))
        {
            let _ = fs::remove_file(path);
        }
    }
}

/// The published address, if a window in this session published one.
pub fn read() -> Result<Option<TriggerAddress>> {
    read_from(&trigger_file()?)
}

fn write<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let failed = |e: std::io::Error| {
        Error::Config(format!(
            "Cannot publish this session's {} file: {e}.",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(failed)?;
    }
    let json = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Config(format!("Cannot write {}: {e}.", path.display())))?;
    // Written aside and renamed over, so a reader never reads half a file.
    let partial = path.with_extension("json.partial");
    let mut file = fs::File::create(&partial).map_err(failed)?;
    file.write_all(&json).map_err(failed)?;
    drop(file);
    fs::rename(&partial, path).map_err(failed)
}

fn read_from<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::Config(format!(
                "{} cannot be read ({e}); the window rewrites it as it runs.",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Config(format!(
            "Cannot read {}: {e}.",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_address_round_trips_through_its_file_and_never_names_a_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("screenpop").join("trigger.json");
        assert_eq!(read_from::<TriggerAddress>(&path).unwrap(), None);
        let address = TriggerAddress::here(50_123);
        write(&path, &address).unwrap();
        assert_eq!(read_from(&path).unwrap(), Some(address));
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"url\": \"http://127.0.0.1:50123/v1/pop\""),
            "{text}"
        );
        assert!(!text.to_lowercase().contains("token"), "{text}");
        assert!(!path.with_extension("json.partial").exists());
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trigger.json");
        fs::write(&path, "{\"url\": 3").unwrap();
        let e = read_from::<TriggerAddress>(&path).unwrap_err().to_string();
        assert!(e.contains("trigger.json"), "{e}");
    }
}
