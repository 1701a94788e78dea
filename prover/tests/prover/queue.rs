//! The shared job queue on SQLite and PostgreSQL: commit before answer, sealed requests erased
//! at the end, idempotency from any instance, leases (claim, heartbeat, expiry, takeover),
//! completion only by the lease holder, and concurrent claimers that never take one job twice.
use std::collections::HashSet;
use std::time::Duration;

use zkgate_client::api::{ErrorDetail, JobState};
use zkgate_db::seal::DataKey;
use zkgate_db::{testing, Backend, Database};
use zkgate_prover::queue::{JobQueue, Submitted, MIGRATIONS};

async fn queues(backend: Backend) -> (JobQueue, JobQueue) {
    let url = testing::url(backend).await;
    let key = DataKey::generate();
    // Two instances: two pools on one database, one data key.
    let a = JobQueue::new(
        Database::connect(&url, MIGRATIONS).await.unwrap(),
        key.clone(),
    );
    let b = JobQueue::new(Database::connect(&url, MIGRATIONS).await.unwrap(), key);
    (a, b)
}

fn new_id(s: Submitted) -> String {
    match s {
        Submitted::New(status) => {
            assert_eq!(status.status, JobState::Queued);
            status.job_id
        }
        other => panic!("expected a new job, got {other:?}"),
    }
}

pub(crate) fn options(workers: usize, lease: Duration) -> zkgate_prover::workers::QueueOptions {
    zkgate_prover::workers::QueueOptions {
        workers,
        lease,
        poll: Duration::from_millis(250),
    }
}

fn failure() -> ErrorDetail {
    ErrorDetail {
        code: "sanctioned".into(),
        message: "the subject is on the sanctions list".into(),
        field: None,
    }
}

async fn leases_and_takeover(backend: Backend) {
    let (a, b) = queues(backend).await;
    let secret = br#"{"witness": {"salt": "SECRET-SALT-0123"}}"#;
    let id = new_id(a.submit(secret, Some("key-1")).await.unwrap());
    // Committed: the other instance sees it at once, and the request is not stored in clear.
    assert_eq!(b.get(&id).await.unwrap().unwrap().status, JobState::Queued);
    let raw: Vec<u8> = sqlx::query_scalar("SELECT request FROM jobs WHERE id = $1")
        .bind(id.clone())
        .fetch_one(a.db().pool())
        .await
        .unwrap();
    assert!(!raw.windows(11).any(|w| w == b"SECRET-SALT"));
    // Idempotency from any instance: same body → same job; other body → conflict.
    match b.submit(secret, Some("key-1")).await.unwrap() {
        Submitted::Existing(s) => assert_eq!(s.job_id, id),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        b.submit(b"{}", Some("key-1")).await.unwrap(),
        Submitted::Conflict
    );

    // A claims with a short lease and "dies"; B takes the job over once the lease expired.
    let short = Duration::from_millis(300);
    let claimed = a.claim("instance-a", short).await.unwrap().unwrap();
    assert_eq!((claimed.id.as_str(), claimed.attempts), (id.as_str(), 1));
    assert_eq!(&claimed.request[..], &secret[..]);
    assert!(
        b.claim("instance-b", short).await.unwrap().is_none(),
        "leased"
    );
    assert!(a.heartbeat(&id, "instance-a", short).await.unwrap());
    assert!(
        !a.heartbeat(&id, "instance-b", short).await.unwrap(),
        "not b's lease"
    );
    let stats = a.stats().await.unwrap();
    assert_eq!(
        (stats.queued, stats.running, stats.expired_leases),
        (0, 1, 0)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(a.stats().await.unwrap().expired_leases, 1);
    let again = b
        .claim("instance-b", Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id.as_str(), again.attempts), (id.as_str(), 2));
    // A comes back: its heartbeat and its completion are refused; B's result stands.
    assert!(!a.heartbeat(&id, "instance-a", short).await.unwrap());
    assert!(!a
        .complete(&id, "instance-a", Err(&failure()))
        .await
        .unwrap());
    let response = zkgate_client::api::ProofResponse {
        proof_base64: String::new(),
        proof_hex: "ab".repeat(256),
        public_input_hex: "00".repeat(32),
        statement_hash_hex: "00".repeat(32),
        vk_hash_hex: "00".repeat(32),
        rule_set_id: 1,
        rule_set_version: 1,
        subject_tag_hex: "00".repeat(32),
        disclosure: zkgate_client::api::DisclosureOutput {
            ephemeral_key_hex: "00".repeat(64),
            ciphertext_hex: vec!["00".repeat(32); 4],
        },
        proving_ms: 7,
    };
    assert!(b.complete(&id, "instance-b", Ok(&response)).await.unwrap());
    let done = a.get(&id).await.unwrap().unwrap();
    assert_eq!(done.status, JobState::Succeeded);
    assert_eq!(done.result.unwrap().proof_hex, response.proof_hex);
    // Finished: the request is erased, nothing is claimable, a second completion is refused.
    let raw: Option<Vec<u8>> = sqlx::query_scalar("SELECT request FROM jobs WHERE id = $1")
        .bind(id.clone())
        .fetch_one(a.db().pool())
        .await
        .unwrap();
    assert!(raw.is_none());
    assert!(a.claim("instance-a", short).await.unwrap().is_none());
    assert!(!b
        .complete(&id, "instance-b", Err(&failure()))
        .await
        .unwrap());
    // Failure outcomes are recorded as such; a released job goes back to the queue.
    let id2 = new_id(a.submit(b"{}", None).await.unwrap());
    let c = b.claim("instance-b", short).await.unwrap().unwrap();
    assert_eq!(c.id, id2);
    assert!(b.release(&id2, "instance-b").await.unwrap());
    let c = a.claim("instance-a", short).await.unwrap().unwrap();
    assert_eq!((c.id.as_str(), c.attempts), (id2.as_str(), 2));
    assert!(a
        .complete(&id2, "instance-a", Err(&failure()))
        .await
        .unwrap());
    let failed = b.get(&id2).await.unwrap().unwrap();
    assert_eq!(failed.status, JobState::Failed);
    assert_eq!(failed.error.unwrap(), failure());
    assert!(a.get("0".repeat(32).as_str()).await.unwrap().is_none());
}

