//! How an admin shapes a profile's card: labels, order, highlights, hidden and sensitive fields,
//! formats, which values make the title and the reason line, and links into the CRM. Read from
//! a profile's `card` table (in the fleet policy or the agent's settings file); a rule that
//! cannot be read is refused with its place, since a typo in `hide` must not show what an admin
//! meant to hide.

use toml::{Table, Value};

use super::links::Template;
use super::path::{Pattern, Place};

/// A profile's card layout; the empty layout keeps the smart card.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    pub(crate) fields: Vec<FieldRule>,
    pub(crate) title: Vec<Pattern>,
    pub(crate) reason: Vec<Pattern>,
    pub(crate) links: Vec<LinkRule>,
    /// The table as written, kept so a settings file is saved as the admin wrote it.
    source: String,
}

/// What a layout says about the fields one path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldRule {
    pub(crate) path: Pattern,
    pub(crate) label: Option<String>,
    pub(crate) highlight: bool,
    pub(crate) hide: bool,
    pub(crate) sensitive: bool,
    pub(crate) format: Option<Format>,
}

/// How a field's value is shown, whatever it looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// As text, never recognised as anything else.
    Text,
    /// A phone number.
    Phone,
    /// An email address.
    Email,
    /// A date (a date and time shows its date only).
    Date,
    /// A date and time.
    DateTime,
    /// An amount in the ISO 4217 currency given (`money:GBP`).
    Money(String),
    /// A yes/no badge (from booleans, `yes`/`no`, `true`/`false`, `y`/`n`, `1`/`0`).
    YesNo,
    /// A web link.
    Link,
}

/// A button that opens the caller's record elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkRule {
    pub(crate) label: String,
    pub(crate) url: Template,
    pub(crate) auto_open: bool,
}

const FORMATS: &str =
    "text, phone, email, date, datetime, money:CUR (e.g. money:GBP), yes_no, link";

/// A problem in a layout: the place of the rule (`card.fields[2].format`) and why.
pub type LayoutError = (String, String);

impl Layout {
    /// Reads the `card` table of a profile.
    pub fn from_table(table: &Table) -> Result<Self, LayoutError> {
        known(table, &["fields", "title", "reason", "links"], "card")?;
        let mut layout = Self {
            source: toml::to_string(table).unwrap_or_default(),
            ..Self::default()
        };
        for (i, rule) in tables(table, "fields")?.into_iter().enumerate() {
            layout
                .fields
                .push(field_rule(rule, &format!("card.fields[{i}]"))?);
        }
        layout.title = paths(table, "title")?;
        layout.reason = paths(table, "reason")?;
        for (i, rule) in tables(table, "links")?.into_iter().enumerate() {
            layout
                .links
                .push(link_rule(rule, &format!("card.links[{i}]"))?);
        }
        if layout.links.iter().filter(|l| l.auto_open).count() > 1 {
            return Err((
                "card.links".to_owned(),
                "only one link may have `auto_open = true`".to_owned(),
            ));
        }
        Ok(layout)
    }

    /// Reads a layout written as TOML text (a registry value holds one so).
    pub fn from_text(text: &str) -> Result<Self, LayoutError> {
        let table: Table = toml::from_str(text)
            .map_err(|e| ("card".to_owned(), format!("is not TOML: {}", e.message())))?;
        Self::from_table(&table)
    }

    /// The table as written (empty for the empty layout).
    pub fn to_table(&self) -> Table {
        toml::from_str(&self.source).unwrap_or_default()
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.title.is_empty()
            && self.reason.is_empty()
            && self.links.is_empty()
    }

    /// The first rule that names the value at `place`, or a value inside it.
    pub(crate) fn rule(&self, place: &Place) -> Option<&FieldRule> {
        self.fields.iter().find(|r| r.path.matches(place))
    }

    /// Whether a rule for `place` or for a value enclosing it says `what`.
    fn encloses(&self, place: &Place, what: impl Fn(&FieldRule) -> bool) -> bool {
        (1..=place.len()).any(|n| self.rule(&place[..n]).is_some_and(&what))
    }

