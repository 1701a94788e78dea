//! The watcher over the runtime's real audit trail: transactions recorded as a node serves
//! them (the runtime's inner instructions, its errors as the RPC serializes them), read through
//! the JSON-RPC shim by `zkgate-watch` exactly as from a cluster: approved transfers decode with
//! their fields, a refusal carries zkgate's error code, a governance action alerts, and a
//! second pass finds nothing new.
use std::sync::Arc;

use solana_sdk::signature::Signer;
use zkgate::errors::ZkgateError;
use zkgate_client::ix;
use zkgate_tests::rpc::RpcShim;
use zkgate_tests::*;
use zkgate_watch::decode::Event;
use zkgate_watch::ingest::Watcher;
use zkgate_watch::metrics::Metrics;
use zkgate_watch::rpc::Rpc;
use zkgate_watch::rules::{Refusals, Rules};
use zkgate_watch::store::{Store, MIGRATIONS};

const EXPIRY: i64 = 4_000_000_000;

/// A watcher of `url` into a fresh SQLite store, alerting on every refusal and governance
/// action; its store and metrics.
async fn watcher(url: &str) -> (Watcher, Store, Arc<Metrics>) {
    let db = zkgate_db::Database::connect(&zkgate_db::testing::sqlite_url(), MIGRATIONS)
        .await
        .unwrap();
    let store = Store::new(db);
    let rules = Rules {
        velocity: None,
        structuring: None,
        fan_out: None,
        fan_in: None,
        refusals: Some(Refusals {
            window_secs: 3600,
            min_count: 1,
        }),
        governance: true,
        stale_roots: None,
    };
    let metrics = Arc::new(Metrics::default());
    let watcher = Watcher::new(
        Rpc::new(url),
        store.clone(),
        rules,
        zkgate::ID.to_string(),
        zkgate::EVENT_AUTHORITY_AND_BUMP.0.to_string(),
        metrics.clone(),
    );
    (watcher, store, metrics)
}

#[tokio::test]
async fn the_watcher_reads_the_runtimes_audit_trail() {
    let mut w = World::new(TokenKind::Token2022).await;
    let history = w.record_history();
    let alice = w.wallet(1_000_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    w.transfer(&alice, &bob, 2_500).await.expect("transfer");
    // A proof replayed after its transfer: refused on chain (the window volume it committed to
    // is now understated).
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 700, valid_until).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let signer = alice.keypair.insecure_clone();
    let transfer = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(std::slice::from_ref(&transfer), &[&signer])
        .await
        .expect("genuine transfer");
    w.ctx.get_new_latest_blockhash().await.expect("blockhash");
    assert_zkgate_err(
        w.send(&[transfer], &[&signer]).await,
        ZkgateError::WindowVolumeUnderstated,
    );
    let admin = w.admin.insecure_clone();
    w.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin])
        .await
        .expect("pause");

    let shim = RpcShim::with_history(w.ctx.banks_client.clone(), history.clone()).await;
    let event_authority = zkgate::EVENT_AUTHORITY_AND_BUMP.0;
    let (watcher, store, _) = watcher(&shim.url).await;
    let pass = watcher.sync().await.expect("pass");
    let zkgate_txs = history
        .transactions()
        .iter()
        .filter(|r| r.keys.contains(&zkgate::ID))
        .count();
    assert_eq!(pass.stored, zkgate_txs, "every zkgate transaction, once");
    assert!(!pass.incomplete);

    // The transfers, decoded from the runtime's own inner instructions.
    let transfers = store
        .transfers_from(&alice.keypair.pubkey().to_string(), 0)
        .await
        .unwrap();
    let mut amounts: Vec<u64> = transfers.iter().map(|t| t.amount).collect();
    amounts.sort();
    assert_eq!(amounts, vec![700, 2_500]);
    assert!(transfers
        .iter()
        .all(|t| t.recipient == bob.keypair.pubkey().to_string()));
    // The replay's refusal, with zkgate's error code; the pause, as a governance alert.
    let code = 6000 + ZkgateError::WindowVolumeUnderstated as u32;
    let refusals = store.refusals(code, 0).await.unwrap();
    assert_eq!(refusals.len(), 1);
    let rules: Vec<(&str, String)> = pass
        .alerts
        .iter()
        .map(|a| (a.rule.as_str(), a.subject.clone()))
        .collect();
    assert!(rules.contains(&("refusals", code.to_string())), "{rules:?}");
    let governance: Vec<_> = pass
        .alerts
        .iter()
        .filter(|a| a.rule == "governance")
        .map(|a| a.detail.clone())
        .collect();
    assert!(
        governance.iter().any(|d| d.starts_with("PauseChanged on ")),
        "{governance:?}"
    );
    // Decoding a recorded transfer directly gives the event's fields.
    let recorded = history
        .transactions()
        .into_iter()
        .find(|r| {
            transfers
                .iter()
                .any(|t| t.amount == 2_500 && t.signature == r.signature)
        })
        .unwrap();
    let tx = zkgate_watch::decode::decode_transaction(
        &recorded.json,
        &zkgate::ID.to_string(),
        &event_authority.to_string(),
    )
    .unwrap();
    assert!(tx.events.iter().any(|(e, _)| matches!(e,
        Event::TransferApproved { amount: 2_500, sender, .. } if *sender == alice.keypair.pubkey().to_string())));
    // Nothing new on a second pass.
    let again = watcher.sync().await.unwrap();
    assert_eq!((again.stored, again.alerts.len()), (0, 0));
}

