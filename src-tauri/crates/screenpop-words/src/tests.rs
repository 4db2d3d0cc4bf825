//! The catalogues are complete and agree with English, and Rust reads them as the page does.

use std::collections::BTreeMap;
use std::iter::Peekable;
use std::str::Chars;

use super::catalogue::SOURCES;
use super::*;

/// What a message's argument is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Text,
    Plural,
}

/// The arguments of an ICU message (the subset the page formats: `{name}` and
/// `{name, plural, =N {…} one {…} other {…}}` with `#`), or why it is not one.
fn arguments(message: &str) -> Result<BTreeMap<String, Use>, String> {
    let mut out = BTreeMap::new();
    let mut chars = message.chars().peekable();
    text(&mut chars, &mut out, false)?;
    match chars.next() {
        None => Ok(out),
        Some(c) => Err(format!("unexpected `{c}`")),
    }
}

/// Reads text up to the end, or up to the `}` that closes a plural branch (left unread).
fn text(
    chars: &mut Peekable<Chars<'_>>,
    out: &mut BTreeMap<String, Use>,
    in_branch: bool,
) -> Result<(), String> {
    while let Some(&c) = chars.peek() {
        match c {
            '{' => {
                chars.next();
                argument(chars, out)?;
            }
            '}' if in_branch => return Ok(()),
            '}' => return Err("a `}` closes nothing".into()),
            _ => {
                chars.next();
            }
        }
    }
    if in_branch {
        return Err("a plural branch is not closed".into());
    }
    Ok(())
}