/// Claimers on two instances at once, many jobs: each job is claimed exactly once.
async fn concurrent_claims(backend: Backend) {
    let (a, b) = queues(backend).await;
    let mut ids = HashSet::new();
    for i in 0..40 {
        let q = if i % 2 == 0 { &a } else { &b };
        ids.insert(new_id(
            q.submit(format!("{{\"n\": {i}}}").as_bytes(), None)
                .await
                .unwrap(),
        ));
    }
    let mut tasks = vec![];
    for w in 0..8 {
        let q = if w % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let owner = format!("worker-{w}");
            let mut mine = vec![];
            while let Some(c) = q.claim(&owner, Duration::from_secs(60)).await.unwrap() {
                assert!(q.complete(&c.id, &owner, Err(&failure())).await.unwrap());
                mine.push(c.id.clone());
            }
            mine
        }));
    }
    let mut claimed = vec![];
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    assert_eq!(claimed.len(), 40, "every job claimed once");
    assert_eq!(claimed.iter().cloned().collect::<HashSet<_>>(), ids);
    let stats = a.stats().await.unwrap();
    assert_eq!((stats.queued, stats.running), (0, 0));
}

#[tokio::test]
async fn sqlite_queue_leases_and_takeover() {
    leases_and_takeover(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_queue_leases_and_takeover() {
    leases_and_takeover(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_claimers_never_share_a_job() {
    concurrent_claims(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_claimers_never_share_a_job() {
    concurrent_claims(Backend::Postgres).await;
}

/// Two prover instances on one database, over HTTP: A accepts jobs and dies (drained before
/// proving anything; one job was even claimed by a crashed instance whose lease then expired);
/// B proves every job, each proof verifies, A answers their status, the taken-over job shows
/// two attempts, and the request is erased.
async fn instances_share_the_queue(backend: Backend) {
    use crate::http::{builder, proven_hash, request, rule_set, start_state};
    use zkgate_circuits::proof::verify_with_groth16_solana;
    use zkgate_prover::client::ProverClient;
    use zkgate_prover::{AppState, Settings};

    let url = testing::url(backend).await;
    let key = DataKey::generate();
    let queue = || async {
        JobQueue::new(
            Database::connect(&url, MIGRATIONS).await.unwrap(),
            key.clone(),
        )
    };
    let settings = || Settings {
        workers: 2,
        queue: 8,
        ..Settings::default()
    };
    let a = AppState::new(vec![rule_set().clone()], settings())
        .with_queue(queue().await, options(1, Duration::from_secs(2)));
    a.drain();
    let a = start_state(a).await;
    let client_a = ProverClient::new(&a.base);
    let samples: Vec<_> = (0..4).map(|_| builder().build()).collect();
    let mut ids = vec![];
    for (i, sample) in samples.iter().enumerate() {
        let status = client_a
            .submit_job(&request(sample), Some(&format!("job-{i}")))
            .await
            .unwrap();
        assert_eq!(status.status, JobState::Queued);
        ids.push(status.job_id);
        if i == 0 {
            // A crashed instance claimed the first job just before dying.
            let crashed = queue().await;
            let c = crashed
                .claim("crashed-instance", Duration::from_millis(500))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(c.id, ids[0]);
        }
    }
    // A drained: unready, but still answers for jobs.
    let ready = reqwest::get(format!("{}/readyz", a.base)).await.unwrap();
    assert_eq!(ready.status(), 503);
    let b = start_state(
        AppState::new(vec![rule_set().clone()], settings())
            .with_queue(queue().await, options(2, Duration::from_secs(2))),
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut done = vec![None; ids.len()];
    while done.iter().any(Option::is_none) {
        assert!(std::time::Instant::now() < deadline, "jobs not finished");
        for (i, id) in ids.iter().enumerate() {
            let status = client_a.job(id).await.unwrap();
            if status.status == JobState::Succeeded {
                done[i] = status.result;
            } else {
                assert_ne!(status.status, JobState::Failed, "{:?}", status.error);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (sample, resp) in samples.iter().zip(&done) {
        let resp = resp.as_ref().unwrap();
        let expected = proven_hash(sample, resp);
        verify_with_groth16_solana(
            &rule_set().keys.program_vk(),
            &resp.proof_bytes().unwrap(),
            &expected,
        )
        .expect("verifies");
    }
    let q = queue().await;
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM jobs WHERE id = $1")
        .bind(ids[0].clone())
        .fetch_one(q.db().pool())
        .await
        .unwrap();
    assert_eq!(attempts, 2, "taken over after the crashed instance's lease");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE request IS NOT NULL")
        .fetch_one(q.db().pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "requests erased when their jobs ended");
    let metrics = crate::http::metrics(&b.base).await;
    assert!(metrics.contains("zkgate_jobs_claimed_total 4"), "{metrics}");
    assert!(metrics.contains("zkgate_jobs_reruns_total 1"), "{metrics}");
    assert!(metrics.contains("zkgate_jobs_queued 0"), "{metrics}");
    // The same idempotency key on B answers A's job.
    let again = ProverClient::new(&b.base)
        .submit_job(&request(&samples[1]), Some("job-1"))
        .await
        .unwrap();
    assert_eq!(again.job_id, ids[1]);
    assert_eq!(again.status, JobState::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_instances_share_the_queue() {
    instances_share_the_queue(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_share_the_queue() {
    instances_share_the_queue(Backend::Postgres).await;
}

/// PostgreSQL announces a job the moment it commits: an idle instance whose poll is a minute
/// away proves a job another instance accepted within seconds, and counts the announcement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_announces_jobs_to_idle_instances() {
    use crate::http::{builder, request, rule_set, start_state};
    use std::sync::atomic::Ordering;
    use zkgate_prover::client::ProverClient;
    use zkgate_prover::{AppState, Settings};

    let (a, b) = queues(Backend::Postgres).await;
    let idle = AppState::new(
        vec![rule_set().clone()],
        Settings {
            workers: 1,
            queue: 4,
            ..Settings::default()
        },
    )
    .with_queue(
        b,
        zkgate_prover::workers::QueueOptions {
            workers: 1,
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(600),
        },
    );
    let shared = idle.shared.clone().unwrap();
    let server = start_state(idle).await;
    let t = std::time::Instant::now();
    while !shared.listening.load(Ordering::SeqCst) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "listener not connected"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Its worker found the queue empty and now sleeps for the poll period.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let body = serde_json::to_vec(&request(&builder().build())).unwrap();
    let id = new_id(a.submit(&body, None).await.unwrap());
    let client = ProverClient::new(&server.base);
    let t = std::time::Instant::now();
    loop {
        let status = client.job(&id).await.unwrap();
        if status.status == JobState::Succeeded {
            break;
        }
        assert_ne!(status.status, JobState::Failed, "{:?}", status.error);
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "not woken by the announcement"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(shared.notifications.load(Ordering::Relaxed) >= 1);
    assert_eq!(shared.claims.load(Ordering::Relaxed), 1);
    let metrics = crate::http::metrics(&server.base).await;
    assert!(metrics.contains("zkgate_jobs_listening 1"), "{metrics}");
    assert!(
        metrics.contains("zkgate_jobs_notifications_total 1"),
        "{metrics}"
    );
}
