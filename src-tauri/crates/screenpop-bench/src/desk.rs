//! The release app under measurement: settings and keys prepared like an installed desk, the
//! process started in its own group, and the paint log read to see when a card was on screen.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use screenpop_api::ApiKey;
use screenpop_settings::secret::{KeyStore, Keychain};

use crate::error::{BenchError, Result};

use screenpop_settings::prefs::TRIGGER_TOKEN_ENTRY as TRIGGER_ENTRY;

/// Milliseconds since the Unix epoch, as the paint log writes them.
pub(crate) fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One profile to write into the settings.
pub(crate) struct ProfileSpec<'a> {
    /// Its name.
    pub(crate) name: &'a str,
    /// Its base URL.
    pub(crate) base_url: &'a str,
    /// Its API key, stored in the Secret Service.
    pub(crate) key: &'a str,
}

/// Writes the settings (one profile, the trigger on `trigger_port`) and stores the keys and the
/// trigger token in the Secret Service.
pub(crate) fn configure(profile: &ProfileSpec<'_>, trigger_port: u16, token: &str) -> Result<()> {
    let path = screenpop_settings::config::default_path()
        .map_err(|e| BenchError::step(format!("settings path: {e}")))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(BenchError::io("creating the config directory"))?;
    }
    std::fs::write(&path, settings_text(profile, trigger_port))
        .map_err(BenchError::io("writing the settings"))?;
    let store = |name: &str, secret: &str| -> Result<()> {
        let key = ApiKey::new(secret).map_err(|e| BenchError::step(e.to_string()))?;
        Keychain
            .set(name, &key)
            .map_err(|e| BenchError::step(format!("the Secret Service: {e}")))
    };
    store(profile.name, profile.key)?;
    store(TRIGGER_ENTRY, token)
}

/// The settings file of a desk: one profile, the trigger on `trigger_port`.
pub(crate) fn settings_text(profile: &ProfileSpec<'_>, trigger_port: u16) -> String {
    format!(
        "[trigger]\nenabled = true\nport = {trigger_port}\n\n[[profile]]\nname = \"{}\"\nbase_url = \"{}\"\naccount = \"acct\"\nproject = \"proj\"\n",
        profile.name, profile.base_url
    )
}

/// A running app.
pub(crate) struct App {
    child: Child,
    log: PathBuf,
    offset: u64,
}

/// A card the app painted.
#[derive(Debug, Clone)]
pub(crate) struct Painted {
    /// When its frame was painted (ms since the epoch).
    pub(crate) at_ms: f64,
    /// From building the card to that paint.
    pub(crate) render_ms: f64,
    /// Building its elements, the page's own script.
    pub(crate) build_ms: f64,
    /// Their style and layout, after building (not logged by builds before it was added).
    pub(crate) layout_ms: Option<f64>,
    /// `filled` or the failure's kind.
    pub(crate) card: String,
}

impl App {
    /// Starts `binary args` with extra `env`, logging painted cards to `log`.
    pub(crate) fn start(
        binary: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        log: &Path,
    ) -> Result<Self> {
        let mut cmd = Command::new(binary);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Self::spawn(cmd, log)
    }

    /// Starts `cmd` (a program, its arguments and environment), logging painted cards to `log`.
    pub(crate) fn spawn(mut cmd: Command, log: &Path) -> Result<Self> {
        let _ = std::fs::remove_file(log);
        std::fs::write(log, b"").map_err(BenchError::io("creating the paint log"))?;
        // The app runs as it does on an agent's desktop: no WebKit switches. (The window tests
        // set WEBKIT_DISABLE_DMABUF_RENDERER for robustness on GPU-less machines; here it
        // doubled the time to the first card, to about 900 ms, and would flatter memory.)
        cmd.env("SCREENPOP_PAINT_LOG", log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so its WebKit processes stop with it. (The benchmark measures
        // on Linux; elsewhere it only has to compile, for the cross-platform clippy.)
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().map_err(BenchError::io(format!(
            "starting {}",
            Path::new(cmd.get_program()).display()
        )))?;
        Ok(Self {
            child,
            log: log.to_owned(),
            offset: 0,
        })
    }

    /// The app's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the card of `id` to be painted.
    pub(crate) fn painted(&mut self, id: &str, within: Duration) -> Result<Painted> {
        self.wait_painted(Some(id), within)
    }

    /// Waits for the first card painted, whichever it is (the demo's first caller is the app's
    /// choice, not the benchmark's).
    pub(crate) fn first_painted(&mut self, within: Duration) -> Result<Painted> {
        self.wait_painted(None, within)
    }

    fn wait_painted(&mut self, id: Option<&str>, within: Duration) -> Result<Painted> {
        let until = Instant::now() + within;
        loop {
            if let Some(p) = self.read_new(id)? {
                return Ok(p);
            }
            if Instant::now() > until {
                return Err(BenchError::step(format!(
                    "no card{} was painted within {within:?}",
                    id.map(|id| format!(" for {id}")).unwrap_or_default()
                )));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn read_new(&mut self, id: Option<&str>) -> Result<Option<Painted>> {
        let mut file = std::fs::File::open(&self.log).map_err(BenchError::io("the paint log"))?;
        file.seek(SeekFrom::Start(self.offset))
            .map_err(BenchError::io("the paint log"))?;
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        let mut found = None;
        while reader
            .read_line(&mut line)
            .map_err(BenchError::io("the paint log"))?
            > 0
        {
            if !line.ends_with('\n') {
                break; // half written: read it again next time
            }
            self.offset += line.len() as u64;
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if id.is_none_or(|id| v["id"] == id) && found.is_none() {
                    found = Some(Painted {
                        at_ms: v["at_ms"].as_f64().unwrap_or(f64::NAN),
                        render_ms: v["render_ms"].as_f64().unwrap_or(f64::NAN),
                        build_ms: v["build_ms"].as_f64().unwrap_or(f64::NAN),
                        layout_ms: v["layout_ms"].as_f64(),
                        card: v["card"].as_str().unwrap_or_default().to_owned(),
                    });
                }
            }
            line.clear();
        }
        Ok(found)
    }

    /// The app's process, to be stopped by whoever holds it (a seat's session stops it with
    /// every other process of the session).
    pub(crate) fn into_child(self) -> Child {
        self.child
    }

    /// Stops the app and its WebKit processes.
    pub(crate) fn stop(mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// Waits until something listens on 127.0.0.1:`port`.
pub(crate) fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let until = Instant::now() + within;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(BenchError::step(format!(
                "nothing listened on 127.0.0.1:{port} within {within:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// A free loopback port.
pub(crate) fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(BenchError::io("finding a free port"))
}
