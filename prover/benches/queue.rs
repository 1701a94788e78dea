//! The shared job queue's figures (a bench binary, not a timed test), compliance circuit at
//! depth 20, in one process on this machine:
//!
//! - the queue's own cost per job (submit + claim + heartbeat + complete, no proving) on
//!   SQLite and PostgreSQL, against the proof time measured in the same run (the goal: under
//!   2% of it);
//! - throughput and submit-to-result latency p50/p99 with 1 and with 2 prover instances on one
//!   database, sharing the machine's cores;
//! - takeover: a job claimed by an instance that then dies is claimed by another instance
//!   after how long (the goal: under two lease periods).
//!
//! `scripts/with-postgres.sh cargo bench -p zkgate-prover --bench queue [-- JOBS]` (PostgreSQL
//! figures need the server; SQLite runs without).
use std::time::{Duration, Instant};

use zkgate_circuits::merkle::DEFAULT_DEPTH;
use zkgate_circuits::testing::SampleBuilder;
use zkgate_client::api::{JobState, ProofRequest};
use zkgate_db::seal::DataKey;
use zkgate_db::{testing, Backend, Database};
use zkgate_prover::client::ProverClient;
use zkgate_prover::queue::{JobQueue, MIGRATIONS};
use zkgate_prover::workers::QueueOptions;
use zkgate_prover::{dev_rule_set, serve, AppState, RuleSetEntry, Settings};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn request(program: [u8; 32]) -> ProofRequest {
    let s = SampleBuilder {
        program_id: program,
        sender: rand::random(),
        ..SampleBuilder::default()
    }
    .build();
    ProofRequest::from_parts(&s.statement, &s.witness, &s.disclosure.issuer)
}

async fn start(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        serve(
            listener,
            state,
            std::future::pending(),
            Duration::from_secs(5),
        )
        .await
        .unwrap()
    });
    base
}

