//! Asynchronous proving jobs: bounded in number, finished jobs evicted oldest first, repeated
//! `Idempotency-Key`s answered with the same job. Witness data is never stored in a job record:
//! only the state, the result, and the idempotency key with the request's digest.
//!
//! By default the table lives in memory. With a directory ([`Jobs::open`], `--jobs-dir`) every
//! record is also written there (one JSON file per job, written to a temporary file and renamed,
//! so a crash never leaves half a record) and read back on start: finished jobs keep answering
//! after a restart; jobs that were queued or running when the process stopped cannot be resumed
//! (their witness was never stored), so they become `failed` with the code `interrupted` and
//! their idempotency key is released for a resubmission. This is the seam where a shared store
//! (a database behind several provers) plugs in.
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use zkgate_client::api::{ErrorDetail, JobState, JobStatus, ProofResponse};

/// At most this many jobs are remembered.
pub const MAX_JOBS: usize = 10_000;

/// Error code of a job that the process stopped before it finished.
pub const INTERRUPTED: &str = "interrupted";

#[derive(Clone, Serialize, Deserialize)]
struct Record {
    status: JobStatus,
    #[serde(with = "idempotency_serde")]
    idempotency: Option<(String, [u8; 32])>,
    /// Creation order (milliseconds since the Unix epoch), for eviction after a restart.
    created_ms: u64,
}

mod idempotency_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Stored {
        key: String,
        digest: String,
    }

    pub fn serialize<S: Serializer>(
        v: &Option<(String, [u8; 32])>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_ref()
            .map(|(key, digest)| Stored {
                key: key.clone(),
                digest: hex::encode(digest),
            })
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<(String, [u8; 32])>, D::Error> {
        let Some(stored) = Option::<Stored>::deserialize(d)? else {
            return Ok(None);
        };
        let mut digest = [0u8; 32];
        hex::decode_to_slice(&stored.digest, &mut digest).map_err(serde::de::Error::custom)?;
        Ok(Some((stored.key, digest)))
    }
}

/// The job table.
pub struct Jobs {
    inner: Mutex<Inner>,
    dir: Option<PathBuf>,
    limit: usize,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            inner: Mutex::default(),
            dir: None,
            limit: MAX_JOBS,
        }
    }
}

/// A job directory could not be used.
#[derive(Debug, thiserror::Error)]
#[error("job store {path}: {reason}")]
pub struct StoreError {
    /// The file or directory.
    pub path: String,
    /// What went wrong.
    pub reason: String,
}

