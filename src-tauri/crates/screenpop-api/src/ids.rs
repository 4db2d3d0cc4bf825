//! Validation of everything that identifies something: account and project ids (path segments),
//! conversation ids and shared ids (query values), and profile names.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Message, Result};

/// Longest conversation id or shared id accepted, in characters.
pub const MAX_LOOKUP_ID_CHARS: usize = 512;
/// Longest account or project id accepted, in characters.
pub const MAX_PATH_ID_CHARS: usize = 128;
/// Longest profile name accepted, in characters.
pub const MAX_PROFILE_NAME_CHARS: usize = 64;

/// The catalogue key that names an account id in a refusal (the form's own label).
pub const ACCOUNT_ID: &str = "form.account";
/// The catalogue key that names a project id in a refusal (the form's own label).
pub const PROJECT_ID: &str = "form.project";

/// An account or project id, safe to place in a URL path as one segment.
///
/// Both the slug form (`acme-uk`) and the prefixed forms (`ws-fd112d8f`, `ACCOUNT-…`,
/// `PROJECT-58RP822I`) are taken as given: PolyAI accepts both in paths.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PathId(String);

impl PathId {
    /// Validates `raw` (trimmed) as an account or project id; `what` is the catalogue key of
    /// its name ([`ACCOUNT_ID`], [`PROJECT_ID`]), for the refusal.
    pub fn parse(raw: &str, what: &'static str) -> Result<Self> {
        let id = raw.trim();
        let refused = |key| Error::Refused(Message::new(key).with_word("what", what));
        if id.is_empty() {
            return Err(refused("refusal.empty"));
        }
        if id.chars().count() > MAX_PATH_ID_CHARS {
            return Err(Error::Refused(
                Message::new("refusal.too_long")
                    .with_word("what", what)
                    .with("max", MAX_PATH_ID_CHARS),
            ));
        }
        if id == "." || id == ".." {
            return Err(Error::Refused(
                Message::new("refusal.not_valid")
                    .with_word("what", what)
                    .with("input", id),
            ));
        }
        if let Some(bad) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(Error::Refused(
                Message::new("refusal.id_bad_char")
                    .with_word("what", what)
                    .with("char", describe_char(bad)),
            ));
        }
        Ok(Self(id.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PathId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value, "id")
    }
}

impl From<PathId> for String {
    fn from(value: PathId) -> Self {
        value.0
    }
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Which id the agent typed: PolyAI's conversation id or the integrator's shared id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupBy {
    /// PolyAI conversation id.
    #[default]
    Id,
    /// The integrator's shared id.
    SharedId,
}

impl Lookup {
    /// A lookup of `value` as the given kind of id.
    pub fn of(by: LookupBy, value: &str) -> Result<Self> {
        match by {
            LookupBy::Id => Self::by_id(value),
            LookupBy::SharedId => Self::by_shared_id(value),
        }
    }
}

/// What to look up: a conversation id, a shared id, or both.
///
/// Both values are trimmed; each must be 1–512 characters without control characters or
/// invisible formatting characters ([`is_invisible_format`]). Any other
/// character is kept exactly as given and sent percent-encoded as a query value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Lookup {
    id: Option<String>,
    shared_id: Option<String>,
}

impl Lookup {
    /// Validates a lookup; at least one of `id` and `shared_id` must be given.
    pub fn new(id: Option<&str>, shared_id: Option<&str>) -> Result<Self> {
        let id = id
            .map(|v| validate_lookup_value(v, "lookup.by_id"))
            .transpose()?;
        let shared_id = shared_id
            .map(|v| validate_lookup_value(v, "lookup.by_shared_id"))
            .transpose()?;
        if id.is_none() && shared_id.is_none() {
            return Err(Error::Refused(Message::new("refusal.lookup_nothing")));
        }
        Ok(Self { id, shared_id })
    }

