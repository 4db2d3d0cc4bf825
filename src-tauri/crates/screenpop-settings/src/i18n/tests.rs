//! Choosing a language: from a locale, by the setting, and the locale Unix programs read.

use super::*;

#[test]
fn a_locale_picks_its_language_and_keeps_its_region() {
    assert_eq!(Language::of_locale("de_AT.UTF-8"), Some(Language::De));
    assert_eq!(Language::of_locale("nl-BE"), Some(Language::Nl));
    assert_eq!(Language::of_locale("pt_BR"), None);
    let c = LanguageChoice::System.resolve(Some("de_AT.UTF-8"));
    assert_eq!((c.language, c.locale.as_str()), (Language::De, "de-AT"));
    let c = LanguageChoice::System.resolve(Some("pt_BR.UTF-8"));
    assert_eq!((c.language, c.locale.as_str()), (Language::En, "en"));
    let c = LanguageChoice::Fixed(Language::Fr).resolve(Some("en_GB.UTF-8"));
    assert_eq!(
        (c.language, c.locale.as_str(), c.system),
        (Language::Fr, "fr", Language::En)
    );
    let c = LanguageChoice::Fixed(Language::Es).resolve(Some("es_MX"));
    assert_eq!(c.locale, "es-MX");
    let c = LanguageChoice::System.resolve(None);
    assert_eq!((c.language, c.locale.as_str()), (Language::En, "en"));
    // Nothing Intl would refuse reaches the page.
    let c = LanguageChoice::System.resolve(Some("de_DE@euro;x"));
    assert_eq!(c.locale, "de-DE");
    let c = LanguageChoice::System.resolve(Some("de_<script>"));
    assert_eq!(c.locale, "de");
}

#[test]
fn the_setting_names_its_values() {
    assert_eq!(LanguageChoice::named("system"), Ok(LanguageChoice::System));
    assert_eq!(
        LanguageChoice::named("nl"),
        Ok(LanguageChoice::Fixed(Language::Nl))
    );
    let e = LanguageChoice::named("klingon").unwrap_err();
    assert!(
        e.contains("\"system\"") && e.contains("\"de\"") && e.contains("klingon"),
        "{e}"
    );
    for l in Language::ALL {
        assert_eq!(
            LanguageChoice::named(LanguageChoice::Fixed(l).name()),
            Ok(LanguageChoice::Fixed(l))
        );
    }
}

#[test]
fn unix_reads_the_message_locale_as_gettext_does() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        system::from_env(env(&[("LANG", "fr_FR.UTF-8")])).as_deref(),
        Some("fr_FR.UTF-8")
    );
    assert_eq!(
        system::from_env(env(&[
            ("LANG", "fr_FR.UTF-8"),
            ("LC_MESSAGES", "de_DE.UTF-8")
        ]))
        .as_deref(),
        Some("de_DE.UTF-8")
    );
    assert_eq!(
        system::from_env(env(&[("LANGUAGE", "nl:en"), ("LC_ALL", "de_DE.UTF-8")])).as_deref(),
        Some("nl")
    );
    assert_eq!(system::from_env(env(&[("LANG", "")])), None);
}
