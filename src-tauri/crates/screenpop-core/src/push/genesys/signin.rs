//! Signing in to Genesys Cloud: Authorization Code with PKCE (S256, a fresh verifier and `state`
//! each time) in the system browser, redirected to a one-shot listener on `127.0.0.1` that
//! accepts only the expected `state`, answers with a plain page, and closes.

use std::time::{Duration, SystemTime};

use base64::Engine;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use screenpop_api::ApiKey;
use screenpop_settings::genesys::token::AccessToken;
use screenpop_settings::genesys::GenesysConfig;

use crate::{Error, Result};

/// Longest request line and headers the listener reads from the browser.
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// How long the token endpoint may take.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(15);

/// A sign-in under way: the address the agent opens, and the listener its answer comes back to.
#[derive(Debug)]
pub struct SignIn {
    address: Url,
    listener: TcpListener,
    redirect: String,
    verifier: String,
    state: String,
    login: Url,
    client_id: String,
}

impl SignIn {
    /// Prepares a sign-in for `config`: a fresh verifier and `state`, a listener on a free port
    /// of `127.0.0.1`, and the authorisation address that redirects to it.
    pub async fn start(config: &GenesysConfig) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            Error::Config(format!(
                "Cannot listen on this computer for the Genesys Cloud sign-in: {e}."
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Config(format!("The sign-in listener has no address: {e}.")))?
            .port();
        // `http://localhost` is what the Genesys admin registers; any port is then accepted.
        let redirect = format!("http://localhost:{port}/");
        let verifier = random_text(64)?;
        let state = random_text(32)?;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        let mut address = config.login_url.join("oauth/authorize").map_err(|e| {
            Error::Config(format!("The Genesys sign-in address is not valid: {e}."))
        })?;
        address
            .query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &config.client_id)
            .append_pair("redirect_uri", &redirect)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state);
        Ok(Self {
            address,
            listener,
            redirect,
            verifier,
            state,
            login: config.login_url.clone(),
            client_id: config.client_id.clone(),
        })
    }

    /// The address to open in the browser.
    pub fn address(&self) -> &Url {
        &self.address
    }

    /// Waits up to `within` for the browser to come back with a code for this sign-in, answers
    /// it, closes the listener, and exchanges the code for a token.
    pub async fn finish(self, within: Duration) -> Result<AccessToken> {
        let code = tokio::time::timeout(within, self.wait_for_code())
            .await
            .map_err(|_| {
                Error::Config(format!(
                    "The Genesys Cloud sign-in was not finished within {} s. Run it again, and sign in in the browser page it opens.",
                    within.as_secs()
                ))
            })??;
        drop(self.listener);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let loopback = screenpop_api::endpoint::Endpoint::custom(self.login.as_str())
            .is_ok_and(|e| e.is_loopback());
        let http = reqwest::Client::builder()
            .user_agent(screenpop_api::client::USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!loopback)
            .build()
            .map_err(|e| Error::Config(format!("Cannot set up the HTTP client: {e}.")))?;
        exchange(
            &http,
            &self.login,
            &self.client_id,
            &self.redirect,
            &self.verifier,
            &code,
        )
        .await
    }

    /// Answers every request to the listener until one carries this sign-in's `state`: a code
    /// (success) or Genesys's error (the sign-in fails). Anything else is refused and waited on.
    async fn wait_for_code(&self) -> Result<String> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| Error::Config(format!("The sign-in listener stopped: {e}.")))?;
            let Some(query) = request_query(&mut stream).await else {
                answer(&mut stream, 400, "This is screenpop's sign-in listener; it only takes the browser's return from Genesys Cloud.").await;
                continue;
            };
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let get = |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.as_str())
            };
            if get("state") != Some(self.state.as_str()) {
                answer(&mut stream, 400, "This sign-in is not the one screenpop started, so it was refused. Start the sign-in again from screenpop.").await;
                continue;
            }
            if let Some(code) = get("code").filter(|c| !c.is_empty()) {
                answer(&mut stream, 200, "You are signed in to Genesys Cloud. You can close this tab and go back to screenpop.").await;
                return Ok(code.to_owned());
            }
            let why = get("error_description")
                .or(get("error"))
                .unwrap_or("no code came back");
            answer(
                &mut stream,
                400,
                "Genesys Cloud did not sign you in. Go back to screenpop for what to do.",
            )
            .await;
            return Err(Error::Config(format!(
                "Genesys Cloud did not sign you in: {}.",
                screenpop_card::inert(why)
            )));
        }
    }
}

/// The query of the browser's `GET /?…`, or `None` for anything else.
async fn request_query(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 || buf.len() + n > MAX_REQUEST_BYTES {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = std::str::from_utf8(&buf).ok()?;
    let target = head.strip_prefix("GET ")?.split(' ').next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    (path == "/").then(|| query.to_owned())
}

/// A plain-text page: nothing the browser could run.
async fn answer(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = if status == 200 { "OK" } else { "Bad Request" };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// `POST /oauth/token` with the code and the verifier.
async fn exchange(
    http: &reqwest::Client,
    login: &Url,
    client_id: &str,
    redirect: &str,
    verifier: &str,
    code: &str,
) -> Result<AccessToken> {
    let url = login
        .join("oauth/token")
        .map_err(|e| Error::Config(format!("The Genesys token address is not valid: {e}.")))?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("code_verifier", verifier),
        ("client_id", client_id),
        ("redirect_uri", redirect),
    ];
    let host = url.host_str().unwrap_or_default().to_owned();
    let unreachable = |e: reqwest::Error| {
        Error::from(screenpop_api::Error::Unreachable {
            host: host.clone(),
            reason: if e.is_timeout() {
                "it did not answer in time".to_owned()
            } else {
                "the connection failed".to_owned()
            },
        })
    };
    let response = http
        .post(url.clone())
        .form(&form)
        .timeout(TOKEN_TIMEOUT)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let text = |k: &str| {
        body.get(k)
            .and_then(|v| v.as_str())
            .map(screenpop_card::inert)
    };
    if !status.is_success() {
        let why = text("error_description")
            .or_else(|| text("error"))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(Error::Config(format!(
            "Genesys Cloud refused the sign-in: {why}. Check the profile's OAuth client id with the Genesys admin, and sign in again."
        )));
    }
    let token = body
        .get("access_token")
        .and_then(|v| v.as_str())
        .and_then(|t| ApiKey::new(t).ok())
        .ok_or_else(|| {
            Error::Config(
                "Genesys Cloud answered the sign-in without a usable access token.".to_owned(),
            )
        })?;
    let lifetime = body
        .get("expires_in")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(86_399);
    Ok(AccessToken {
        token,
        expires: SystemTime::now() + Duration::from_secs(lifetime),
    })
}

/// `len` characters of PKCE's unreserved alphabet, from the OS's randomness.
fn random_text(len: usize) -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Config(format!("No randomness for the sign-in: {e}.")))?;
    // A modulo of 66 makes 58 of the characters a third likelier than the other 8: 64 of them
    // still carry over 370 bits, far more than a one-time verifier needs.
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_is_long_and_unreserved() {
        let v = random_text(64).unwrap();
        assert_eq!(v.len(), 64);
        assert!(v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        assert_ne!(v, random_text(64).unwrap());
    }

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }
}
