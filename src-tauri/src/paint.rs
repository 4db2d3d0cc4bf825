//! The paint log: when `SCREENPOP_PAINT_LOG` names a file, each card the window paints adds a
//! line of JSON to it. Benchmarks and the package check read it to know when a card was on
//! screen; an agent's desk never sets it, and nothing is written without it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The variable that turns the log on.
pub(crate) const VAR: &str = "SCREENPOP_PAINT_LOG";

/// One painted card, as the page reports it (camelCase) and the log writes it (snake_case).
/// Only its state and conversation id: no caller data.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all(deserialize = "camelCase"))]
pub(crate) struct Painted {
    /// `filled` or the failure's kind.
    pub(crate) card: String,
    /// The id or shared id looked up.
    pub(crate) id: String,
    /// When the frame with the card was painted, in milliseconds since the Unix epoch.
    pub(crate) at_ms: f64,
    /// From the start of building the card to its first paint, in milliseconds.
    pub(crate) render_ms: f64,
    /// How long building the card's elements took (the page's own work, before layout and
    /// paint), in milliseconds.
    pub(crate) build_ms: f64,
    /// How long the style and layout of those elements took, after building them, in
    /// milliseconds (what is left of `render_ms` is the paint and the wait for the frame).
    pub(crate) layout_ms: f64,
    /// From the page's start (its navigation) to that paint, in milliseconds.
    pub(crate) page_ms: f64,
}

/// The open log, if any.
#[derive(Debug, Default)]
pub(crate) struct PaintLog(Option<Mutex<File>>);

impl PaintLog {
    /// Opens the file `SCREENPOP_PAINT_LOG` names, if it is set.
    pub(crate) fn from_env() -> Self {
        let file = std::env::var_os(VAR).and_then(|path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| eprintln!("screenpop: {VAR} cannot be opened: {e}"))
                .ok()
        });
        Self(file.map(Mutex::new))
    }

    /// Whether painted cards are logged (the page only reports them then).
    pub(crate) fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Appends one line; a failed write is dropped, as the log must never disturb the window.
    pub(crate) fn record(&self, painted: &Painted) {
        let Some(file) = &self.0 else { return };
        let Ok(mut line) = serde_json::to_vec(painted) else {
            return;
        };
        line.push(b'\n');
        let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
        let _ = file.write_all(&line);
    }
}
