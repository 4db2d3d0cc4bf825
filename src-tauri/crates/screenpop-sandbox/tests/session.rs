//! A private login session against the real programs (Xvfb, dbus-daemon, gnome-keyring): what
//! it starts is its own, a secret stored in it is in its keyring only, and dropping it stops
//! every process it holds and leaves no X socket behind. `bash .ci/test` runs it; a plain
//! `cargo test` skips it.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use screenpop_sandbox::session::LoginSession;

fn alive(pid: u32) -> bool {
    // A zombie (exited, not yet reaped) holds nothing.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.starts_with(" Z"))
    })
}

#[test]
#[ignore = "needs Xvfb, dbus-daemon and gnome-keyring: run `bash .ci/test`"]
fn a_session_holds_its_own_display_bus_and_keyring_and_stops_them_all() {
    let session = LoginSession::start().unwrap();
    let socket = format!("/tmp/.X11-unix/X{}", session.display());
    assert!(Path::new(&socket).exists(), "{socket}");
    session.store_secret("Desk", "session-secret-1").unwrap();

    // The secret is read back inside the session, through its own bus.
    let out = session
        .command("secret-tool")
        .args(["lookup", "service", "screenpop", "username", "Desk"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "session-secret-1"
    );

    // Its display, its bus and its keyring (which daemonised) are all found as its own.
    let pids = session.pids();
    let names: Vec<String> = pids
        .iter()
        .map(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .collect();
    for program in ["Xvfb", "dbus-daemon", "gnome-keyring-d"] {
        assert!(names.iter().any(|n| n == program), "{program} in {names:?}");
    }
    assert!(
        !pids.contains(&std::process::id()),
        "the test itself is not the session's"
    );

    drop(session);
    let until = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| alive(*p)) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<&u32> = pids.iter().filter(|p| alive(**p)).collect();
    assert!(left.is_empty(), "still running: {left:?}");
    assert!(!Path::new(&socket).exists(), "{socket} left behind");
}
