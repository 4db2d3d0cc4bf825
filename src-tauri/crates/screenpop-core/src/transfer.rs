//! Transfers pushed to screenpop (deep links, `screenpop pop`, the local trigger): parsing what
//! arrives, strictly, and not popping the same caller twice.

use std::time::Duration;

use url::Url;

use crate::query::{strict_pairs, QueryError};
use crate::{Error, Result};
use screenpop_api::ids::validate_profile_name;
use screenpop_api::Lookup;

/// The scheme of screenpop's deep links.
pub const SCHEME: &str = "screenpop";
/// Deep links longer than this are refused before they are parsed.
pub const MAX_LINK_BYTES: usize = 2048;
/// The same caller popping again within this time pops once.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(5);

/// Whether a command-line argument is meant as a screenpop link (checked loosely here, parsed
/// strictly by [`Transfer::from_link`]).
pub fn is_link(arg: &str) -> bool {
    arg.get(..SCHEME.len() + 1)
        .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{SCHEME}:")))
}

/// A transfer to pop: which conversation, and optionally which profile. Validated when made,
/// so everything after holds a lookup that can be run and a profile name that can be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    lookup: Lookup,
    profile: Option<String>,
}

impl Transfer {
    /// Validates the ids and the profile name; the ids come back trimmed.
    pub fn new(id: Option<&str>, shared_id: Option<&str>, profile: Option<&str>) -> Result<Self> {
        Self::with_profile(Lookup::new(id, shared_id)?, profile)
    }

    /// `value` as the kind of id `by` (typed in the window, or on the clipboard).
    pub fn of(by: screenpop_api::LookupBy, value: &str, profile: Option<&str>) -> Result<Self> {
        Self::with_profile(Lookup::of(by, value)?, profile)
    }

    fn with_profile(lookup: Lookup, profile: Option<&str>) -> Result<Self> {
        let profile = profile.map(validate_profile_name).transpose()?;
        Ok(Self { lookup, profile })
    }

    /// The lookup to run.
    pub fn lookup(&self) -> &Lookup {
        &self.lookup
    }

    /// The PolyAI conversation id, if given.
    pub fn id(&self) -> Option<&str> {
        self.lookup.id()
    }

    /// The integrator's shared id, if given.
    pub fn shared_id(&self) -> Option<&str> {
        self.lookup.shared_id()
    }

    /// The profile to look it up with; the active one when `None`.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Parses `screenpop://lookup?id=ID`, `?shared_id=SID` (or both) with an optional
    /// `&profile=NAME`. Anything else is refused: other schemes or hosts, a path, unknown or
    /// repeated parameters, invalid ids, links over [`MAX_LINK_BYTES`].
    pub fn from_link(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        if raw.len() > MAX_LINK_BYTES {
            return Err(refused(format!("it is longer than {MAX_LINK_BYTES} bytes")));
        }
        let url = Url::parse(raw).map_err(|_| refused("it is not a URL".to_owned()))?;
        if url.scheme() != SCHEME {
            return Err(refused(format!("it does not start with {SCHEME}://")));
        }
        if url.host_str() != Some("lookup") || !matches!(url.path(), "" | "/") {
            return Err(refused("the only action is screenpop://lookup".to_owned()));
        }
        if url.fragment().is_some() || url.username() != "" || url.port().is_some() {
            return Err(refused("it has parts a lookup link never has".to_owned()));
        }
        let [id, shared_id, profile] = strict_pairs(
            url.query().unwrap_or_default(),
            ["id", "shared_id", "profile"],
        )
        .map_err(|e| match e {
            QueryError::Unknown(_) => refused(format!("{e} (use id, shared_id and profile)")),
            other => refused(other.to_string()),
        })?;
        Self::new(id.as_deref(), shared_id.as_deref(), profile.as_deref())
            .map_err(|e| refused(e.to_string()))
    }

    /// The deep link for this transfer.
    pub fn to_link(&self) -> String {
        let mut url = format!("{SCHEME}://lookup");
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("id", self.id()),
            ("shared_id", self.shared_id()),
            ("profile", self.profile()),
        ] {
            if let Some(v) = v {
                pairs.append_pair(k, v);
            }
        }
        url.push('?');
        url.push_str(&pairs.finish());
        url
    }

    /// What makes two transfers the same caller: the ids, and the profile ignoring case.
    pub(crate) fn identity(&self) -> (Option<&str>, Option<&str>, Option<String>) {
        (
            self.id(),
            self.shared_id(),
            self.profile().map(str::to_lowercase),
        )
    }
}

fn refused(why: String) -> Error {
    Error::BadInput(format!("A screenpop link was refused: {why}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn links_that_pop() {
        let t = Transfer::from_link("screenpop://lookup?id=abc-123").expect("valid");
        assert_eq!(t.id(), Some("abc-123"));
        let t = Transfer::from_link("screenpop://lookup/?shared_id=a%20b%26c&profile=Acme%20UK")
            .expect("valid");
        assert_eq!(t.shared_id(), Some("a b&c"));
        assert_eq!(t.profile(), Some("Acme UK"));
        let t = Transfer::from_link("screenpop://lookup?id=1&shared_id=2").expect("both");
        assert_eq!((t.id(), t.shared_id()), (Some("1"), Some("2")));
    }

    #[test]
    fn links_that_are_refused() {
        for bad in [
            "",
            "lookup?id=1",
            "https://lookup?id=1",
            "screenpop://open?id=1",
            "screenpop://lookup/x?id=1",
            "screenpop://lookup",
            "screenpop://lookup?id=",
            "screenpop://lookup?id=%07bell",
            "screenpop://lookup?id=1&id=2",
            "screenpop://lookup?id=1&run=calc",
            "screenpop://lookup?id=1#frag",
            "screenpop://user@lookup?id=1",
            "screenpop://lookup:99?id=1",
            "screenpop://lookup?id=1&profile=a%2Fb",
        ] {
            let err = Transfer::from_link(bad).expect_err(bad);
            assert!(
                err.to_string().starts_with("A screenpop link was refused"),
                "{bad}: {err}"
            );
        }
        let long = format!("screenpop://lookup?id={}", "x".repeat(3000));
        assert!(Transfer::from_link(&long).is_err());
    }

    #[test]
    fn links_with_bytes_that_are_not_text_are_refused() {
        let e = Transfer::from_link("screenpop://lookup?id=%FF%FEabc").expect_err("not UTF-8");
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }

    proptest! {
        #[test]
        fn any_valid_transfer_round_trips_through_its_link(
            id in "[^\\p{Cc}\\p{Cf}]{1,60}",
            sid in proptest::option::of("[^\\p{Cc}\\p{Cf}]{1,60}"),
        ) {
            prop_assume!(!id.trim().is_empty());
            prop_assume!(sid.as_deref().is_none_or(|s| !s.trim().is_empty()));
            // Also unassigned code points in the invisible ranges, which are refused too.
            prop_assume!(!id.chars().chain(sid.iter().flat_map(|s| s.chars())).any(screenpop_api::ids::is_invisible_format));
            let t = Transfer::new(Some(&id), sid.as_deref(), Some("Acme UK")).expect("valid");
            prop_assert_eq!(Transfer::from_link(&t.to_link()).expect("parses"), t);
        }

        #[test]
        fn arbitrary_links_never_panic(raw in ".{0,300}") {
            let _ = Transfer::from_link(&raw);
            let _ = Transfer::from_link(&format!("screenpop://lookup?{raw}"));
        }
    }
}
