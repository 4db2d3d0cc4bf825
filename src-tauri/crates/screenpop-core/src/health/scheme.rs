//! Whether `screenpop://` links open this installation: the desktop's handler for the scheme
//! must start a program installed beside this one (`screenpop` or `screenpop-desktop`).

use std::path::{Path, PathBuf};

use super::Check;

/// The check, for this platform.
pub(super) fn check() -> Check {
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .and_then(|p| p.parent().map(Path::to_path_buf));
    match (handler(), here) {
        (Err(why), _) => fail(why),
        (Ok(_), None) => fail("this program's own path is unknown".to_owned()),
        (Ok(program), Some(dir)) => {
            let canonical = program.canonicalize().unwrap_or(program.clone());
            let ours = canonical.parent() == Some(dir.as_path())
                && canonical
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s == "screenpop" || s == "screenpop-desktop");
            if ours {
                Check::pass(format!("Registered to {}.", canonical.display()))
            } else {
                fail(format!(
                    "they open {}, not this installation ({}); reinstall screenpop",
                    canonical.display(),
                    dir.display()
                ))
            }
        }
    }
}

fn fail(why: String) -> Check {
    Check {
        ok: false,
        ..Check::pass(format!(
            "screenpop:// links are not registered to this installation: {why}."
        ))
    }
}

/// The program the desktop starts for a `screenpop://` link.
#[cfg(all(unix, not(target_os = "macos")))]
fn handler() -> Result<PathBuf, String> {
    let out = std::process::Command::new("xdg-mime")
        .args(["query", "default", "x-scheme-handler/screenpop"])
        .output()
        .map_err(|e| format!("xdg-mime cannot be run ({e})"))?;
    let desktop = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if desktop.is_empty() {
        return Err("no program handles them".to_owned());
    }
    let data_home = dirs::data_dir();
    let system = std::env::var("XDG_DATA_DIRS")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".to_owned());
    let file = data_home
        .into_iter()
        .chain(system.split(':').map(PathBuf::from))
        .map(|d| d.join("applications").join(&desktop))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("their handler {desktop} is not installed"))?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .and_then(|e| e.split_whitespace().next())
        .map(|e| e.trim_matches('"').to_owned())
        .ok_or_else(|| format!("{} has no Exec line", file.display()))?;
    Ok(on_path(&exec))
}

#[cfg(all(unix, not(target_os = "macos")))]
fn on_path(program: &str) -> PathBuf {
    if program.contains('/') {
        return PathBuf::from(program);
    }
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(program))
}

/// The program `HKEY_CLASSES_ROOT\screenpop\shell\open\command` starts (the installer's
/// machine-wide entry, or a per-user one that would beat it).
#[cfg(windows)]
fn handler() -> Result<PathBuf, String> {
    use windows_sys::Win32::System::Registry::{RegGetValueW, HKEY_CLASSES_ROOT, RRF_RT_REG_SZ};
    let key: Vec<u16> = r"screenpop\shell\open\command"
        .encode_utf16()
        .chain(Some(0))
        .collect();
    let mut buf = vec![0u16; 2048];
    let mut len = (buf.len() * 2) as u32;
    // SAFETY: `key` is NUL-terminated; `buf` holds `len` bytes; the value name is null (default).
    let status = unsafe {
        RegGetValueW(
            HKEY_CLASSES_ROOT,
            key.as_ptr(),
            std::ptr::null(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if status != 0 {
        return Err("no program handles them (HKEY_CLASSES_ROOT\\screenpop is missing)".to_owned());
    }
    let text = String::from_utf16_lossy(&buf[..(len as usize / 2)]);
    let text = text.trim_end_matches('\0').trim();
    let program = match text.strip_prefix('"') {
        Some(rest) => rest.split('"').next().unwrap_or_default(),
        None => text.split_whitespace().next().unwrap_or_default(),
    };
    Ok(PathBuf::from(program))
}

/// macOS opens the scheme with the app bundle that declares it in its `Info.plist`.
#[cfg(target_os = "macos")]
fn handler() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| e.to_string())
}
