//! The Tauri-free core of screenpop: what happens between "a call arrived" and "the card shows".
//!
//! It owns the services a window or a command line runs on ([`desk`], [`lookups`]), where calls
//! come from and how they are read ([`argv`], [`query`], [`transfer`]), the platforms that push
//! them ([`push`]: Genesys Cloud, the relay; [`seat`]), lookups through the relay when it holds
//! the key ([`keyless`]), the pop pipeline ([`pop`]), the health check ([`health`]), starting up and its log ([`startup`], [`applog`],
//! [`webview2`]), and the one [`Error`] the shell and the command line report.
//!
//! It builds on the API, card and settings crates and must not depend on Tauri or a web engine:
//! the desktop shell and the command line are thin adapters over it.
#![deny(missing_docs)]

pub mod applog;
pub mod argv;
pub mod desk;
mod error;
pub mod health;
pub mod keyless;
pub mod lookups;
pub mod pop;
pub mod push;
pub mod query;
pub mod seat;
pub mod startup;
pub mod transfer;
pub mod update;
pub mod webview2;

pub use error::{Error, Result};
