//! Genesys Cloud from Settings: the active profile's agent signs in (in the system browser) or
//! out. The running source (see `push.rs`) picks the change up from the keychain by itself.

use std::time::Duration;

use screenpop_core::push::genesys::signin::SignIn;
use screenpop_core::Error;

use crate::AppContext;

/// How long a sign-in from Settings waits for the browser.
const SIGN_IN_WINDOW: Duration = Duration::from_secs(300);

/// Signs the active profile's agent in from Settings: the browser opens, and the call answers
/// once the agent is back (or gave up). The running source picks the new token up by itself.
pub(crate) async fn sign_in(state: &AppContext) -> Result<(), Error> {
    let profile = state.desk.profiles.get(None)?;
    let config = profile.genesys.ok_or_else(|| {
        Error::Config(format!(
            "Profile \"{}\" is not set up for Genesys Cloud.",
            profile.name
        ))
    })?;
    let sign_in = SignIn::start(&config).await?;
    crate::browser::open(sign_in.address().as_str())?;
    let token = sign_in.finish(SIGN_IN_WINDOW).await?;
    state.desk.genesys_tokens.set(&profile.name, &token).await?;
    Ok(())
}

/// Forgets the active profile's Genesys sign-in.
pub(crate) async fn sign_out(state: &AppContext) -> Result<(), Error> {
    let profile = state.desk.profiles.get(None)?;
    state.desk.genesys_tokens.delete(&profile.name).await?;
    Ok(())
}
