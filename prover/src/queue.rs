//! The shared job queue (issue 13, first part): asynchronous proving jobs in a database
//! (`zkgate-db`: SQLite on one machine, PostgreSQL behind several provers), claimed by workers
//! with leases.
//!
//! - [`JobQueue::submit`] commits the job's row before it returns (the 202 is sent only
//!   after); the request, witness included, is sealed under the provers' data key
//!   (AES-256-GCM-SIV bound to the job id) and erased when the job ends.
//! - [`JobQueue::claim`] takes the oldest queued job, or a running one whose lease expired (its
//!   instance died), and leases it to the caller (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//!   claimers never wait on each other nor take the same job; SQLite's single writer serializes
//!   them); `attempts` counts the claims.
//! - [`JobQueue::heartbeat`] extends a lease while proving; [`JobQueue::complete`] is accepted
//!   only from the lease holder (a worker that lost its lease cannot overwrite the result of
//!   the one that took the job over).
//! - Idempotency keys and job status are answered from the database, by any instance.
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::Row;
use zkgate_client::api::{ErrorDetail, JobState, JobStatus, ProofResponse};
use zkgate_db::seal::DataKey;
use zkgate_db::{Backend, Database, DbError};

/// The job queue's migrations, one per backend.
pub const MIGRATIONS: &[zkgate_db::MigrationSql] = &[zkgate_db::MigrationSql {
    version: 1,
    description: "proving jobs with leases",
    sqlite: include_str!("../migrations/sqlite/0001_jobs.sql"),
    postgres: include_str!("../migrations/postgres/0001_jobs.sql"),
}];

/// The PostgreSQL notification channel a new (or released) job is announced on, so idle
/// workers of every instance wake at once; polling covers a lost notification.
pub const CHANNEL: &str = "zkgate_prover_jobs";

/// Why a queue operation failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A stored value did not decode or open.
    #[error("job {0}: stored record is corrupt")]
    Corrupt(String),
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> Self {
        QueueError::Db(DbError::Sql(e))
    }
}

/// What [`JobQueue::submit`] decided.
#[derive(Debug, PartialEq, Eq)]
pub enum Submitted {
    /// A new job, committed.
    New(JobStatus),
    /// The same request was already submitted with this key: its job.
    Existing(JobStatus),
    /// The key was used for a different request.
    Conflict,
}

/// A claimed job: the request to prove, leased to the claimer.
pub struct Claimed {
    /// Job id.
    pub id: String,
    /// The request body (JSON), opened. Zeroized on drop.
    pub request: zeroize::Zeroizing<Vec<u8>>,
    /// How many times the job has been claimed, this claim included.
    pub attempts: u64,
}

