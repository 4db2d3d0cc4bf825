//! A seat made ready for a test, written one way for every suite that needs it: a settings file
//! holding one profile for the sandbox, and that profile's key in the Secret Service (through
//! `secret-tool`, as an admin's script would put it there).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Writes `config_dir/screenpop/settings.toml` with `before` (other settings, in TOML) and one
/// profile called `profile` whose API is `base_url`.
pub(crate) fn write_profile(config_dir: &Path, profile: &str, base_url: &str, before: &str) {
    let dir = config_dir.join("screenpop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("settings.toml"),
        format!(
            "{before}[[profile]]\nname = \"{profile}\"\nbase_url = \"{base_url}\"\naccount = \"acct\"\nproject = \"proj\"\n"
        ),
    )
    .unwrap();
}

/// Stores `key` as `profile`'s API key with `secret_tool` (a `secret-tool` command set up for
/// the session the key belongs to).
pub(crate) fn store_key(mut secret_tool: Command, profile: &str, key: &str) {
    let mut store = secret_tool
        .args([
            "store",
            "--label=screenpop test",
            "service",
            "screenpop",
            "username",
            profile,
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    store
        .stdin
        .take()
        .unwrap()
        .write_all(key.as_bytes())
        .unwrap();
    assert!(store.wait().unwrap().success(), "secret-tool store");
}
