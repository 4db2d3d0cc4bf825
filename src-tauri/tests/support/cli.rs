//! What the command-line tests share: running `screenpop` (the Linux program, or the Windows one
//! under Wine) and reading what it did, and a sandbox API served from the test process.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use screenpop_sandbox::SandboxConfig;

/// What a run of `screenpop` ended with.
pub(crate) struct Ran {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// A command line split on spaces (none of the tests' arguments contain one).
pub(crate) fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

pub(crate) fn ran(out: Output) -> Ran {
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// One sentence on one line, prefixed with the program name.
pub(crate) fn assert_one_line_error(r: &Ran) {
    assert!(r.stderr.starts_with("screenpop: "), "{:?}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{:?}", r.stderr);
}

/// Every file under `dir`, depth first.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        // Links are not followed: Wine links the user's folders to the Linux home.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Runs `command` with `stdin` written to it and waits for it.
pub(crate) fn run_with_stdin(mut command: Command, stdin: &str) -> Ran {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    ran(child.wait_with_output().unwrap())
}

pub(crate) use crate::sandbox::LocalApi;

/// The key the command-line suites' sandbox takes.
const KEY: &str = "sbx-9f8e7d6c5b4a";

impl LocalApi {
    pub(crate) fn start() -> Self {
        Self::keyed(KEY)
    }

    /// The sandbox serving the states in `dir` besides its own.
    pub(crate) fn with_fixtures(dir: &Path) -> Self {
        Self::with(SandboxConfig {
            key: KEY.to_owned(),
            fixtures: Some(dir.to_owned()),
            ..SandboxConfig::default()
        })
    }
}

/// A user with an empty configuration.
pub(crate) struct User {
    pub(crate) home: tempfile::TempDir,
    /// Without a Secret Service the keychain must fail cleanly, not touch the developer's own.
    pub(crate) no_keychain: bool,
}

impl User {
    pub(crate) fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            no_keychain: true,
        }
    }

    pub(crate) fn with_keychain() -> Self {
        Self {
            no_keychain: false,
            ..Self::new()
        }
    }

    pub(crate) fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_screenpop"));
        c.args(args)
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env_remove("RUST_LOG");
        // English whatever the developer's locale: a test that wants another language says so.
        for name in ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "SCREENPOP_LANGUAGE"] {
            c.env_remove(name);
        }
        c.env("LANG", "C.UTF-8");
        if self.no_keychain {
            c.env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-bus", self.home.path().display()),
            );
        }
        c
    }

    /// [`Self::command`] in the language of `locale` (`de_DE.UTF-8`), as `LANG` says it.
    pub(crate) fn command_in(&self, locale: &str, args: &[&str]) -> Command {
        let mut c = self.command(args);
        c.env("LANG", locale);
        c
    }

    pub(crate) fn run(&self, args: &[&str]) -> Ran {
        self.run_with_stdin(args, "")
    }

    pub(crate) fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Ran {
        run_with_stdin(self.command(args), stdin)
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.stdout
    }
}
