//! `cargo bench -p zkgate-watch --bench ingest` (`scripts/with-postgres.sh` adds PostgreSQL):
//! transactions and events ingested per second from a recorded history served by a JSON-RPC
//! node on loopback (fetch, decode, store, rules), and the latency from a transaction's
//! availability on the node to its alert, with the watcher polling every 100 ms.
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
    let watcher = Watcher::new(
        Rpc::new(&url),
        store.clone(),
        Rules::default(),
        zkgate::ID.to_string(),
        event_authority().to_string(),
        Arc::new(Metrics::default()),
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
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(watcher.clone().run(Duration::from_millis(100), async {
        let _ = stop_rx.await;
    }));
    let mut latencies = vec![];
    for k in 0..10u64 {
        tokio::time::sleep(Duration::from_millis(37 * (k % 3) + 50)).await;
        let before = store.alerts(false, 1).await.unwrap().first().map(|a| a.id);
        let pause = zkgate::events::PauseChanged {
            admin: wallet(1),
            paused: k % 2 == 0,
        }
        .data();
        let n = TRANSACTIONS + 1 + k;
        node.lock()
            .unwrap()
            .history
            .push(committed(n, 2_000_000 + n as i64, 1, &[pause], false));
        let t = Instant::now();
        loop {
            let newest = store.alerts(false, 1).await.unwrap().first().map(|a| a.id);
            if newest != before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        latencies.push(t.elapsed());
    }
    let _ = stop_tx.send(());
    running.await.unwrap();
    latencies.sort();
    println!(
        "{backend:?}: transaction on the node to its alert, polling every 100 ms: p50 {:.0} ms, \
         max {:.0} ms (10 samples)",
        latencies[5].as_secs_f64() * 1e3,
        latencies[9].as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    run(Backend::Sqlite).await;
    if std::env::var(zkgate_db::testing::POSTGRES_URL_VAR).is_ok() {
        run(Backend::Postgres).await;
    }
}