impl std::fmt::Debug for Claimed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("id", &self.id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Figures of the shared queue (for `/metrics`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Jobs waiting.
    pub queued: u64,
    /// Jobs leased and being proven.
    pub running: u64,
    /// Running jobs whose lease has expired (their instance is gone or stuck).
    pub expired_leases: u64,
    /// Age of the oldest queued job, milliseconds.
    pub oldest_queued_ms: u64,
}

/// The queue.
#[derive(Clone)]
pub struct JobQueue {
    db: Database,
    key: std::sync::Arc<DataKey>,
}

impl std::fmt::Debug for JobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobQueue")
            .field("backend", &self.db.backend())
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

fn aad(id: &str) -> Vec<u8> {
    let mut aad = b"zkgate/prover/job/".to_vec();
    aad.extend_from_slice(id.as_bytes());
    aad
}

impl JobQueue {
    /// The queue on `db` (migrated with [`MIGRATIONS`]), sealing requests under `key` (every
    /// instance on the database needs the same key).
    pub fn new(db: Database, key: DataKey) -> Self {
        JobQueue {
            db,
            key: std::sync::Arc::new(key),
        }
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    fn status(&self, row: &sqlx::any::AnyRow) -> Result<JobStatus, QueueError> {
        let id: String = row.try_get(0)?;
        let state: String = row.try_get(1)?;
        let corrupt = || QueueError::Corrupt(id.clone());
        let status = match state.as_str() {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "failed" => JobState::Failed,
            _ => return Err(corrupt()),
        };
        let result: Option<String> = row.try_get(2)?;
        let error: Option<String> = row.try_get(3)?;
        Ok(JobStatus {
            job_id: id.clone(),
            status,
            result: match result {
                Some(r) => Some(serde_json::from_str::<ProofResponse>(&r).map_err(|_| corrupt())?),
                None => None,
            },
            error: match error {
                Some(e) => Some(serde_json::from_str::<ErrorDetail>(&e).map_err(|_| corrupt())?),
                None => None,
            },
        })
    }

    /// Records a job for `request` (the JSON body, witness included: sealed) and commits it;
    /// with an idempotency key, the same key and body answer the same job and the same key
    /// with another body is a conflict.
    pub async fn submit(
        &self,
        request: &[u8],
        idempotency_key: Option<&str>,
    ) -> Result<Submitted, QueueError> {
        let digest: [u8; 32] = Sha256::digest(request).into();
        let id = new_id();
        let sealed = self.key.seal(&aad(&id), request);
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        if let Some(key) = idempotency_key {
            let found = sqlx::query(
                "SELECT id, state, result, error, request_digest FROM jobs WHERE idempotency_key = $1",
            )
            .bind(key.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = found {
                let stored: Option<Vec<u8>> = row.try_get(4)?;
                return Ok(if stored.as_deref() == Some(&digest[..]) {
                    Submitted::Existing(self.status(&row)?)
                } else {
                    Submitted::Conflict
                });
            }
        }
        sqlx::query(
            "INSERT INTO jobs (id, state, request, idempotency_key, request_digest, result, error, \
             attempts, lease_owner, lease_until, created_at, updated_at) \
             VALUES ($1, 'queued', $2, $3, $4, NULL, NULL, 0, NULL, NULL, $5, $5)",
        )
        .bind(id.clone())
        .bind(sealed)
        .bind(idempotency_key.map(str::to_string))
        .bind(idempotency_key.map(|_| digest.to_vec()))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        self.db.notify(&mut tx, CHANNEL).await?;
        tx.commit().await?;
        Ok(Submitted::New(JobStatus {
            job_id: id,
            status: JobState::Queued,
            result: None,
            error: None,
        }))
    }

    /// A job's state, from any instance.
    pub async fn get(&self, id: &str) -> Result<Option<JobStatus>, QueueError> {
        let row = sqlx::query("SELECT id, state, result, error FROM jobs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| self.status(&r)).transpose()
    }

    /// Leases the oldest claimable job (queued, or running with an expired lease) to `owner`
    /// for `lease`.
    pub async fn claim(&self, owner: &str, lease: Duration) -> Result<Option<Claimed>, QueueError> {
        let now = now_ms();
        let pick = match self.db.backend() {
            Backend::Postgres => {
                "SELECT id FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < $3) \
                 ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT id FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < $3) \
                 ORDER BY created_at LIMIT 1"
            }
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, \
             attempts = attempts + 1, updated_at = $3 WHERE id = ({pick}) \
             RETURNING id, request, attempts"
        );
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_string())
            .bind(now + lease.as_millis() as i64)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0)?;
        let sealed: Option<Vec<u8>> = row.try_get(1)?;
        let request = sealed
            .and_then(|s| self.key.open(&aad(&id), &s).ok())
            .ok_or_else(|| QueueError::Corrupt(id.clone()))?;
        Ok(Some(Claimed {
            id,
            request: zeroize::Zeroizing::new(request),
            attempts: row.try_get::<i64, _>(2)? as u64,
        }))
    }

    /// Extends `owner`'s lease of job `id`; false if the lease is no longer `owner`'s (it
    /// expired and another instance took the job).
    pub async fn heartbeat(
        &self,
        id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, QueueError> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $3, updated_at = $4 WHERE id = $1 \
             AND lease_owner = $2 AND state = 'running'",
        )
        .bind(id.to_string())
        .bind(owner.to_string())
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    /// Finishes job `id` with `outcome` and erases its request, if `owner` still holds the
    /// lease; false (nothing written) otherwise.
    pub async fn complete(
        &self,
        id: &str,
        owner: &str,
        outcome: Result<&ProofResponse, &ErrorDetail>,
    ) -> Result<bool, QueueError> {
        let (state, result, error) = match outcome {
            Ok(r) => (
                "succeeded",
                Some(serde_json::to_string(r).expect("serializable")),
                None,
            ),
            Err(e) => (
                "failed",
                None,
                Some(serde_json::to_string(e).expect("serializable")),
            ),
        };
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = $3, result = $4, error = $5, request = NULL, \
             lease_owner = NULL, lease_until = NULL, updated_at = $6 \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(id.to_string())
        .bind(owner.to_string())
        .bind(state.to_string())
        .bind(result)
        .bind(error)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Gives a job back to the queue (a draining instance that will not finish it).
    pub async fn release(&self, id: &str, owner: &str) -> Result<bool, QueueError> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, \
             updated_at = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        )
        .bind(id.to_string())
        .bind(owner.to_string())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 1 {
            self.db.notify(&mut tx, CHANNEL).await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    /// The queue's figures now.
    pub async fn stats(&self) -> Result<QueueStats, QueueError> {
        let now = now_ms();
        let row = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'running' AND lease_until < $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(MIN(CASE WHEN state = 'queued' THEN created_at END), $1) \
             FROM jobs",
        )
        .bind(now)
        .fetch_one(self.db.pool())
        .await?;
        Ok(QueueStats {
            queued: row.try_get::<i64, _>(0)? as u64,
            running: row.try_get::<i64, _>(1)? as u64,
            expired_leases: row.try_get::<i64, _>(2)? as u64,
            oldest_queued_ms: (now - row.try_get::<i64, _>(3)?).max(0) as u64,
        })
    }
}
