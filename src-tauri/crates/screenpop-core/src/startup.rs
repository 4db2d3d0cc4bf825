//! When the window cannot open: what the agent is told (in their language), and what the log
//! keeps. The window shows it in a native message box (or a notification), the launcher prints
//! it when run from a console; both say the same, from here.
//!
//! A window that cannot open cannot show the calls it was started for. They are named in the
//! message and the log, so the agent can look them up elsewhere; nothing retries them.

use std::sync::Arc;

use crate::desk::Desk;
use crate::transfer::Transfer;
use crate::webview2::Registration;
use crate::Error;
use screenpop_settings::config::default_path;
use screenpop_settings::i18n::{system_locale, Catalogue, Language, LanguageChoice};
use screenpop_settings::secret::Keychain;

/// Why the window cannot open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CannotOpen {
    /// Windows has no WebView2 Runtime that starts: none is registered, or its loader cannot
    /// start the one that is.
    NoWebView {
        /// What the registry says is installed.
        registered: Option<Registration>,
        /// What the WebView2 loader said, when it was asked.
        loader: Option<String>,
    },
    /// Anything else that stopped the window being set up (no display, a broken installation).
    Failed(String),
}

impl CannotOpen {
    /// The words for the agent, in `language`: what is wrong and what to do, the calls that
    /// were not shown, then the technical reason as it was given (for the helpdesk).
    pub fn words(&self, language: Language, links: &[String]) -> String {
        let words = Catalogue::of(language);
        let mut out = match self {
            Self::NoWebView { .. } => words.text("start.webview_missing"),
            Self::Failed(_) => words.text("start.window_failed"),
        }
        .to_owned();
        let calls = calls(links);
        if !calls.is_empty() {
            out.push_str("\n\n");
            out.push_str(words.text("start.calls_not_shown"));
            for call in calls {
                out.push_str("\n    ");
                out.push_str(&call);
            }
        }
        out.push_str("\n\n(");
        out.push_str(&self.reason());
        out.push(')');
        out
    }

    /// The log's line: English, one line, the reason and the calls not shown.
    pub fn log_line(&self, links: &[String]) -> String {
        let what = match self {
            Self::NoWebView { .. } => "The window cannot open: no Microsoft Edge WebView2 Runtime",
            Self::Failed(_) => "The window could not open",
        };
        let calls = calls(links);
        let lost = if calls.is_empty() {
            String::new()
        } else {
            format!("; not shown: {}", calls.join(", "))
        };
        format!("{what} ({}){lost}.", self.reason())
    }

    /// The technical reason: where the runtime was looked for and what its loader said, or the
    /// failure's own words.
    pub fn reason(&self) -> String {
        match self {
            Self::NoWebView { registered, loader } => {
                let registry = match registered {
                    Some(r) => format!("version {} registered at {}", r.version, r.key),
                    None => "none registered under EdgeUpdate".to_owned(),
                };
                match loader {
                    Some(said) => format!("{registry}; WebView2Loader: {said}"),
                    None => registry,
                }
            }
            Self::Failed(why) => why.clone(),
        }
    }
}

/// What [`CannotOpen::report`] did: the words for the agent, and where the log line went.
#[derive(Debug)]
pub struct Report {
    /// The words, in the agent's language (see [`CannotOpen::words`]).
    pub words: String,
    /// The log the line was added to, or why it could not be.
    pub logged: crate::Result<std::path::PathBuf>,
}

impl CannotOpen {
    /// Logs why the window cannot open and words it for the agent in the language the window
    /// would speak: what the launcher prints and the window shows, said once.
    pub fn report(&self, links: &[String]) -> Report {
        Report {
            logged: crate::applog::append(&self.log_line(links)),
            words: self.words(language(), links),
        }
    }
}

/// Each link's caller as `id ABC` / `shared id XYZ`; a link that is not a lookup link is left
/// out (it could not have popped either).
fn calls(links: &[String]) -> Vec<String> {
    links
        .iter()
        .filter_map(|l| Transfer::from_link(l).ok())
        .map(|t| {
            let mut parts = Vec::new();
            if let Some(id) = t.id() {
                parts.push(format!("id {id}"));
            }
            if let Some(sid) = t.shared_id() {
                parts.push(format!("shared id {sid}"));
            }
            parts.join(", ")
        })
        .collect()
}

/// The language the window would speak: the settings and the policy as the window reads them,
/// or the system's when those cannot be read (the message must still be said).
pub fn language() -> Language {
    match default_path()
        .map_err(Error::from)
        .and_then(|path| Desk::open(path, Arc::new(Keychain)))
    {
        Ok(desk) => desk.prefs.language().language,
        Err(_) => {
            LanguageChoice::System
                .resolve(system_locale().as_deref())
                .language
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing() -> CannotOpen {
        CannotOpen::NoWebView {
            registered: None,
            loader: Some("The system cannot find the file specified. (0x80070002)".to_owned()),
        }
    }

    #[test]
    fn the_agent_reads_what_is_wrong_in_their_language_and_which_calls_were_not_shown() {
        let links = [
            "screenpop://lookup?id=conv-1".to_owned(),
            "screenpop://lookup?shared_id=s%207&profile=desk".to_owned(),
            "not a link".to_owned(),
        ];
        let en = missing().words(Language::En, &links);
        assert!(
            en.starts_with("screenpop needs the Microsoft Edge WebView2 Runtime, which this computer does not have. Ask your IT team to install it."),
            "{en}"
        );
        assert!(en.contains("\n    id conv-1\n    shared id s 7\n"), "{en}");
        assert!(en.ends_with("(none registered under EdgeUpdate; WebView2Loader: The system cannot find the file specified. (0x80070002))"), "{en}");
        let de = missing().words(Language::De, &[]);
        assert!(de.starts_with("screenpop benötigt"), "{de}");
        assert!(!de.contains("    id"), "{de}");
    }

    #[test]
    fn the_log_line_is_one_english_line_with_the_registered_version() {
        let failure = CannotOpen::NoWebView {
            registered: Some(Registration {
                version: "131.0.2903.70".to_owned(),
                key: r"HKLM\SOFTWARE\Microsoft\EdgeUpdate\Clients\{X}".to_owned(),
            }),
            loader: Some("not found".to_owned()),
        };
        let line = failure.log_line(&["screenpop://lookup?id=c-9".to_owned()]);
        assert_eq!(
            line,
            r"The window cannot open: no Microsoft Edge WebView2 Runtime (version 131.0.2903.70 registered at HKLM\SOFTWARE\Microsoft\EdgeUpdate\Clients\{X}; WebView2Loader: not found); not shown: id c-9."
        );
        let other = CannotOpen::Failed("no display".to_owned()).log_line(&[]);
        assert_eq!(other, "The window could not open (no display).");
    }
}
