//! zkgate prover service: a REST API (axum) that turns a client's private witness into a
//! transfer proof in exactly the byte layout the zkgate program consumes.
//!
//! - `POST /v1/proofs` (synchronous), `POST /v1/jobs` + `GET /v1/jobs/{id}` (asynchronous, with
//!   `Idempotency-Key`), `POST /v1/passes` (recipient passes), `GET /v1/rule-sets`;
//! - `GET /healthz`, `GET /readyz`, `GET /metrics` (Prometheus), `GET /openapi.json`.
//!
//! The witness is checked natively before any proving (422 naming the broken rule), proving
//! runs on a bounded pool behind a bounded queue (503 + `Retry-After` when full), every proof is
//! verified before it is returned, and witness data is never logged, echoed or kept.
#![deny(missing_docs)]
pub mod client;
pub mod config;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod proving;
pub mod queue;
pub mod rule_sets;
pub mod workers;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use zkgate_client::api::{
    ErrorBody, ErrorDetail, JobState, JobStatus, PassRequest, PassResponse, ProofRequest,
    ProofResponse, RuleSetInfo,
};

use crate::error::ApiError;
use crate::extract::{ApiBytes, ApiJson};
use crate::metrics::Metrics;
use crate::proving::Pool;
pub use crate::rule_sets::{dev_rule_set, RuleSetEntry};

/// Longest accepted `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 128;

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    /// Rule-sets served.
    pub rule_sets: Arc<Vec<RuleSetEntry>>,
    /// Proving pool.
    pub pool: Arc<Pool>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Accepted API keys (empty: no authentication).
    pub api_keys: Arc<Vec<String>>,
    /// Deadline of a synchronous proof request.
    pub request_timeout: Duration,
    /// Body size limit in bytes.
    pub body_limit: usize,
    /// Allowed CORS origins (empty: CORS off; `*`: any).
    pub cors_origins: Arc<Vec<String>>,
    /// The job queue (a database: SQLite on one machine, PostgreSQL shared by several
    /// instances) where async jobs live and this instance's workers claim them. Without one
    /// (a library user that only proves synchronously) `/v1/jobs` answers 503 `unavailable`;
    /// the binary always has one.
    pub shared: Option<Arc<workers::SharedJobs>>,
}

/// Settings of [`AppState::new`].
#[derive(Clone, Debug)]
pub struct Settings {
    /// Concurrent proofs.
    pub workers: usize,
    /// Proof requests that may wait beyond the running ones.
    pub queue: usize,
    /// Accepted API keys.
    pub api_keys: Vec<String>,
    /// Deadline of a synchronous proof.
    pub request_timeout: Duration,
    /// Body size limit in bytes.
    pub body_limit: usize,
    /// CORS origins.
    pub cors_origins: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            queue: 64,
            api_keys: vec![],
            request_timeout: Duration::from_secs(60),
            body_limit: 256 * 1024,
            cors_origins: vec![],
        }
    }
}

impl AppState {
    /// State serving `rule_sets` with `settings`.
    pub fn new(rule_sets: Vec<RuleSetEntry>, settings: Settings) -> Self {
        Self {
            rule_sets: Arc::new(rule_sets),
            pool: Arc::new(Pool::new(settings.workers, settings.queue)),
            metrics: Arc::new(Metrics::default()),
            api_keys: Arc::new(settings.api_keys),
            request_timeout: settings.request_timeout,
            body_limit: settings.body_limit,
            cors_origins: Arc::new(settings.cors_origins),
            shared: None,
        }
    }

    /// The same state with async jobs in `queue`, worked by this instance as `options` say
    /// (call inside a tokio runtime).
    pub fn with_queue(mut self, queue: queue::JobQueue, options: workers::QueueOptions) -> Self {
        let shared = Arc::new(workers::SharedJobs::new(queue, options.lease, options.poll));
        self.shared = Some(shared.clone());
        workers::start(&self, &shared, options.workers);
        self
    }

    /// Stops claiming shared jobs (running ones finish) and turns `/readyz` unready.
    pub fn drain(&self) {
        if let Some(shared) = &self.shared {
            shared.draining.store(true, Ordering::SeqCst);
            shared.wake.notify_waiters();
        }
    }

