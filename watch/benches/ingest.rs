//! `cargo bench -p zkgate-watch --bench ingest` (`scripts/with-postgres.sh` adds PostgreSQL):
//! transactions and events ingested per second from a recorded history served by a JSON-RPC
//! node on loopback (fetch, decode, store, rules), and the latency from a transaction's
//! availability on the node to its alert, with the watcher polling every 100 ms and with it
//! woken by its `logsSubscribe` subscription.
use std::sync::Arc;
use std::time::{Duration, Instant};

use anchor_lang::Event as _;
use zkgate_db::{Backend, Database};
use zkgate_watch::ingest::Watcher;
use zkgate_watch::metrics::Metrics;
use zkgate_watch::rpc::Rpc;
use zkgate_watch::rules::Rules;
use zkgate_watch::store::{Store, MIGRATIONS};
use zkgate_watch::testing::*;

const TRANSACTIONS: u64 = 3_000;

async fn run(backend: Backend) {
    let node: Shared = Arc::default();
    {
        let mut n = node.lock().unwrap();
        for i in 1..=TRANSACTIONS {
            // 200 senders to 200 recipients, one refusal in twenty, over about a day.
            let s = (i % 200) as u8;
            let r = ((i * 7) % 200) as u8 + 1;
            n.history.push(if i % 20 == 0 {
                refused(i, 1_000_000 + 30 * i as i64, s, 6019)
            } else {
                committed(
                    i,
                    1_000_000 + 30 * i as i64,
                    s,
                    &[transfer(s, r, 10 + i)],
                    false,
                )
            });
        }
    }
    let url = serve_node(node.clone()).await;
    let db = Database::connect(&zkgate_db::testing::url(backend).await, MIGRATIONS)
        .await
        .unwrap();
    let store = Store::new(db);
    let metrics = Arc::new(Metrics::default());
    let watcher = Watcher::new(
        Rpc::new(&url),
        store.clone(),
        Rules::default(),
        zkgate::ID.to_string(),
        event_authority().to_string(),
        metrics.clone(),
    );
    let started = Instant::now();
    let pass = watcher.sync().await.unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(pass.stored as u64, TRANSACTIONS);
    let events = TRANSACTIONS - TRANSACTIONS / 20;
    println!(
        "{backend:?}: {TRANSACTIONS} transactions ({events} transfer events) with every default \
         rule in {elapsed:.2} s: {:.0} transactions/s, {:.0} events/s; {} alerts",
        TRANSACTIONS as f64 / elapsed,
        events as f64 / elapsed,
        pass.alerts.len()
    );

    // Latency: a governance action appears on the node; the running watcher alerts on it.
    // Polling every 100 ms, then with the subscription (polling every 10 min).
    let poll = latency(
        &metrics,
        &node,
        &store,
        &watcher,
        Duration::from_millis(100),
        None,
        0,
    )
    .await;
    let ws_url = serve_pubsub(node.clone()).await;
    let live = latency(
        &metrics,
        &node,
        &store,
        &watcher,
        Duration::from_secs(600),
        Some(ws_url),
        100,
    )
    .await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{backend:?}: transaction on the node to its alert ({SAMPLES} samples each): polling every \
         100 ms p50 {:.1} ms, max {:.1} ms; subscribed p50 {:.1} ms, max {:.1} ms ({:.2}x of \
         polling's p50)",
        ms(poll[SAMPLES / 2]),
        ms(poll[SAMPLES - 1]),
        ms(live[SAMPLES / 2]),
        ms(live[SAMPLES - 1]),
        live[SAMPLES / 2].as_secs_f64() / poll[SAMPLES / 2].as_secs_f64()
    );
}

const SAMPLES: usize = 20;

/// Latencies (sorted) from a pause action's appearance on the node to its alert, with the
/// watcher running at `poll` and, with `ws_url`, subscribed.
async fn latency(
    metrics: &Metrics,
    node: &Shared,
    store: &Store,
    watcher: &Watcher,
    poll: Duration,
    ws_url: Option<String>,
    offset: u64,
) -> Vec<Duration> {
    let subscribed = ws_url.is_some();
    let stats = metrics.subscription.clone();
    let running = watcher.clone().spawn(poll, ws_url);
    if subscribed {
        while !stats.up() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let mut latencies = vec![];
    for k in 0..SAMPLES as u64 {
        tokio::time::sleep(Duration::from_millis(37 * (k % 3) + 50)).await;
        let before = store.alerts(false, 1).await.unwrap().first().map(|a| a.id);
        let pause = zkgate::events::PauseChanged {
            admin: wallet(1),
            paused: k % 2 == 0,
        }
        .data();
        let n = TRANSACTIONS + 1 + offset + k;
        let t = Instant::now();
        publish(node, committed(n, 2_000_000 + n as i64, 1, &[pause], false));
        loop {
            let newest = store.alerts(false, 1).await.unwrap().first().map(|a| a.id);
            if newest != before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(t.elapsed());
    }
    running.stop().await;
    latencies.sort();
    latencies
}

#[tokio::main]
async fn main() {
    run(Backend::Sqlite).await;
    if std::env::var(zkgate_db::testing::POSTGRES_URL_VAR).is_ok() {
        run(Backend::Postgres).await;
    }
}
