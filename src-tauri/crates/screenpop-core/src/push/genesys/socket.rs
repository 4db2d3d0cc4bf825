//! The notification WebSocket: opened at the address Genesys gave (never built by hand), over
//! TLS with the system's trust store, or plain only to this machine; bounded in time and size.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

/// An open notification socket.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Time allowed to open the socket.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest message read at all: far above a call snapshot, so an oversized one is dropped by the
/// reader with a count rather than ending the connection; below what could hurt memory.
const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// Opens `uri`: `wss`, or `ws` when everything stays on this machine.
pub(crate) async fn open(uri: &str, loopback: bool) -> Result<Socket, String> {
    let scheme_ok = uri.starts_with("wss://") || (loopback && uri.starts_with("ws://"));
    if !scheme_ok {
        return Err("Genesys Cloud gave a notification address that is not wss://".to_owned());
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let connector = if uri.starts_with("wss://") {
        Some(Connector::Rustls(Arc::new(crate::push::platform_tls()?)))
    } else {
        None
    };
    let opening =
        tokio_tungstenite::connect_async_tls_with_config(uri, Some(config), true, connector);
    match tokio::time::timeout(OPEN_TIMEOUT, opening).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(e)) => Err(format!("could not open the notification socket: {e}")),
        Err(_) => Err("the notification socket did not open in time".to_owned()),
    }
}
