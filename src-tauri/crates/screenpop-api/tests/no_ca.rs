//! A machine without CA certificates (a minimal image, a broken bundle): the sandbox, which is
//! plain HTTP on loopback, still works, because no trust store is read for it; a real PolyAI
//! profile says what is missing. Its own test binary, as it changes the process's environment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use screenpop_api::endpoint::{Endpoint, Region};
use screenpop_api::retry::Timeouts;
use screenpop_api::Project;
use screenpop_api::{ApiKey, ErrorKind, HandoffClient, Lookup};
use screenpop_sandbox::{Sandbox, SandboxConfig};

#[tokio::test]
async fn plain_http_to_this_machine_needs_no_trust_store() {
    let empty = tempfile::tempdir().expect("tempdir");
    // rustls-native-certs reads only these when they are set.
    std::env::set_var("SSL_CERT_FILE", empty.path().join("none.pem"));
    std::env::set_var("SSL_CERT_DIR", empty.path());

    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let endpoint = Endpoint::custom(&sandbox.base_url()).expect("loopback URL");
    let project = Project::new(endpoint, "acct", "proj").expect("profile");
    let client = HandoffClient::new(&project, Timeouts::default()).expect("no CA needed");
    let state = client
        .lookup(
            &ApiKey::new(sandbox.key()).expect("key"),
            &Lookup::by_id("demo-billing").expect("id"),
        )
        .await
        .expect("looked up");
    assert_eq!(state.id.as_deref(), Some("demo-billing"));

    let real = Project::new(Endpoint::Region(Region::Uk1), "acct", "proj").expect("profile");
    let err = HandoffClient::new(&real, Timeouts::default()).expect_err("https needs the CAs");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.to_string().contains("CA certificates"),
        "says what is missing: {err}"
    );
}