    /// A lookup by PolyAI conversation id.
    pub fn by_id(id: &str) -> Result<Self> {
        Self::new(Some(id), None)
    }

    /// A lookup by the integrator's shared id.
    pub fn by_shared_id(shared_id: &str) -> Result<Self> {
        Self::new(None, Some(shared_id))
    }

    /// The conversation id, if given.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The shared id, if given.
    pub fn shared_id(&self) -> Option<&str> {
        self.shared_id.as_deref()
    }

    /// The id a person knows this lookup by, and its kind: the shared id when there is one
    /// (the server gives it precedence), else the conversation id.
    pub fn shown(&self) -> (LookupBy, &str) {
        match (&self.shared_id, &self.id) {
            (Some(sid), _) => (LookupBy::SharedId, sid),
            (None, Some(id)) => (LookupBy::Id, id),
            // `new` refuses a lookup with neither.
            (None, None) => (LookupBy::Id, ""),
        }
    }

    /// The query parameters to send, in a fixed order. Both are sent when both are given: the
    /// server decides (it gives `shared_id` precedence).
    pub fn query_pairs(&self) -> Vec<(&'static str, &str)> {
        let mut pairs = Vec::with_capacity(2);
        if let Some(id) = &self.id {
            pairs.push(("id", id.as_str()));
        }
        if let Some(shared) = &self.shared_id {
            pairs.push(("shared_id", shared.as_str()));
        }
        pairs
    }
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.id, &self.shared_id) {
            (Some(id), Some(shared)) => write!(f, "shared id {shared} (conversation id {id})"),
            (Some(id), None) => write!(f, "conversation id {id}"),
            (None, Some(shared)) => write!(f, "shared id {shared}"),
            (None, None) => f.write_str("nothing"),
        }
    }
}

/// `raw` (trimmed) as an id to look up; `what` is the catalogue key of its name.
fn validate_lookup_value(raw: &str, what: &'static str) -> Result<String> {
    let value = raw.trim();
    let refused = |key| Message::new(key).with_word("what", what);
    if value.is_empty() {
        return Err(Error::Refused(refused("refusal.empty")));
    }
    let chars = value.chars().count();
    if chars > MAX_LOOKUP_ID_CHARS {
        return Err(Error::Refused(
            refused("refusal.lookup_too_long")
                .with("count", chars)
                .with("max", MAX_LOOKUP_ID_CHARS),
        ));
    }
    if let Some(bad) = value.chars().find(|c| c.is_control()) {
        return Err(Error::Refused(
            refused("refusal.lookup_control_char").with("char", describe_char(bad)),
        ));
    }
    if let Some(bad) = value.chars().find(|c| is_invisible_format(*c)) {
        return Err(Error::Refused(
            refused("refusal.lookup_invisible_char").with("char", describe_char(bad)),
        ));
    }
    Ok(value.to_owned())
}

