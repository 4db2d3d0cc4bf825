//! The system browser, for the Genesys Cloud sign-in: the platform's own opener. Not being able
//! to open it is not an error: the address is printed for the agent to open.

use std::process::{Command, Stdio};

/// Asks the system to open `url` (http or https only) in the default browser.
pub(crate) fn open(url: &str) -> Result<(), String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("only http and https addresses are opened".to_owned());
    }
    let mut cmd = opener(url);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match cmd.spawn() {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("the browser could not be started ({e})")),
    }
}

#[cfg(target_os = "linux")]
fn opener(url: &str) -> Command {
    let mut c = Command::new("xdg-open");
    c.arg(url);
    c
}

#[cfg(target_os = "macos")]
fn opener(url: &str) -> Command {
    let mut c = Command::new("open");
    c.arg(url);
    c
}

#[cfg(windows)]
fn opener(url: &str) -> Command {
    // The URL handler itself: no shell, so nothing in the address is interpreted.
    let mut c = Command::new("rundll32.exe");
    c.args(["url.dll,FileProtocolHandler", url]);
    c
}
