//! One PolyAI project as the API sees it: where its API lives and its account and project ids.

use url::Url;

use crate::endpoint::{Endpoint, Region};
use crate::ids::{ACCOUNT_ID, PROJECT_ID};
use crate::studio_url::parse_studio_url;
use crate::{PathId, Result};

/// Where one project's handoff states are read: its endpoint and its two path ids. A profile in
/// the settings names one of these and adds what is the agent's (its name, its card layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Region or custom base URL.
    pub endpoint: Endpoint,
    /// Account (workspace) id.
    pub account: PathId,
    /// Project (agent) id.
    pub project: PathId,
}

impl Project {
    /// A project at `endpoint`, its ids checked.
    pub fn new(endpoint: Endpoint, account: &str, project: &str) -> Result<Self> {
        Ok(Self {
            endpoint,
            account: PathId::parse(account, ACCOUNT_ID)?,
            project: PathId::parse(project, PROJECT_ID)?,
        })
    }

    /// The project a pasted Agent Studio URL points at.
    pub fn from_studio_url(studio_url: &str) -> Result<Self> {
        let p = parse_studio_url(studio_url)?;
        Ok(Self {
            endpoint: Endpoint::Region(p.region),
            account: p.account,
            project: p.project,
        })
    }

    /// `{base}/v1/{account}/{project}/handoff_state`, without a query.
    pub fn handoff_url(&self) -> Url {
        let mut url = self.endpoint.base_url();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend([
                "v1",
                self.account.as_str(),
                self.project.as_str(),
                "handoff_state",
            ]);
        }
        url
    }

    /// The conversation in Agent Studio, for agents with Studio access; `None` for custom
    /// endpoints, whose Studio host is unknown.
    pub fn studio_conversation_url(&self, conversation_id: &str) -> Option<Url> {
        let region: Region = self.endpoint.region()?;
        let mut url = Url::parse(&format!("https://{}/", region.studio_host())).ok()?;
        url.path_segments_mut().ok()?.pop_if_empty().extend([
            self.account.as_str(),
            self.project.as_str(),
            "conversations",
            conversation_id,
        ]);
        Some(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_url_follows_the_spec_path() {
        let p = Project::from_studio_url("https://studio.uk.poly.ai/acme-uk/acme-team-4/agent")
            .expect("valid");
        assert_eq!(
            p.handoff_url().as_str(),
            "https://api.uk-1.platform.polyai.app/v1/acme-uk/acme-team-4/handoff_state"
        );
        let p = Project::new(
            Endpoint::custom("https://proxy.example.com/polyai").expect("valid"),
            "a",
            "b",
        )
        .expect("valid");
        assert_eq!(
            p.handoff_url().as_str(),
            "https://proxy.example.com/polyai/v1/a/b/handoff_state"
        );
    }

    #[test]
    fn studio_links_encode_the_conversation_id() {
        let p = Project::new(Endpoint::Region(Region::Euw1), "acme", "team").expect("valid");
        assert_eq!(
            p.studio_conversation_url("a/b c")
                .map(String::from)
                .as_deref(),
            Some("https://studio.eu.poly.ai/acme/team/conversations/a%2Fb%20c")
        );
        let local = Project::new(
            Endpoint::custom("http://127.0.0.1:1").expect("valid"),
            "a",
            "b",
        )
        .expect("valid");
        assert_eq!(local.studio_conversation_url("x"), None);
    }
}
