//! A fleet's own web server on loopback, behind TLS with a throw-away CA (the sandbox's
//! terminator): what publishes the signed update manifest. Programs under test trust it through
//! `SSL_CERT_FILE`.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The fleet's web server: serves whatever body it holds at any path, and counts requests.
pub(crate) struct FleetServer {
    body: Arc<Mutex<Vec<u8>>>,
    hits: Arc<AtomicUsize>,
    https: SocketAddr,
    pub(crate) ca: tempfile::NamedTempFile,
    // Serves the two servers' tasks for as long as this lives.
    _runtime: tokio::runtime::Runtime,
}

impl FleetServer {
    pub(crate) fn start() -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let body = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let ca = tempfile::NamedTempFile::new().unwrap();
        let (served, counted) = (body.clone(), hits.clone());
        let https = runtime.block_on(async {
            let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let plain_at = plain.local_addr().unwrap();
            tokio::spawn(async move {
                while let Ok((mut socket, _)) = plain.accept().await {
                    let (served, counted) = (served.clone(), counted.clone());
                    tokio::spawn(async move {
                        let mut request = [0u8; 4096];
                        let _ = socket.read(&mut request).await;
                        counted.fetch_add(1, Ordering::SeqCst);
                        let body = served.lock().unwrap().clone();
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(&body).await;
                    });
                }
            });
            screenpop_sandbox::tls::terminator(plain_at, ca.path())
                .await
                .unwrap()
        });
        Self {
            body,
            hits,
            https,
            ca,
            _runtime: runtime,
        }
    }

    pub(crate) fn serve(&self, body: impl Into<Vec<u8>>) {
        *self.body.lock().unwrap() = body.into();
    }

    /// Requests served so far.
    pub(crate) fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub(crate) fn url(&self) -> String {
        format!("https://127.0.0.1:{}/screenpop.json", self.https.port())
    }
}
