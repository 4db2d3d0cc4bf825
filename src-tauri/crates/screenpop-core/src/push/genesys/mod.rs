//! Genesys Cloud tells screenpop when the agent answers: the agent signs in once in the system
//! browser ([`signin`]), and the source ([`source`]) keeps a notification channel open with the
//! agent's own token ([`api`], and the socket), recognises the moment this agent answers a call
//! ([`events`]) and hands its PolyAI ids on. Nothing here has run against a real Genesys org: it
//! follows the published shapes, as the stand-in in `screenpop-sandbox` does.

pub mod api;
pub mod events;
pub mod signin;
mod socket;
pub mod source;
