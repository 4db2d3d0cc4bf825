//! The handoff states the sandbox serves.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::SandboxError;

/// A handoff state as stored: `id` may be null (as PolyAI returns for some `shared_id` lookups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredState {
    /// Conversation id.
    pub id: Option<String>,
    /// Shared id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_id: Option<String>,
    /// Free-form data.
    pub data: Map<String, Value>,
}

const BUILTIN: &str = include_str!("builtin.json");

/// The built-in states: flat and nested data, arrays, unicode names, a long summary with
/// literal `/n` separators, empty data, a null id with a shared id, and hostile markup.
pub fn builtin_states() -> Vec<StoredState> {
    // The file is part of the binary and covered by tests; an error here is a build mistake.
    serde_json::from_str(BUILTIN).unwrap_or_else(|e| panic!("BUG: builtin.json is invalid: {e}"))
}

/// Reads every `*.json` file in `dir` (sorted by name); each holds one state or an array of them.
pub fn load_fixtures(dir: &Path) -> Result<Vec<StoredState>, SandboxError> {
    let fail = |path: &Path, why: String| SandboxError::Fixture {
        path: path.display().to_string(),
        why,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| fail(dir, format!("cannot read the directory: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut states = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| fail(&path, e.to_string()))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| fail(&path, format!("not valid JSON: {e}")))?;
        let items = match value {
            Value::Array(items) => items,
            single => vec![single],
        };
        for item in items {
            let state: StoredState = serde_json::from_value(item).map_err(|e| {
                fail(
                    &path,
                    format!("expected {{\"id\", \"shared_id\", \"data\": {{…}}}}: {e}"),
                )
            })?;
            if state.id.is_none() && state.shared_id.is_none() {
                return Err(fail(&path, "a state needs an id or a shared_id".to_owned()));
            }
            states.push(state);
        }
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_states_cover_the_shapes_the_card_must_handle() {
        let states = builtin_states();
        assert!(states.len() >= 7);
        assert!(states.iter().any(|s| s.data.is_empty()), "empty data");
        assert!(
            states
                .iter()
                .any(|s| s.id.is_none() && s.shared_id.is_some()),
            "null id"
        );
        assert!(
            states.iter().any(|s| s.data.values().any(Value::is_object)),
            "nested"
        );
        assert!(
            states.iter().any(|s| s.data.values().any(Value::is_array)),
            "arrays"
        );
        assert!(
            states.iter().any(|s| s
                .data
                .get("handoff_reason_summary")
                .and_then(Value::as_str)
                .is_some_and(|v| v.matches("/n").count() >= 3)),
            "long summary with literal /n"
        );
    }

    #[test]
    fn fixtures_load_single_states_and_arrays() {
        let dir = std::env::temp_dir().join(format!("screenpop-fixtures-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("a.json"), r#"{"id":"a","data":{"x":1}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.join("b.json"),
            r#"[{"id":null,"shared_id":"b","data":{}}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("ignored.txt"), "nope").unwrap_or_else(|e| panic!("{e}"));
        let states = load_fixtures(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(states.len(), 2);
        std::fs::write(dir.join("c.json"), r#"{"id":"c","data":[]}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let err = load_fixtures(&dir).expect_err("data must be an object");
        assert!(err.to_string().contains("c.json"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