/// Live, on the runtime: the watcher runs subscribed to the RPC shim's websocket (polling 10
/// minutes away, so only notifications bring transactions in) while the world transacts; the
/// transfer is stored, the replay's refusal and the pause alert, each as it happens.
#[tokio::test]
async fn the_watcher_alerts_as_the_runtime_transacts() {
    use std::time::Duration;
    let mut w = World::new(TokenKind::Spl).await;
    let history = w.record_history();
    let shim = RpcShim::with_history(w.ctx.banks_client.clone(), history.clone()).await;
    let (watcher, store, metrics) = watcher(&shim.url).await;
    let running = watcher.spawn(Duration::from_secs(600), shim.ws_url.clone());
    for _ in 0..1000 {
        if metrics.subscription.up() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(metrics.subscription.up(), "subscribed");
    // Every zkgate transaction from here on is announced once (other transactions are not:
    // the subscription mentions the program). Notifications are counted as the watcher's
    // tasks get to them (this runtime is single-threaded and proving blocks it), so checked
    // eventually.
    let zkgate_recorded = || {
        history
            .transactions()
            .iter()
            .filter(|r| r.keys.contains(&zkgate::ID))
            .count() as u64
    };
    let already = zkgate_recorded();
    let every_one_announced = || async {
        for _ in 0..1000 {
            if metrics.subscription.notifications() == zkgate_recorded() - already {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{} notifications for {} zkgate transactions",
            metrics.subscription.notifications(),
            zkgate_recorded() - already
        );
    };
    assert_eq!(
        history.pubsub().subscriptions(),
        vec![serde_json::json!([{"mentions": [zkgate::ID.to_string()]},
                                 {"commitment": "confirmed"}])]
    );
    let alice = w.wallet(1_000_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 700, valid_until).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let signer = alice.keypair.insecure_clone();
    let transfer = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(std::slice::from_ref(&transfer), &[&signer])
        .await
        .expect("transfer");
    let sender = alice.keypair.pubkey().to_string();
    let mut live = false;
    for _ in 0..1000 {
        if store.transfers_from(&sender, 0).await.unwrap().len() == 1 {
            live = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(live, "the transfer stored as it lands");
    every_one_announced().await;

    let alerts = |rule: &'static str| {
        let store = store.clone();
        async move {
            store
                .alerts(false, 100)
                .await
                .unwrap()
                .into_iter()
                .filter(|a| a.rule == rule)
                .map(|a| (a.subject, a.detail))
                .collect::<Vec<_>>()
        }
    };
    let code = 6000 + ZkgateError::WindowVolumeUnderstated as u32;
    w.ctx.get_new_latest_blockhash().await.expect("blockhash");
    assert_zkgate_err(
        w.send(&[transfer], &[&signer]).await,
        ZkgateError::WindowVolumeUnderstated,
    );
    let mut refused = vec![];
    for _ in 0..1000 {
        refused = alerts("refusals").await;
        if !refused.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(refused.len(), 1, "the refusal alerts as it happens");
    assert_eq!(refused[0].0, code.to_string(), "{refused:?}");
    every_one_announced().await;

    let admin = w.admin.insecure_clone();
    w.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin])
        .await
        .expect("pause");
    let mut paused = false;
    for _ in 0..1000 {
        if alerts("governance")
            .await
            .iter()
            .any(|(_, d)| d.starts_with("PauseChanged on "))
        {
            paused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(paused, "the pause alerts as it happens");
    every_one_announced().await;
    running.stop().await;
}
