//! A private login session on this machine, as a shared session host (Citrix, Remote Desktop,
//! Azure Virtual Desktop) gives each agent: its own home and runtime directory, its own X display
//! (Xvfb), D-Bus session bus and unlocked Secret Service (gnome-keyring). The sessions test runs
//! two agents side by side in them; the benchmark runs twenty to size a host.
//!
//! Every process of the session carries its runtime directory in its environment (the display,
//! the bus, what the bus starts, the keyring, the app and its WebKit processes): that is how
//! [`LoginSession::pids`] finds them all, and how dropping the session stops them all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::SandboxError;

/// How long the display, the bus or the keyring may take to start.
const START_WITHIN: Duration = Duration::from_secs(15);

/// The first display number tried: above what `xvfb-run -a` takes (99 and up, one per run).
const FIRST_DISPLAY: u32 = 140;

/// One private login session. Dropping it stops every process it holds.
pub struct LoginSession {
    dir: tempfile::TempDir,
    display: u32,
    started: Vec<Child>,
}

fn failed(what: &str, why: impl std::fmt::Display) -> SandboxError {
    SandboxError::Session(format!("{what}: {why}"))
}

impl LoginSession {
    /// Starts a session: its display (1280×1024, 24-bit), its bus, and its keyring unlocked.
    pub fn start() -> Result<Self, SandboxError> {
        let dir = tempfile::tempdir().map_err(|e| failed("a session directory", e))?;
        for sub in ["home", "config", "data", "cache", "runtime"] {
            std::fs::create_dir_all(dir.path().join(sub))
                .map_err(|e| failed("a session directory", e))?;
        }
        #[cfg(unix)]
        std::fs::set_permissions(
            dir.path().join("runtime"),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .map_err(|e| failed("the runtime directory", e))?;
        let mut session = Self {
            dir,
            display: 0,
            started: Vec::new(),
        };
        session.start_display()?;
        let socket = session.dir.path().join("bus");
        let bus = session
            .command("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| failed("dbus-daemon (package dbus)", e))?;
        session.started.push(bus);
        wait_until("the session bus", || socket.exists())?;
        let mut keyring = session
            .command("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| failed("gnome-keyring-daemon (package gnome-keyring)", e))?;
        if let Some(mut stdin) = keyring.stdin.take() {
            stdin
                .write_all(b"session-password")
                .map_err(|e| failed("unlocking the keyring", e))?;
        }
        let status = keyring
            .wait()
            .map_err(|e| failed("gnome-keyring-daemon", e))?;
        if !status.success() {
            return Err(failed("gnome-keyring-daemon", status));
        }
        Ok(session)
    }

    /// Starts Xvfb on the first free display number from [`FIRST_DISPLAY`] (a number another
    /// run holds makes Xvfb exit at once: the next one is tried).
    fn start_display(&mut self) -> Result<(), SandboxError> {
        for display in FIRST_DISPLAY..FIRST_DISPLAY + 200 {
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{display}"));
            if socket.exists() || Path::new(&format!("/tmp/.X{display}-lock")).exists() {
                continue;
            }
            self.display = display;
            let mut xvfb = self
                .command("Xvfb")
                .arg(format!(":{display}"))
                .args(["-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| failed("Xvfb (package xvfb)", e))?;
            let until = Instant::now() + START_WITHIN;
            while !socket.exists() && Instant::now() < until {
                if xvfb.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if socket.exists() && xvfb.try_wait().ok().flatten().is_none() {
                self.started.push(xvfb);
                return Ok(());
            }
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
        Err(failed("Xvfb", "no free display number"))
    }

    /// `program` in this session's environment (its home, runtime directory, display and bus).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let d = self.dir.path();
        let mut c = Command::new(program);
        c.env("HOME", d.join("home"))
            .env("XDG_CONFIG_HOME", d.join("config"))
            // The keyring's files live under the data directory: one login keyring per session.
            .env("XDG_DATA_HOME", d.join("data"))
            .env("XDG_CACHE_HOME", d.join("cache"))
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("DISPLAY", format!(":{}", self.display))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", d.join("bus").display()),
            )
            .env("NO_AT_BRIDGE", "1")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("RUST_LOG");
        c
    }

    /// The session's own directory (its home, config, data, cache and runtime are inside).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `XDG_RUNTIME_DIR` of the session.
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("runtime")
    }

    /// `XDG_CONFIG_HOME` of the session.
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// The X display's number.
    pub fn display(&self) -> u32 {
        self.display
    }

    /// Stores `secret` under the account `entry` of the service `screenpop` in the session's
    /// keyring, through `secret-tool` as an admin's script would.
    pub fn store_secret(&self, entry: &str, secret: &str) -> Result<(), SandboxError> {
        let mut store = self
            .command("secret-tool")
            .args(["store", "--label=screenpop", "service", "screenpop"])
            .args(["username", entry])
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| failed("secret-tool (package libsecret-tools)", e))?;
        if let Some(mut stdin) = store.stdin.take() {
            stdin
                .write_all(secret.as_bytes())
                .map_err(|e| failed("secret-tool store", e))?;
        }
        let status = store.wait().map_err(|e| failed("secret-tool store", e))?;
        if status.success() {
            Ok(())
        } else {
            Err(failed("secret-tool store", status))
        }
    }

    /// Every running process of the session: each one whose environment holds its runtime
    /// directory (read from `/proc`; empty where there is none).
    pub fn pids(&self) -> Vec<u32> {
        let mark = format!("XDG_RUNTIME_DIR={}", self.runtime_dir().display()).into_bytes();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|env| env.split(|b| *b == 0).any(|var| var == mark))
            })
            .collect()
    }
}

impl Drop for LoginSession {
    fn drop(&mut self) {
        // What the session started itself (WebKit's processes, the keyring that daemonised,
        // what the bus activated) first, then the display and the bus it waits on.
        let own: Vec<u32> = self.started.iter().map(Child::id).collect();
        for pid in self.pids().into_iter().filter(|pid| !own.contains(pid)) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        // Asked, not killed: Xvfb removes its socket and lock file on the way out.
        for child in &mut self.started {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let _ = child.wait();
        }
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Result<(), SandboxError> {
    let until = Instant::now() + START_WITHIN;
    while !done() {
        if Instant::now() > until {
            return Err(failed(what, format!("not up within {START_WITHIN:?}")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}
