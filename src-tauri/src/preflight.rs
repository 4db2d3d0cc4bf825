//! Before the window is set up, and the way out when it cannot be. Tauri panics when its
//! window cannot be made (no WebView2 Runtime, no display), and a program without a console
//! that panics shows the agent nothing. So what Tauri would fail on is checked first, and every
//! failure to set up ends here: a line in the log, the agent told in their language (a message
//! box on Windows, a notification elsewhere, and standard error), and a documented exit code.

use screenpop_cli::exit;
use screenpop_core::startup::CannotOpen;

/// Checks what the window needs before Tauri starts: on Windows a WebView2 Runtime that its
/// loader can start (the registry says which version is installed; the loader, which Tauri
/// uses too, says whether it starts), on Linux a display to open a window on.
pub(crate) fn check() -> Result<(), CannotOpen> {
    #[cfg(windows)]
    if let Err(said) = webview2_version() {
        return Err(CannotOpen::NoWebView {
            registered: screenpop_core::webview2::registration(),
            loader: Some(said),
        });
    }
    #[cfg(target_os = "linux")]
    gtk::init().map_err(|e| {
        CannotOpen::Failed(format!(
            "there is no display to open a window on ({e}); start screenpop in a desktop session"
        ))
    })?;
    Ok(())
}

/// The version of the WebView2 Runtime the loader would start, or what the loader said: the
/// query wry makes before its first web view (`tauri::webview_version`, whose error reads as a
/// Rust debug dump), worded as Windows words its errors.
#[cfg(windows)]
fn webview2_version() -> Result<String, String> {
    use webview2_com::Microsoft::Web::WebView2::Win32::GetAvailableCoreWebView2BrowserVersionString;
    use windows_core::{PCWSTR, PWSTR};
    let mut version = PWSTR::null();
    // SAFETY: a null folder asks for the installed runtime; `version` receives a string the
    // loader allocated, which `take_pwstr` frees.
    match unsafe { GetAvailableCoreWebView2BrowserVersionString(PCWSTR::null(), &mut version) } {
        Ok(()) if !version.is_null() => Ok(webview2_com::take_pwstr(version)),
        // A success that names no version leaves nothing to start: taken as none found.
        Ok(()) => Err("no runtime was found".to_owned()),
        Err(e) => Err(format!(
            "{} (HRESULT {:#010x})",
            e.message().trim().trim_end_matches('.'),
            e.code().0
        )),
    }
}

/// Ends the program because the window cannot open: logs why, tells the agent, and exits with
/// [`exit::WEBVIEW`] or [`exit::WINDOW`]. `links` are the calls it was started for; they are
/// named so the agent can look them up elsewhere.
pub(crate) fn fail(why: CannotOpen, links: &[String]) -> ! {
    let report = why.report(links);
    eprintln!("screenpop: {}", report.words);
    match &report.logged {
        Ok(path) => eprintln!("screenpop: this is in the log, {}", path.display()),
        Err(e) => eprintln!("screenpop: {e}"),
    }
    tell(&report.words);
    std::process::exit(match why {
        CannotOpen::NoWebView { .. } => exit::WEBVIEW,
        CannotOpen::Failed(_) => exit::WINDOW,
    })
}

/// A message box the agent dismisses. One at a time in a login session: a link clicked again
/// while it is up logs its call and exits, rather than stacking boxes.
#[cfg(windows)]
fn tell(words: &str) {
    use windows_sys::Win32::Foundation::{GetLastError, ERROR_ALREADY_EXISTS};
    use windows_sys::Win32::System::Threading::CreateMutexW;
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        MessageBoxW, MB_ICONERROR, MB_OK, MB_SETFOREGROUND, MB_TOPMOST,
    };
    let wide = |s: &str| -> Vec<u16> { s.encode_utf16().chain(Some(0)).collect() };
    let (name, text, title) = (
        wide(r"Local\ai.screenpop.desktop-cannot-open"),
        wide(words),
        wide("screenpop"),
    );
    // SAFETY: every string is NUL-terminated and outlives the calls. The mutex is left to the
    // end of the process, which releases it.
    unsafe {
        let mutex = CreateMutexW(std::ptr::null(), 0, name.as_ptr());
        if !mutex.is_null() && GetLastError() == ERROR_ALREADY_EXISTS {
            return;
        }
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR | MB_SETFOREGROUND | MB_TOPMOST,
        );
    }
}

/// A notification: without a window it is the one thing a desktop shows from this program.
#[cfg(not(windows))]
fn tell(words: &str) {
    let shown = notify_rust::Notification::new()
        .summary("screenpop")
        .body(words)
        .show();
    if let Err(e) = shown {
        eprintln!("screenpop: the notification could not be shown either ({e}).");
    }
}
