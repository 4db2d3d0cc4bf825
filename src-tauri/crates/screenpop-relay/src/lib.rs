//! screenpop-relay: the server a contact centre runs when its platform can only call out
//! (Twilio Flex's TaskRouter, Amazon Connect through EventBridge, any flow with a webhook). It
//! receives the platform's "this agent accepted the call" event, works out the agent's seat, and
//! pops that seat's screenpop over NATS at once.
//!
//! It owns its configuration ([`config`], secrets by file or environment only), the inputs
//! ([`twilio`], [`connect`], [`generic`], each authenticated, into an [`event::Outcome`]), their
//! deduplication, delivery over NATS with JetStream keeping each pop a minute ([`deliver`]), the
//! NATS permissions for seats ([`seats`]), keyless mode ([`keyless`]: the relay holding the
//! PolyAI key and answering seats' lookups), its JSON-lines log ([`log`]) and its HTTP side
//! ([`server`]). The pop message and subjects are `screenpop-api`'s (`relay`), shared with the
//! desktop. It must not depend on the settings, the core or anything of the window's: it runs on
//! a server.
#![deny(missing_docs)]

pub mod config;
pub mod connect;
mod dedup;
pub mod deliver;
mod error;
pub mod event;
pub mod generic;
pub mod keyless;
pub mod log;
pub mod seats;
mod secret;
pub mod server;
pub mod twilio;

pub use error::{Error, Result};
pub use secret::Secret;
