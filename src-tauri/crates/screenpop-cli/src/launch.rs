//! The `screenpop` program is small on purpose: commands run here, and only the window is a
//! separate program, `screenpop-desktop`, next to this one. Loading a web engine costs tens of
//! milliseconds before `main` even starts; a deep link or a `screenpop lookup` should not pay it.
//!
//! A deep link goes to the running window with one D-Bus call to the object
//! tauri-plugin-single-instance serves; when no window runs, this process becomes the window.

use std::ffi::OsString;

/// The window's program, installed next to `screenpop`.
pub const DESKTOP_PROGRAM: &str = "screenpop-desktop";

/// The name and path tauri-plugin-single-instance serves for the app's identifier.
#[cfg(target_os = "linux")]
const NAME: &str = "ai.screenpop.desktop.SingleInstance";
#[cfg(target_os = "linux")]
const PATH: &str = "/ai/screenpop/desktop/SingleInstance";

/// Hands a whole command line (program first) to the running window; `true` if it took it.
pub fn forward_to_running(args: &[String]) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(bus) = zbus::blocking::Connection::session() else {
            return false;
        };
        let cwd = std::env::current_dir()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        bus.call_method(
            Some(NAME),
            PATH,
            Some("org.SingleInstance.DBus"),
            "ExecuteCallback",
            &(args, cwd.as_str()),
        )
        .is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = args;
        false
    }
}

/// Becomes the window: runs `screenpop-desktop` with `args` in this process's place (same
/// process id, so whatever started `screenpop` still holds the window's process). Returns only
/// if it could not, with the exit code to use.
pub fn open_window(args: &[OsString]) -> i32 {
    let program = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(DESKTOP_PROGRAM),
        Err(e) => {
            eprintln!("screenpop: cannot find where screenpop is installed: {e}");
            return crate::exit::WINDOW;
        }
    };
    let mut cmd = std::process::Command::new(&program);
    cmd.args(args);
    #[cfg(unix)]
    let e = std::os::unix::process::CommandExt::exec(&mut cmd);
    #[cfg(not(unix))]
    let e = match cmd.status() {
        Ok(status) => return status.code().unwrap_or(1),
        Err(e) => e,
    };
    eprintln!(
        "screenpop: cannot open the window ({}): {e}. Reinstall screenpop, or build it with `cargo build`.",
        program.display()
    );
    crate::exit::WINDOW
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_name_is_the_one_the_plugin_derives_from_the_identifier() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tauri.conf.json")).unwrap();
        let id = conf["identifier"].as_str().unwrap();
        assert_eq!(NAME, format!("{id}.SingleInstance"));
        assert_eq!(
            PATH,
            format!("/{}", NAME.replace('.', "/").replace('-', "_"))
        );
    }
}
