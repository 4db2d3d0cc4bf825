//! A slow road to the sandbox: a proxy that adds round-trip latency, behind the sandbox's TLS
//! terminator (`screenpop_sandbox::tls`).
//!
//! Without kernel traffic shaping (netem is often unavailable in containers) the proxy delays
//! every chunk by half the round trip in each direction and holds a connection's first bytes
//! for one more round trip, the one TCP's handshake would have cost. A fresh connection thus
//! costs TCP + TLS + request, three round trips, and a warm one costs one, as on a real network.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::error::{BenchError, Result};

/// Forwards a loopback port to `upstream` with `rtt` of round-trip time (see the module).
pub(crate) async fn latency_proxy(upstream: SocketAddr, rtt: Duration) -> Result<SocketAddr> {
    let listener = bind().await?;
    let addr = listener
        .local_addr()
        .map_err(BenchError::io("proxy port"))?;
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let _ = client.set_nodelay(true);
            tokio::spawn(async move {
                let Ok(up) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = up.set_nodelay(true);
                let (cr, cw) = client.into_split();
                let (ur, uw) = up.into_split();
                // The handshake's round trip, paid before the client's first bytes arrive.
                tokio::spawn(delay_line(cr, uw, rtt / 2, rtt));
                tokio::spawn(delay_line(ur, cw, rtt / 2, Duration::ZERO));
            });
        }
    });
    Ok(addr)
}

async fn bind() -> Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(BenchError::io("binding a loopback port"))
}

/// Copies `from` to `to`, each chunk arriving `one_way` after it was read (plus `first_extra`
/// for the first), in order, without holding back the chunks behind it.
async fn delay_line(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    one_way: Duration,
    first_extra: Duration,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut extra = first_extra;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let due = Instant::now() + one_way + std::mem::take(&mut extra);
                if tx.send((due, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}
