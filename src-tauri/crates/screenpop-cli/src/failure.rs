//! A failure as the terminal says it: in the locale's language, as the window's failure card
//! says it (its title and next step), with what PolyAI, the network or the keychain said kept as
//! they said it. What screenpop has no words of its own for (a setting's or the policy's
//! sentence, a relay's answer) stays the English sentence the core wrote.

use screenpop_api::ErrorKind;
use screenpop_core::pop::Failure;
use screenpop_core::Error;
use screenpop_settings::i18n::Catalogue;

/// `e` in `words`' language, on one line.
pub(crate) fn said(e: &Error, words: &Catalogue) -> String {
    if let Some(refused) = e.refusal() {
        return refused.say(words);
    }
    let f = Failure::from(e);
    // Where the window's next step is in Settings, or its own, the terminal's is a command.
    let (title, body) = match f.kind {
        ErrorKind::NotFound => ("failure.not_found.title", "failure.not_found.body"),
        ErrorKind::NoKey => ("failure.no_key.title", "cli.failure_no_key"),
        ErrorKind::KeyRejected if f.status == Some(403) => {
            ("failure.key_rejected.title", "cli.failure_key_403")
        }
        ErrorKind::KeyRejected => ("failure.key_rejected.title", "cli.failure_key_401"),
        ErrorKind::RateLimited => ("failure.rate_limited.title", "failure.rate_limited.body"),
        ErrorKind::Server => ("failure.server_error.title", "failure.server_error.body"),
        ErrorKind::Timeout => ("failure.timeout.title", "failure.timeout.body"),
        ErrorKind::Unreachable => ("failure.unreachable.title", "failure.unreachable.body"),
        ErrorKind::Malformed => (
            "failure.malformed_response.title",
            "failure.malformed_response.body",
        ),
        ErrorKind::KeychainUnavailable => {
            ("failure.keychain_unavailable.title", "cli.failure_keychain")
        }
        _ => return e.to_string(),
    };
    let (status, seconds) = (
        f.status.map(|s| s.to_string()).unwrap_or_default(),
        f.seconds.unwrap_or(0).to_string(),
    );
    let facts = [
        ("status", status.as_str()),
        ("seconds", &seconds),
        ("host", f.host.as_deref().unwrap_or_default()),
        ("profile", f.profile.as_deref().unwrap_or_default()),
    ];
    let mut out = words.say(title, &[]);
    if let Some(detail) = &f.detail {
        out.push_str(&format!(" ({})", detail.trim().trim_end_matches('.')));
    }
    out.push_str(". ");
    out.push_str(&words.say(body, &facts));
    if let Some(message) = &f.server_message {
        out.push(' ');
        out.push_str(&words.say("failure.server_said", &[("message", message.trim())]));
    }
    if let Some(id) = &f.correlation_id {
        out.push(' ');
        out.push_str(&words.say("failure.correlation", &[("id", id)]));
    }
    // One line, whatever a server or a platform put in its own words.
    out.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use screenpop_settings::i18n::Language;

    fn not_found() -> Error {
        screenpop_api::Error::NotFound {
            server_message: Some("no state\nfor c-1".to_owned()),
            correlation_id: Some("corr-7".to_owned()),
        }
        .into()
    }

    #[test]
    fn a_failure_is_worded_in_the_language_with_the_facts_verbatim() {
        let german = said(&not_found(), Catalogue::of(Language::De));
        assert_eq!(
            german,
            "Kein Übergabestatus für diese ID. Prüfen Sie die ID und ob der Anruf vom \
             Sprachagenten dieses Projekts übergeben wurde. PolyAI meldet: „no state for c-1“ \
             Korrelations-ID: corr-7"
        );
        let english = said(&not_found(), Catalogue::of(Language::En));
        assert!(
            english.starts_with("No handoff state for this id. "),
            "{english}"
        );
        assert!(!english.contains('\n'), "{english}");
    }

    #[test]
    fn the_next_step_is_a_command_and_the_system_says_why_verbatim() {
        let no_key: Error = screenpop_settings::Error::NoKey {
            profile: "Acme UK".to_owned(),
        }
        .into();
        let french = said(&no_key, Catalogue::of(Language::Fr));
        assert!(
            french.ends_with("`screenpop key set --profile \"Acme UK\"`."),
            "{french}"
        );
        let forbidden: Error = screenpop_api::Error::KeyRejected {
            status: 403,
            server_message: None,
            correlation_id: None,
        }
        .into();
        let dutch = said(&forbidden, Catalogue::of(Language::Nl));
        assert!(
            dutch.contains("HTTP 403") && dutch.contains("screenpop key set"),
            "{dutch}"
        );
        let unreachable: Error = screenpop_api::Error::Unreachable {
            host: "api.uk-1.platform.polyai.app".to_owned(),
            reason: "connection refused.".to_owned(),
        }
        .into();
        let spanish = said(&unreachable, Catalogue::of(Language::Es));
        assert!(
            spanish.contains("(connection refused). api.uk-1.platform.polyai.app "),
            "{spanish}"
        );
    }

    #[test]
    fn what_screenpop_has_no_words_for_stays_as_the_core_said_it() {
        let e = Error::Config("Profile \"x\" is not connected to a relay.".to_owned());
        assert_eq!(said(&e, Catalogue::of(Language::De)), e.to_string());
    }
}
