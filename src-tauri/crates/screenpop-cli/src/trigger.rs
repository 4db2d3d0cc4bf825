//! `screenpop trigger`: where this session's window listens for pops from the CTI system, as it
//! published it (`screenpop_settings::session`), or plainly why it does not: the trigger is off, no
//! window runs in this session, or its port is taken (on a shared host, by another session).

use screenpop_settings::session;

use crate::{exit, say};

/// Prints the trigger's address and returns 0, or prints why there is none and returns
/// [`exit::NOT_LISTENING`].
pub(crate) fn run() -> i32 {
    let settings = match crate::desk() {
        Ok(desk) => desk.prefs.trigger(),
        Err(e) => return crate::fail(&e),
    };
    if !settings.enabled {
        eprintln!("screenpop: {}", say("cli.trigger_off", &[]));
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
            let (pid, file) = (address.pid.to_string(), path.display().to_string());
            eprintln!(
                "{}",
                say("cli.trigger_published", &[("pid", &pid), ("file", &file)])
            );
        }
        return exit::OK;
    }
    if settings.port != 0 && session::port_taken(settings.port) {
        let port = settings.port.to_string();
        eprintln!(
            "screenpop: {}",
            say("doctor.port_taken", &[("port", &port)])
        );
    } else {
        eprintln!("screenpop: {}", say("cli.trigger_no_window", &[]));
    }
    exit::NOT_LISTENING
}
