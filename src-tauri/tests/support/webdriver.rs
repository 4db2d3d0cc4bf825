//! A small W3C WebDriver client for WebKitWebDriver, enough to drive the real app window:
//! start a session on the app binary, find, click, type, read, run a script, take a screenshot.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::wait::{check, eventually, settles, Why};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session on one app process.
pub(crate) struct Driver {
    http: reqwest::blocking::Client,
    base: String,
    session: String,
    driver: Child,
}

/// An element of the page.
#[derive(Clone, Debug)]
pub(crate) struct Element(String);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Driver {
    /// Starts WebKitWebDriver with `env`, which starts `binary args` in a window.
    pub(crate) fn start(binary: &Path, args: &[&str], env: &[(&str, String)]) -> Self {
        Self::start_logged(binary, args, env, None)
    }

    /// As [`Driver::start`], with the driver's and the app's output appended to `log`.
    pub(crate) fn start_logged(
        binary: &Path,
        args: &[&str],
        env: &[(&str, String)],
        log: Option<&Path>,
    ) -> Self {
        let port = free_port();
        let mut cmd = Command::new("WebKitWebDriver");
        // Its own process group, so the app it starts can be stopped with it: the app keeps
        // running in the tray when its window is closed.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let (out, err) = match log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("log file");
                (
                    Stdio::from(file.try_clone().expect("log file")),
                    Stdio::from(file),
                )
            }
            None => (Stdio::null(), Stdio::null()),
        };
        cmd.arg(format!("--port={port}")).stdout(out).stderr(err);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd
            .spawn()
            .expect("WebKitWebDriver runs (package webkit2gtk-driver)");
        // reqwest comes without a default TLS provider in this workspace (see Cargo.toml).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .no_proxy()
            .build()
            .expect("http client");
        let base = format!("http://127.0.0.1:{port}");
        eventually(Duration::from_secs(20), || {
            check(http.get(format!("{base}/status")).send().is_ok(), || {
                "WebKitWebDriver did not start".to_owned()
            })
        });
        let caps = json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {
                "binary": binary.to_str().expect("utf-8 path"),
                "args": args,
            }
        }}});
        let mut d = Self {
            http,
            base,
            session: String::new(),
            driver,
        };
        let v = d.call("POST", "/session", caps);
        d.session = v["sessionId"].as_str().expect("session id").to_owned();
        d
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|why| panic!("{why}"))
    }

    /// A WebDriver call whose refusal is the caller's to judge: a script sent while the page
    /// reloads is refused ("no such frame") though nothing is wrong.
    fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let resp = req.send().expect("webdriver request");
        let status = resp.status();
        let v: Value = resp.json().expect("webdriver json");
        if status.is_success() {
            Ok(v["value"].clone())
        } else {
            Err(format!("{method} {path}: {status} {v}"))
        }
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// The first element matching `css`, if any.
    pub(crate) fn try_find(&self, css: &str) -> Option<Element> {
        let url = format!("{}{}", self.base, self.s("/elements"));
        let v: Value = self
            .http
            .post(url)
            .json(&json!({"using": "css selector", "value": css}))
            .send()
            .ok()?
            .json()
            .ok()?;
        v["value"]
            .as_array()?
            .first()
            .and_then(|e| e[ELEMENT].as_str())
            .map(|id| Element(id.to_owned()))
    }

    /// Waits up to `secs` for an element matching `css`.
    pub(crate) fn wait(&self, css: &str, secs: u64) -> Element {
        eventually(Duration::from_secs(secs), || {
            self.try_find(css).ok_or(Why(|| {
                let why = self.exec(
                    "return [document.readyState, document.querySelectorAll(arguments[0]).length, location.href]",
                    json!([css]),
                );
                let raw = self
                    .http
                    .post(format!("{}{}", self.base, self.s("/elements")))
                    .json(&json!({"using": "css selector", "value": css}))
                    .send()
                    .and_then(|r| r.text());
                format!("no element matches {css}: page says {why}, driver says {raw:?}")
            }))
        })
    }

    /// Waits until `script` (a function body returning a value) returns something truthy. A
    /// script refused while the page is between two loads counts as "not yet".
    pub(crate) fn wait_until(&self, what: &str, script: &str, secs: u64) -> Value {
        eventually(Duration::from_secs(secs), || {
            let body = json!({"script": script, "args": []});
            match self.try_call("POST", &self.s("/execute/sync"), body) {
                Ok(v) if !(v.is_null() || v == json!(false) || v == json!("")) => Ok(v),
                Ok(_) => Err(format!("timed out waiting for {what}")),
                Err(why) => Err(format!("timed out waiting for {what} (last: {why})")),
            }
        })
    }

    /// Clicks an element. It is scrolled to the middle of the window first: WebKitWebDriver
    /// scrolls it to the top edge, under the sticky top bar, which then takes the click.
    pub(crate) fn click(&self, e: &Element) {
        let mut reference = serde_json::Map::new();
        reference.insert(ELEMENT.to_owned(), Value::String(e.0.clone()));
        self.exec(
            "arguments[0].scrollIntoView({ block: 'center' }); return 1",
            Value::Array(vec![Value::Object(reference)]),
        );
        self.call(
            "POST",
            &self.s(&format!("/element/{}/click", e.0)),
            json!({}),
        );
    }

    /// Clears a text field.
    pub(crate) fn clear(&self, e: &Element) {
        self.call(
            "POST",
            &self.s(&format!("/element/{}/clear", e.0)),
            json!({}),
        );
    }

    /// Types into an element (`\u{E007}` is Enter, `\u{E004}` Tab).
    pub(crate) fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &self.s(&format!("/element/{}/value", e.0)),
            json!({"text": text}),
        );
    }

    /// The rendered text of an element.
    pub(crate) fn text(&self, e: &Element) -> String {
        self.call("GET", &self.s(&format!("/element/{}/text", e.0)), json!({}))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs a function body in the page and returns its result.
    pub(crate) fn exec(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            json!({"script": script, "args": args}),
        )
    }

    /// Runs `script`, which calls its last argument with the answer (for promises).
    pub(crate) fn exec_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.s("/execute/async"),
            json!({"script": script, "args": args}),
        )
    }

    /// Saves a PNG of the window as the X server shows it (WebKitWebDriver's own screenshot
    /// stalls under Xvfb without compositing), with ImageMagick's `import`.
    pub(crate) fn screenshot(&self, path: &Path) {
        let rect = self.call("GET", &self.s("/window/rect"), json!({}));
        let n = |k: &str| rect[k].as_f64().unwrap_or(0.0).max(0.0) as u32;
        // Let the last change paint before capturing it.
        std::thread::sleep(Duration::from_millis(300));
        let geometry = format!("{}x{}+{}+{}", n("width"), n("height"), n("x"), n("y"));
        let status = Command::new("import")
            .args(["-window", "root", "-crop", &geometry, "+repage"])
            .arg(path)
            .status()
            .expect("ImageMagick's import runs");
        assert!(status.success(), "screenshot failed");
    }

    /// Resizes the window.
    pub(crate) fn set_size(&self, width: u32, height: u32) {
        self.call(
            "POST",
            &self.s("/window/rect"),
            json!({"width": width, "height": height}),
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .http
                .delete(format!("{}/session/{}", self.base, self.session))
                .send();
        }
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // The app must be gone before the next one starts, or it would take the next one's
        // deep links as a second instance.
        settles(Duration::from_secs(5), || {
            !Command::new("kill")
                .args(["-0", "--", &group])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    }
}
