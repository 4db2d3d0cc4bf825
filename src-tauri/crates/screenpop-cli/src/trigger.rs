//! `screenpop trigger`: where this session's window listens for pops from the CTI system, as it
//! published it (`screenpop_settings::session`), or plainly why it does not: the trigger is off, no
//! window runs in this session, or its port is taken (on a shared host, by another session).

use screenpop_settings::session;
use screenpop_trigger::TriggerError;

use crate::exit;

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
    let published = match session::listening() {
        Ok(published) => published,
        Err(e) => {
            eprintln!("screenpop: {e}");
            return exit::NOT_LISTENING;
        }
    };
    if let Some(address) = published {
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
    if settings.port != 0 && session::port_taken(settings.port) {
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
