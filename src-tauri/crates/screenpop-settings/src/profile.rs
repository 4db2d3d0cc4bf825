//! A profile: one PolyAI project that screenpop looks handoff states up in, by a name the agent
//! chose, with how its card reads.

use serde::{Deserialize, Serialize};

use screenpop_api::endpoint::Endpoint;
use screenpop_api::ids::validate_profile_name;
use screenpop_api::{PathId, Project};
use screenpop_card::Layout;

use crate::genesys::GenesysConfig;
use crate::relay::RelayConfig;
use crate::Result;

/// A named PolyAI project: where its API lives and its account and project ids.
/// The API key is not part of it: it lives in the keychain under the profile's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Unique, human-chosen name (`acme-uk`, `Brand B`).
    pub name: String,
    /// Region or custom base URL.
    pub endpoint: Endpoint,
    /// Account (workspace) id.
    pub account: PathId,
    /// Project (agent) id.
    pub project: PathId,
    /// How its card reads (the smart card when empty); an admin's, or the agent's own.
    #[serde(skip)]
    pub card: Layout,
    /// Where its agent signs in to Genesys Cloud, which then pops calls on answer.
    #[serde(skip)]
    pub genesys: Option<GenesysConfig>,
    /// The contact centre's relay, which pops calls accepted in Twilio Flex, Amazon Connect or
    /// any flow.
    #[serde(skip)]
    pub relay: Option<RelayConfig>,
}

impl Profile {
    /// A profile for one of PolyAI's regions.
    pub fn new(name: &str, endpoint: Endpoint, account: &str, project: &str) -> Result<Self> {
        let name = validate_profile_name(name)?;
        Ok(Self::named(name, Project::new(endpoint, account, project)?))
    }

    /// A profile read from a pasted Agent Studio URL.
    pub fn from_studio_url(name: &str, studio_url: &str) -> Result<Self> {
        let name = validate_profile_name(name)?;
        Ok(Self::named(name, Project::from_studio_url(studio_url)?))
    }

    fn named(name: String, project: Project) -> Self {
        Self {
            name,
            endpoint: project.endpoint,
            account: project.account,
            project: project.project,
            card: Layout::default(),
            genesys: None,
            relay: None,
        }
    }

    /// The project the profile names, as the API client and the card's Studio link want it.
    pub fn target(&self) -> Project {
        Project {
            endpoint: self.endpoint.clone(),
            account: self.account.clone(),
            project: self.project.clone(),
        }
    }
}
