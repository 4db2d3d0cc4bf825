//! The `screenpop` program is small on purpose: commands run here, and only the window is a
//! separate program, `screenpop-desktop`, next to this one. Loading a web engine costs tens of
//! milliseconds before `main` even starts; a deep link or a `screenpop lookup` should not pay it.
//!
//! A deep link goes to the running window the way tauri-plugin-single-instance's own second
//! instance would send it: one D-Bus call on Linux, one `WM_COPYDATA` message on Windows. Both
//! reach only this login session's window (the session bus; the window station), so two agents
//! on one shared host never see each other's callers. macOS hands URLs to the running app
//! itself. When no window runs, this process becomes the window.

use screenpop_core::argv::WindowArgs;

/// The window's program, installed next to `screenpop`.
pub const DESKTOP_PROGRAM: &str = "screenpop-desktop";

/// The app's identifier (`tauri.conf.json`), from which the single-instance plugin derives the
/// names it listens on (Linux spells its D-Bus names out below; a test compares them).
#[cfg(any(windows, test))]
const IDENTIFIER: &str = "ai.screenpop.desktop";

/// Hands what a launch asked for to the running window, as the command line the plugin expects
/// (program first); `true` if it took it.
pub fn forward_to_running(window: &WindowArgs) -> bool {
    let cwd = std::env::current_dir()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut args = vec![DESKTOP_PROGRAM.to_owned()];
    args.extend(window.to_args());
    platform::forward(&args, &cwd)
}

#[cfg(target_os = "linux")]
mod platform {
    /// The name and path the plugin serves on the session bus.
    pub(super) const NAME: &str = "ai.screenpop.desktop.SingleInstance";
    pub(super) const PATH: &str = "/ai/screenpop/desktop/SingleInstance";

    pub(super) fn forward(args: &[String], cwd: &str) -> bool {
        let Ok(bus) = zbus::blocking::Connection::session() else {
            return false;
        };
        bus.call_method(
            Some(NAME),
            PATH,
            Some("org.SingleInstance.DBus"),
            "ExecuteCallback",
            &(args, cwd),
        )
        .is_ok()
    }
}

#[cfg(windows)]
mod platform {
    use windows_sys::Win32::Foundation::LPARAM;
    use windows_sys::Win32::System::DataExchange::COPYDATASTRUCT;
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        AllowSetForegroundWindow, FindWindowW, GetWindowThreadProcessId, SendMessageTimeoutW,
        SMTO_NORMAL, WM_COPYDATA,
    };

    /// The plugin's message kind for "cwd and arguments separated by NUL".
    pub(super) const NUL_SEPARATED: usize = 1543;
    /// How long the window may take to accept the link before this process opens its own.
    const TIMEOUT_MS: u32 = 5_000;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    /// The payload the plugin reads: the cwd, then each argument, NUL-separated (neither can
    /// contain a NUL on Windows).
    pub(super) fn payload(args: &[String], cwd: &str) -> String {
        let mut data = cwd.to_owned();
        for arg in args {
            data.push('\0');
            data.push_str(arg);
        }
        data
    }

    pub(super) fn forward(args: &[String], cwd: &str) -> bool {
        let class = wide(&format!("{}-sic", super::IDENTIFIER));
        let title = wide(&format!("{}-siw", super::IDENTIFIER));
        let data = payload(args, cwd);
        let Ok(len) = u32::try_from(data.len()) else {
            return false;
        };
        // SAFETY: both names are NUL-terminated wide strings that outlive the calls; `cds`
        // points at `data`, which outlives the synchronous SendMessageTimeoutW.
        unsafe {
            let window = FindWindowW(class.as_ptr(), title.as_ptr());
            if window.is_null() {
                return false;
            }
            // Only a process the user just used may bring a window forward: hand that right to
            // the window, so a click on a link can raise it.
            let mut pid = 0;
            GetWindowThreadProcessId(window, &mut pid);
            if pid != 0 {
                AllowSetForegroundWindow(pid);
            }
            let cds = COPYDATASTRUCT {
                dwData: NUL_SEPARATED,
                cbData: len,
                lpData: data.as_ptr() as *mut _,
            };
            SendMessageTimeoutW(
                window,
                WM_COPYDATA,
                0,
                &cds as *const COPYDATASTRUCT as LPARAM,
                SMTO_NORMAL,
                TIMEOUT_MS,
                std::ptr::null_mut(),
            ) != 0
        }
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod platform {
    /// macOS delivers `screenpop://` URLs to the running app through Launch Services, so a
    /// second process only starts for a command line, which opens (and so reaches) the app.
    pub(super) fn forward(_args: &[String], _cwd: &str) -> bool {
        false
    }
}

/// Becomes the window: runs `screenpop-desktop` with `args` in this process's place (same
/// process id, so whatever started `screenpop` still holds the window's process). Windows has no
/// such call: there the window starts on its own and this process ends, so a link's launcher
/// does not linger beside the window. Returns the exit code to use.
///
/// On Windows without the WebView2 Runtime, a launcher run from a console says so there and
/// exits with [`crate::exit::WEBVIEW`]; one started from a link starts the window, which says
/// so in a message box.
pub fn open_window(window: &WindowArgs) -> i32 {
    #[cfg(windows)]
    if crate::console::has_output() && screenpop_core::webview2::registration().is_none() {
        return no_webview(&window.links);
    }
    let program = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(DESKTOP_PROGRAM),
        Err(e) => {
            eprintln!("screenpop: cannot find where screenpop is installed: {e}");
            return crate::exit::WINDOW;
        }
    };
    let mut cmd = std::process::Command::new(&program);
    cmd.args(window.to_args());
    #[cfg(unix)]
    let e = std::os::unix::process::CommandExt::exec(&mut cmd);
    #[cfg(not(unix))]
    let e = match cmd.spawn() {
        Ok(_) => return crate::exit::OK,
        Err(e) => e,
    };
    eprintln!(
        "screenpop: cannot open the window ({}): {e}. Reinstall screenpop, or build it with `cargo build`.",
        program.display()
    );
    crate::exit::WINDOW
}

/// Says in the console (and the log) that the window cannot open for want of WebView2, with
/// the calls `args` asked for.
#[cfg(windows)]
fn no_webview(links: &[String]) -> i32 {
    use screenpop_core::startup::CannotOpen;
    let why = CannotOpen::NoWebView {
        registered: None,
        loader: None,
    };
    let report = why.report(links);
    eprintln!("screenpop: {}", report.words);
    if let Err(e) = report.logged {
        eprintln!("screenpop: {e}");
    }
    crate::exit::WEBVIEW
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_name_is_the_one_the_plugin_derives_from_the_identifier() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"].as_str().unwrap(), IDENTIFIER);
        #[cfg(target_os = "linux")]
        assert_eq!(platform::NAME, format!("{IDENTIFIER}.SingleInstance"));
        #[cfg(target_os = "linux")]
        assert_eq!(
            platform::PATH,
            format!("/{}", platform::NAME.replace('.', "/").replace('-', "_"))
        );
    }

    #[cfg(windows)]
    #[test]
    fn the_windows_payload_is_the_cwd_then_each_argument_nul_separated() {
        let args = [
            "screenpop".to_owned(),
            "screenpop://lookup?id=a|b".to_owned(),
        ];
        assert_eq!(
            platform::payload(&args, "C:\\Users\\agent"),
            "C:\\Users\\agent\0screenpop\0screenpop://lookup?id=a|b"
        );
    }
}
