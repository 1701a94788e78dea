//! The live trigger: a `logsSubscribe` subscription on the node's websocket for transactions
//! that mention the program, at `confirmed` commitment. A notification only wakes the
//! watcher; what it stores still comes from the checkpointed backfill (`getSignaturesForAddress`
//! then `getTransaction`), so a notification lost, duplicated or reordered, or a connection
//! dropped, never loses or double-counts a transaction: after every (re)connection the
//! watcher passes once to cover the gap.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use solana_commitment_config::CommitmentConfig;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_types::config::{RpcTransactionLogsConfig, RpcTransactionLogsFilter};
use tokio::sync::Notify;

/// The subscription's state, for metrics and readiness.
#[derive(Debug, Default)]
pub struct SubscriptionStats {
    enabled: AtomicBool,
    up: AtomicBool,
    connects: AtomicU64,
    notifications: AtomicU64,
    failures: AtomicU64,
}

impl SubscriptionStats {
    /// Whether the watcher subscribes at all (`--subscribe`).
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Whether the subscription is live now.
    pub fn up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Subscriptions established (the first and every reconnection).
    pub fn connects(&self) -> u64 {
        self.connects.load(Ordering::Relaxed)
    }

    /// Notifications received.
    pub fn notifications(&self) -> u64 {
        self.notifications.load(Ordering::Relaxed)
    }

    /// Connections or subscriptions that failed, or dropped.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

/// The websocket URL a node serves next to its JSON-RPC URL, as Solana's tools derive it:
/// `http` → `ws`, `https` → `wss`, an explicit port one higher (the validator's convention,
/// 8899 → 8900), a default port kept, the rest (credentials, path, query) as is. `None` when
/// the URL is neither `http://` nor `https://` or its port is 65535.
pub fn websocket_url(rpc_url: &str) -> Option<String> {
    let mut url = url::Url::parse(rpc_url).ok()?;
    let scheme = match url.scheme() {
        "http" => "ws",
        "https" => "wss",
        _ => return None,
    };
    let port = url.port();
    url.set_scheme(scheme).ok()?;
    if let Some(port) = port {
        url.set_port(Some(port.checked_add(1)?)).ok()?;
    }
    Some(url.to_string())
}

/// `url` for logs: scheme, host and port only (providers put API keys in the path, the query
/// or the credentials).
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or("?"),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "(the --ws-url)".to_string(),
    }
}

/// How long a connection's handshake or the subscription's answer may take.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// Subscribes to `program`'s transactions at `url` and wakes `wake` on each, until `stop`
/// resolves; reconnects with a backoff of 0.5 s doubling to 30 s (reset once subscribed).
pub async fn run(
    url: String,
    program: String,
    wake: Arc<Notify>,
    stats: Arc<SubscriptionStats>,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    stats.enabled.store(true, Ordering::Relaxed);
    let mut backoff = Duration::from_millis(500);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            subscribed = session(&url, &program, &wake, &stats, &mut backoff) => {
                stats.up.store(false, Ordering::Relaxed);
                stats.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    "subscription to {} ended ({subscribed}); reconnecting in {} ms \
                     (passes continue every --poll-ms meanwhile)",
                    redacted(&url),
                    backoff.as_millis()
                );
            }
        }
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
    stats.up.store(false, Ordering::Relaxed);
}

/// One connection: subscribes, wakes the watcher (to cover what happened while disconnected),
/// then wakes it on every notification; returns why it ended.
async fn session(
    url: &str,
    program: &str,
    wake: &Notify,
    stats: &SubscriptionStats,
    backoff: &mut Duration,
) -> String {
    let client = match tokio::time::timeout(HANDSHAKE, PubsubClient::new(url)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return format!("connect: {e}"),
        Err(_) => return format!("connect: no handshake within {HANDSHAKE:?}"),
    };
    let subscribing = client.logs_subscribe(
        RpcTransactionLogsFilter::Mentions(vec![program.to_string()]),
        RpcTransactionLogsConfig {
            commitment: Some(CommitmentConfig::confirmed()),
        },
    );
    let (mut notifications, _unsubscribe) = match tokio::time::timeout(HANDSHAKE, subscribing).await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return format!("logsSubscribe: {e}"),
        Err(_) => return format!("logsSubscribe: no answer within {HANDSHAKE:?}"),
    };
    stats.up.store(true, Ordering::Relaxed);
    stats.connects.fetch_add(1, Ordering::Relaxed);
    *backoff = Duration::from_millis(500);
    tracing::info!(
        "subscribed to the program's transactions at {}",
        redacted(url)
    );
    wake.notify_one();
    while notifications.next().await.is_some() {
        stats.notifications.fetch_add(1, Ordering::Relaxed);
        wake.notify_one();
    }
    "the node closed the connection".to_string()
}
