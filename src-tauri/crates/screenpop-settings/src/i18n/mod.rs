//! The agent's language: which of screenpop's languages the window, the tray menu and the
//! notifications speak, and which locale dates, times and numbers follow.
//!
//! The language is a setting (`language`, see [`crate::setting`]): the fleet policy can set or
//! lock it, the agent can choose it in Settings, and by default it follows the system locale.
//! The words themselves are the catalogues in `locales/` (see [`Catalogue`]).

mod catalogue;
mod system;
#[cfg(test)]
mod tests;

pub use catalogue::Catalogue;
pub use system::system_locale;

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
