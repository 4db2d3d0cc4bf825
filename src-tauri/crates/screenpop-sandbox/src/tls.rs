//! TLS in front of a plaintext server on loopback, with a throw-away certificate authority made
//! for the run: what the benchmark's slow road and the tests of HTTPS-only clients (the update
//! manifest) put in front of the sandbox or a server of their own. Clients trust it through the
//! CA file it writes (`SSL_CERT_FILE`, which the platform verifier reads on Linux).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

use crate::SandboxError;

/// Serves TLS for `127.0.0.1` and `localhost` on a loopback port and forwards the plaintext to
/// `upstream`. Writes the CA certificate clients must trust to `ca_file`. Returns the TLS port.
pub async fn terminator(upstream: SocketAddr, ca_file: &Path) -> Result<SocketAddr, SandboxError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| SandboxError::Tls(format!("{what}: {e}"));
    let ca_key = rcgen::KeyPair::generate().map_err(|e| fail("CA key", &e))?;
    let mut ca =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| fail("CA params", &e))?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "screenpop sandbox CA");
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| fail("CA cert", &e))?;
    let leaf_key = rcgen::KeyPair::generate().map_err(|e| fail("key", &e))?;
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .map_err(|e| fail("cert params", &e))?
        .signed_by(&leaf_key, &ca_cert, &ca_key)
        .map_err(|e| fail("cert", &e))?;
    std::fs::write(ca_file, ca_cert.pem()).map_err(|e| fail("writing the CA file", &e))?;

    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| fail("TLS versions", &e))?
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .map_err(|e| fail("TLS config", &e))?;
    // The sandbox speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| fail("TLS port", &e))?;
    let addr = listener.local_addr().map_err(|e| fail("TLS port", &e))?;
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(client).await else {
                    return;
                };
                if let Ok(mut up) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                }
            });
        }
    });
    Ok(addr)
}
