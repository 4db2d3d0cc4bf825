//! The desk most of the core's tests start from: in memory, one profile on a sandbox, its key
//! stored. Written once; the tests that need another shape build it themselves.
#![allow(dead_code)]

use std::sync::Arc;

use screenpop_core::desk::Desk;
use screenpop_sandbox::Sandbox;
use screenpop_settings::profiles::ProfileInput;
use screenpop_settings::secret::KeyStore;

/// A profile named `name` on the API at `base_url`, account `acct`, project `proj`.
pub(crate) fn input(name: &str, base_url: &str) -> ProfileInput {
    ProfileInput {
        name: name.into(),
        base_url: Some(base_url.into()),
        account: "acct".into(),
        project: "proj".into(),
        ..ProfileInput::default()
    }
}

/// A desk in memory with one profile, "Local", on `sb`, its key stored in `keys`.
pub(crate) async fn desk_on(sb: &Sandbox, keys: Arc<dyn KeyStore>) -> Desk {
    let desk = Desk::in_memory(Default::default(), keys);
    desk.profiles
        .save(None, input("Local", &sb.base_url()))
        .await
        .unwrap();
    desk.profiles
        .store_key(Some("Local"), sb.key())
        .await
        .unwrap();
    desk
}
