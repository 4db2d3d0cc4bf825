//! The quick way to read one key from the Secret Service (gnome-keyring, KeePassXC).
//!
//! The `keyring` crate reads a key in four D-Bus round trips, one after the other, and its
//! Diffie-Hellman exchange (which keeps the key encrypted on the bus) squares and divides 1024-bit
//! numbers by schoolbook arithmetic: about 6 ms of every `screenpop lookup`, most of it waiting.
//! Here the same encrypted session is opened with Montgomery arithmetic, our half of the exchange
//! is computed while the bus connection is made, and the search for the item travels together
//! with the session request. Only the common case is handled: exactly one matching item, already
//! unlocked. Anything else (no item, several, a locked collection that needs a prompt, an error)
//! returns `None` and [`super::Keychain`] asks the `keyring` crate, which handles all of it.

use std::collections::HashMap;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, KeyIvInit};
use num_bigint::BigUint;
use zbus::blocking::Connection;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

const DESTINATION: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const ITEM: &str = "org.freedesktop.Secret.Item";
/// The one encrypted algorithm the Secret Service specification defines.
const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

/// The 1024-bit MODP group of RFC 2409 (the "Second Oakley Group"), generator 2, which the
/// algorithm above names.
const PRIME_HEX: &[u8] = b"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74\
020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6\
F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";
const GROUP_BYTES: usize = 128;

/// The secret stored under `service` and `user` (the attributes the `keyring` crate writes), if
/// exactly one such item exists and is unlocked; `None` for every other case, including errors,
/// which the caller must then settle the slow way.
pub fn read(service: &str, user: &str) -> Option<String> {
    // Our half of the exchange takes about half a millisecond: done while connecting.
    let ours = std::thread::spawn(Keypair::generate);
    let bus = Connection::session().ok()?;
    let ours = ours.join().ok()??;
    std::thread::scope(|s| {
        let searched = s.spawn(|| {
            let attributes = HashMap::from([("service", service), ("username", user)]);
            bus.call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE),
                "SearchItems",
                &(attributes,),
            )
        });
        let opened = bus
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE),
                "OpenSession",
                &(ALGORITHM, Value::from(ours.public_bytes())),
            )
            .ok()?;
        let (theirs, session): (OwnedValue, OwnedObjectPath) = opened.body().deserialize().ok()?;
        let theirs: Vec<u8> = theirs.try_into().ok()?;
        let aes_key = ours.shared_key(&theirs)?;

        let found = searched.join().ok()?.ok()?;
        let (unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) =
            found.body().deserialize().ok()?;
        let [item] = unlocked.as_slice() else {
            return None;
        };
        if !locked.is_empty() {
            return None;
        }
        let reply = bus
            .call_method(
                Some(DESTINATION),
                item,
                Some(ITEM),
                "GetSecret",
                &(&session,),
            )
            .ok()?;
        // (session, parameters = the AES IV, value = the encrypted secret, content type)
        let (_, iv, value, _): (OwnedObjectPath, Vec<u8>, Vec<u8>, String) =
            reply.body().deserialize().ok()?;
        // The session ends with the connection when `bus` is dropped: the service forgets the
        // sessions of a client that leaves the bus.
        let plain = decrypt(&aes_key, &iv, &value)?;
        String::from_utf8(plain).ok()
    })
}

/// Our side of a Diffie-Hellman exchange in the RFC 2409 group.
struct Keypair {
    private: BigUint,
    public: BigUint,
}

impl Keypair {
    fn generate() -> Option<Self> {
        let mut bytes = [0u8; GROUP_BYTES];
        getrandom::fill(&mut bytes).ok()?;
        let private = BigUint::from_bytes_be(&bytes);
        let public = BigUint::from(2u32).modpow(&private, &prime()?);
        Some(Self { private, public })
    }

    fn public_bytes(&self) -> Vec<u8> {
        padded(&self.public)
    }

    /// The AES-128 key both sides derive: HKDF-SHA256 of the shared secret (big-endian, padded to
    /// the group's size), no salt, no info. `None` for a public key outside the group.
    fn shared_key(&self, theirs: &[u8]) -> Option<[u8; 16]> {
        let p = prime()?;
        let theirs = BigUint::from_bytes_be(theirs);
        let one = BigUint::from(1u32);
        // 0, 1 and p-1 (and anything not below p) would give a shared secret an eavesdropper
        // can guess.
        if theirs <= one || theirs >= &p - &one {
            return None;
        }
        let shared = padded(&theirs.modpow(&self.private, &p));
        let mut key = [0u8; 16];
        hkdf::Hkdf::<sha2::Sha256>::new(None, &shared)
            .expand(&[], &mut key)
            .ok()?;
        Some(key)
    }
}

fn prime() -> Option<BigUint> {
    BigUint::parse_bytes(PRIME_HEX, 16)
}

fn padded(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    let mut out = vec![0u8; GROUP_BYTES.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
}

fn decrypt(key: &[u8; 16], iv: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
        .ok()?
        .decrypt_padded_vec::<Pkcs7>(value)
        .ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aes::cipher::BlockModeEncrypt;

    #[test]
    fn the_group_is_rfc_2409s_1024_bit_prime() {
        let p = prime().unwrap();
        assert_eq!(p.bits(), 1024);
        // Oakley primes begin and end with 64 one bits; Fermat's test with base 2 passes.
        assert!(
            PRIME_HEX.starts_with(b"FFFFFFFFFFFFFFFF") && PRIME_HEX.ends_with(b"FFFFFFFFFFFFFFFF")
        );
        let one = BigUint::from(1u32);
        assert_eq!(BigUint::from(2u32).modpow(&(&p - &one), &p), one);
    }

    #[test]
    fn both_sides_derive_the_same_key_and_a_secret_survives_the_trip() {
        let (ours, theirs) = (Keypair::generate().unwrap(), Keypair::generate().unwrap());
        assert_eq!(ours.public_bytes().len(), GROUP_BYTES);
        let key = ours.shared_key(&theirs.public_bytes()).unwrap();
        assert_eq!(Some(key), theirs.shared_key(&ours.public_bytes()));
        assert_ne!(
            Some(key),
            Keypair::generate()
                .unwrap()
                .shared_key(&theirs.public_bytes())
        );

        // The service's side, as gnome-keyring does it.
        let iv = [7u8; 16];
        let sealed = cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(b"pk-live-5a1d9c3e7f");
        assert_eq!(decrypt(&key, &iv, &sealed).unwrap(), b"pk-live-5a1d9c3e7f");
        // A wrong key or IV fails on the padding or yields other bytes, never the secret.
        assert_ne!(
            decrypt(&[0u8; 16], &iv, &sealed).as_deref(),
            Some(&b"pk-live-5a1d9c3e7f"[..])
        );
        assert_eq!(decrypt(&key, &iv[..8], &sealed), None);
    }

    #[test]
    fn degenerate_public_keys_are_refused() {
        let ours = Keypair::generate().unwrap();
        let p = prime().unwrap();
        for bad in [
            BigUint::from(0u32),
            BigUint::from(1u32),
            &p - 1u32,
            p.clone(),
            &p + 1u32,
        ] {
            assert_eq!(ours.shared_key(&bad.to_bytes_be()), None, "{bad:x}");
        }
        assert!(ours
            .shared_key(&BigUint::from(2u32).to_bytes_be())
            .is_some());
    }
}
