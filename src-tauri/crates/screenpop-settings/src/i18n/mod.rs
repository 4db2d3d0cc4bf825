//! The agent's language: which of screenpop's languages the window, the tray menu and the
//! notifications speak, and which locale dates, times and numbers follow.
//!
//! The language is a setting (`language`, see [`crate::setting`]): the fleet policy can set or
//! lock it, the agent can choose it in Settings, and by default it follows the system locale.
//! The words themselves are the catalogues of the words crate (see [`Catalogue`]).

mod system;
#[cfg(test)]
mod tests;

pub use screenpop_words::{Catalogue, Language};
pub use system::{process_language, system_locale, LANGUAGE_VARIABLE};

/// What the `language` setting holds: the system's language, or one the agent or the policy chose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LanguageChoice {
    /// The system locale's language, English when screenpop does not speak it.
    #[default]
    System,
    /// This language, whatever the system's.
    Fixed(Language),
}

impl LanguageChoice {
    /// As written in settings and policies: `system`, or a language tag.
    pub fn name(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Fixed(l) => l.tag(),
        }
    }

    /// The choice written `name`, or a sentence saying what may be written instead.
    pub fn named(name: &str) -> Result<Self, String> {
        if name == "system" {
            return Ok(Self::System);
        }
        Language::ALL
            .into_iter()
            .find(|l| l.tag() == name)
            .map(Self::Fixed)
            .ok_or_else(|| {
                let tags: Vec<&str> = Language::ALL.iter().map(|l| l.tag()).collect();
                format!(
                    "language must be \"system\" or one of \"{}\", not \"{name}\"",
                    tags.join("\", \"")
                )
            })
    }

    /// The language and locale in force with this choice on a system whose locale is `system`.
    pub fn resolve(self, system: Option<&str>) -> Chosen {
        let spoken = system.and_then(Language::of_locale);
        let system_language = spoken.unwrap_or(Language::En);
        let language = match self {
            Self::System => system_language,
            Self::Fixed(l) => l,
        };
        // The system's region is kept when it speaks the same language (de-AT dates for an
        // Austrian agent); otherwise the language alone decides the formats.
        let locale = system
            .filter(|_| spoken == Some(language))
            .and_then(bcp47)
            .unwrap_or_else(|| language.tag().to_owned());
        Chosen {
            choice: self,
            language,
            locale,
            system: system_language,
        }
    }
}

/// The language in force, and what it was chosen from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The setting's value.
    pub choice: LanguageChoice,
    /// The language the window speaks.
    pub language: Language,
    /// The BCP 47 locale dates, times and numbers follow (`de-AT`, or the language's tag).
    pub locale: String,
    /// The system locale's language (English when screenpop does not speak it).
    pub system: Language,
}

/// A system locale (`de_AT.UTF-8`) as a BCP 47 tag (`de-AT`), when it is a plain language and
/// region that any `Intl` accepts.
fn bcp47(locale: &str) -> Option<String> {
    let base = locale.split(['.', '@']).next()?;
    let mut parts = base.split(['_', '-']);
    let language = parts.next()?;
    let region = parts.next();
    let letters = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
    };
    if !letters(language, 2..=3) || parts.next().is_some() {
        return None;
    }
    match region {
        None => Some(language.to_ascii_lowercase()),
        Some(r) if letters(r, 2..=3) => Some(format!(
            "{}-{}",
            language.to_ascii_lowercase(),
            r.to_ascii_uppercase()
        )),
        Some(_) => None,
    }
}