fn store_error(path: &Path, reason: impl std::fmt::Display) -> StoreError {
    StoreError {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Job ids are 32 lowercase hex digits: safe as file names.
fn is_job_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
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
    /// The job could not be recorded in the job store.
    StoreFailed(String),
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

impl Jobs {
    /// A job table persisted in `dir` (created if missing), with the jobs recorded there by an
    /// earlier process: finished ones as they were, unfinished ones marked failed
    /// (`interrupted`).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| store_error(dir, e))?;
        let mut records = vec![];
        for entry in std::fs::read_dir(dir).map_err(|e| store_error(dir, e))? {
            let path = entry.map_err(|e| store_error(dir, e))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with(".tmp-") {
                // A write the process did not finish: the record it replaced is still there.
                let _ = std::fs::remove_file(&path);
                continue;
            }
            let Some(id) = name.strip_suffix(".json").filter(|id| is_job_id(id)) else {
                continue;
            };
            let bytes = std::fs::read(&path).map_err(|e| store_error(&path, e))?;
            let mut rec: Record =
                serde_json::from_slice(&bytes).map_err(|e| store_error(&path, e))?;
            if rec.status.job_id != id {
                return Err(store_error(&path, "the record names another job id"));
            }
            if matches!(rec.status.status, JobState::Queued | JobState::Running) {
                rec.status.status = JobState::Failed;
                rec.status.error = Some(ErrorDetail {
                    code: INTERRUPTED.into(),
                    message: "the prover stopped before this job finished; submit the request \
                              again (witnesses are never stored)"
                        .into(),
                    field: None,
                });
                rec.idempotency = None;
                records.push((rec, true));
            } else {
                records.push((rec, false));
            }
        }
        records.sort_by(|(a, _), (b, _)| {
            (a.created_ms, &a.status.job_id).cmp(&(b.created_ms, &b.status.job_id))
        });
        let jobs = Jobs {
            dir: Some(dir.to_path_buf()),
            ..Jobs::default()
        };
        {
            let mut inner = jobs.inner.lock().unwrap_or_else(|e| e.into_inner());
            for (rec, changed) in records {
                if changed {
                    jobs.persist(&rec).map_err(|e| store_error(dir, e))?;
                }
                let id = rec.status.job_id.clone();
                if let Some((key, _)) = &rec.idempotency {
                    inner.by_key.insert(key.clone(), id.clone());
                }
                inner.order.push_back(id.clone());
                inner.jobs.insert(id, rec);
            }
        }
        Ok(jobs)
    }

    /// Writes a record to the store (no-op in memory).
    fn persist(&self, rec: &Record) -> Result<(), String> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let id = &rec.status.job_id;
        let tmp = dir.join(format!(".tmp-{id}"));
        let bytes = serde_json::to_vec(rec).map_err(|e| e.to_string())?;
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            // Durable before it becomes visible: a crash leaves the old record or the new one.
            file.sync_all()
        };
        write().map_err(|e| format!("{}: {e}", tmp.display()))?;
        let path = dir.join(format!("{id}.json"));
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        // The rename itself is durable once the directory is synced (where the OS allows it).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn unpersist(&self, id: &str) {
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{id}.json"));
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!("job store: cannot remove {}: {e}", path.display());
            }
        }
    }

    /// The same table remembering at most `limit` jobs (default [`MAX_JOBS`]).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

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
        // Evict the oldest finished jobs beyond the bound; unfinished jobs are never evicted
        // (their clients are still polling), so a table full of them refuses new jobs.
        while inner.jobs.len() >= self.limit {
            let finished = inner.order.iter().position(|id| {
                inner.jobs.get(id).is_none_or(|r| {
                    matches!(r.status.status, JobState::Succeeded | JobState::Failed)
                })
            });
            let Some(oldest) = finished.and_then(|pos| inner.order.remove(pos)) else {
                return Created::Full;
            };
            if let Some(rec) = inner.jobs.remove(&oldest) {
                if let Some((key, _)) = rec.idempotency {
                    inner.by_key.remove(&key);
                }
                self.unpersist(&oldest);
            }
        }
        let id = new_id();
        let status = JobStatus {
            job_id: id.clone(),
            status: JobState::Queued,
            result: None,
            error: None,
        };
        let rec = Record {
            status: status.clone(),
            idempotency,
            created_ms: now_ms(),
        };
        if let Err(e) = self.persist(&rec) {
            return Created::StoreFailed(e);
        }
        if let Some((key, _)) = &rec.idempotency {
            inner.by_key.insert(key.clone(), id.clone());
        }
        inner.order.push_back(id.clone());
        inner.jobs.insert(id, rec);
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
            if let Err(e) = self.persist(rec) {
                tracing::warn!("job store: cannot record job {id}: {e}");
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn new_job(jobs: &Jobs) -> String {
        match jobs.create(None) {
            Created::New(s) => s.job_id,
            _ => panic!("expected a new job"),
        }
    }

    #[test]
    fn only_finished_jobs_are_evicted_and_a_full_table_refuses() {
        let jobs = Jobs::default().with_limit(2);
        let running = new_job(&jobs);
        jobs.running(&running);
        let done = new_job(&jobs);
        jobs.finish(
            &done,
            Err(ErrorDetail {
                code: "x".into(),
                message: "x".into(),
                field: None,
            }),
        );
        // The table is full: the finished job goes, the older running one stays.
        let third = new_job(&jobs);
        assert!(jobs.get(&done).is_none());
        assert_eq!(jobs.get(&running).unwrap().status, JobState::Running);
        assert_eq!(jobs.get(&third).unwrap().status, JobState::Queued);
        // Only unfinished jobs left: refused, nothing evicted.
        assert!(matches!(jobs.create(None), Created::Full));
        assert!(jobs.get(&running).is_some() && jobs.get(&third).is_some());
    }
}
