//! The quick way to read one key from the Secret Service (gnome-keyring, KeePassXC).
//!
//! The `keyring` crate reads a key in four D-Bus round trips, one after the other, and its
//! Diffie-Hellman exchange (which keeps the key encrypted on the bus) squares and divides 1024-bit
//! numbers by schoolbook arithmetic: about 6 ms of every `screenpop lookup`, most of it waiting.
//! Here the same encrypted session is opened with Montgomery arithmetic, our half of the exchange
//! computed while the bus connection is made, and then kept for the process's life: every later
//! read is two round trips (find the item, get its secret) on the open connection. Only the
//! common case is handled: exactly one matching item, already unlocked. Anything else (no item,
//! several, a locked collection that needs a prompt, an error) returns `None` and
//! [`super::Keychain`] asks the `keyring` crate, which handles all of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

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
///
/// The bus connection and the encrypted session are opened once per process and kept: a window
/// reads the key for every pop, and a new connection, its handshake and a fresh Diffie-Hellman
/// exchange each time were most of what its own process spent on a pop. The session holds no
/// secret, only the key that decrypts what the service sends on it; a session the service has
/// forgotten (it restarted, the bus went away) fails its read and is opened again once.
pub fn read(service: &str, user: &str) -> Option<String> {
    static OPEN: Mutex<Option<Session>> = Mutex::new(None);
    let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(Ok(answer)) = open.as_ref().map(|s| s.read(service, user)) {
        return answer;
    }
    *open = Session::open();
    open.as_ref()?.read(service, user).ok().flatten()
}

/// The service did not answer on a session: it must be opened again.
struct Broken;

/// How many encrypted sessions this process has opened: one, unless the service forgot one
/// (the keychain test reads it to see the session kept).
pub fn sessions_opened() -> usize {
    OPENED.load(Ordering::Relaxed)
}

static OPENED: AtomicUsize = AtomicUsize::new(0);

/// A connection to the session bus and an encrypted Secret Service session on it.
struct Session {
    bus: Connection,
    path: OwnedObjectPath,
    aes_key: [u8; 16],
}

impl Session {
    fn open() -> Option<Self> {
        // Our half of the exchange takes about half a millisecond: done while connecting.
        let ours = std::thread::spawn(Keypair::generate);
        let bus = Connection::session().ok()?;
        let ours = ours.join().ok()??;
        let opened = bus
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE),
                "OpenSession",
                &(ALGORITHM, Value::from(ours.public_bytes())),
            )
            .ok()?;
        let (theirs, path): (OwnedValue, OwnedObjectPath) = opened.body().deserialize().ok()?;
        let theirs: Vec<u8> = theirs.try_into().ok()?;
        let aes_key = ours.shared_key(&theirs)?;
        OPENED.fetch_add(1, Ordering::Relaxed);
        Some(Self { bus, path, aes_key })
    }

    /// The secret, `None` where there is not exactly one unlocked item; [`Broken`] where the
    /// service did not answer or the session no longer decrypts.
    fn read(&self, service: &str, user: &str) -> Result<Option<String>, Broken> {
        let attributes = HashMap::from([("service", service), ("username", user)]);
        let found = self
            .bus
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE),
                "SearchItems",
                &(attributes,),
            )
            .map_err(|_| Broken)?;
        let (unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) =
            found.body().deserialize().map_err(|_| Broken)?;
        let [item] = unlocked.as_slice() else {
            return Ok(None);
        };
        if !locked.is_empty() {
            return Ok(None);
        }
        let reply = self
            .bus
            .call_method(
                Some(DESTINATION),
                item,
                Some(ITEM),
                "GetSecret",
                &(&self.path,),
            )
            .map_err(|_| Broken)?;
        // (session, parameters = the AES IV, value = the encrypted secret, content type)
        let (_, iv, value, _): (OwnedObjectPath, Vec<u8>, Vec<u8>, String) =
            reply.body().deserialize().map_err(|_| Broken)?;
        let plain = decrypt(&self.aes_key, &iv, &value).ok_or(Broken)?;
        Ok(String::from_utf8(plain).ok())
    }
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