    /// Admits a proof request to the pool, or refuses it (503) and counts the refusal.
    fn admit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.pool.admit().inspect_err(|_| self.metrics.overloaded())
    }

    /// Awaits `work` (a synchronous request's proof) until the request deadline (then 503).
    async fn within_deadline<R>(
        &self,
        work: impl std::future::Future<Output = Result<R, ApiError>>,
    ) -> Result<Json<R>, ApiError> {
        match tokio::time::timeout(self.request_timeout, work).await {
            Ok(result) => result.map(Json),
            Err(_) => Err(ApiError::Timeout),
        }
    }

    /// Proofs admitted and not finished (queued or running).
    pub fn busy(&self) -> u64 {
        self.metrics.queued.load(Ordering::Relaxed)
            + self.metrics.in_flight.load(Ordering::Relaxed)
            + self
                .shared
                .as_ref()
                .map_or(0, |s| s.active.load(Ordering::SeqCst))
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "zkgate prover",
        description = "Turns a private compliance witness into a zkgate transfer proof."
    ),
    paths(
        create_proof,
        create_pass,
        create_job,
        get_job,
        list_rule_sets,
        healthz,
        readyz
    ),
    components(schemas(
        ProofRequest,
        PassRequest,
        zkgate_client::api::PassFields,
        PassResponse,
        zkgate_client::api::TransferFields,
        zkgate_client::api::WitnessInput,
        zkgate_client::api::CredentialInput,
        zkgate_client::api::PathInput,
        zkgate_client::api::SanctionsInput,
        ProofResponse,
        ErrorBody,
        ErrorDetail,
        JobStatus,
        JobState,
        RuleSetInfo
    ))
)]
pub struct ApiDoc;

/// Builds the whole router: routes, auth, metrics, limits, tracing, CORS.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/proofs", post(create_proof))
        .route("/v1/passes", post(create_pass))
        .route("/v1/jobs", post(create_job))
        .route("/v1/jobs/{id}", get(get_job))
        .route("/v1/rule-sets", get(list_rule_sets))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(api)
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(middleware::from_fn_with_state(
            state.metrics.requests.clone(),
            zkgate_service::requests::count,
        ))
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
        ]));
    if !state.cors_origins.is_empty() {
        let origins = if state.cors_origins.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            AllowOrigin::list(state.cors_origins.iter().filter_map(|o| o.parse().ok()))
        };
        router = router.layer(
            CorsLayer::new()
                .allow_origin(origins)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::AUTHORIZATION,
                    "idempotency-key".parse().expect("valid header name"),
                ]),
        );
    }
    router.with_state(state)
}

async fn auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.api_keys.is_empty() {
        return next.run(req).await;
    }
    let presented = zkgate_service::auth::bearer(req.headers());
    if zkgate_service::auth::matches_any(presented, state.api_keys.iter().map(String::as_str)) {
        next.run(req).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

/// Prove a transfer, synchronously.
#[utoipa::path(post, path = "/v1/proofs", request_body = ProofRequest,
    responses(
        (status = 200, description = "The proof, in the program's byte layout", body = ProofResponse),
        (status = 400, description = "Malformed JSON (the field is named)", body = ErrorBody),
        (status = 404, description = "Rule-set not served", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid value or a broken compliance rule (code names it)", body = ErrorBody),
        (status = 503, description = "Queue full (Retry-After) or timeout", body = ErrorBody)))]
async fn create_proof(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ProofRequest>,
) -> Result<Json<ProofResponse>, ApiError> {
    let prepared = proving::prepare(&state, &req)?;
    drop(req);
    let admitted = state.admit()?;
    state
        .within_deadline(proving::run(&state, admitted, prepared))
        .await
}

/// Prove a recipient pass (two-sided rule-sets), synchronously: same limits and errors as
/// `/v1/proofs`.
#[utoipa::path(post, path = "/v1/passes", request_body = PassRequest,
    responses(
        (status = 200, description = "The pass proof, in the program's byte layout (for issue_pass)", body = PassResponse),
        (status = 400, description = "Malformed JSON (the field is named)", body = ErrorBody),
        (status = 404, description = "Rule-set (or its pass keys) not served", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid value or a broken rule (code names it)", body = ErrorBody),
        (status = 503, description = "Queue full (Retry-After) or timeout", body = ErrorBody)))]
async fn create_pass(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<PassRequest>,
) -> Result<Json<PassResponse>, ApiError> {
    let prepared = proving::prepare_pass(&state, &req)?;
    drop(req);
    let admitted = state.admit()?;
    state
        .within_deadline(proving::run_pass(&state, admitted, prepared))
        .await
}

/// Start an asynchronous proving job.
#[utoipa::path(post, path = "/v1/jobs", request_body = ProofRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body: same job")),
    responses(
        (status = 202, description = "Accepted (or the existing job for this key)", body = JobStatus),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 404, description = "Rule-set not served", body = ErrorBody),
        (status = 409, description = "Idempotency key reused with another body", body = ErrorBody),
        (status = 422, description = "Invalid value or broken rule", body = ErrorBody),
        (status = 503, description = "Queue full", body = ErrorBody)))]
