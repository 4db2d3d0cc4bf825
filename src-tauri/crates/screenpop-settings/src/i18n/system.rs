//! The system locale, as the platform tells it: the locale environment on Linux and other Unix
//! systems, the user's locale on Windows and macOS.

/// The system's locale for messages (`de_DE.UTF-8`, `fr-FR`), if it names one.
pub fn system_locale() -> Option<String> {
    platform().filter(|l| !matches!(l.as_str(), "" | "C" | "POSIX") && !l.starts_with("C."))
}

/// Names the language the command line speaks whatever the locale (`en`, `de`…): scripts
/// that read the text set `SCREENPOP_LANGUAGE=en`.
pub const LANGUAGE_VARIABLE: &str = "SCREENPOP_LANGUAGE";

/// The language of this process's own output (the command line, `doctor`): the one
/// [`LANGUAGE_VARIABLE`] names, else the system locale's, else English.
pub fn process_language() -> super::Language {
    std::env::var(LANGUAGE_VARIABLE)
        .ok()
        .and_then(|l| super::Language::of_locale(&l))
        .or_else(|| {
            system_locale()
                .as_deref()
                .and_then(super::Language::of_locale)
        })
        .unwrap_or(super::Language::En)
}

#[cfg(all(unix, not(target_os = "macos")))]
fn platform() -> Option<String> {
    from_env(|name| std::env::var(name).ok())
}

#[cfg(any(windows, target_os = "macos"))]
fn platform() -> Option<String> {
    sys_locale::get_locale()
}

/// The message locale of a Unix environment, in the order gettext reads it: `LANGUAGE`'s first
/// entry, then `LC_ALL`, `LC_MESSAGES`, `LANG`.
#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
pub(super) fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let language = var("LANGUAGE").and_then(|l| {
        l.split(':')
            .next()
            .filter(|first| !first.is_empty())
            .map(str::to_owned)
    });
    language.or_else(|| {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()))
    })
}