fn argument(
    chars: &mut Peekable<Chars<'_>>,
    out: &mut BTreeMap<String, Use>,
) -> Result<(), String> {
    let mut head = String::new();
    for c in chars.by_ref() {
        if c == '}' {
            let name = head.trim().to_owned();
            check_name(&name)?;
            add(out, name, Use::Text)?;
            return Ok(());
        }
        if c == ',' && head.contains(',') {
            break;
        }
        head.push(c);
    }
    let (name, kind) = head
        .split_once(',')
        .ok_or_else(|| format!("`{{{head}` is not closed"))?;
    let name = name.trim().to_owned();
    check_name(&name)?;
    if kind.trim() != "plural" {
        return Err(format!(
            "`{name}`: only plural arguments are formatted, not `{}`",
            kind.trim()
        ));
    }
    add(out, name.clone(), Use::Plural)?;
    let mut selectors = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            Some('}') => break,
            Some(first) => {
                let mut selector = first.to_string();
                while let Some(&c) = chars.peek() {
                    if c == '{' || c.is_whitespace() {
                        break;
                    }
                    selector.push(c);
                    chars.next();
                }
                let known = ["zero", "one", "two", "few", "many", "other"]
                    .contains(&selector.as_str())
                    || selector
                        .strip_prefix('=')
                        .is_some_and(|n| n.parse::<u64>().is_ok());
                if !known {
                    return Err(format!("`{name}`: `{selector}` is not a plural category"));
                }
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.next() != Some('{') {
                    return Err(format!("`{name}`: `{selector}` has no {{…}}"));
                }
                text(chars, out, true)?;
                chars.next();
                selectors.push(selector);
            }
            None => return Err(format!("`{name}`'s plural is not closed")),
        }
    }
    if !selectors.iter().any(|s| s == "other") {
        return Err(format!("`{name}`'s plural has no `other`"));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{name}` is not an argument name"));
    }
    Ok(())
}

fn add(out: &mut BTreeMap<String, Use>, name: String, used: Use) -> Result<(), String> {
    match out.insert(name.clone(), used) {
        Some(before) if before != used => Err(format!("`{name}` is used two ways")),
        _ => Ok(()),
    }
}

fn catalogues() -> Vec<(Language, BTreeMap<String, String>)> {
    SOURCES
        .iter()
        .map(|(l, text)| {
            let c =
                Catalogue::parse(text).unwrap_or_else(|e| panic!("locales/{}.json: {e}", l.tag()));
            (*l, c.messages().clone())
        })
        .collect()
}

#[test]
fn every_language_has_a_catalogue_and_english_comes_first() {
    let tags: Vec<&str> = SOURCES.iter().map(|(l, _)| l.tag()).collect();
    let all: Vec<&str> = Language::ALL.iter().map(|l| l.tag()).collect();
    assert_eq!(tags, all);
    assert_eq!(SOURCES[0].0, Language::En);
}

#[test]
fn every_catalogue_has_exactly_the_english_keys() {
    let all = catalogues();
    let english = &all[0].1;
    assert!(english.len() > 100, "{}", english.len());
    for (language, messages) in &all[1..] {
        let missing: Vec<&String> = english
            .keys()
            .filter(|k| !messages.contains_key(*k))
            .collect();
        let unknown: Vec<&String> = messages
            .keys()
            .filter(|k| !english.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "locales/{}.json lacks {missing:?}",
            language.tag()
        );
        assert!(
            unknown.is_empty(),
            "locales/{}.json has keys English does not: {unknown:?}",
            language.tag()
        );
    }
}

#[test]
fn every_message_is_valid_and_has_the_english_placeholders() {
    let all = catalogues();
    let english = &all[0].1;
    for (language, messages) in &all {
        for (key, message) in messages {
            let tag = language.tag();
            assert!(!message.trim().is_empty(), "{tag} {key} is empty");
            let args = arguments(message).unwrap_or_else(|e| panic!("{tag} {key}: {e}: {message}"));
            let want = arguments(&english[key]).unwrap_or_default();
            assert_eq!(args, want, "{tag} {key}: {message}");
        }
    }
}

#[test]
fn the_checker_refuses_what_the_page_could_not_format() {
    for bad in [
        "Hello {name",
        "Hello name}",
        "{}",
        "{count, plural, one {# caller}}",
        "{count, plural, few {# callers} other {x}",
        "{count, select, a {x} other {y}}",
        "{count, plural, lots {x} other {y}}",
        "{n} and {n, plural, other {#}}",
    ] {
        assert!(arguments(bad).is_err(), "{bad}");
    }
    let ok = arguments("{count, plural, =0 {none} one {# of {what}} other {# of {what}}}").unwrap();
    assert_eq!(ok.get("count"), Some(&Use::Plural));
    assert_eq!(ok.get("what"), Some(&Use::Text));
}

#[test]
fn the_catalogues_differ_from_english_where_they_should() {
    // A catalogue copied from English would pass the key checks: the window's own words are
    // translated (names such as "Demo" or "Token" may stay).
    let all = catalogues();
    let english = &all[0].1;
    for (language, messages) in &all[1..] {
        let same = english.iter().filter(|(k, v)| messages[*k] == **v).count();
        assert!(
            same * 10 < english.len(),
            "{}: {same} messages as in English",
            language.tag()
        );
    }
}

#[test]
fn rust_reads_the_same_messages() {
    assert_eq!(
        Catalogue::of(Language::De).text("tray.quit"),
        "screenpop beenden"
    );
    assert_eq!(
        Catalogue::of(Language::En).text("no.such.key"),
        "no.such.key"
    );
}

#[test]
fn every_catalogue_words_copy_all_with_its_own_plurals() {
    let say = |l: Language, n: &str| Catalogue::of(l).say("copy.empty_not_shown", &[("count", n)]);
    assert_eq!(say(Language::En, "1"), "(1 empty field not shown.)");
    assert_eq!(say(Language::De, "2"), "(2 leere Felder nicht angezeigt.)");
    // French counts nothing as one, as the page's Intl does.
    assert_eq!(say(Language::Fr, "0"), "(0 champ vide non affiché.)");
    assert_eq!(
        Catalogue::of(Language::Nl).say("copy.caller", &[("title", "Priya Raman")]),
        "Beller: Priya Raman"
    );
}
