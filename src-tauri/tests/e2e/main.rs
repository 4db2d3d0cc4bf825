//! The real app window, driven through WebKitWebDriver under Xvfb, against the sandbox, with
//! keys in the real Secret Service, one file per feature. `bash .ci/test` runs these inside
//! `xvfb-run` and a private D-Bus session with gnome-keyring; a plain `cargo test` skips them.
//! Every test starts from the one fixture in `support/window.rs` (a home, the sandbox, the app).
//!
//! Set `SCREENPOP_SCREENSHOTS=DIR` to save the README's screenshots while they run.
// WebKitWebDriver, Xvfb, dunst and gnome-keyring: Linux only (the Windows programs are
// checked under Wine by `.ci/wine`).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/catalogue.rs"]
mod catalogue;
#[path = "../support/fleet_server.rs"]
mod fleet_server;
#[path = "../support/relay.rs"]
mod local_relay;
#[path = "../support/nats_seats.rs"]
mod nats_seats;
#[path = "../support/readme.rs"]
mod readme;
#[path = "../support/sandbox.rs"]
mod sandbox;
#[path = "../support/seat.rs"]
mod seat;
#[path = "../support/wait.rs"]
mod wait;
#[path = "../support/webdriver.rs"]
mod webdriver;
#[path = "../support/window.rs"]
mod window;

mod card;
mod fleet;
mod genesys;
mod pops;
mod relay;
mod setup;