async fn create_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<(StatusCode, Json<JobStatus>), ApiError> {
    let req: ProofRequest = extract::parse_json(&body)?;
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let key = v
                .to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
                .ok_or_else(|| ApiError::Malformed {
                    field: Some("Idempotency-Key".into()),
                    message: format!("must be 1..={MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
                })?;
            Some(key)
        }
    };
    let Some(shared) = state.shared.clone() else {
        return Err(ApiError::Unavailable);
    };
    // Checked now (422 before accepting), proven by whichever instance claims it.
    proving::prepare(&state, &req)?;
    drop(req);
    let submitted = shared.queue.submit(&body, idempotency).await;
    drop(body);
    match submitted {
        Ok(queue::Submitted::New(status)) => {
            shared.wake.notify_one();
            Ok((StatusCode::ACCEPTED, Json(status)))
        }
        Ok(queue::Submitted::Existing(status)) => Ok((StatusCode::ACCEPTED, Json(status))),
        Ok(queue::Submitted::Conflict) => Err(ApiError::IdempotencyConflict),
        Err(e) => {
            tracing::error!("job queue: {e}");
            Err(ApiError::Unavailable)
        }
    }
}

/// A job's state.
#[utoipa::path(get, path = "/v1/jobs/{id}", params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = JobStatus), (status = 404, body = ErrorBody)))]
async fn get_job(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<JobStatus>, ApiError> {
    let Some(shared) = &state.shared else {
        return Err(ApiError::Unavailable);
    };
    match shared.queue.get(&id).await {
        Ok(Some(status)) => Ok(Json(status)),
        Ok(None) => Err(ApiError::NotFound("no such job".into())),
        Err(e) => {
            tracing::error!("job queue: {e}");
            Err(ApiError::Unavailable)
        }
    }
}

/// The rule-sets this instance can prove.
#[utoipa::path(get, path = "/v1/rule-sets", responses((status = 200, body = [RuleSetInfo])))]
async fn list_rule_sets(State(state): State<AppState>) -> Json<Vec<RuleSetInfo>> {
    Json(state.rule_sets.iter().map(RuleSetEntry::info).collect())
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "alive")))]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: keys loaded, not draining, and the job database (if any) reachable.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "ready"), (status = 503, description = "no keys")))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.rule_sets.is_empty() {
        return (StatusCode::SERVICE_UNAVAILABLE, "no rule-sets loaded");
    }
    if let Some(shared) = &state.shared {
        if shared.draining.load(Ordering::SeqCst) {
            return (StatusCode::SERVICE_UNAVAILABLE, "draining");
        }
        if !shared.queue.db().ping().await {
            return (StatusCode::SERVICE_UNAVAILABLE, "job database unreachable");
        }
    }
    (StatusCode::OK, "ready")
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    if let Some(shared) = &state.shared {
        shared_metrics(shared, &mut text).await;
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// This instance's claims and the shared queue's state (read from the database, so every
/// instance reports the same queue).
async fn shared_metrics(shared: &workers::SharedJobs, out: &mut String) {
    use std::fmt::Write;
    for (name, help, value) in [
        (
            "zkgate_jobs_claimed_total",
            "Shared jobs claimed by this instance.",
            &shared.claims,
        ),
        (
            "zkgate_jobs_reruns_total",
            "Claims of jobs another claim had started (its instance died or stalled).",
            &shared.reruns,
        ),
        (
            "zkgate_jobs_leases_lost_total",
            "Completions refused because the lease had passed to another instance.",
            &shared.leases_lost,
        ),
        (
            "zkgate_jobs_notifications_total",
            "Job announcements received from the database (PostgreSQL LISTEN).",
            &shared.notifications,
        ),
    ] {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
            value.load(Ordering::Relaxed)
        );
    }
    match shared.queue.stats().await {
        Ok(q) => {
            for (name, help, value) in [
                (
                    "zkgate_jobs_queued",
                    "Shared jobs waiting (all instances).",
                    q.queued,
                ),
                (
                    "zkgate_jobs_running",
                    "Shared jobs leased and being proven (all instances).",
                    q.running,
                ),
                (
                    "zkgate_jobs_expired_leases",
                    "Running jobs whose lease expired (a dead or stuck instance).",
                    q.expired_leases,
                ),
                (
                    "zkgate_jobs_oldest_queued_seconds",
                    "Age of the oldest queued job.",
                    q.oldest_queued_ms / 1000,
                ),
            ] {
                let _ = writeln!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
                );
            }
            let _ = writeln!(out, "zkgate_jobs_database_up 1");
            if shared.queue.db().backend() == zkgate_db::Backend::Postgres {
                let _ = writeln!(
                    out,
                    "# HELP zkgate_jobs_listening Whether this instance hears job announcements \
                     (PostgreSQL LISTEN; polling covers the gaps).\n# TYPE zkgate_jobs_listening \
                     gauge\nzkgate_jobs_listening {}",
                    u8::from(shared.listening.load(Ordering::SeqCst))
                );
            }
        }
        Err(e) => {
            tracing::warn!("metrics: job queue unavailable: {e}");
            let _ = writeln!(out, "zkgate_jobs_database_up 0");
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets proofs in flight (sync and
/// async) finish, waiting at most `drain` for async jobs.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    drain: Duration,
) -> std::io::Result<()> {
    let drain_state = state.clone();
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    let deadline = tokio::time::Instant::now() + drain;
    while drain_state.busy() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
