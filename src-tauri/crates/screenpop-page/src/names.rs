// The app's commands, the one list: the shell's `build.rs` declares them to Tauri (so every call
// is checked against the capability file), and a test in the shell fails when `generate_handler!`,
// `capabilities/main.json` or the page's calls disagree with it. Plain Rust with no `use`, so
// `build.rs` can `include!` it.

/// Every command the page may call.
pub const COMMANDS: &[&str] = &[
    "app_info",
    "profiles",
    "parse_studio_url",
    "save_setup",
    "test_setup",
    "delete_profile",
    "use_profile",
    "look_up",
    "show_recent",
    "retry",
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
    "genesys_status",
    "genesys_sign_in",
    "genesys_sign_out",
    "relay_status",
    "update_available",
];
