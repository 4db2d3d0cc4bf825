//! screenpop's languages: which languages it speaks, their message catalogues (one JSON file
//! per language in `locales/`, built into the program), and messages worded in Rust exactly as
//! the page words them (`ui/i18n.js`). Pure, and beneath every other crate, so that whatever
//! refuses an agent's input or writes text for them can say it in their language.
//!
//! Which language is in force (the setting, the policy, the system locale) is the settings
//! crate's to decide.

#![deny(missing_docs)]

mod catalogue;
mod format;
mod message;
#[cfg(test)]
mod tests;

pub use catalogue::Catalogue;
pub use message::{Arg, Message};

/// A language screenpop speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English, the language of the catalogue every other one follows.
    En,
    /// French.
    Fr,
    /// German.
    De,
    /// Spanish.
    Es,
    /// Dutch.
    Nl,
}

impl Language {
    /// Every language, in the order Settings lists them.
    pub const ALL: [Language; 5] = [Self::En, Self::Fr, Self::De, Self::Es, Self::Nl];

    /// Its language tag (`en`, `fr`…), as settings, policies and catalogues name it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::De => "de",
            Self::Es => "es",
            Self::Nl => "nl",
        }
    }

    /// Its name in itself, as a language picker shows it whatever language is in force.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Fr => "Français",
            Self::De => "Deutsch",
            Self::Es => "Español",
            Self::Nl => "Nederlands",
        }
    }

    /// The language of a locale as systems spell it (`de`, `de-AT`, `de_DE.UTF-8`, `nl_BE@euro`),
    /// if screenpop speaks it.
    pub fn of_locale(locale: &str) -> Option<Self> {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.tag() == primary)
    }
}
