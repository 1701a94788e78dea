//! Proving off the async runtime, on a bounded pool behind a bounded queue.
//!
//! Admission: at most `workers + queue` proof requests are accepted at once; the next one gets
//! `503 Retry-After` immediately instead of growing memory and latency. Admitted requests wait
//! for one of `workers` permits, then prove on tokio's blocking pool (a timeout cannot cancel
//! CPU work, so the permit is held until the proof is done). Every proof is verified with
//! `groth16-solana` against the rule-set's verifying key before it is returned.
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zkgate_circuits::compliance::{
    check_native, seal_disclosure, ComplianceCircuit, ComplianceWitness,
};
use zkgate_circuits::disclosure::{Disclosure, DisclosureWitness};
use zkgate_circuits::keys::KeySet;
use zkgate_circuits::pass::{check_pass_native, PassCircuit, PassStatement};
use zkgate_circuits::proof::{prove, ProveError};
use zkgate_circuits::statement::Statement;
use zkgate_client::api::{
    DisclosureOutput, PassRequest, PassResponse, ProofRequest, ProofResponse,
};

use crate::error::ApiError;
use crate::rule_sets::RuleSetEntry;
use crate::AppState;

/// The bounded proving pool.
pub struct Pool {
    admission: Arc<Semaphore>,
    workers: Arc<Semaphore>,
}

impl Pool {
    /// `workers` concurrent proofs, at most `queue` more waiting.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Self {
            admission: Arc::new(Semaphore::new(workers + queue)),
            workers: Arc::new(Semaphore::new(workers)),
        }
    }

    /// Waits for admission (the shared queue's workers: their jobs are already accepted).
    pub async fn admit_wait(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.admission
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("proving pool closed".into()))
    }

    /// Admits a request or refuses it at once when the queue is full.
    pub fn admit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.admission
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Overloaded)
    }
}

/// A decoded transfer request, checked, with its auditor disclosure sealed (a fresh secret
/// drawn here): what the proving work needs.
pub struct PreparedProof {
    /// The rule-set served.
    pub entry: RuleSetEntry,
    /// The statement (with the disclosure commitment).
    pub statement: Statement,
    /// The private witness.
    pub witness: ComplianceWitness,
    /// The disclosure's issuer and secret (zeroized on drop).
    pub disclosure: DisclosureWitness,
    /// What is posted with the transfer.
    pub posted: Disclosure,
}

/// Finds the rule-set, decodes the request, seals the auditor disclosure and checks every
/// rule natively: everything that can be refused is refused before any proving work.
pub fn prepare(state: &AppState, req: &ProofRequest) -> Result<PreparedProof, ApiError> {
    prepare_with(&state.rule_sets, req).inspect_err(|e| {
        if let ApiError::Violation(v) = e {
            state.metrics.refused(v.code());
        }
    })
}

/// [`prepare`] against a list of rule-sets (what the offline `zkgate prove` uses).
pub fn prepare_with(
    rule_sets: &[RuleSetEntry],
    req: &ProofRequest,
) -> Result<PreparedProof, ApiError> {
    let entry = rule_sets
        .iter()
        .find(|r| r.rule_set_id == req.rule_set_id && r.version == req.rule_set_version)
        .cloned()
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "rule-set {} version {} is not served here",
                req.rule_set_id, req.rule_set_version
            ))
        })?;
    let (mut statement, witness, issuer) =
        req.decode(entry.params.hash_bytes(), entry.program_id)?;
    check_depth(&witness, entry.keys.depth)?;
    let (posted, disclosure) = seal_disclosure(
        &mut statement,
        &entry.params,
        &witness,
        &issuer,
        &mut rand::rngs::OsRng,
    )?;
    check_native(&statement, &entry.params, &witness, &disclosure)?;
    Ok(PreparedProof {
        entry,
        statement,
        witness,
        disclosure,
        posted,
    })
}

/// The witness's paths must have the depth of the keys' trees (else 422 naming the path).
fn check_depth(witness: &ComplianceWitness, depth: usize) -> Result<(), ApiError> {
    for (field, path) in [
        ("witness.credential_path.siblings", &witness.credential_path),
        ("witness.sanctions.path.siblings", &witness.sanctions.path),
    ] {
        let expected = zkgate_circuits::merkle::path_len(depth);
        if path.siblings.len() != expected {
            return Err(ApiError::InvalidField(zkgate_client::api::FieldError {
                field: field.into(),
                message: format!(
                    "this rule-set's trees have depth {depth}: {expected} siblings (three per level)"
                ),
            }));
        }
    }
    Ok(())
}

/// A decoded pass request, checked: the rule-set's pass keys, parameters, statement, witness.
pub struct PreparedPass {
    keys: Arc<KeySet>,
    entry: RuleSetEntry,
    statement: PassStatement,
    witness: ComplianceWitness,
}

/// [`prepare`] for `POST /v1/passes`: the rule-set must be served with pass keys (404
/// otherwise), and every pass rule is checked natively before any proving.
pub fn prepare_pass(state: &AppState, req: &PassRequest) -> Result<PreparedPass, ApiError> {
    prepare_pass_with(&state.rule_sets, req).inspect_err(|e| {
        if let ApiError::Violation(v) = e {
            state.metrics.refused(v.code());
        }
    })
}

