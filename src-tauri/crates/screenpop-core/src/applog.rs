//! screenpop's log: one file per user, one line per event that a person must be able to find
//! afterwards, such as a window that could not open. A program started from a link, the Start
//! menu or at login has nowhere else to say it; the helpdesk asks for this file.
//!
//! `%LOCALAPPDATA%\screenpop\screenpop.log` on Windows (it stays on the machine: a log has no
//! business roaming), `~/.local/share/screenpop/screenpop.log` on Linux,
//! `~/Library/Application Support/screenpop/screenpop.log` on macOS. It never holds a key or
//! caller data, only conversation ids.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::{Error, Result};

/// Past this size the log is moved to `screenpop.log.1` (replacing the one before), so it never
/// grows without end on a seat that fails every day.
pub const MAX_BYTES: u64 = 256 * 1024;

/// Where the log is, for this user.
pub fn path() -> Result<PathBuf> {
    dirs::data_local_dir()
        .map(|d| d.join("screenpop").join("screenpop.log"))
        .ok_or_else(|| Error::Config("This user has no local data folder for the log.".to_owned()))
}

/// Adds `line` to this user's log, stamped with the time (UTC); returns the log's path.
pub fn append(line: &str) -> Result<PathBuf> {
    let path = path()?;
    append_to(&path, line, SystemTime::now())?;
    Ok(path)
}

/// Adds `line` to the log at `path`, stamped with `at`.
pub fn append_to(path: &Path, line: &str, at: SystemTime) -> Result<()> {
    let failed = |e: std::io::Error| {
        Error::Config(format!(
            "The log {} cannot be written: {e}.",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_BYTES) {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        std::fs::rename(path, old).map_err(failed)?;
    }
    // One line per event: a line break inside would read as two.
    let line = line.replace(['\r', '\n'], " ");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(failed)?;
    writeln!(file, "{} {line}", httpdate::fmt_http_date(at)).map_err(failed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lines_are_stamped_kept_whole_and_the_log_rolls_over() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nested/screenpop.log");
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        append_to(&log, "first\r\nsecond", at).unwrap();
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "Tue, 14 Nov 2023 22:13:20 GMT first  second\n"
        );
        let long = "x".repeat(usize::try_from(MAX_BYTES).unwrap());
        append_to(&log, &long, at).unwrap();
        append_to(&log, "after", at).unwrap();
        let rolled = std::fs::read_to_string(dir.path().join("nested/screenpop.log.1")).unwrap();
        assert!(rolled.ends_with(&format!("{long}\n")));
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "Tue, 14 Nov 2023 22:13:20 GMT after\n"
        );
    }
}
