//! screenpop's settings: what the agent chose and what IT decided.
//!
//! It owns the settings model ([`config`]) and one-setting-at-a-time access to it ([`setting`],
//! [`prefs`]), the profiles ([`profile`], [`profiles`]), the settings file and its writer
//! ([`store`]), the fleet policy ([`policy`]), where API keys are kept ([`secret`], [`keys`]), the
//! session's own addresses ([`session`]), the languages ([`i18n`]) and each profile's Genesys
//! Cloud connection and sign-in ([`genesys`]) and its connection to the contact centre's relay
//! ([`relay`]).
//!
//! It builds on the API crate (ids, endpoints, the key as a value) and the card crate (layouts),
//! and must not depend on the core: the core reads settings, never the other way round.
#![deny(missing_docs)]

pub mod config;
mod error;
pub mod genesys;
pub mod i18n;
pub mod keys;
pub mod policy;
pub mod prefs;
pub mod profile;
pub mod profiles;
pub mod relay;
pub mod secret;
pub mod session;
pub mod setting;
pub mod store;
pub mod updates;

pub use error::{Error, Result};
pub use profile::Profile;
