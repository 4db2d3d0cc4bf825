//! The sandbox Handoff API served from the test process, on its own Tokio runtime, while the
//! program under test calls it over loopback: the one way every suite starts it.
#![allow(dead_code)]

use screenpop_sandbox::genesys::{GenesysConfig, GenesysStandIn};
use screenpop_sandbox::{Sandbox, SandboxConfig};

/// A sandbox and the runtime that serves it, for as long as this lives.
pub(crate) struct LocalApi {
    // Declared first so it is dropped before the runtime that serves it.
    pub(crate) sandbox: Sandbox,
    runtime: tokio::runtime::Runtime,
}

impl LocalApi {
    /// Serves `config`: its key, its states, its faults.
    pub(crate) fn with(config: SandboxConfig) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let sandbox = runtime.block_on(Sandbox::start(config)).unwrap();
        Self { sandbox, runtime }
    }

    /// The built-in states behind `key`.
    pub(crate) fn keyed(key: impl Into<String>) -> Self {
        Self::with(SandboxConfig {
            key: key.into(),
            ..SandboxConfig::default()
        })
    }
}

/// The Genesys Cloud stand-in served from the test process, on its own runtime.
pub(crate) struct LocalGenesys {
    // Declared first so it is dropped before the runtime that serves it.
    pub(crate) standin: GenesysStandIn,
    runtime: tokio::runtime::Runtime,
}

impl LocalGenesys {
    /// The stand-in with its defaults (one agent, heartbeats every 30 s).
    pub(crate) fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let standin = runtime
            .block_on(GenesysStandIn::start(GenesysConfig::default()))
            .unwrap();
        Self { standin, runtime }
    }

    /// Runs `work` on the stand-in's runtime (a sign-in, for one).
    pub(crate) fn block_on<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(work)
    }
}
