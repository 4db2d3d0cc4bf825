//! The relay's log: one JSON object a line on standard output (systemd's journal, a log
//! shipper), with the time, a level and what happened. Never a secret, never caller data: seats,
//! event ids and outcomes only.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

/// Writes one line: `level` (`info`, `warn`, `error`), `msg`, and `fields` (an object).
pub fn line(level: &str, msg: &str, fields: Value) {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut out = Map::new();
    out.insert("ts_ms".into(), json!(ts));
    out.insert("level".into(), json!(level));
    out.insert("msg".into(), json!(msg));
    if let Value::Object(fields) = fields {
        out.extend(fields);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", Value::Object(out));
}
