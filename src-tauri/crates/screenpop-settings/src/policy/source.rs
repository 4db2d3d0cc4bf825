//! Where the policy is read from: machine-wide places only, so an agent cannot escape it. A debug
//! build (tests) also reads the file named by `SCREENPOP_POLICY_FILE`; a release build never
//! looks at that variable.

use std::path::{Path, PathBuf};

use super::parse;
use super::Policy;

/// The policy file on Linux (and the form every other place mirrors).
pub const POLICY_FILE: &str = "/etc/screenpop/policy.toml";

/// Where a policy was looked for, and whether one was there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Source {
    /// This system has no policy place screenpop reads.
    #[default]
    Nowhere,
    /// A TOML file.
    File {
        /// Its path.
        path: PathBuf,
        /// Whether it exists.
        present: bool,
    },
    /// The Windows registry key `HKLM\Software\Policies\screenpop`.
    Registry {
        /// The key, as an admin writes it.
        key: String,
        /// Whether the key exists.
        present: bool,
    },
    /// The forced values of a macOS preference domain (a configuration profile).
    ManagedPreferences {
        /// The domain: the app's bundle identifier.
        domain: String,
        /// Whether any value of screenpop's is forced.
        present: bool,
    },
}

impl Source {
    /// `file`, `registry`, `managed_preferences` or `none`: for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Nowhere => "none",
            Self::File { .. } => "file",
            Self::Registry { .. } => "registry",
            Self::ManagedPreferences { .. } => "managed_preferences",
        }
    }

    /// The file or key, as a person would look for it.
    pub fn place(&self) -> String {
        match self {
            Self::Nowhere => String::new(),
            Self::File { path, .. } => path.display().to_string(),
            Self::Registry { key, .. } => key.clone(),
            Self::ManagedPreferences { domain, .. } => format!("managed preferences {domain}"),
        }
    }

    /// Whether a policy is there.
    pub fn present(&self) -> bool {
        match self {
            Self::Nowhere => false,
            Self::File { present, .. }
            | Self::Registry { present, .. }
            | Self::ManagedPreferences { present, .. } => *present,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Nowhere => f.write_str("no policy place on this system"),
            s if s.present() => f.write_str(&s.place()),
            Self::ManagedPreferences { domain, .. } => {
                write!(f, "none (no configuration profile forces {domain})")
            }
            s => write!(f, "none ({} does not exist)", s.place()),
        }
    }
}

/// The policy of this machine, read now.
pub fn load() -> Policy {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("SCREENPOP_POLICY_FILE") {
        return from_file(Path::new(&path));
    }
    system()
}

#[cfg(windows)]
fn system() -> Policy {
    super::registry::load()
}

#[cfg(target_os = "macos")]
fn system() -> Policy {
    super::managed::load()
}

#[cfg(not(any(windows, target_os = "macos")))]
fn system() -> Policy {
    from_file(Path::new(POLICY_FILE))
}

/// The policy in the TOML file at `path`; none when the file does not exist.
pub fn from_file(path: &Path) -> Policy {
    let source = |present| Source::File {
        path: path.to_owned(),
        present,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Policy {
                source: source(false),
                ..Policy::none()
            }
        }
        Err(e) => {
            return Policy::broken(
                source(true),
                format!("{} cannot be read: {e}", path.display()),
            )
        }
    };
    let table = match toml::from_str::<toml::Table>(&text) {
        Ok(table) => table,
        Err(e) => {
            let line = e
                .span()
                .map(|s| format!(", line {}", parse::line_at(&text, s.start)))
                .unwrap_or_default();
            return Policy::broken(
                source(true),
                format!("{}{line}: {}", path.display(), e.message().trim()),
            );
        }
    };
    let lines = parse::lines(&text);
    let place = |key: &str| match lines.get(key) {
        Some(line) => format!("{}, line {line} ({key})", path.display()),
        None => format!("{} ({key})", path.display()),
    };
    parse::policy(&table, source(true), &place)
}
