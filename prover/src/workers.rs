//! The shared queue's workers on this instance (issue 13, first part): each claims a job with
//! a lease, proves it on the instance's pool while heartbeating the lease, and completes it
//! (accepted only while the lease is still this instance's). Idle workers wake when this
//! instance accepts a job, when another instance announces one (PostgreSQL `LISTEN` on
//! [`crate::queue::CHANNEL`]), and poll (for a lost notification, SQLite neighbours and
//! expired leases). Draining stops claiming; running jobs finish and complete.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use zkgate_client::api::ProofRequest;

use crate::error::ApiError;
use crate::queue::{Claimed, JobQueue};
use crate::{extract, proving, AppState};

/// The shared queue as this instance uses it.
pub struct SharedJobs {
    /// The queue.
    pub queue: JobQueue,
    /// This instance's lease owner name (random per process).
    pub owner: String,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// How often idle workers look for jobs other instances accepted.
    pub poll: Duration,
    /// Wakes idle workers when this instance accepts a job.
    pub wake: Notify,
    /// Set on shutdown: claim nothing more.
    pub draining: AtomicBool,
    /// Jobs claimed here and not yet completed.
    pub active: AtomicU64,
    /// Claims made here.
    pub claims: AtomicU64,
    /// Claims of jobs another claim had started (attempts ≥ 2).
    pub reruns: AtomicU64,
    /// Completions refused because the lease had passed to another instance.
    pub leases_lost: AtomicU64,
    /// Job announcements received from the database (PostgreSQL).
    pub notifications: AtomicU64,
    /// Whether the notification listener is connected (PostgreSQL).
    pub listening: AtomicBool,
}

/// How this instance works the shared queue.
#[derive(Clone, Copy, Debug)]
pub struct QueueOptions {
    /// Workers claiming jobs (each proves one at a time on the instance's pool).
    pub workers: usize,
    /// How long a claim lasts without a heartbeat.
    pub lease: Duration,
    /// How often idle workers look for jobs nobody announced (and expired leases).
    pub poll: Duration,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(1),
        }
    }
}

impl SharedJobs {
    /// This instance's view of `queue`.
    pub fn new(queue: JobQueue, lease: Duration, poll: Duration) -> Self {
        let mut id = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id);
        SharedJobs {
            queue,
            owner: format!("prover-{}-{}", std::process::id(), hex::encode(id)),
            lease,
            poll,
            wake: Notify::new(),
            draining: AtomicBool::new(false),
            active: AtomicU64::new(0),
            claims: AtomicU64::new(0),
            reruns: AtomicU64::new(0),
            leases_lost: AtomicU64::new(0),
            notifications: AtomicU64::new(0),
            listening: AtomicBool::new(false),
        }
    }
}

/// Starts `n` workers on `state`'s shared queue, and its notification listener.
pub fn start(state: &AppState, shared: &Arc<SharedJobs>, n: usize) {
    for _ in 0..n.max(1) {
        tokio::spawn(worker(state.clone(), shared.clone()));
    }
    tokio::spawn(listen(shared.clone()));
}

/// Wakes an idle worker per job another instance announces. A lost connection (a
/// notification may have been missed) wakes them all; a failed one is retried after a poll
/// period. Ends when the instance drains.
async fn listen(shared: Arc<SharedJobs>) {
    while !shared.draining.load(Ordering::SeqCst) {
        let mut listener = match shared.queue.db().listen(crate::queue::CHANNEL).await {
            Ok(Some(l)) => l,
            Ok(None) => return, // SQLite: polling only.
            Err(e) => {
                tracing::warn!("job notifications unavailable: {e}");
                tokio::time::sleep(shared.poll).await;
                continue;
            }
        };
        shared.listening.store(true, Ordering::SeqCst);
        while !shared.draining.load(Ordering::SeqCst) {
            match listener.try_recv().await {
                Ok(Some(_)) => {
                    shared.notifications.fetch_add(1, Ordering::Relaxed);
                    shared.wake.notify_one();
                }
                Ok(None) => shared.wake.notify_waiters(),
                Err(e) => {
                    tracing::warn!("job notifications lost: {e}");
                    break;
                }
            }
        }
        shared.listening.store(false, Ordering::SeqCst);
        shared.wake.notify_waiters();
        tokio::time::sleep(shared.poll).await;
    }
}

async fn worker(state: AppState, shared: Arc<SharedJobs>) {
    loop {
        if shared.draining.load(Ordering::SeqCst) {
            return;
        }
        // Counted before the claim commits, so a drain never sees a claimed job as idle.
        shared.active.fetch_add(1, Ordering::SeqCst);
        match shared.queue.claim(&shared.owner, shared.lease).await {
            Ok(Some(job)) => {
                shared.claims.fetch_add(1, Ordering::Relaxed);
                if job.attempts > 1 {
                    shared.reruns.fetch_add(1, Ordering::Relaxed);
                }
                run(&state, &shared, job).await;
                shared.active.fetch_sub(1, Ordering::SeqCst);
            }
            Ok(None) => {
                shared.active.fetch_sub(1, Ordering::SeqCst);
                tokio::select! {
                    _ = shared.wake.notified() => {}
                    _ = tokio::time::sleep(shared.poll) => {}
                }
            }
            Err(e) => {
                shared.active.fetch_sub(1, Ordering::SeqCst);
                tracing::warn!("job queue unavailable: {e}");
                tokio::time::sleep(shared.poll).await;
            }
        }
    }
}

async fn run(state: &AppState, shared: &Arc<SharedJobs>, job: Claimed) {
    let heartbeat = {
        let shared = shared.clone();
        let id = job.id.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(shared.lease / 3).await;
                match shared
                    .queue
                    .heartbeat(&id, &shared.owner, shared.lease)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(job = %id, "heartbeat failed: {e}"),
                }
            }
        })
    };
    let outcome = async {
        let req: ProofRequest = extract::parse_json(&job.request).map_err(ApiError::from)?;
        let prepared = proving::prepare(state, &req)?;
        drop(req);
        let admitted = state.pool.admit_wait().await?;
        proving::run(state, admitted, prepared).await
    }
    .await
    .map_err(|e| e.detail());
    heartbeat.abort();
    match shared
        .queue
        .complete(&job.id, &shared.owner, outcome.as_ref())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            shared.leases_lost.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(job = %job.id, "lease lost before completion: the result is dropped");
        }
        Err(e) => tracing::warn!(job = %job.id, "completion not recorded: {e}"),
    }
}