/// The queue's cost per job without proving: submit, claim, heartbeat, complete.
async fn queue_cost(backend: Backend, body: &[u8], n: usize) -> Duration {
    let url = testing::url(backend).await;
    let q = JobQueue::new(
        Database::connect(&url, MIGRATIONS).await.unwrap(),
        DataKey::generate(),
    );
    let detail = zkgate_client::api::ErrorDetail {
        code: "x".into(),
        message: "x".into(),
        field: None,
    };
    let t = Instant::now();
    for _ in 0..n {
        q.submit(body, None).await.unwrap();
        let c = q
            .claim("bench", Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        q.heartbeat(&c.id, "bench", Duration::from_secs(30))
            .await
            .unwrap();
        q.complete(&c.id, "bench", Err(&detail)).await.unwrap();
    }
    t.elapsed() / n as u32
}

async fn fleet(
    backend: Backend,
    entry: &RuleSetEntry,
    instances: usize,
    jobs: usize,
) -> (f64, Duration, Duration) {
    let url = testing::url(backend).await;
    let key = DataKey::generate();
    let mut bases = vec![];
    // The machine's cores are shared: each instance gets `cores / instances` workers.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    for _ in 0..instances {
        let queue = JobQueue::new(
            Database::connect(&url, MIGRATIONS).await.unwrap(),
            key.clone(),
        );
        let workers = (cores / instances).max(1);
        let state = AppState::new(
            vec![entry.clone()],
            Settings {
                workers,
                queue: 64,
                ..Settings::default()
            },
        )
        .with_queue(
            queue,
            QueueOptions {
                workers,
                lease: Duration::from_secs(30),
                poll: Duration::from_millis(250),
            },
        );
        bases.push(start(state).await);
    }
    let requests: Vec<_> = (0..jobs).map(|_| request(entry.program_id)).collect();
    let t = Instant::now();
    let mut submitted = vec![];
    for (i, r) in requests.iter().enumerate() {
        let client = ProverClient::new(&bases[i % bases.len()]);
        let s = client.submit_job(r, None).await.unwrap();
        submitted.push((s.job_id, Instant::now()));
    }
    let client = ProverClient::new(&bases[0]);
    let mut latencies = vec![None; jobs];
    while latencies.iter().any(Option::is_none) {
        for (i, (id, at)) in submitted.iter().enumerate() {
            if latencies[i].is_none() {
                let s = client.job(id).await.unwrap();
                assert_ne!(s.status, JobState::Failed, "{:?}", s.error);
                if s.status == JobState::Succeeded {
                    latencies[i] = Some(at.elapsed());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = t.elapsed();
    let mut lat: Vec<Duration> = latencies.into_iter().map(Option::unwrap).collect();
    lat.sort();
    (
        jobs as f64 / took.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
    )
}

/// A dead instance's job: claimed by "dead" (which never heartbeats), then taken over by a
/// live instance; returns the time from the claim (the last sign of life) to the takeover.
async fn takeover(backend: Backend, entry: &RuleSetEntry, lease: Duration) -> Duration {
    let url = testing::url(backend).await;
    let key = DataKey::generate();
    let dead = JobQueue::new(
        Database::connect(&url, MIGRATIONS).await.unwrap(),
        key.clone(),
    );
    let body = serde_json::to_vec(&request(entry.program_id)).unwrap();
    let id = match dead.submit(&body, None).await.unwrap() {
        zkgate_prover::queue::Submitted::New(s) => s.job_id,
        other => panic!("{other:?}"),
    };
    dead.claim("dead", lease).await.unwrap().unwrap();
    let died = Instant::now();
    let live = JobQueue::new(Database::connect(&url, MIGRATIONS).await.unwrap(), key);
    let _state = AppState::new(vec![entry.clone()], Settings::default()).with_queue(
        live.clone(),
        QueueOptions {
            workers: 1,
            lease,
            poll: Duration::from_millis(250),
        },
    );
    loop {
        let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM jobs WHERE id = $1")
            .bind(id.clone())
            .fetch_one(live.db().pool())
            .await
            .unwrap();
        if attempts >= 2 {
            return died.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let jobs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(16);
    let program = [7u8; 32];
    println!("setup (depth {DEFAULT_DEPTH}) ...");
    let entry = tokio::task::spawn_blocking(move || dev_rule_set(program, 1, 1, DEFAULT_DEPTH))
        .await
        .unwrap()
        .unwrap();
    // Baseline in the same run: one synchronous proof at a time, no queue.
    let base = start(AppState::new(vec![entry.clone()], Settings::default())).await;
    let client = ProverClient::new(&base);
    let mut proofs = vec![];
    for _ in 0..5 {
        let r = request(program);
        let t = Instant::now();
        client.prove(&r).await.unwrap();
        proofs.push(t.elapsed());
    }
    proofs.sort();
    let proof = proofs[2];
    println!("one proof over HTTP (median of 5, no queue): {proof:.2?}");
    let body = serde_json::to_vec(&request(program)).unwrap();
    let mut backends = vec![Backend::Sqlite];
    if std::env::var(testing::POSTGRES_URL_VAR).is_ok() {
        backends.push(Backend::Postgres);
    }
    for backend in backends {
        println!("== {backend:?}");
        let cost = queue_cost(backend, &body, 200).await;
        println!(
            "queue cost per job (submit, claim, heartbeat, complete): {cost:.2?} = {:.2}% of a proof",
            100.0 * cost.as_secs_f64() / proof.as_secs_f64()
        );
        for instances in [1, 2] {
            let (rate, p50, p99) = fleet(backend, &entry, instances, jobs).await;
            println!(
                "{instances} instance(s), {jobs} jobs: {rate:.2} proofs/s, submit-to-result p50 {p50:.2?}, p99 {p99:.2?}"
            );
        }
        let lease = Duration::from_secs(2);
        let t = takeover(backend, &entry, lease).await;
        println!(
            "takeover after an instance died: {t:.2?} ({:.2} lease periods of {lease:?})",
            t.as_secs_f64() / lease.as_secs_f64()
        );
    }
}
