//! The message catalogues: one JSON file per language in `locales/`, keys to messages in ICU
//! MessageFormat (`{name}` placeholders, `{count, plural, one {…} other {…}}`). They are built
//! into the program, so a seat never runs with words missing. The page formats its messages
//! itself (it is given the whole catalogue); Rust formats the ones it says itself ("copy all",
//! the tray, the notification) the same way ([`Catalogue::say`], see `format.rs`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::Language;

/// The catalogue files, as written in the repository.
pub(super) const SOURCES: [(Language, &str); 5] = [
    (Language::En, include_str!("../locales/en.json")),
    (Language::Fr, include_str!("../locales/fr.json")),
    (Language::De, include_str!("../locales/de.json")),
    (Language::Es, include_str!("../locales/es.json")),
    (Language::Nl, include_str!("../locales/nl.json")),
];

/// One language's messages.
#[derive(Debug, PartialEq, Eq)]
pub struct Catalogue {
    language: Language,
    messages: BTreeMap<String, String>,
}

impl Catalogue {
    /// The catalogue of `language`, read once.
    pub fn of(language: Language) -> &'static Catalogue {
        static ALL: OnceLock<Vec<(Language, Catalogue)>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            SOURCES
                .iter()
                .map(|(l, text)| {
                    let messages = Self::parse(text).map(|c| c.messages).unwrap_or_default();
                    let language = *l;
                    (language, Catalogue { language, messages })
                })
                .collect()
        });
        // Every language has a source above; the empty catalogue only keeps this total.
        static NONE: Catalogue = Catalogue {
            language: Language::En,
            messages: BTreeMap::new(),
        };
        all.iter()
            .find(|(l, _)| *l == language)
            .map_or(&NONE, |(_, c)| c)
    }

    /// A catalogue's text as a catalogue, or why it is not one.
    pub(super) fn parse(text: &str) -> Result<Self, serde_json::Error> {
        Ok(Self {
            language: Language::En,
            messages: serde_json::from_str(text)?,
        })
    }

    /// Every message, by key: what the page is given.
    pub fn messages(&self) -> &BTreeMap<String, String> {
        &self.messages
    }

    /// The message `key`, for a text without placeholders; English when this catalogue lacks it
    /// (the catalogue tests see that none does), the key itself as a last resort.
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages
            .get(key)
            .or_else(|| Self::of(Language::En).messages.get(key))
            .map_or(key, String::as_str)
    }

    /// The message `key` with its placeholders and plurals filled from `args`, worded as the
    /// page words it; English when this catalogue lacks it, the key as a last resort.
    pub fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        super::format::format(self.language, self.text(key), args)
    }
}
