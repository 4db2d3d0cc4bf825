//! Messages with placeholders, worded in Rust as the page words them (`ui/i18n.js`): the same
//! ICU MessageFormat subset (`{name}`, `{n, plural, =0 {…} one {…} other {…}}` with `#` for
//! the number), the same plural rules and the same digit grouping as the page's `Intl` for
//! each language, so a text copied from the window and one printed by the command line agree.
//! A test holds both to Node's `Intl` (the engine's ICU) number by number.

use super::Language;

impl Language {
    /// The CLDR plural category of a whole number `n`, as `Intl.PluralRules` selects it.
    pub fn plural(self, n: u64) -> &'static str {
        let millions = n != 0 && n.is_multiple_of(1_000_000);
        match self {
            Self::En | Self::De | Self::Nl => {
                if n == 1 {
                    "one"
                } else {
                    "other"
                }
            }
            Self::Es => match n {
                1 => "one",
                _ if millions => "many",
                _ => "other",
            },
            Self::Fr => match n {
                0 | 1 => "one",
                _ if millions => "many",
                _ => "other",
            },
        }
    }

    /// A whole number grouped as `n.toLocaleString(tag)` groups it.
    pub fn number(self, n: u64) -> String {
        let digits = n.to_string();
        let (separator, min_digits) = match self {
            Self::En => (",", 4),
            Self::De | Self::Nl => (".", 4),
            // Spanish groups from five digits on (CLDR's minimum grouping digits, 2).
            Self::Es => (".", 5),
            Self::Fr => ("\u{202F}", 4),
        };
        if digits.len() < min_digits {
            return digits;
        }
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(c);
        }
        out
    }
}

/// `message` with its placeholders filled from `args` (name, value) in `language`.
pub(super) fn format(language: Language, message: &str, args: &[(&str, &str)]) -> String {
    format_in(language, message, args, None)
}

/// As [`format`], with `count` the number `#` stands for inside a plural's branch.
fn format_in(
    language: Language,
    message: &str,
    args: &[(&str, &str)],
    count: Option<u64>,
) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        if c == '#' && count.is_some() {
            out.push_str(&language.number(count.unwrap_or_default()));
            rest = &rest[1..];
        } else if c == '{' {
            let end = closing(rest);
            out.push_str(&argument(language, &rest[1..end], args));
            rest = rest.get(end + 1..).unwrap_or_default();
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Where the brace opening `text` closes (its length when it never does).
fn closing(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// One `{…}`: a placeholder, or a plural picking its branch by the number and the language.
fn argument(language: Language, inner: &str, args: &[(&str, &str)]) -> String {
    let mut parts = inner.splitn(3, ',');
    let name = parts.next().unwrap_or_default().trim();
    let kind = parts.next().map(str::trim);
    let value = args.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    if kind != Some("plural") {
        return value.unwrap_or_default().to_owned();
    }
    let n: u64 = value
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_default();
    let mut branches: Vec<(&str, &str)> = Vec::new();
    let mut rest = parts.next().unwrap_or_default();
    while let Some(open) = rest.find('{') {
        let end = open + closing(&rest[open..]);
        branches.push((
            rest[..open].trim(),
            rest.get(open + 1..end).unwrap_or_default(),
        ));
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    let exact = format!("={n}");
    let branch = [exact.as_str(), language.plural(n), "other"]
        .iter()
        .find_map(|want| branches.iter().find(|(k, _)| k == want).map(|(_, b)| *b))
        .unwrap_or_default();
    format_in(language, branch, args, Some(n))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn placeholders_and_plurals_are_filled() {
        let m = "{count, plural, =0 {No fields} one {# field of {who}} other {# fields of {who}}}.";
        let say = |l: Language, n: &str| format(l, m, &[("count", n), ("who", "Priya")]);
        assert_eq!(say(Language::En, "0"), "No fields.");
        assert_eq!(say(Language::En, "1"), "1 field of Priya.");
        assert_eq!(say(Language::En, "1234"), "1,234 fields of Priya.");
        assert_eq!(
            say(Language::Fr, "0"),
            "No fields.",
            "=0 before the category"
        );
        assert_eq!(say(Language::De, "1000"), "1.000 fields of Priya.");
        assert_eq!(
            format(Language::En, "Hi {name}", &[]),
            "Hi ",
            "missing: empty"
        );
        assert_eq!(format(Language::En, "open {", &[]), "open ", "unclosed");
    }

    /// The page formats its numbers and picks its plurals with the engine's `Intl`; this asks
    /// Node's (the same ICU data) for every language and compares.
    #[test]
    fn plurals_and_numbers_match_intl_as_the_page_uses_it() {
        let numbers: Vec<u64> = (0..=1200)
            .chain([
                9_999,
                10_000,
                123_456,
                1_000_000,
                2_000_000,
                1_234_567,
                1_000_000_000,
            ])
            .collect();
        let list = numbers
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        for language in Language::ALL {
            let tag = language.tag();
            let script = format!(
                "const p = new Intl.PluralRules('{tag}'); for (const n of [{list}]) console.log(p.select(n) + ' ' + n.toLocaleString('{tag}'));"
            );
            let out = std::process::Command::new("node")
                .args(["-e", &script])
                .output()
                .expect("node (Debian's nodejs) runs the page's Intl");
            assert!(out.status.success(), "{out:?}");
            let said = String::from_utf8(out.stdout).unwrap();
            for (n, line) in numbers.iter().zip(said.lines()) {
                let (category, shown) = line.split_once(' ').unwrap();
                assert_eq!(language.plural(*n), category, "{tag} plural of {n}");
                assert_eq!(language.number(*n), shown, "{tag} {n}");
            }
            assert_eq!(said.lines().count(), numbers.len());
        }
    }
}
