//! `screenpop-relay seats`: the NATS server's `authorization` block for a tenant's seats and its
//! relay, so no admin writes permissions by hand. Each seat may read only its own subject (and
//! its own inbox, and ask JetStream for the newest pop kept for it); the relay may publish only
//! pops and keep its stream. Passwords are made here, from the OS's random source, and written
//! bcrypt-hashed into the block; the plain ones go to a file only the admin reads, to be
//! provisioned on each seat with `screenpop relay credentials set`.

use std::fmt::Write as _;

use base64::Engine;

use crate::deliver::RELAY_INBOX;
use crate::{Error, Result};
use screenpop_api::relay::{
    catch_up_subject, lookup_subject, pop_subject, seat_inbox, token, LOOKUP_PREFIX, POP_PREFIX,
    STREAM,
};

/// bcrypt's cost for the hashes (NATS's own tool uses 11).
pub const COST: u32 = 11;

/// The NATS user of `seat` of `tenant`: `<tenant>.<seat>`, each as its subject token.
pub fn seat_user(tenant: &str, seat: &str) -> Result<String> {
    Ok(format!(
        "{}.{}",
        token(tenant).map_err(|e| Error::Config(e.to_string()))?,
        token(seat).map_err(|e| Error::Config(e.to_string()))?
    ))
}

/// A new password: 24 random bytes, base64url.
pub fn new_password() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Io(format!("The OS gave no random bytes: {e}.")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn hash(password: &str, cost: u32) -> Result<String> {
    bcrypt::hash_with_result(password, cost)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| Error::Io(format!("Cannot hash a password: {e}.")))
}

/// A user with its password and permissions, written as NATS reads it.
struct User {
    name: String,
    password: String,
    publish: Vec<String>,
    subscribe: Vec<String>,
    /// May answer the requests it receives (the relay, for keyless seats' lookups).
    responds: bool,
}

fn quoted(list: &[String]) -> String {
    list.iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The block, and every user's plain password (`relay` first, then the seats in order).
pub struct Written {
    /// `authorization { … }`, to include in the server's configuration.
    pub block: String,
    /// (NATS user, seat or `relay`, plain password).
    pub passwords: Vec<(String, String, String)>,
}

/// The `authorization` block for `seats` of `tenant` and the relay's user `relay_user`, with
/// bcrypt `cost`.
pub fn write(tenant: &str, relay_user: &str, seats: &[String], cost: u32) -> Result<Written> {
    let tenant_token = token(tenant).map_err(|e| Error::Config(format!("tenant: {e}")))?;
    let mut users = Vec::new();
    let mut passwords = Vec::new();
    let relay_password = new_password()?;
    users.push(User {
        name: relay_user.to_owned(),
        password: hash(&relay_password, cost)?,
        publish: vec![
            format!("{POP_PREFIX}.{tenant_token}.>"),
            format!("$JS.API.STREAM.CREATE.{STREAM}"),
            format!("$JS.API.STREAM.UPDATE.{STREAM}"),
            format!("$JS.API.STREAM.INFO.{STREAM}"),
        ],
        subscribe: vec![
            format!("{RELAY_INBOX}.>"),
            format!("{LOOKUP_PREFIX}.{tenant_token}.*"),
        ],
        responds: true,
    });
    passwords.push((relay_user.to_owned(), "relay".to_owned(), relay_password));
    let mut seen = std::collections::BTreeSet::new();
    for seat in seats {
        let user = seat_user(tenant, seat)?;
        if !seen.insert(user.clone()) {
            return Err(Error::Config(format!(
                "Seat \"{seat}\" is listed twice (as NATS user {user})."
            )));
        }
        let map = |e: screenpop_api::Error| Error::Config(format!("seat \"{seat}\": {e}"));
        let password = new_password()?;
        users.push(User {
            name: user.clone(),
            password: hash(&password, cost)?,
            publish: vec![
                catch_up_subject(tenant, seat).map_err(map)?,
                lookup_subject(tenant, seat).map_err(map)?,
            ],
            subscribe: vec![
                pop_subject(tenant, seat).map_err(map)?,
                format!("{}.>", seat_inbox(tenant, seat).map_err(map)?),
            ],
            responds: false,
        });
        passwords.push((user, seat.clone(), password));
    }
    let mut block = format!(
        "# Written by `screenpop-relay seats` for tenant \"{tenant}\": write it again rather than edit it.\nauthorization {{\n  users = [\n"
    );
    for u in &users {
        let _ = writeln!(
            block,
            "    {{ user: {:?}, password: {:?}, permissions: {{ publish: {{ allow: [{}] }}, subscribe: {{ allow: [{}] }}{} }} }}",
            u.name,
            u.password,
            quoted(&u.publish),
            quoted(&u.subscribe),
            if u.responds { ", allow_responses: true" } else { "" }
        );
    }
    block.push_str("  ]\n}\n");
    Ok(Written { block, passwords })
}

/// Reads a seat list: one seat a line; blank lines and `#` comments skipped.
pub fn read_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn each_seat_gets_its_own_subject_and_a_hashed_password() {
        let seats = read_list("# floor 1\nalice@acme.com\n\nbob\n");
        let w = write("Acme", "relay", &seats, 4).unwrap();
        assert!(
            w.block.contains("\"acme.alice%40acme%2Ecom\""),
            "{}",
            w.block
        );
        assert!(w
            .block
            .contains("\"screenpop.pop.acme.bob\", \"_INBOX.acme.bob.>\""));
        assert!(w
            .block
            .contains("\"$JS.API.DIRECT.GET.SCREENPOP_POPS.screenpop.pop.acme.bob\""));
        assert!(w.block.contains("\"screenpop.pop.acme.>\""));
        assert_eq!(w.passwords.len(), 3);
        for (_, _, plain) in &w.passwords {
            assert!(
                !w.block.contains(plain.as_str()),
                "a plain password in the block"
            );
            assert!(plain.len() >= 32);
        }
        assert!(w.block.matches("$2a$04$").count() == 3, "{}", w.block);
        assert!(write("acme", "relay", &["bob".into(), "Bob".into()], 4).is_err());
        assert!(write("acme", "relay", &["a\u{7}".into()], 4).is_err());
    }
}