/// [`prepare_pass`] against a list of rule-sets.
pub fn prepare_pass_with(
    rule_sets: &[RuleSetEntry],
    req: &PassRequest,
) -> Result<PreparedPass, ApiError> {
    let not_served = || {
        ApiError::NotFound(format!(
            "recipient passes of rule-set {} version {} are not served here",
            req.rule_set_id, req.rule_set_version
        ))
    };
    let entry = rule_sets
        .iter()
        .find(|r| r.rule_set_id == req.rule_set_id && r.version == req.rule_set_version)
        .cloned()
        .ok_or_else(not_served)?;
    let keys = entry.pass_keys.clone().ok_or_else(not_served)?;
    let (statement, witness) = req.decode(entry.params.hash_bytes(), entry.program_id)?;
    check_depth(&witness, keys.depth)?;
    check_pass_native(&statement, &entry.params, &witness)?;
    Ok(PreparedPass {
        keys,
        entry,
        statement,
        witness,
    })
}

/// Proves a pass on the calling thread (verified against the pass keys before returning).
pub fn prove_pass_now(prepared: PreparedPass) -> Result<(PassResponse, Duration), ApiError> {
    let started = Instant::now();
    let PreparedPass {
        keys,
        entry,
        statement,
        witness,
    } = prepared;
    let circuit = PassCircuit {
        statement,
        params: entry.params.clone(),
        witness,
        depth: keys.depth,
    };
    let out = prove(&keys, circuit, &mut rand::rngs::OsRng);
    let took = started.elapsed();
    let out = match out {
        Ok(out) => out,
        Err(ProveError::Violation(v)) => return Err(ApiError::Violation(v)),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    let response = PassResponse {
        proof_base64: base64::engine::general_purpose::STANDARD.encode(out.proof),
        proof_hex: hex::encode(out.proof),
        statement_hash_hex: hex::encode(out.public_input),
        vk_hash_hex: hex::encode(keys.vk_hash),
        rule_set_id: entry.rule_set_id,
        rule_set_version: entry.version,
        proving_ms: took.as_millis() as u64,
    };
    Ok((response, took))
}

/// Increments a gauge for as long as it lives, so a cancelled request (timeout, client gone)
/// still decrements it.
struct GaugeGuard<'a>(&'a std::sync::atomic::AtomicU64);

impl<'a> GaugeGuard<'a> {
    fn new(gauge: &'a std::sync::atomic::AtomicU64) -> Self {
        gauge.fetch_add(1, Ordering::Relaxed);
        Self(gauge)
    }
}

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Proves on the calling thread, verifies the proof with `groth16-solana` against the
/// rule-set's verifying key, and builds the answer; also returns the proving time. The service
/// runs this on its pool; `zkgate prove` runs it directly (no service needed).
pub fn prove_now(prepared: PreparedProof) -> Result<(ProofResponse, Duration), ApiError> {
    let started = Instant::now();
    let PreparedProof {
        entry,
        statement,
        witness,
        disclosure,
        posted,
    } = prepared;
    let subject_tag = statement.subject_tag;
    let circuit = ComplianceCircuit {
        statement,
        params: entry.params.clone(),
        witness,
        disclosure,
        depth: entry.keys.depth,
    };
    let out = prove(&entry.keys, circuit, &mut rand::rngs::OsRng);
    let took = started.elapsed();
    let out = match out {
        Ok(out) => out,
        Err(ProveError::Violation(v)) => return Err(ApiError::Violation(v)),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    // `prove` verified the proof with groth16-solana against these keys before returning it.
    let response = ProofResponse {
        proof_base64: base64::engine::general_purpose::STANDARD.encode(out.proof),
        proof_hex: hex::encode(out.proof),
        public_input_hex: hex::encode(out.public_input),
        statement_hash_hex: hex::encode(out.public_input),
        vk_hash_hex: hex::encode(entry.keys.vk_hash),
        rule_set_id: entry.rule_set_id,
        rule_set_version: entry.version,
        subject_tag_hex: hex::encode(subject_tag),
        disclosure: DisclosureOutput::encode(&posted),
        proving_ms: took.as_millis() as u64,
    };
    Ok((response, took))
}

/// Waits for a worker, proves, verifies, and builds the answer.
pub async fn run(
    state: &AppState,
    admitted: OwnedSemaphorePermit,
    prepared: PreparedProof,
) -> Result<ProofResponse, ApiError> {
    run_work(state, admitted, move || prove_now(prepared)).await
}

/// [`run`] for a recipient pass.
pub async fn run_pass(
    state: &AppState,
    admitted: OwnedSemaphorePermit,
    prepared: PreparedPass,
) -> Result<PassResponse, ApiError> {
    run_work(state, admitted, move || prove_pass_now(prepared)).await
}

/// Waits for a worker, then runs `work` (a proof) on the blocking pool, counted in the metrics.
async fn run_work<R: Send + 'static>(
    state: &AppState,
    admitted: OwnedSemaphorePermit,
    work: impl FnOnce() -> Result<(R, Duration), ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    let metrics = state.metrics.clone();
    let queued = GaugeGuard::new(&metrics.queued);
    let worker = state.pool.workers.clone().acquire_owned().await;
    drop(queued);
    let worker = worker.map_err(|_| ApiError::Internal("worker pool closed".into()))?;
    let task_metrics = metrics.clone();
    // The blocking task owns the in-flight count: it runs to completion even if the request
    // that started it is cancelled.
    let result = tokio::task::spawn_blocking(move || {
        let _in_flight = GaugeGuard::new(&task_metrics.in_flight);
        let _worker = worker;
        let _admitted = admitted;
        let (response, took) = work()?;
        task_metrics.proof_ok(took);
        Ok(response)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("proving task failed: {e}")))
    .and_then(|r| r);
    if result.is_err() {
        metrics.proof_failed();
    }
    result
}
