//! Faults the sandbox can inject, for tests and demos.

use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::SandboxError;

/// One misbehaviour of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer with this HTTP status and an `error_message` body (500, 502, 503, 403…).
    Status {
        /// The status to send.
        status: u16,
    },
    /// 429 with `Retry-After: secs`.
    RateLimited {
        /// Seconds the client is asked to wait.
        retry_after_secs: u64,
    },
    /// 404 for every lookup until `ms` after the fault was set, then the real answer: the state
    /// is "not written yet" at the moment of transfer.
    PendingFor {
        /// How long states stay missing.
        ms: u64,
    },
    /// Accept the request and never answer.
    Hang,
    /// Start a 200 answer, then drop the connection mid-body, as a crashing proxy or a reset
    /// connection does.
    Reset,
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with an HTML body and `text/html`, as a misconfigured proxy sends.
    WrongContentType,
    /// 200 with a 2 MiB streamed body (no `Content-Length`).
    Oversized,
    /// 302 to the same path on another origin (another port of 127.0.0.1) that records what it
    /// receives; a careful client never sends its key there.
    Redirect,
}

/// The faults in force: added latency for every answer, and optionally one fault for the next
/// `times` requests (or all of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultPlan {
    /// Delay added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// The fault, if any.
    pub fault: Option<Fault>,
    /// How many requests the fault applies to; `None` means until cleared.
    pub times: Option<u32>,
}

impl FaultPlan {
    /// Added latency as a duration.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms)
    }
}

impl FromStr for Fault {
    type Err = SandboxError;

    /// Parses the command-line form: `500` (any 4xx/5xx), `429` or `429:SECS`, `pending:MS`,
    /// `hang`, `reset`, `malformed`, `wrong-content-type`, `oversized`, `redirect`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        let (name, arg) = s
            .split_once(':')
            .map_or((s.as_str(), None), |(n, a)| (n, Some(a)));
        let number = |a: Option<&str>, default: u64| -> Result<u64, SandboxError> {
            a.map_or(Ok(default), |v| {
                v.parse().map_err(|_| {
                    SandboxError::BadFault(format!("\"{v}\" is not a number in fault \"{s}\"."))
                })
            })
        };
        Ok(match name {
            "429" => Fault::RateLimited { retry_after_secs: number(arg, 1)? },
            "pending" => Fault::PendingFor { ms: number(arg, 2000)? },
            "hang" => Fault::Hang,
            "reset" => Fault::Reset,
            "malformed" => Fault::Malformed,
            "wrong-content-type" => Fault::WrongContentType,
            "oversized" => Fault::Oversized,
            "redirect" => Fault::Redirect,
            code => match code.parse::<u16>() {
                Ok(status @ 400..=599) => Fault::Status { status },
                _ => {
                    return Err(SandboxError::BadFault(format!(
                        "Unknown fault \"{s}\". Use a status (500, 503…), 429[:SECS], pending[:MS], hang, reset, malformed, wrong-content-type, oversized or redirect."
                    )))
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_forms() {
        assert_eq!(
            "500".parse::<Fault>().ok(),
            Some(Fault::Status { status: 500 })
        );
        assert_eq!(
            "429:3".parse::<Fault>().ok(),
            Some(Fault::RateLimited {
                retry_after_secs: 3
            })
        );
        assert_eq!(
            "pending:1500".parse::<Fault>().ok(),
            Some(Fault::PendingFor { ms: 1500 })
        );
        assert_eq!("Hang".parse::<Fault>().ok(), Some(Fault::Hang));
        assert!("200".parse::<Fault>().is_err());
        assert!("pending:soon".parse::<Fault>().is_err());
        assert!("explode".parse::<Fault>().is_err());
    }

    #[test]
    fn plans_read_from_json() {
        let plan: FaultPlan = serde_json::from_str(
            r#"{"latency_ms":80,"fault":{"kind":"status","status":503},"times":2}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.fault, Some(Fault::Status { status: 503 }));
        assert_eq!(plan.times, Some(2));
    }
}
