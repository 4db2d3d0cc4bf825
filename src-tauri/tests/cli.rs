//! The `screenpop` binary's command line, run as a real process.

use std::process::Command;

fn screenpop() -> Command {
    Command::new(env!("CARGO_BIN_EXE_screenpop"))
}

#[test]
fn version_names_the_app() {
    let out = screenpop().arg("--version").output().expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("screenpop "));
}
