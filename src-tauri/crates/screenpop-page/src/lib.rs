//! The page contract, in one place: every command the page may call ([`COMMANDS`]) and every
//! shape the page is sent or sends ([`views`]). The page renders what these carry and reports what
//! the agent did; what a card shows, what is empty, what a copy button copies, how an id is shown
//! and which pops were pushed are decided by the crates below and arrive here ready to draw.
//!
//! Tauri-free, so the benchmark's Chromium baseline answers the page with the very shapes the
//! window sends; the shell registers the commands (and a test there checks the handler list, the
//! capability file and the page's calls against [`COMMANDS`]). It builds on the core and the
//! crates beneath it and must not depend on Tauri or the shell.
#![deny(missing_docs)]

include!("names.rs");
pub mod views;
