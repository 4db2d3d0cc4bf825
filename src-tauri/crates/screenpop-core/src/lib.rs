//! The Tauri-free core of screenpop.
//!
//! It knows how to reach PolyAI's Handoff API for one project (a [`Profile`]), where the API key
//! lives (the OS keychain, see [`secret`]), where the non-secret settings live ([`config`]), and
//! how to turn any failure into an [`Error`] a contact-centre agent can act on. The desktop shell
//! and the command line are thin adapters over this crate.
#![deny(missing_docs)]

pub mod applog;
pub mod argv;
pub mod card;
pub mod client;
pub mod config;
pub mod desk;
pub mod endpoint;
mod error;
pub mod health;
pub mod i18n;
pub mod ids;
pub mod keys;
pub mod lookups;
pub mod mask;
pub mod policy;
pub mod pop;
pub mod prefs;
pub mod profile;
pub mod profiles;
pub mod query;
pub mod retry;
pub mod secret;
pub mod session;
pub mod setting;
pub mod startup;
pub mod state;
pub mod store;
pub mod studio_url;
pub mod transfer;
pub mod webview2;

pub use client::HandoffClient;
pub use error::{Error, ErrorKind, Result};
pub use ids::{Lookup, LookupBy, PathId};
pub use profile::Profile;
pub use secret::ApiKey;
pub use state::HandoffState;
