// The app's commands, the one list: `build.rs` declares them to Tauri (so every call is checked
// against the capability file), and a test in `lib.rs` fails when `generate_handler!` or
// `capabilities/main.json` disagree with it. Plain Rust with no `use`, so `build.rs` can
// `include!` it.

/// Every command the page may call.
pub(crate) const COMMANDS: &[&str] = &[
    "app_info",
    "profiles",
    "parse_studio_url",
    "save_profile",
    "delete_profile",
    "use_profile",
    "store_key",
    "test_connection",
    "look_up",
    "show_recent",
    "clear_card",
    "board",
    "recent",
    "open_link",
    "reveal",
    "simulate_transfer",
    "set_pop_action",
    "set_hotkey",
    "set_language",
    "trigger_info",
    "set_trigger",
    "regenerate_trigger_token",
    "set_autostart",
    "card_painted",
    "diagnostics",
];