/// Bidi controls, zero-width characters and the byte-order mark: invisible, yet able to reorder
/// text. No id contains them, and an id holding one would show the agent something other than
/// what is looked up; the card strips them from caller data.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Validates a profile name: 1–64 characters of letters, digits, space, `-`, `_`, `.`.
pub fn validate_profile_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::Refused(Message::new("refusal.name_empty")));
    }
    if name.chars().count() > MAX_PROFILE_NAME_CHARS {
        return Err(Error::Refused(
            Message::new("refusal.name_too_long").with("max", MAX_PROFILE_NAME_CHARS),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
    {
        return Err(Error::Refused(
            Message::new("refusal.name_bad_char").with("char", describe_char(bad)),
        ));
    }
    Ok(name.to_owned())
}

/// Names a character for an error message without echoing something invisible or harmful.
fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() || !c.is_ascii() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn path_ids_accept_slugs_and_prefixed_forms() {
        for ok in [
            "acme-uk",
            "acme-team-4",
            "ws-fd112d8f",
            "ACCOUNT-1234567",
            "PROJECT-58RP822I",
            "a_b.c",
        ] {
            assert_eq!(
                PathId::parse(ok, "account id").ok().map(|p| p.0),
                Some(ok.to_owned()),
                "{ok}"
            );
        }
        assert_eq!(
            PathId::parse("  acme  ", "account id").map(|p| p.0).ok(),
            Some("acme".into())
        );
    }

    #[test]
    fn path_ids_refuse_anything_that_could_escape_the_segment() {
        for bad in [
            "",
            " ",
            ".",
            "..",
            "a/b",
            "a?b",
            "a#b",
            "a%2F",
            "a b",
            "é",
            "a\u{0}",
            &"x".repeat(129),
        ] {
            let err = PathId::parse(bad, "project id").expect_err(bad);
            assert_eq!(err.kind(), crate::ErrorKind::BadInput);
            assert!(err.to_string().contains("project id"), "{err}");
        }
    }

    #[test]
    fn lookups_trim_and_keep_everything_else() {
        let l = Lookup::new(Some("  a b&c#d/e%f\"g'h 😀 "), None).expect("valid");
        assert_eq!(l.id(), Some("a b&c#d/e%f\"g'h 😀"));
        assert_eq!(l.query_pairs(), vec![("id", "a b&c#d/e%f\"g'h 😀")]);
    }

    #[test]
    fn lookups_need_one_id_and_refuse_control_characters_and_long_values() {
        assert!(Lookup::new(None, None).is_err());
        assert!(Lookup::new(Some("   "), None).is_err());
        let bidi = Lookup::new(Some("abc\u{202E}fdp.exe"), None).expect_err("bidi override");
        assert!(bidi.to_string().contains("U+202E"), "{bidi}");
        assert!(Lookup::new(None, Some("zero\u{200B}width")).is_err());
        assert!(Lookup::by_id("abc\ndef").is_err());
        assert!(Lookup::by_id("abc\u{7f}").is_err());
        assert!(Lookup::by_id(&"x".repeat(512)).is_ok());
        assert!(
            Lookup::by_id(&"é".repeat(512)).is_ok(),
            "the limit counts characters, not bytes"
        );
        assert!(Lookup::by_id(&"x".repeat(513)).is_err());
    }

    #[test]
    fn both_ids_are_sent_in_a_fixed_order() {
        let l = Lookup::new(Some("conv"), Some("shared")).expect("valid");
        assert_eq!(
            l.query_pairs(),
            vec![("id", "conv"), ("shared_id", "shared")]
        );
    }

    #[test]
    fn profile_names() {
        assert_eq!(
            validate_profile_name(" Acme UK ").ok(),
            Some("Acme UK".into())
        );
        assert!(validate_profile_name("a/b").is_err());
        assert!(validate_profile_name("").is_err());
        assert!(validate_profile_name(&"p".repeat(65)).is_err());
    }

    proptest! {
        #[test]
        fn any_valid_lookup_value_round_trips_trimmed(s in "\\PC{1,600}") {
            match Lookup::by_id(&s) {
                Ok(l) => {
                    let id = l.id().unwrap_or_default();
                    prop_assert_eq!(id, s.trim());
                    prop_assert!(id.chars().count() <= MAX_LOOKUP_ID_CHARS);
                    prop_assert!(!id.chars().any(char::is_control));
                    prop_assert!(!id.chars().any(is_invisible_format));
                }
                Err(e) => prop_assert!(s.trim().is_empty() || s.trim().chars().count() > MAX_LOOKUP_ID_CHARS, "{}", e),
            }
        }

        #[test]
        fn accepted_path_ids_are_single_safe_segments(s in ".{0,140}") {
            if let Ok(p) = PathId::parse(&s, "account id") {
                let v = p.as_str();
                prop_assert!(!v.is_empty() && v != "." && v != "..");
                prop_assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
            }
        }
    }
}
