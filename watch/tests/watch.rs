//! The watcher against a JSON-RPC node on loopback that replays a recorded history (with the
//! quirks of real nodes: duplicates, reordering within a page, a transaction not served yet,
//! failing calls), on SQLite and PostgreSQL: decoding, checkpointed ingestion across a restart,
//! every rule with a positive and a negative case, and the HTTP API's answers and refusals.
use std::sync::Arc;

use anchor_lang::Event as _;
use serde_json::{json, Value};
use zkgate::events::*;
use zkgate_db::{testing, Backend, Database};
use zkgate_watch::decode::{decode_transaction, DecodeError, Event};
use zkgate_watch::ingest::Watcher;
use zkgate_watch::metrics::Metrics;
use zkgate_watch::rpc::Rpc;
use zkgate_watch::rules::{Fan, Refusals, Rules, StaleRoots, Structuring, Velocity};
use zkgate_watch::store::{Store, MIGRATIONS};
use zkgate_watch::testing::*;
use zkgate_watch::{app, AppState};

fn watcher(url: &str, store: &Store, rules: Rules) -> (Watcher, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::default());
    let w = Watcher::new(
        Rpc::new(url),
        store.clone(),
        rules,
        zkgate::ID.to_string(),
        event_authority().to_string(),
        metrics.clone(),
    )
    .with_page(7);
    (w, metrics)
}

fn no_rules() -> Rules {
    Rules {
        velocity: None,
        structuring: None,
        fan_out: None,
        fan_in: None,
        refusals: None,
        governance: false,
        stale_roots: None,
    }
}

async fn store(backend: Backend) -> Store {
    Store::new(
        Database::connect(&testing::url(backend).await, MIGRATIONS)
            .await
            .unwrap(),
    )
}

#[test]
fn transactions_decode_and_forged_events_are_ignored() {
    let r = committed(1, 1000, 10, &[transfer(10, 11, 500)], true);
    let tx = decode_transaction(
        &r.tx,
        &zkgate::ID.to_string(),
        &event_authority().to_string(),
    )
    .unwrap();
    assert_eq!(tx.signature, r.signature);
    assert_eq!((tx.slot, tx.block_time, tx.error_code), (1, 1000, None));
    assert_eq!(tx.fee_payer, wallet(10).to_string());
    // Only zkgate's own, authority-signed event: not another program's, not another signer's.
    assert_eq!(tx.events.len(), 1);
    assert_eq!(
        tx.events[0].0,
        Event::TransferApproved {
            rule_set_id: 1,
            sender: wallet(10).to_string(),
            recipient: wallet(11).to_string(),
            mint: wallet(201).to_string(),
            amount: 500,
        }
    );
    let f = decode_transaction(
        &refused(2, 1000, 10, 6042).tx,
        &zkgate::ID.to_string(),
        &event_authority().to_string(),
    )
    .unwrap();
    assert_eq!((f.error_code, f.events.len()), (Some(6042), 0));
    // Malformed: no slot; an event tag with a body zkgate does not define.
    let mut bad = r.tx.clone();
    bad.as_object_mut().unwrap().remove("slot");
    assert_eq!(
        decode_transaction(
            &bad,
            &zkgate::ID.to_string(),
            &event_authority().to_string()
        ),
        Err(DecodeError::Malformed {
            signature: r.signature.clone(),
            field: "slot"
        })
    );
    let junk = committed(3, 1000, 10, &[vec![1, 2, 3, 4, 5, 6, 7, 8, 9]], false);
    assert!(matches!(
        decode_transaction(
            &junk.tx,
            &zkgate::ID.to_string(),
            &event_authority().to_string()
        ),
        Err(DecodeError::Event { index: 0, .. })
    ));
    // Every governance event decodes with its name.
    let pause = PauseChanged {
        admin: wallet(1),
        paused: true,
    }
    .data();
    let g = committed(4, 1000, 1, &[pause], false);
    let g = decode_transaction(
        &g.tx,
        &zkgate::ID.to_string(),
        &event_authority().to_string(),
    )
    .unwrap();
    assert_eq!(g.events[0].0.kind(), "PauseChanged");
}