    /// Whether the value at `place` is hidden or sensitive, by its own rule or an enclosing one.
    pub(crate) fn withholds(&self, place: &Place) -> bool {
        self.encloses(place, |r| r.hide || r.sensitive)
    }

    /// Whether the value at `place` is hidden, by its own rule or an enclosing one.
    pub(crate) fn withholds_hidden(&self, place: &Place) -> bool {
        self.encloses(place, |r| r.hide)
    }

    /// Whether the value at `place` is sensitive, by its own rule or an enclosing one.
    pub(crate) fn is_sensitive(&self, place: &Place) -> bool {
        self.encloses(place, |r| r.sensitive)
    }

    /// Whether any rule highlights: then the highlights are the admin's, not the smart ones.
    pub(crate) fn chooses_highlights(&self) -> bool {
        self.fields.iter().any(|r| r.highlight)
    }
}

fn known(table: &Table, keys: &[&str], at: &str) -> Result<(), LayoutError> {
    match table.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err((
            format!("{at}.{k}"),
            format!("unknown key `{k}` (known: {})", keys.join(", ")),
        )),
        None => Ok(()),
    }
}

fn tables<'a>(table: &'a Table, key: &str) -> Result<Vec<&'a Table>, LayoutError> {
    let Some(v) = table.get(key) else {
        return Ok(Vec::new());
    };
    let fail = || {
        (
            format!("card.{key}"),
            format!("must be a list of [[profiles.card.{key}]] tables"),
        )
    };
    v.as_array()
        .ok_or_else(fail)?
        .iter()
        .map(|item| item.as_table().ok_or_else(fail))
        .collect()
}

fn paths(table: &Table, key: &str) -> Result<Vec<Pattern>, LayoutError> {
    let at = format!("card.{key}");
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![Pattern::parse(s).map_err(|why| (at, why))?]),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{at}[{i}]");
                let text = item
                    .as_str()
                    .ok_or_else(|| (at.clone(), "must be a path in data".to_owned()))?;
                Pattern::parse(text).map_err(|why| (at, why))
            })
            .collect(),
        Some(_) => Err((at, "must be a list of paths in data".to_owned())),
    }
}

fn text<'a>(table: &'a Table, key: &str, at: &str) -> Result<Option<&'a str>, LayoutError> {
    match table.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim())),
        Some(_) => Err((format!("{at}.{key}"), "must be non-empty text".to_owned())),
    }
}

fn switch(table: &Table, key: &str, at: &str) -> Result<bool, LayoutError> {
    match table.get(key) {
        None => Ok(false),
        Some(Value::Boolean(b)) => Ok(*b),
        Some(_) => Err((format!("{at}.{key}"), "must be true or false".to_owned())),
    }
}

fn field_rule(table: &Table, at: &str) -> Result<FieldRule, LayoutError> {
    known(
        table,
        &["path", "label", "highlight", "hide", "sensitive", "format"],
        at,
    )?;
    let path = text(table, "path", at)?
        .ok_or_else(|| (at.to_owned(), "needs a `path` into data".to_owned()))?;
    let path = Pattern::parse(path).map_err(|why| (format!("{at}.path"), why))?;
    let format = text(table, "format", at)?
        .map(|f| {
            parse_format(f).ok_or_else(|| {
                (
                    format!("{at}.format"),
                    format!("`{f}` is not a format; use one of: {FORMATS}"),
                )
            })
        })
        .transpose()?;
    let rule = FieldRule {
        path,
        label: text(table, "label", at)?.map(super::inert),
        highlight: switch(table, "highlight", at)?,
        hide: switch(table, "hide", at)?,
        sensitive: switch(table, "sensitive", at)?,
        format,
    };
    if rule.hide && (rule.highlight || rule.sensitive) {
        return Err((
            at.to_owned(),
            "a hidden field cannot also be highlighted or sensitive".to_owned(),
        ));
    }
    Ok(rule)
}

