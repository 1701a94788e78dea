//! Registry figures (a bench binary, not a timed test): credential issue rate into a depth-20
//! tree (one credential per transaction, and 1,000 per transaction), path-serving latency
//! p50/p99 with N credentials issued, and a bulk sanctions import of 100,000 ids; on SQLite,
//! and on PostgreSQL when `ZKGATE_TEST_POSTGRES_URL` is set (`scripts/with-postgres.sh`).
//!
//! `scripts/with-postgres.sh cargo bench -p zkgate-registry --bench registry` (N =
//! `ZKGATE_BENCH_CREDENTIALS`, default 1,000,000; `ZKGATE_BENCH_BACKENDS=sqlite|postgres` for
//! one backend).
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use solana_sdk::signature::{Keypair, Signer};
use zkgate_circuits::encoding::fr_to_be_bytes;
use zkgate_circuits::Fr;
use zkgate_db::seal::DataKey;
use zkgate_db::{testing, Backend, Database};
use zkgate_registry::api::IssueRequest;
use zkgate_registry::registry::{Registry, TreeKind};
use zkgate_registry::MIGRATIONS;

fn request(subject: u64, wallet: &str) -> IssueRequest {
    IssueRequest {
        subject_id: hex::encode(fr_to_be_bytes(&Fr::from(subject))),
        wallet: wallet.to_string(),
        jurisdiction: 840,
        tier: 2,
        expiry: 4_000_000_000,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn registry(backend: Backend) -> Registry {
    let url = testing::url(backend).await;
    Registry::new(
        Database::connect(&url, MIGRATIONS).await.expect("database"),
        DataKey::generate(),
        false,
    )
}

async fn bench(backend: Backend, credentials: u64) {
    println!("== {backend:?}");
    let r = registry(backend).await;
    r.add_issuer(1, "bench", Some(20)).await.unwrap();
    let wallet = Keypair::new().pubkey().to_string();
    // One credential per transaction.
    let n = 1_000u64;
    let t = Instant::now();
    for i in 0..n {
        r.issue(1, &[request(1 + i, &wallet)]).await.unwrap();
    }
    let single = n as f64 / t.elapsed().as_secs_f64();
    println!("issue, 1 per transaction:     {single:>8.0} credentials/s ({n} issued)");
    // Single requests from 64 concurrent clients through the service's group-commit writer.
    let queue = zkgate_registry::batcher::IssueQueue::start(r.clone());
    let concurrent = 10_000u64;
    let t = Instant::now();
    let mut tasks = vec![];
    for c in 0..64u64 {
        let queue = queue.clone();
        let wallet = wallet.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            while i < concurrent {
                queue
                    .issue(1, request(10_000_000 + i, &wallet))
                    .await
                    .unwrap();
                i += 64;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let grouped = concurrent as f64 / t.elapsed().as_secs_f64();
    let versions = r.summary(TreeKind::Issuer, 1).await.unwrap().version - n;
    println!(
        "issue, single requests, 64 concurrent (group commit): {grouped:>8.0} credentials/s \
         ({concurrent} issued in {versions} versions)"
    );
    // Batches of 1,000 (one version each), up to `credentials` in all.
    let t = Instant::now();
    let mut issued = n + concurrent;
    let batch_start = issued;
    let mut report = Instant::now();
    while issued < credentials {
        let batch: Vec<_> = (0..1_000.min(credentials - issued))
            .map(|i| request(1 + issued + i, &wallet))
            .collect();
        r.issue(1, &batch).await.unwrap();
        issued += batch.len() as u64;
        if report.elapsed() > Duration::from_secs(30) {
            eprintln!("  … {issued} credentials");
            report = Instant::now();
        }
    }
    let batched = (issued - batch_start) as f64 / t.elapsed().as_secs_f64();
    println!(
        "issue, 1,000 per transaction: {batched:>8.0} credentials/s ({} issued)",
        issued - batch_start
    );
    // Path serving at `issued` credentials: random leaves, current version (what a wallet's
    // witness request reads).
    let tree = r.tree_id(TreeKind::Issuer, 1).await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut times = Vec::with_capacity(2_000);
    for _ in 0..2_000 {
        let index = rng.gen_range(0..issued);
        let t = Instant::now();
        let path = r.trees().path(tree, index, None).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(path.siblings.len(), 30);
    }
    times.sort();
    println!(
        "path at {issued} credentials: p50 {:.2?}  p99 {:.2?}",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    // Bulk sanctions import: 100,000 random ids in chunks of 10,000.
    r.add_list(1, "bench", Some(20)).await.unwrap();
    let ids: Vec<Fr> = (0..100_000).map(|_| Fr::from(rng.gen::<u128>())).collect();
    let t = Instant::now();
    for chunk in ids.chunks(10_000) {
        r.list_import(1, chunk).await.unwrap();
    }
    let took = t.elapsed();
    println!(
        "sanctions import of 100,000 ids: {took:.1?} ({:.0} ids/s)",
        100_000.0 / took.as_secs_f64()
    );
}

fn main() {
    let credentials: u64 = std::env::var("ZKGATE_BENCH_CREDENTIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // `ZKGATE_BENCH_BACKENDS=postgres` (or `sqlite`) runs one backend only.
    let only = std::env::var("ZKGATE_BENCH_BACKENDS").unwrap_or_default();
    runtime.block_on(async {
        if only.is_empty() || only.contains("sqlite") {
            bench(Backend::Sqlite, credentials).await;
        }
        if (only.is_empty() || only.contains("postgres"))
            && std::env::var(testing::POSTGRES_URL_VAR).is_ok()
        {
            bench(Backend::Postgres, credentials).await;
        }
    });
}
