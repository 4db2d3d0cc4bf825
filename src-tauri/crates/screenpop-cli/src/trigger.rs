//! `screenpop trigger`: where this session's window listens for pops from the CTI system, as it
//! published it (`screenpop_core::session`), or plainly why it does not: the trigger is off, no
//! window runs in this session, or its port is taken (on a shared host, by another session).

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::Duration;

use screenpop_core::session;
use screenpop_trigger::TriggerError;

use crate::exit;

/// How long a check that the published port answers may take (loopback answers at once).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// Prints the trigger's address and returns 0, or prints why there is none and returns
/// [`exit::NOT_LISTENING`].
pub(crate) fn run() -> i32 {
    let settings = match crate::desk() {
        Ok(desk) => desk.prefs.trigger(),
        Err(e) => {
            eprintln!("screenpop: {e}");
            return crate::exit_code(&e);
        }
    };
    if !settings.enabled {
        eprintln!("screenpop: the local trigger is off. Turn it on in the window's Settings, or set `enabled = true` under [trigger] in the settings file.");
        return exit::NOT_LISTENING;
    }
    let published = match session::read() {
        Ok(published) => published,
        Err(e) => {
            eprintln!("screenpop: {e}");
            return exit::NOT_LISTENING;
        }
    };
    // A file left by a window that crashed names a port nobody answers on.
    if let Some(address) = published.filter(|a| answers(a.port)) {
        println!("{}", address.url);
        if let Ok(path) = session::trigger_file() {
            eprintln!(
                "Published by screenpop (process {}) in {}.",
                address.pid,
                path.display()
            );
        }
        return exit::OK;
    }
    if settings.port != 0 && taken(settings.port) {
        eprintln!(
            "screenpop: {}",
            TriggerError::PortTaken {
                port: settings.port
            }
        );
    } else {
        eprintln!("screenpop: no screenpop window listens in this session. Start screenpop; its trigger starts with it.");
    }
    exit::NOT_LISTENING
}

fn answers(port: u16) -> bool {
    TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), CONNECT_TIMEOUT).is_ok()
}

fn taken(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .is_err_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
}
