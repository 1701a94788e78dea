//! Asynchronous proving jobs, kept in memory: bounded in number, finished jobs evicted oldest
//! first, repeated `Idempotency-Key`s answered with the same job. Witness data is never stored
//! in a job record: only the state and the result.
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use zkgate_client::api::{ErrorDetail, JobState, JobStatus, ProofResponse};

/// At most this many jobs are remembered.
pub const MAX_JOBS: usize = 10_000;

struct Record {
    status: JobStatus,
    idempotency: Option<(String, [u8; 32])>,
}

/// The job table.
#[derive(Default)]
pub struct Jobs {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    jobs: HashMap<String, Record>,
    order: VecDeque<String>,
    by_key: HashMap<String, String>,
}

/// What `create` decided.
pub enum Created {
    /// A new job to run.
    New(JobStatus),
    /// The same request was already submitted with this key.
    Existing(JobStatus),
    /// The key was used for a different request.
    Conflict,
    /// The table is full of unfinished jobs.
    Full,
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

impl Jobs {
    /// Registers a queued job, or finds the one created earlier with the same idempotency key
    /// and request digest.
    pub fn create(&self, idempotency: Option<(String, [u8; 32])>) -> Created {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((key, digest)) = &idempotency {
            if let Some(id) = inner.by_key.get(key).cloned() {
                if let Some(rec) = inner.jobs.get(&id) {
                    return match &rec.idempotency {
                        Some((_, d)) if d == digest => Created::Existing(rec.status.clone()),
                        _ => Created::Conflict,
                    };
                }
            }
        }
        // Evict the oldest finished jobs beyond the bound.
        while inner.jobs.len() >= MAX_JOBS {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(rec) = inner.jobs.remove(&oldest) {
                if let Some((key, _)) = rec.idempotency {
                    inner.by_key.remove(&key);
                }
            }
        }
        let id = new_id();
        let status = JobStatus {
            job_id: id.clone(),
            status: JobState::Queued,
            result: None,
            error: None,
        };
        if let Some((key, _)) = &idempotency {
            inner.by_key.insert(key.clone(), id.clone());
        }
        inner.order.push_back(id.clone());
        inner.jobs.insert(
            id,
            Record {
                status: status.clone(),
                idempotency,
            },
        );
        Created::New(status)
    }

    /// The job created earlier with idempotency `key`: `Ok` if it was for the same request
    /// digest, `Err` if for another request; `None` if the key is unknown.
    pub fn find(&self, key: &str, digest: &[u8; 32]) -> Option<Result<JobStatus, ()>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let rec = inner.jobs.get(inner.by_key.get(key)?)?;
        Some(match &rec.idempotency {
            Some((_, d)) if d == digest => Ok(rec.status.clone()),
            _ => Err(()),
        })
    }

    /// A job's current status.
    pub fn get(&self, id: &str) -> Option<JobStatus> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.jobs.get(id).map(|r| r.status.clone())
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut JobStatus)) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rec) = inner.jobs.get_mut(id) {
            f(&mut rec.status);
        }
    }

    /// Marks a job running.
    pub fn running(&self, id: &str) {
        self.update(id, |s| s.status = JobState::Running);
    }

    /// Marks a job done.
    pub fn finish(&self, id: &str, result: Result<ProofResponse, ErrorDetail>) {
        self.update(id, |s| match result {
            Ok(r) => {
                s.status = JobState::Succeeded;
                s.result = Some(r);
            }
            Err(e) => {
                s.status = JobState::Failed;
                s.error = Some(e);
            }
        });
    }
}