fn parse_format(text: &str) -> Option<Format> {
    Some(match text {
        "text" => Format::Text,
        "phone" => Format::Phone,
        "email" => Format::Email,
        "date" => Format::Date,
        "datetime" => Format::DateTime,
        "yes_no" => Format::YesNo,
        "link" => Format::Link,
        other => {
            let currency = other.strip_prefix("money:")?;
            if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            Format::Money(currency.to_ascii_uppercase())
        }
    })
}

fn link_rule(table: &Table, at: &str) -> Result<LinkRule, LayoutError> {
    known(table, &["label", "url", "auto_open"], at)?;
    let label = text(table, "label", at)?
        .ok_or_else(|| (at.to_owned(), "needs a `label` for its button".to_owned()))?;
    let url = text(table, "url", at)?.ok_or_else(|| (at.to_owned(), "needs a `url`".to_owned()))?;
    Ok(LinkRule {
        label: super::inert(label),
        url: Template::parse(url).map_err(|why| (format!("{at}.url"), why))?,
        auto_open: switch(table, "auto_open", at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str) -> Result<Layout, LayoutError> {
        Layout::from_text(text)
    }

    #[test]
    fn reads_the_readme_example() {
        let l = layout(
            r#"
            title = ["customer.full_name", "name"]
            reason = ["handoff_reason_summary"]
            [[fields]]
            path = "customer.account_number"
            label = "Account"
            highlight = true
            format = "text"
            [[fields]]
            path = "internal_*"
            hide = true
            [[fields]]
            path = "balance"
            format = "money:gbp"
            [[links]]
            label = "Open in CRM"
            url = "https://crm.example.com/accounts/{{data.customer.account_number}}"
            auto_open = true
            "#,
        )
        .expect("valid");
        assert_eq!(l.fields.len(), 3);
        assert_eq!(l.fields[2].format, Some(Format::Money("GBP".to_owned())));
        assert_eq!(l.title.len(), 2);
        assert!(l.chooses_highlights());
        assert!(l.links[0].auto_open);
        assert_eq!(Layout::from_table(&l.to_table()).expect("round trip"), l);
        assert!(Layout::default().is_empty());
    }

    #[test]
    fn every_unreadable_rule_is_named() {
        let cases = [
            ("[[fields]]\nlabel = \"x\"", "card.fields[0]", "path"),
            ("[[fields]]\npath = \"a\"\nhidden = true", "card.fields[0].hidden", "unknown key"),
            ("[[fields]]\npath = \"a\"\nformat = \"money\"", "card.fields[0].format", "not a format"),
            ("[[fields]]\npath = \"a\"\nformat = \"money:POUNDS\"", "card.fields[0].format", "not a format"),
            ("[[fields]]\npath = \"a\"\nhide = \"yes\"", "card.fields[0].hide", "true or false"),
            ("[[fields]]\npath = \"a\"\nhide = true\nhighlight = true", "card.fields[0]", "hidden field"),
            ("[[fields]]\npath = \"a[0]\"", "card.fields[0].path", "not a path"),
            ("fields = 3", "card.fields", "list"),
            ("title = 3", "card.title", "paths"),
            ("title = [\"a\", 3]", "card.title[1]", "path"),
            ("colour = \"red\"", "card.colour", "unknown key"),
            ("[[links]]\nurl = \"https://x.example/\"", "card.links[0]", "label"),
            ("[[links]]\nlabel = \"CRM\"\nurl = \"ftp://x.example/{{id}}\"", "card.links[0].url", "https"),
            (
                "[[links]]\nlabel = \"a\"\nurl = \"https://a.example/{{id}}\"\nauto_open = true\n[[links]]\nlabel = \"b\"\nurl = \"https://b.example/{{id}}\"\nauto_open = true",
                "card.links",
                "only one",
            ),
        ];
        for (text, at, why) in cases {
            let (place, reason) = layout(text).expect_err(text);
            assert_eq!(place, at, "{text}");
            assert!(reason.contains(why), "{text}: {reason}");
        }
    }
}
