//! screenpop's reach into PolyAI's Handoff API.
//!
//! It owns what identifies a lookup ([`ids`]: conversation and shared ids, account and project
//! ids, profile names), where a project's API lives ([`endpoint`], [`studio_url`], [`Project`]),
//! the HTTP client with its time limits and retries ([`client`], [`retry`]), the answer
//! ([`HandoffState`]), card-number masking ([`mask`]), the API key as a value ([`ApiKey`]), and
//! the relay's pop message and NATS subjects ([`relay`]), which the relay and the desktop share.
//!
//! It must not depend on any other screenpop crate: the card, the settings and the core are built
//! on it. The stable error codes every screenpop error maps onto ([`ErrorKind`]) live here.
#![deny(missing_docs)]

pub mod client;
pub mod endpoint;
mod error;
pub mod ids;
mod key;
pub mod mask;
mod project;
pub mod relay;
pub mod retry;
pub mod state;
pub mod studio_url;

pub use client::HandoffClient;
pub use error::{Arg, Error, ErrorKind, Message, Result};
pub use ids::{Lookup, LookupBy, PathId};
pub use key::ApiKey;
pub use project::Project;
pub use state::HandoffState;
