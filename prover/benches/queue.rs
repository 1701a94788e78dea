//! The shared job queue's figures (a bench binary, not a timed test), compliance circuit at
//! depth 20, in one process on this machine:
//!
//! - the queue's own cost per job (submit + claim + heartbeat + complete, no proving) on
//!   SQLite and PostgreSQL, against the proof time measured in the same run (the goal: under
//!   2% of it);
//! - throughput and submit-to-result latency p50/p99 with 1 and with 2 prover instances on one
//!   database, sharing the machine's cores;
//! - takeover: a job claimed by an instance that then dies is claimed by another instance
//!   after how long (the goal: under two lease periods);
//! - the database's capacity: jobs/s (submit, claim, heartbeat, complete) and empty polls/s it
//!   sustains from 16 concurrent clients, and from them, on paper, how a fleet of N machines
//!   would scale before the one database is the bottleneck;
//! - PostgreSQL: how long after its commit a job is claimed by an idle instance whose poll is
//!   ten minutes away (the announcement's latency).
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

/// Jobs/s (submit, claim, heartbeat, complete; no proving) and empty claims/s the database
/// sustains from `clients` concurrent clients, each with its own pool (as instances would).
async fn capacity(backend: Backend, body: &[u8], clients: usize, run: Duration) -> (f64, f64) {
    let url = testing::url(backend).await;
    let key = DataKey::generate();
    let mut queues = vec![];
    for _ in 0..clients {
        queues.push(JobQueue::new(
            Database::connect(&url, MIGRATIONS).await.unwrap(),
            key.clone(),
        ));
    }
    let detail = zkgate_client::api::ErrorDetail {
        code: "x".into(),
        message: "x".into(),
        field: None,
    };
    let lease = Duration::from_secs(30);
    let mut rates = [0f64; 2];
    for (phase, rate) in rates.iter_mut().enumerate() {
        let until = Instant::now() + run;
        let t = Instant::now();
        let mut tasks = vec![];
        for (i, q) in queues.iter().enumerate() {
            let (q, body, detail) = (q.clone(), body.to_vec(), detail.clone());
            tasks.push(tokio::spawn(async move {
                let owner = format!("client-{i}");
                let mut n = 0u64;
                while Instant::now() < until {
                    if phase == 0 {
                        q.submit(&body, None).await.unwrap();
                    }
                    if let Some(c) = q.claim(&owner, lease).await.unwrap() {
                        q.heartbeat(&c.id, &owner, lease).await.unwrap();
                        q.complete(&c.id, &owner, Err(&detail)).await.unwrap();
                    }
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        *rate = total as f64 / t.elapsed().as_secs_f64();
    }
    (rates[0], rates[1])
}

/// How long after its commit a job is claimed by an idle instance that only the announcement
/// can wake (its poll is ten minutes away); median of `n`.
async fn announcement(entry: &RuleSetEntry, n: usize) -> Duration {
    let url = testing::url(Backend::Postgres).await;
    let key = DataKey::generate();
    let submitter = JobQueue::new(
        Database::connect(&url, MIGRATIONS).await.unwrap(),
        key.clone(),
    );
    let idle = JobQueue::new(Database::connect(&url, MIGRATIONS).await.unwrap(), key);
    let state = AppState::new(vec![entry.clone()], Settings::default()).with_queue(
        idle,
        QueueOptions {
            workers: 1,
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(600),
        },
    );
    let shared = state.shared.clone().unwrap();
    while !shared.listening.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let body = serde_json::to_vec(&request(entry.program_id)).unwrap();
    let mut took = vec![];
    for _ in 0..n {
        // Wait until the worker is idle again (the previous job finished).
        while shared.active.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let id = match submitter.submit(&body, None).await.unwrap() {
            zkgate_prover::queue::Submitted::New(s) => s.job_id,
            other => panic!("{other:?}"),
        };
        let committed = Instant::now();
        loop {
            let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM jobs WHERE id = $1")
                .bind(id.clone())
                .fetch_one(submitter.db().pool())
                .await
                .unwrap();
            if attempts >= 1 {
                took.push(committed.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    }
    took.sort();
    took[took.len() / 2]
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
    let mut one_instance_rate = 0.0;
    for backend in backends {
        println!("== {backend:?}");
        // First, while this backend's server has no other client of the run.
        let clients = 16;
        let (jobs_per_s, polls_per_s) =
            capacity(backend, &body, clients, Duration::from_secs(3)).await;
        println!(
            "database capacity ({clients} clients, sharing this machine's cores with the server): \
             {jobs_per_s:.0} jobs/s (submit, claim, heartbeat, complete), {polls_per_s:.0} empty polls/s"
        );

        let cost = queue_cost(backend, &body, 200).await;
        println!(
            "queue cost per job (submit, claim, heartbeat, complete): {cost:.2?} = {:.2}% of a proof",
            100.0 * cost.as_secs_f64() / proof.as_secs_f64()
        );
        for instances in [1, 2] {
            let (rate, p50, p99) = fleet(backend, &entry, instances, jobs).await;
            if instances == 1 {
                one_instance_rate = rate;
            }
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
        if backend == Backend::Postgres {
            let a = announcement(&entry, 5).await;
            println!(
                "announced job claimed by an idle instance (poll 10 min away): {a:.2?} after its commit (median of 5)"
            );
        }
        if backend != Backend::Postgres {
            continue; // SQLite is one machine's queue: no fleet.
        }
        // On paper: N machines like this one (each proving `one_instance_rate` proofs/s with 2
        // workers polling once a second when idle) load the database with N·r jobs/s and at
        // most N·2 polls/s; it saturates when N·(r/J + 2/P) reaches 1.
        let per_machine = one_instance_rate / jobs_per_s + 2.0 / polls_per_s;
        let ceiling = 1.0 / per_machine;
        print!("fleet on paper (machines → proofs/s, database load):");
        for n in [1.0, 10.0, 100.0, 1000.0, 10000.0] {
            let load = n * per_machine;
            let rate = if load <= 1.0 {
                n * one_instance_rate
            } else {
                ceiling * one_instance_rate
            };
            print!(" {n:.0} → {rate:.0} ({:.1}%);", 100.0 * load.min(1.0));
        }
        println!(
            " the database saturates at ~{ceiling:.0} machines ({:.0} proofs/s)",
            ceiling * one_instance_rate
        );
    }
}
