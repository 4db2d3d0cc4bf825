//! Reading region, account and project out of a pasted Agent Studio URL.

use url::Url;

use crate::endpoint::Region;
use crate::ids::{ACCOUNT_ID, PROJECT_ID};
use crate::{Error, Message, PathId, Result};

/// What a Studio URL tells us about a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioProject {
    /// The region the Studio host belongs to.
    pub region: Region,
    /// First path segment.
    pub account: PathId,
    /// Second path segment.
    pub project: PathId,
}

/// A Studio URL refused: the message `key`, followed by what an address should look like.
fn refused(key: &'static str) -> Message {
    Message::new(key).with_hint("refusal.studio_expected")
}

/// Parses `https://studio.{us|uk|eu}.poly.ai/{account}/{project}/…` or
/// `https://studio.poly.ai/{account}/{project}/…`; the scheme may be left out.
pub fn parse_studio_url(raw: &str) -> Result<StudioProject> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::Refused(refused("refusal.studio_empty")));
    }
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let not_web = || Error::Refused(refused("refusal.studio_not_web").with("input", shorten(raw)));
    let url = Url::parse(&with_scheme).map_err(|_| not_web())?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(not_web());
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let region = match host.as_str() {
        "studio.us.poly.ai" => Region::Us1,
        "studio.uk.poly.ai" => Region::Uk1,
        "studio.eu.poly.ai" => Region::Euw1,
        "studio.poly.ai" => Region::Studio,
        "jupiter.polyai.app" => return Err(Error::Refused(Message::new("refusal.studio_legacy"))),
        _ => {
            return Err(Error::Refused(
                refused("refusal.studio_host").with("host", host),
            ))
        }
    };
    let mut segments = url
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty());
    let (Some(account), Some(project)) = (segments.next(), segments.next()) else {
        return Err(Error::Refused(refused("refusal.studio_no_path")));
    };
    Ok(StudioProject {
        region,
        account: PathId::parse(account, ACCOUNT_ID)?,
        project: PathId::parse(project, PROJECT_ID)?,
    })
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(u: &str) -> (Region, String, String) {
        let p = parse_studio_url(u).unwrap_or_else(|e| panic!("{u}: {e}"));
        (p.region, p.account.to_string(), p.project.to_string())
    }

    #[test]
    fn the_documented_example() {
        assert_eq!(
            parsed("https://studio.uk.poly.ai/acme-uk/acme-team-4/agent"),
            (Region::Uk1, "acme-uk".into(), "acme-team-4".into())
        );
    }

    #[test]
    fn every_studio_host_maps_to_its_region() {
        assert_eq!(parsed("https://studio.us.poly.ai/a/b").0, Region::Us1);
        assert_eq!(parsed("https://studio.eu.poly.ai/a/b/").0, Region::Euw1);
        assert_eq!(
            parsed("https://studio.poly.ai/ws-fd112d8f/PROJECT-58RP822I/conversations/x?tab=1#y").0,
            Region::Studio
        );
        assert_eq!(
            parsed("studio.uk.poly.ai/acme/proj").0,
            Region::Uk1,
            "scheme may be left out"
        );
        assert_eq!(
            parsed("  HTTPS://Studio.UK.poly.ai/acme/proj  ").0,
            Region::Uk1
        );
    }

    #[test]
    fn anything_else_says_what_was_expected() {
        for bad in [
            "",
            "https://example.com/acme/proj",
            "https://studio.uk.poly.ai/",
            "https://studio.uk.poly.ai/acme",
            "https://studio.uk.poly.ai.evil.com/acme/proj",
            "mailto:someone@studio.uk.poly.ai",
            "https://studio.uk.poly.ai/ac%20me/proj",
        ] {
            let e = parse_studio_url(bad).expect_err(bad);
            assert_eq!(e.kind(), crate::ErrorKind::BadInput, "{bad}");
        }
        let e = parse_studio_url("https://example.com/a/b").expect_err("not studio");
        assert!(
            e.to_string()
                .contains("studio.uk.poly.ai/acme-uk/acme-team-4"),
            "{e}"
        );
        let e = parse_studio_url("https://jupiter.polyai.app/a/b").expect_err("legacy");
        assert!(
            e.to_string()
                .contains("give the region, account and project instead"),
            "{e}"
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_only_yields_safe_ids(s in ".{0,200}") {
            if let Ok(p) = parse_studio_url(&s) {
                prop_assert!(!p.account.as_str().contains('/'));
                prop_assert!(!p.project.as_str().contains('/'));
            }
        }

        #[test]
        fn round_trips_generated_urls(acc in "[a-z][a-z0-9-]{0,20}", proj in "[A-Za-z0-9_-]{1,20}", tail in "(/[a-z]{0,8}){0,3}") {
            let p = parse_studio_url(&format!("https://studio.us.poly.ai/{acc}/{proj}{tail}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(p.account.as_str(), acc.as_str());
            prop_assert_eq!(p.project.as_str(), proj.as_str());
        }
    }
}