async fn ingestion_resumes_after_a_restart_and_stores_each_transaction_once(backend: Backend) {
    let node: Shared = Arc::default();
    {
        let mut n = node.lock().unwrap();
        n.quirky = true;
        for i in 1..=30u64 {
            n.history.push(if i % 5 == 0 {
                refused(i, 1000 + i as i64, 10, 6000)
            } else {
                committed(i, 1000 + i as i64, 10, &[transfer(10, 11, i)], false)
            });
        }
        // The 31st is listed but not served yet.
        n.history
            .push(committed(31, 1031, 10, &[transfer(10, 11, 31)], false));
        let sig = n.history[30].signature.clone();
        n.not_yet.push((sig, 1));
        n.failing = 1;
    }
    let url = serve_node(node.clone()).await;
    let store = store(backend).await;
    let (w, metrics) = watcher(&url, &store, no_rules());
    // The first call fails (HTTP 500): the pass fails, nothing is stored.
    assert!(w.sync().await.is_err());
    assert_eq!(store.checkpoint().await.unwrap(), None);
    let pass = w.sync().await.unwrap();
    assert_eq!(pass.stored, 30);
    assert!(pass.incomplete, "stopped at the transaction not served yet");
    assert!(pass.duplicates > 0, "the node's duplicates were skipped");
    assert_eq!(
        store.checkpoint().await.unwrap().map(|c| c.1),
        Some(30),
        "checkpoint at the last stored, in order"
    );
    let text = metrics.render();
    assert!(
        text.contains("zkgate_watch_transactions_total{outcome=\"committed\",error=\"\"} 24"),
        "{text}"
    );
    assert!(text.contains("zkgate_watch_transactions_total{outcome=\"refused\",error=\"6000\"} 6"));
    assert!(text.contains("zkgate_watch_events_total{kind=\"TransferApproved\"} 24"));
    assert!(
        !text.contains(&wallet(10).to_string()),
        "no wallet in the metrics"
    );

    // A restart: a new watcher on the same database, with more history.
    {
        let mut n = node.lock().unwrap();
        for i in 32..=40u64 {
            n.history.push(committed(
                i,
                1000 + i as i64,
                12,
                &[transfer(12, 13, i)],
                false,
            ));
        }
    }
    let (w2, _) = watcher(&url, &store, no_rules());
    let pass = w2.sync().await.unwrap();
    assert_eq!(pass.stored, 10, "the 31st and the 9 new ones");
    assert!(!pass.incomplete);
    let again = w2.sync().await.unwrap();
    assert_eq!((again.stored, again.incomplete), (0, false));
    // Exactly once each: 40 transactions, 34 transfers.
    let count = |sql: &'static str| {
        let db = store.db().clone();
        async move {
            use sqlx::Row;
            sqlx::query(sql)
                .fetch_one(db.pool())
                .await
                .unwrap()
                .get::<i64, _>(0)
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM watch_transactions").await, 40);
    assert_eq!(count("SELECT COUNT(*) FROM watch_events").await, 34);
    assert_eq!(store.checkpoint().await.unwrap().map(|c| c.1), Some(40));
}

/// A node whose paging loops (it ignores `before`) ends the listing instead of growing it.
#[tokio::test]
async fn a_looping_node_does_not_hang_the_watcher() {
    let node: Shared = Arc::default();
    {
        let mut n = node.lock().unwrap();
        n.loops = true;
        for i in 1..=20u64 {
            n.history.push(committed(
                i,
                1000 + i as i64,
                10,
                &[transfer(10, 11, i)],
                false,
            ));
        }
    }
    let url = serve_node(node).await;
    let store = store(Backend::Sqlite).await;
    let (w, _) = watcher(&url, &store, no_rules());
    let pass = tokio::time::timeout(std::time::Duration::from_secs(10), w.sync())
        .await
        .expect("the pass ends")
        .unwrap();
    assert_eq!(pass.stored, 7, "the one page the node serves");
    assert_eq!(pass.duplicates, 7, "the repeated page");
}

#[tokio::test]
async fn sqlite_ingestion_resumes_after_a_restart_and_stores_each_transaction_once() {
    ingestion_resumes_after_a_restart_and_stores_each_transaction_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_ingestion_resumes_after_a_restart_and_stores_each_transaction_once() {
    ingestion_resumes_after_a_restart_and_stores_each_transaction_once(Backend::Postgres).await;
}

/// Runs `history` through a watcher with `rules`; the alerts' rules and subjects.
async fn alerts_for(rules: Rules, history: Vec<Recorded>) -> Vec<(String, String, usize)> {
    let node: Shared = Arc::default();
    node.lock().unwrap().history = history;
    let url = serve_node(node).await;
    let store = store(Backend::Sqlite).await;
    let (w, _) = watcher(&url, &store, rules);
    let pass = w.sync().await.unwrap();
    pass.alerts
        .iter()
        .map(|a| (a.rule.clone(), a.subject.clone(), a.signatures.len()))
        .collect()
}

#[tokio::test]
async fn each_rule_alerts_past_its_threshold_and_not_below() {
    let w = |n: u8| wallet(n).to_string();
    // Velocity: 4 transfers in an hour against a maximum of 3; 3 do not alert, nor 4 spread
    // over more than the window.
    let velocity = Rules {
        velocity: Some(Velocity {
            window_secs: 3600,
            max_count: 3,
            max_amount: None,
        }),
        ..no_rules()
    };
    let burst = |n: u64, gap: i64| {
        (1..=n)
            .map(|i| {
                committed(
                    i,
                    10_000 + gap * i as i64,
                    10,
                    &[transfer(10, 11, 5)],
                    false,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        alerts_for(velocity.clone(), burst(4, 60)).await,
        vec![("velocity".into(), w(10), 4)]
    );
    assert!(alerts_for(velocity.clone(), burst(3, 60)).await.is_empty());
    assert!(alerts_for(velocity, burst(4, 1300)).await.is_empty());
    // Velocity by amount.
    let by_amount = Rules {
        velocity: Some(Velocity {
            window_secs: 3600,
            max_count: 100,
            max_amount: Some(1000),
        }),
        ..no_rules()
    };
    let amounts = |a: &[u64]| {
        a.iter()
            .enumerate()
            .map(|(i, &x)| {
                committed(
                    i as u64 + 1,
                    10_000 + i as i64,
                    10,
                    &[transfer(10, 11, x)],
                    false,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        alerts_for(by_amount.clone(), amounts(&[600, 401]))
            .await
            .len(),
        1
    );
    assert!(alerts_for(by_amount, amounts(&[600, 400])).await.is_empty());
    // Structuring: 3 transfers at or above 900 in a day; 2 such and one below do not.
    let structuring = Rules {
        structuring: Some(Structuring {
            window_secs: 86_400,
            threshold_amount: 900,
            min_count: 3,
        }),
        ..no_rules()
    };
    assert_eq!(
        alerts_for(structuring.clone(), amounts(&[950, 990, 900])).await,
        vec![("structuring".into(), w(10), 3)]
    );
    assert!(alerts_for(structuring, amounts(&[950, 990, 899]))
        .await
        .is_empty());
    // Fan-out and fan-in: 3 distinct counterparties against a maximum of 2.
    let fan = Some(Fan {
        window_secs: 86_400,
        max_counterparties: 2,
    });
    let out_rules = Rules {
        fan_out: fan.clone(),
        ..no_rules()
    };
    let in_rules = Rules {
        fan_in: fan,
        ..no_rules()
    };
    let spread = |pairs: &[(u8, u8)]| {
        pairs
            .iter()
            .enumerate()
            .map(|(i, &(s, r))| {
                committed(
                    i as u64 + 1,
                    10_000 + i as i64,
                    s,
                    &[transfer(s, r, 5)],
                    false,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        alerts_for(out_rules.clone(), spread(&[(10, 1), (10, 2), (10, 3)])).await,
        vec![("fan_out".into(), w(10), 3)]
    );
    assert!(alerts_for(out_rules, spread(&[(10, 1), (10, 2), (10, 2)]))
        .await
        .is_empty());
    assert_eq!(
        alerts_for(in_rules.clone(), spread(&[(1, 20), (2, 20), (3, 20)])).await,
        vec![("fan_in".into(), w(20), 3)]
    );
    assert!(alerts_for(in_rules, spread(&[(1, 20), (2, 20), (2, 21)]))
        .await
        .is_empty());
    // Refusals: 3 with one code in an hour; 3 spread over two codes do not; then only once.
    let refusals = Rules {
        refusals: Some(Refusals {
            window_secs: 3600,
            min_count: 3,
        }),
        ..no_rules()
    };
    let codes = |c: &[u32]| {
        c.iter()
            .enumerate()
            .map(|(i, &code)| refused(i as u64 + 1, 10_000 + i as i64, 30 + i as u8, code))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        alerts_for(refusals.clone(), codes(&[6010, 6010, 6010, 6010])).await,
        vec![("refusals".into(), "6010".into(), 3)]
    );
    assert!(alerts_for(refusals, codes(&[6010, 6010, 6011]))
        .await
        .is_empty());
    // Governance: every action, or none when switched off.
    let actions = vec![committed(
        1,
        10_000,
        1,
        &[
            PauseChanged {
                admin: wallet(1),
                paused: true,
            }
            .data(),
            transfer(10, 11, 1),
        ],
        false,
    )];
    let on = Rules {
        governance: true,
        ..no_rules()
    };
    let got = alerts_for(on, actions.clone()).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "governance");
    assert!(alerts_for(no_rules(), actions).await.is_empty());
}

#[tokio::test]
async fn stale_roots_alert_once_per_root() {
    let node: Shared = Arc::default();
    let issuer = IssuerAdded {
        issuer: wallet(60),
        id: 1,
        authority: wallet(61),
    }
    .data();
    let list = SanctionsListCreated {
        sanctions_list: wallet(62),
        id: 1,
        authority: wallet(63),
        initial_root: [0; 32],
    }
    .data();
    node.lock().unwrap().history = vec![committed(1, 1000, 1, &[issuer, list], false)];
    let url = serve_node(node.clone()).await;
    let store = store(Backend::Sqlite).await;
    let rules = Rules {
        stale_roots: Some(StaleRoots {
            credential_max_age_secs: 500,
            sanctions_max_age_secs: 100,
        }),
        ..no_rules()
    };
    let (w, _) = watcher(&url, &store, rules);
    w.sync().await.unwrap();
    assert!(w.periodic(1050).await.unwrap().is_empty(), "both fresh");
    let due = w.periodic(1200).await.unwrap();
    assert_eq!(due.len(), 1, "the sanctions list only: {due:?}");
    assert_eq!(due[0].subject, wallet(62).to_string());
    assert!(w.periodic(1300).await.unwrap().is_empty(), "once per root");
    // The list publishes a new root; it is fresh again, then stale again later.
    let root = RootPublished {
        account: wallet(62),
        root: [9; 32],
        sanctions: true,
        published_at: 1250,
    }
    .data();
    node.lock()
        .unwrap()
        .history
        .push(committed(2, 1250, 1, &[root], false));
    w.sync().await.unwrap();
    let later = w.periodic(1600).await.unwrap();
    let mut subjects: Vec<_> = later.iter().map(|a| a.subject.clone()).collect();
    subjects.sort();
    let mut expected = vec![wallet(60).to_string(), wallet(62).to_string()];
    expected.sort();
    assert_eq!(subjects, expected);
    assert_eq!(
        later.len(),
        2,
        "the list's new root and the issuer's first are both stale"
    );
}

#[test]
fn rules_files_are_checked() {
    // The README's example parses, and without structuring it is the default.
    let readme = br#"{
      "velocity":    {"window_secs": 3600, "max_count": 20, "max_amount": null},
      "structuring": {"window_secs": 86400, "threshold_amount": 900000, "min_count": 3},
      "fan_out":     {"window_secs": 86400, "max_counterparties": 25},
      "fan_in":      {"window_secs": 86400, "max_counterparties": 50},
      "refusals":    {"window_secs": 3600, "min_count": 5},
      "governance":  true,
      "stale_roots": {"credential_max_age_secs": 604800, "sanctions_max_age_secs": 86400}
    }"#;
    let mut example = Rules::parse(readme, "README").unwrap();
    assert_eq!(
        example.structuring.take().unwrap().threshold_amount,
        900_000
    );
    assert_eq!(example, Rules::default());
    let ok = Rules::parse(
        br#"{"velocity": {"window_secs": 60, "max_count": 3}}"#,
        "r.json",
    )
    .unwrap();
    assert_eq!(ok.velocity.unwrap().max_count, 3);
    assert!(ok.governance, "governance is on unless switched off");
    let err = Rules::parse(br#"{"velocity": {"window_secs": 60}}"#, "r.json").unwrap_err();
    assert!(err.to_string().contains("max_count"), "{err}");
    let err = Rules::parse(br#"{"velocty": {}}"#, "r.json").unwrap_err();
    assert!(err.to_string().contains("velocty"), "{err}");
    let err = Rules::parse(
        br#"{"fan_in": {"window_secs": 0, "max_counterparties": 3}}"#,
        "r.json",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.json: fan_in.window_secs must be between 1 and 31622400 seconds"
    );
    let err = Rules::parse(
        br#"{"structuring": {"window_secs": 10, "threshold_amount": 5, "min_count": 1}}"#,
        "r.json",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "r.json: structuring.min_count must be at least 2"
    );
}

#[tokio::test]
async fn the_api_lists_and_acknowledges_alerts_and_refuses_bad_requests() {
    let node: Shared = Arc::default();
    node.lock().unwrap().history = vec![committed(
        1,
        1000,
        1,
        &[PauseChanged {
            admin: wallet(1),
            paused: true,
        }
        .data()],
        false,
    )];
    let url = serve_node(node).await;
    let store = store(Backend::Sqlite).await;
    let (w, metrics) = watcher(&url, &store, Rules::default());
    let state = AppState::new(store.clone(), metrics.clone(), vec!["k1".into()], 60);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    let http = reqwest::Client::new();

    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    w.sync().await.unwrap();
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let get = |path: &str, key: Option<&str>| {
        let mut r = http.get(format!("{base}{path}"));
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        r.send()
    };
    let unauthorized = get("/v1/alerts", None).await.unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_eq!(
        get("/v1/alerts", Some("wrong")).await.unwrap().status(),
        401
    );
    let list: Value = get("/v1/alerts", Some("k1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let alerts = list["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["rule"], "governance");
    let id = alerts[0]["id"].as_i64().unwrap();

    let error = |v: Value| (v["error"]["code"].clone(), v["error"]["field"].clone());
    for (query, field) in [
        ("?status=bogus", "status"),
        ("?limit=0", "limit"),
        ("?limit=1001", "limit"),
    ] {
        let r = get(&format!("/v1/alerts{query}"), Some("k1"))
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{query}");
        assert_eq!(
            error(r.json().await.unwrap()),
            (json!("malformed_request"), json!(field))
        );
    }
    let r = get("/v1/alerts?colour=red", Some("k1")).await.unwrap();
    assert_eq!(r.status(), 400);

    let ack = |id: &str, body: Value, key: &str| {
        http.post(format!("{base}/v1/alerts/{id}/acknowledge"))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    let r = ack(&id.to_string(), json!({"by": "carol"}), "nope")
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = ack(&id.to_string(), json!({"by": ""}), "k1").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        error(r.json().await.unwrap()),
        (json!("malformed_request"), json!("by"))
    );
    let r = ack(&id.to_string(), json!({"who": "carol"}), "k1")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = ack("x", json!({"by": "carol"}), "k1").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error(r.json().await.unwrap()).1, json!("id"));
    let r = ack("999", json!({"by": "carol"}), "k1").await.unwrap();
    assert_eq!(r.status(), 404);
    let r = ack(&id.to_string(), json!({"by": "carol"}), "k1")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["acknowledged_by"], "carol");
    let r = ack(&id.to_string(), json!({"by": "dave"}), "k1")
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        error(r.json().await.unwrap()).0,
        json!("already_acknowledged")
    );
    // Open alerts: none left; all: the acknowledged one, still by carol.
    let open: Value = get("/v1/alerts", Some("k1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(open["alerts"].as_array().unwrap().is_empty());
    let all: Value = get("/v1/alerts?status=all", Some("k1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["alerts"][0]["acknowledged_by"], "carol");

    let text = get("/metrics", None).await.unwrap().text().await.unwrap();
    assert!(
        text.contains("zkgate_watch_alerts_total{rule=\"governance\"} 1"),
        "{text}"
    );
    assert!(text.contains("zkgate_watch_http_requests_total"));
    let doc: Value = get("/openapi.json", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/v1/alerts/{id}/acknowledge"]["post"].is_object());
    assert_eq!(get("/nowhere", None).await.unwrap().status(), 404);
}

#[test]
fn report_days_are_checked() {
    use zkgate_watch::report::day_start;
    assert_eq!(day_start("2026-11-26").unwrap(), 1_795_651_200);
    assert_eq!(day_start("2000-02-29").unwrap(), 951_782_400);
    assert_eq!(day_start("1970-01-01").unwrap(), 0);
    use zkgate_watch::report::day_of;
    for day in [
        "2026-11-26",
        "2000-02-29",
        "1970-01-01",
        "2100-03-01",
        "2024-12-31",
    ] {
        let t = day_start(day).unwrap();
        assert_eq!(day_of(t), day);
        assert_eq!(day_of(t + 86_399), day);
    }
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026-11-31",
        "26-11-26",
        "2026/11/26",
        "",
        "2026-11-2x",
    ] {
        let err = day_start(bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("day must be a date YYYY-MM-DD (UTC), got {bad:?}")
        );
    }
}

/// The daily report over a day of history: the HTML page (self-contained, every section and
/// chart, the day's figures, an acknowledged and an open alert) and the CSV files (one row per
/// transfer, refusal and alert; fields with commas quoted), and nothing from the day before.
#[tokio::test]
async fn the_daily_report_has_the_days_figures_charts_and_csv() {
    let day = 1_795_651_200; // 2026-11-26
    let mut history = vec![committed(1, day - 10, 10, &[transfer(10, 11, 7777)], false)];
    for i in 0..5u64 {
        // Five transfers at 09:xx, one at 17:00, from wallet 20 (a velocity alert at 4).
        let t = day + 9 * 3600 + 60 * i as i64;
        history.push(committed(
            2 + i,
            t,
            20,
            &[transfer(20, 21 + i as u8, 100)],
            false,
        ));
    }
    history.push(committed(
        7,
        day + 17 * 3600,
        22,
        &[transfer(22, 23, 250)],
        false,
    ));
    for i in 0..3u64 {
        history.push(refused(8 + i, day + 12 * 3600 + i as i64, 40, 6000));
    }
    history.push(committed(
        11,
        day + 18 * 3600,
        1,
        &[PauseChanged {
            admin: wallet(1),
            paused: true,
        }
        .data()],
        false,
    ));
    let node: Shared = Arc::default();
    node.lock().unwrap().history = history;
    let url = serve_node(node).await;
    let store = store(Backend::Sqlite).await;
    let rules = Rules {
        velocity: Some(Velocity {
            window_secs: 3600,
            max_count: 3,
            max_amount: Some(100_000),
        }),
        governance: true,
        ..no_rules()
    };
    let (w, _) = watcher(&url, &store, rules);
    let pass = w.sync().await.unwrap();
    assert_eq!(pass.alerts.len(), 2, "{:?}", pass.alerts);
    let velocity = pass.alerts.iter().find(|a| a.rule == "velocity").unwrap();
    store
        .acknowledge(velocity.id, "carol", day + 20 * 3600)
        .await
        .unwrap();

    let report = zkgate_watch::report::load_day(&store, "2026-11-26")
        .await
        .unwrap();
    assert_eq!(report.transfers.len(), 6, "the day before is left out");
    assert_eq!(report.refusals.len(), 3);
    assert_eq!(report.governance.len(), 1);
    assert_eq!(report.alerts.len(), 2);
    assert_eq!(report.per_rule_set().get(&1), Some(&(6, 750)));
    let html = report.html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "nothing fetched"
    );
    assert!(!html.contains("<script"), "no script");
    assert!(html.contains(
        "6 approved transfers, volume 750 (base units); 3 refused transactions; 2 alerts (1 open); 1 governance actions."
    ), "{html}");
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
    assert_eq!(
        html.matches("<rect ").count(),
        24 + 1 + 2,
        "24 hours, 1 error, 2 rules"
    );
    assert!(
        html.contains("NotAdmin (6000)"),
        "the error named from the IDL"
    );
    assert!(html.contains("acknowledged by carol at 20:00:00"));
    assert!(html.contains("<span class=\"open\">open</span>"));
    assert!(html.contains("PauseChanged"));
    assert!(html.contains("<tr><td>1</td><td>6</td><td>750</td></tr>"));
    // Balanced tags in the parts the page builds.
    for tag in ["table", "svg", "tr", "h2"] {
        assert_eq!(
            html.matches(&format!("<{tag}")).count(),
            html.matches(&format!("</{tag}>")).count(),
            "<{tag}> balanced"
        );
    }

    let dir = std::env::temp_dir().join(format!("zkgate-watch-report-{}", rand::random::<u64>()));
    let written = report.write(&dir).unwrap();
    assert_eq!(written.len(), 4);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let transfers = read("transfers-2026-11-26.csv");
    assert_eq!(transfers.lines().count(), 7, "header and 6 rows");
    assert!(transfers
        .starts_with("signature,slot,block_time,rule_set_id,sender,recipient,mint,amount\n"));
    let refusals = read("refusals-2026-11-26.csv");
    assert_eq!(refusals.lines().count(), 4);
    assert!(refusals
        .lines()
        .nth(1)
        .unwrap()
        .ends_with(",6000,NotAdmin (6000)"));
    let alerts = read("alerts-2026-11-26.csv");
    assert_eq!(alerts.lines().count(), 3);
    // The velocity detail has commas: quoted.
    assert!(
        alerts.contains(",\"4 transfers totalling 400 within 3600 s (thresholds: 3 transfers, 100000 in amount)\","),
        "{alerts}"
    );
    assert!(alerts.contains(",carol\n"));
    assert_eq!(read("report-2026-11-26.html"), html);

    // The page as a browser paints it: every bar at its width (hours: 500 → 400 px and
    // 250 → 200 px; one error and two rules, each the maximum, 400 px; 16 px tall), the open
    // alert in red, and the whole page inside the screenshot.
    let shot = dir.join("report.png");
    let (width, height, pixels) = screenshot(&dir.join("report-2026-11-26.html"), &shot);
    let bar = pixels.iter().filter(|p| **p == [0x3b, 0x6e, 0xa5]).count();
    let expected = (400 + 200 + 400 + 2 * 400) * 16;
    assert!(
        bar.abs_diff(expected) <= expected / 50,
        "{bar} bar pixels painted, {expected} expected"
    );
    let red = pixels
        .iter()
        .filter(|p| p[0] >= 0x90 && p[1] < 0x30 && p[2] < 0x30)
        .count();
    assert!(red > 20, "the open alert in red ({red} pixels)");
    // The bottom rows are blank: nothing was cut off.
    let blank_rows = pixels
        .chunks(width)
        .rev()
        .take_while(|row| row.iter().all(|p| *p == [0xff, 0xff, 0xff]))
        .count();
    assert!(blank_rows > 100, "the page fits in {width}x{height}");
    // Nothing runs past the right margin (long signatures wrap).
    let right_margin_clear = pixels
        .chunks(width)
        .all(|row| row[width - 24..].iter().all(|p| *p == [0xff, 0xff, 0xff]));
    assert!(right_margin_clear, "the page fits {width} px across");
    // Kept for people to look at.
    let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("zkgate-watch-report.png");
    std::fs::copy(&shot, &keep).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Opens `page` in the machine's headless Chromium (Debian's `chromium-headless-shell`,
/// installed by `scripts/install-packages.sh`; a missing browser fails the test) and
/// screenshots it at 1000x2400 into `png`: (width, height, RGB pixels by rows).
fn screenshot(page: &std::path::Path, png: &std::path::Path) -> (usize, usize, Vec<[u8; 3]>) {
    let browser =
        std::env::var("ZKGATE_CHROMIUM").unwrap_or_else(|_| "chromium-headless-shell".to_string());
    let profile = page.with_file_name("chromium-profile");
    let out = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1000,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| {
            panic!("{browser}: {e} (install it with scripts/install-packages.sh, or set ZKGATE_CHROMIUM)")
        });
    assert!(
        out.status.success(),
        "{browser} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = ::png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        ::png::ColorType::Rgb => 3,
        ::png::ColorType::Rgba => 4,
        other => panic!("screenshot in {other:?}"),
    };
    assert_eq!(info.bit_depth, ::png::BitDepth::Eight);
    let pixels = buf[..info.buffer_size()]
        .chunks(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width as usize, info.height as usize, pixels)
}

#[test]
fn websocket_urls_follow_the_validators_convention() {
    use zkgate_watch::subscribe::websocket_url;
    let cases = [
        ("http://127.0.0.1:8899", Some("ws://127.0.0.1:8900/")),
        (
            "https://api.devnet.solana.com",
            Some("wss://api.devnet.solana.com/"),
        ),
        (
            "https://rpc.example/key/abc?x=1",
            Some("wss://rpc.example/key/abc?x=1"),
        ),
        ("http://host:8899?key=x", Some("ws://host:8900/?key=x")),
        ("https://host:443/", Some("wss://host/")),
        ("http://user:pass@host/", Some("ws://user:pass@host/")),
        ("http://[::1]:8899/", Some("ws://[::1]:8900/")),
        ("http://[::1]/", Some("ws://[::1]/")),
        ("http://host:65535", None),
        ("http://host:port", None),
        ("ftp://host", None),
        ("not a url", None),
    ];
    for (rpc, ws) in cases {
        assert_eq!(websocket_url(rpc).as_deref(), ws, "{rpc}");
    }
}

/// Returns once the UTC day has at least 30 s left (a test that reasons about "yesterday"
/// must not cross midnight).
async fn clear_of_midnight() {
    let left = 86_400 - zkgate_watch::ingest::now().rem_euclid(86_400);
    if left < 30 {
        tokio::time::sleep(std::time::Duration::from_secs(left as u64 + 1)).await;
    }
}

/// Waits (up to 10 s) until `done` holds.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

fn pause(n: u64, paused: bool) -> Recorded {
    let data = PauseChanged {
        admin: wallet(1),
        paused,
    }
    .data();
    committed(n, 5_000 + n as i64, 1, &[data], false)
}

/// With polling every 10 minutes, only the subscription can bring a transaction in within the
/// test: each notification wakes a pass; a dropped connection is re-established, and the pass
/// after it stores what happened while it was down (which no notification announced).
#[tokio::test]
async fn the_subscription_wakes_the_watcher_and_a_reconnection_backfills_the_gap() {
    use std::time::Duration;
    use zkgate_watch::subscribe::SubscriptionStats;
    let node: Shared = Arc::default();
    node.lock()
        .unwrap()
        .history
        .push(committed(1, 5_001, 10, &[transfer(10, 11, 5)], false));
    let url = serve_node(node.clone()).await;
    let ws_url = serve_pubsub(node.clone()).await;
    let store = store(Backend::Sqlite).await;
    let (w, metrics) = watcher(&url, &store, Rules::default());
    let stats: Arc<SubscriptionStats> = metrics.subscription.clone();
    let running = w.spawn(Duration::from_secs(600), Some(ws_url));
    let alerts = || async { store.alerts(false, 100).await.unwrap().len() };
    let stored = |n: u64| {
        let store = store.clone();
        async move { store.checkpoint().await.unwrap().map(|c| c.1) == Some(n) }
    };
    eventually("the first pass", || stored(1)).await;
    eventually("subscribed", || async { stats.up() }).await;
    assert_eq!(
        node.lock().unwrap().pubsub.subscriptions(),
        vec![json!([{"mentions": [zkgate::ID.to_string()]}, {"commitment": "confirmed"}])]
    );

    // A notified governance action: stored and alerted on without waiting for a poll.
    publish(&node, pause(2, true));
    eventually("the notified transaction's alert", || async {
        alerts().await == 1
    })
    .await;
    assert!(stored(2).await);
    // (The pass the connection woke may have stored it just before the notification counts.)
    eventually("the notification counted", || async {
        stats.notifications() == 1
    })
    .await;

    // A transaction lands unannounced and the node drops the connection; the reconnection's
    // pass stores it, and notifications resume.
    node.lock().unwrap().history.push(pause(3, false));
    drop_subscribers(&node);
    eventually("the drop noticed", || async { stats.failures() == 1 }).await;
    eventually("the gap backfilled after reconnecting", || stored(3)).await;
    assert_eq!(stats.connects(), 2);
    assert!(stats.up());
    publish(&node, pause(4, true));
    eventually("notified after reconnecting", || async {
        alerts().await == 3
    })
    .await;
    assert!(stored(4).await);
    let text = metrics.render();
    assert!(text.contains("zkgate_watch_subscription_up 1\n"), "{text}");
    assert!(text.contains("zkgate_watch_subscription_connects_total 2\n"));
    assert!(text.contains("zkgate_watch_notifications_total 2\n"));

    running.stop().await;
    assert!(!stats.up());
    assert!(metrics
        .render()
        .contains("zkgate_watch_subscription_up 0\n"));
}

/// A node without a websocket (or refusing `logsSubscribe`): the watcher keeps polling, the
/// subscription reports itself down and keeps retrying.
#[tokio::test]
async fn without_a_subscription_the_watcher_still_polls() {
    use std::time::Duration;
    use zkgate_watch::subscribe::SubscriptionStats;
    let node: Shared = Arc::default();
    let url = serve_node(node.clone()).await;
    // A port nobody listens on: bind, note it, close.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", closed.local_addr().unwrap());
    drop(closed);
    let store = store(Backend::Sqlite).await;
    let (w, metrics) = watcher(&url, &store, no_rules());
    let stats: Arc<SubscriptionStats> = metrics.subscription.clone();
    let running = w.spawn(Duration::from_millis(100), Some(ws_url));
    node.lock().unwrap().history.push(pause(1, true));
    eventually("polled", || async {
        store.checkpoint().await.unwrap().map(|c| c.1) == Some(1)
    })
    .await;
    eventually("a second failed attempt", || async {
        stats.failures() >= 2
    })
    .await;
    assert_eq!(stats.connects(), 0);
    assert!(metrics
        .render()
        .contains("zkgate_watch_subscription_up 0\n"));
    running.stop().await;
}

/// `--report-dir`: each day's report once the day is over (an empty day too), never twice,
/// none for the day in progress; a restarted watcher goes on from the newest day written; a
/// first run over an empty database starts with yesterday.
async fn the_daemon_writes_each_days_report_once(backend: Backend) {
    use zkgate_watch::report::day_start;
    let (a, b, c, d) = (
        day_start("2026-03-01").unwrap(),
        day_start("2026-03-02").unwrap(),
        day_start("2026-03-03").unwrap(),
        day_start("2026-03-04").unwrap(),
    );
    let node: Shared = Arc::default();
    node.lock().unwrap().history = vec![
        committed(1, a + 100, 10, &[transfer(10, 11, 5)], false),
        committed(2, a + 200, 10, &[transfer(10, 12, 6)], false),
        committed(3, c + 50, 10, &[transfer(10, 13, 7)], false),
    ];
    let url = serve_node(node).await;
    let store = store(backend).await;
    let dir = std::env::temp_dir().join(format!("zkgate-watch-daily-{}", rand::random::<u64>()));
    let (w, metrics) = watcher(&url, &store, no_rules());
    assert!(
        w.write_due_reports(d).await.unwrap().is_empty(),
        "no --report-dir, no reports"
    );
    let w = w.with_reports(dir.clone());
    w.sync().await.unwrap();
    let days = |r: Vec<zkgate_watch::store::WrittenReport>| {
        r.iter()
            .map(|r| (r.day.clone(), r.transfers))
            .collect::<Vec<_>>()
    };
    let written = w.write_due_reports(c + 3600).await.unwrap();
    assert_eq!(
        days(written),
        vec![("2026-03-01".to_string(), 2), ("2026-03-02".to_string(), 0)]
    );
    let html = std::fs::read_to_string(dir.join("report-2026-03-02.html")).unwrap();
    assert!(html.contains("0 approved transfers"), "the empty day");
    assert!(
        std::fs::read_to_string(dir.join("transfers-2026-03-01.csv"))
            .unwrap()
            .lines()
            .count()
            == 3
    );
    assert!(
        !dir.join("report-2026-03-03.html").exists(),
        "day in progress"
    );
    assert!(w.write_due_reports(d - 1).await.unwrap().is_empty(), "once");
    let text = metrics.render();
    assert!(
        text.contains("zkgate_watch_reports_written_total 2\n"),
        "{text}"
    );
    assert!(text.contains(&format!("zkgate_watch_last_report_day_seconds {b}\n")));

    // A restart: the next day only.
    let (w2, _) = watcher(&url, &store, no_rules());
    let w2 = w2.with_reports(dir.clone());
    assert_eq!(
        days(w2.write_due_reports(d + 10).await.unwrap()),
        vec![("2026-03-03".to_string(), 1)]
    );
    assert_eq!(store.reports(10).await.unwrap().len(), 3);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names.len(),
        12,
        "three days of four files, no partial file: {names:?}"
    );
    assert!(names.iter().all(|n| !n.starts_with('.')));
    std::fs::remove_dir_all(&dir).unwrap();

    // A first run over an empty database: yesterday.
    let empty = Store::new(
        Database::connect(&testing::url(backend).await, MIGRATIONS)
            .await
            .unwrap(),
    );
    let dir = std::env::temp_dir().join(format!("zkgate-watch-daily-{}", rand::random::<u64>()));
    let (w3, _) = watcher(&url, &empty, no_rules());
    let w3 = w3.with_reports(dir.clone());
    assert_eq!(
        days(w3.write_due_reports(d + 10).await.unwrap()),
        vec![("2026-03-03".to_string(), 0)]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn sqlite_the_daemon_writes_each_days_report_once() {
    the_daemon_writes_each_days_report_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_the_daemon_writes_each_days_report_once() {
    the_daemon_writes_each_days_report_once(Backend::Postgres).await;
}

/// The running watcher writes yesterday's report by itself, and the API serves the list and
/// any day's page (and refuses a bad day, a day not begun, a bad limit, a missing key).
#[tokio::test]
async fn the_running_watcher_reports_and_the_api_serves_reports() {
    use std::time::Duration;
    use zkgate_watch::ingest::now;
    use zkgate_watch::report::day_of;
    clear_of_midnight().await;
    let today = now().div_euclid(86_400) * 86_400;
    let yesterday = today - 86_400;
    let node: Shared = Arc::default();
    node.lock().unwrap().history = vec![committed(
        1,
        yesterday + 7,
        10,
        &[transfer(10, 11, 5)],
        false,
    )];
    // The node's clock is behind: still yesterday (syncing, or a lagging RPC provider).
    node.lock().unwrap().tip_time = Some(today - 10);
    let url = serve_node(node.clone()).await;
    let store = store(Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("zkgate-watch-daily-{}", rand::random::<u64>()));
    let (w, metrics) = watcher(&url, &store, no_rules());
    let running = w
        .with_reports(dir.clone())
        .spawn(Duration::from_millis(100), None);
    let day = day_of(yesterday);
    let page = dir.join(format!("report-{day}.html"));
    eventually("ingested", || async {
        store.checkpoint().await.unwrap().is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !page.exists(),
        "not while the node's clock is before midnight"
    );
    let gauge = format!(
        "zkgate_watch_last_report_day_seconds {}\n",
        yesterday - 86_400
    );
    assert!(
        metrics.render().contains(&gauge),
        "the day before yesterday, as if reported"
    );
    node.lock().unwrap().tip_time = Some(today + zkgate_watch::ingest::REPORT_GRACE_SECS);
    eventually("yesterday's report written", || async { page.exists() }).await;
    running.stop().await;
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("1 approved transfers"));

    let state = AppState::new(store.clone(), metrics, vec!["k1".into()], 60);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    let http = reqwest::Client::new();
    let get = |path: String, key: Option<&'static str>| {
        let mut r = http.get(format!("{base}{path}"));
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        r.send()
    };
    let list: Value = get("/v1/reports".into(), Some("k1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["reports"][0]["day"], json!(day));
    assert_eq!(list["reports"][0]["transfers"], 1);
    let today = get(format!("/v1/reports/{}", day_of(now())), Some("k1"))
        .await
        .unwrap();
    assert_eq!(today.status(), 200);
    assert_eq!(today.headers()["content-type"], "text/html; charset=utf-8");
    let y = get(format!("/v1/reports/{day}"), Some("k1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(y, std::fs::read_to_string(&page).unwrap());
    for (path, status, field) in [
        ("/v1/reports/2026-02-30".to_string(), 400, json!("day")),
        ("/v1/reports/yesterday".to_string(), 400, json!("day")),
        ("/v1/reports/9999-01-01".to_string(), 404, Value::Null),
        ("/v1/reports?limit=0".to_string(), 400, json!("limit")),
        ("/v1/reports?limit=1001".to_string(), 400, json!("limit")),
    ] {
        let r = get(path.clone(), Some("k1")).await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
    }
    assert_eq!(
        get(format!("/v1/reports/{day}"), None)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        get("/v1/reports".into(), Some("k2"))
            .await
            .unwrap()
            .status(),
        401
    );
    let spec: Value = get("/openapi.json".into(), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["paths"]["/v1/reports/{day}"]["get"].is_object());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `zkgate-watch` binary, stopped (SIGKILL) when dropped.
struct Daemon(std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary as an operator runs it: subscribed and polling every 10 minutes, it alerts on a
/// transaction as it lands, writes yesterday's report by itself, serves both, reports the
/// subscription in `/readyz` and `/metrics`, and exits cleanly on SIGTERM.
#[tokio::test]
async fn the_binary_alerts_live_and_writes_yesterdays_report() {
    use zkgate_watch::ingest::now;
    use zkgate_watch::report::day_of;
    clear_of_midnight().await;
    let yesterday = now().div_euclid(86_400) * 86_400 - 86_400;
    let node: Shared = Arc::default();
    node.lock().unwrap().history = vec![committed(
        1,
        yesterday + 7,
        10,
        &[transfer(10, 11, 5)],
        false,
    )];
    let url = serve_node(node.clone()).await;
    let ws_url = serve_pubsub(node.clone()).await;
    let dir = std::env::temp_dir().join(format!("zkgate-watch-bin-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut daemon = Daemon(
        std::process::Command::new(env!("CARGO_BIN_EXE_zkgate-watch"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--rpc-url", &url, "--ws-url", &ws_url])
            .arg("--database-url")
            .arg(format!("sqlite://{}/watch.db?mode=rwc", dir.display()))
            .arg("--report-dir")
            .arg(dir.join("reports"))
            .args(["--poll-ms", "600000", "--api-key", "k1"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let ready = || async {
        match http.get(format!("{base}/readyz")).send().await {
            Ok(r) if r.status() == 200 => {
                r.json::<Value>().await.unwrap()["subscription"] == json!(true)
            }
            _ => false,
        }
    };
    eventually("ready and subscribed", ready).await;
    let page = dir
        .join("reports")
        .join(format!("report-{}.html", day_of(yesterday)));
    eventually("yesterday's report", || async { page.exists() }).await;

    publish(&node, pause(2, true));
    let alerts = || async {
        http.get(format!("{base}/v1/alerts"))
            .bearer_auth("k1")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["alerts"]
            .as_array()
            .unwrap()
            .len()
    };
    eventually("the live alert", || async { alerts().await == 1 }).await;
    // The notification that woke the pass may be counted just after the alert is stored.
    let metrics = || async {
        http.get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let lines = [
        "zkgate_watch_subscription_up 1\n",
        "zkgate_watch_notifications_total 1\n",
        "zkgate_watch_reports_written_total 1\n",
        "zkgate_watch_alerts_total{rule=\"governance\"} 1\n",
    ];
    eventually("the metrics", || async {
        let text = metrics().await;
        lines.iter().all(|l| text.contains(l))
    })
    .await;

    let pid = daemon.0.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = daemon.0.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "exits on SIGTERM");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Flags the binary refuses at start, with the reason.
#[test]
fn the_binary_refuses_a_bad_start() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkgate-watch"))
            .args([
                "--database-url",
                "sqlite::memory:",
                "--listen",
                "127.0.0.1:0",
            ])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&["--rpc-url", "ftp://node"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("no websocket URL follows from --rpc-url: pass --ws-url"),
        "{out}"
    );
    let (code, out) = run(&["--poll-ms", "50"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("--poll-ms"), "{out}");
    let (code, out) = run(&["--subscribe", "maybe"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("--subscribe"), "{out}");
    let (code, out) = run(&["--rules", "/nonexistent/rules.json"]);
    assert_eq!(code, Some(1));
    assert!(out.contains("refusing to start"), "{out}");
}
