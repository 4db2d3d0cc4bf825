//! The message catalogues as translators edit them, for the tests that check the window's words.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

/// The catalogue of `tag` (`en`, `de`…): key → message.
pub(crate) fn catalogue(tag: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "src-tauri/crates/screenpop-words/locales/{tag}.json"
    ));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("a catalogue")).expect("JSON")
}
