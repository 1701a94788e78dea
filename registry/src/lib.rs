//! zkgate's registry service: the issuers' credential trees and the sanctions lists on a real
//! database (SQLite embedded by default, PostgreSQL for production), roots published to the
//! program, and the proof inputs served to wallets.
//!
//! - Issuer operators (`issuer:<id>` keys): `POST /v1/issuers/{id}/credentials` (one or a
//!   batch; the salt is drawn here), `DELETE …/credentials/{leaf}` (revoke),
//!   `GET …/credentials?subject_id=` (a subject's credentials).
//! - List operators (`list:<id>` keys): `POST|DELETE /v1/sanctions-lists/{id}/entries`,
//!   `POST …/import` (CSV, one subject id per line).
//! - Readers (`read`): `GET /v1/sanctions-lists/{id}/non-membership/{subject_id}`.
//! - Admins: `POST /v1/issuers`, `POST /v1/sanctions-lists`.
//! - Anyone: `GET /v1/issuers`, `GET /v1/sanctions-lists` (ids, roots, publication state).
//! - Wallets, by signature instead of a key: `POST /v1/wallets/{wallet}/challenge`, then
//!   `POST /v1/wallets/{wallet}/witness` with the signed challenge: its credential, path and
//!   non-membership witness against the published roots, ready for the prover.
//! - `GET /healthz`, `GET /readyz` (database reachable), `GET /metrics`, `GET /openapi.json`.
//!
//! Every change is one database transaction (leaf, changed nodes, new root, credential row);
//! credentials' attributes and salts are sealed at rest ([`zkgate_db::seal`]).
#![deny(missing_docs)]

pub mod api;
pub mod batcher;
pub mod client;
pub mod config;
pub mod error;
pub mod indexed;
pub mod metrics;
pub mod publish;
pub mod registry;
pub mod store;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use zkgate_client::api::{ErrorBody, ErrorDetail};

use crate::api::{
    Challenge, CredentialRecord, ImportSummary, IssueBatch, IssueRequest, ListEntries, NewIssuer,
    NewList, NonMembership, Publication, TreeChange, TreeSummary, WalletWitness, WitnessRequest,
};
use crate::config::{ApiKey, Role};
use crate::error::{ApiBytes, ApiError, ApiJson};
use crate::metrics::Metrics;
use crate::registry::{decode_subject, Registry, TreeKind};

/// The registry's migrations, one per backend.
pub const MIGRATIONS: &[zkgate_db::MigrationSql] = &[
    zkgate_db::MigrationSql {
        version: 1,
        description: "versioned trees",
        sqlite: include_str!("../migrations/sqlite/0001_trees.sql"),
        postgres: include_str!("../migrations/postgres/0001_trees.sql"),
    },
    zkgate_db::MigrationSql {
        version: 2,
        description: "sanctions lists, issuers, credentials, publications, challenges",
        sqlite: include_str!("../migrations/sqlite/0002_registry.sql"),
        postgres: include_str!("../migrations/postgres/0002_registry.sql"),
    },
];

/// Most subject ids one CSV import takes (the body limit applies too).
pub const MAX_IMPORT: usize = 100_000;

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    /// The registry.
    pub registry: Registry,
    /// API keys (empty: no authentication, development only).
    pub api_keys: Arc<Vec<ApiKey>>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Body size limit, bytes.
    pub body_limit: usize,
    /// The group-commit writer of single issue requests.
    pub issues: crate::batcher::IssueQueue,
}

impl AppState {
    /// State serving `registry` with `api_keys` (empty: open, development only). Starts the
    /// issue writer: call inside a tokio runtime.
    pub fn new(registry: Registry, api_keys: Vec<ApiKey>) -> Self {
        AppState {
            issues: crate::batcher::IssueQueue::start(registry.clone()),
            registry,
            api_keys: Arc::new(api_keys),
            metrics: Arc::new(Metrics::default()),
            body_limit: 4 * 1024 * 1024,
        }
    }

    /// Checks the request's bearer key allows `needed`: 401 without a valid key, 403 for a
    /// valid key of another role.
    pub fn authorize(&self, headers: &HeaderMap, needed: Role) -> Result<(), ApiError> {
        if self.api_keys.is_empty() {
            return Ok(());
        }
        let presented = zkgate_service::auth::bearer(headers);
        // Every key compared in constant time, no early exit.
        let mut matched: Option<Role> = None;
        for key in self.api_keys.iter() {
            let hit = zkgate_service::auth::matches(presented, &key.secret);
            if hit && matched.is_none_or(|m| !m.allows(needed)) {
                matched = Some(key.role);
            }
        }
        match matched {
            _ if presented.is_empty() => Err(ApiError::Unauthorized),
            None => Err(ApiError::Unauthorized),
            Some(role) if role.allows(needed) => Ok(()),
            Some(_) => Err(ApiError::Forbidden),
        }
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "zkgate registry",
        description = "Issuers' credential trees and sanctions lists on a database, their roots \
                       published to the zkgate program, and each wallet's proof inputs."
    ),
    paths(
        add_issuer,
        list_issuers,
        issue,
        issue_batch,
        revoke,
        credentials_of_subject,
        add_list,
        list_lists,
        list_add,
        list_remove,
        list_import,
        non_membership,
        challenge,
        witness,
        healthz,
        readyz
    ),
    components(schemas(
        NewIssuer,
        NewList,
        TreeSummary,
        Publication,
        IssueRequest,
        IssueBatch,
        CredentialRecord,
        TreeChange,
        ListEntries,
        ImportSummary,
        NonMembership,
        Challenge,
        WitnessRequest,
        WalletWitness,
        ErrorBody,
        ErrorDetail,
        zkgate_client::api::CredentialInput,
        zkgate_client::api::PathInput,
        zkgate_client::api::SanctionsInput,
        zkgate_client::api::WitnessInput
    ))
)]
pub struct ApiDoc;

/// The whole router: routes, metrics, limits, tracing.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/issuers", post(add_issuer).get(list_issuers))
        .route(
            "/v1/issuers/{id}/credentials",
            post(issue).get(credentials_of_subject),
        )
        .route("/v1/issuers/{id}/credentials/batch", post(issue_batch))
        .route("/v1/issuers/{id}/credentials/{leaf}", delete(revoke))
        .route("/v1/sanctions-lists", post(add_list).get(list_lists))
        .route(
            "/v1/sanctions-lists/{id}/entries",
            post(list_add).delete(list_remove),
        )
        .route("/v1/sanctions-lists/{id}/import", post(list_import))
        .route(
            "/v1/sanctions-lists/{id}/non-membership/{subject_id}",
            get(non_membership),
        )
        .route("/v1/wallets/{wallet}/challenge", post(challenge))
        .route("/v1/wallets/{wallet}/witness", post(witness))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError::NoRoute })
        .layer(middleware::from_fn_with_state(
            state.metrics.requests.clone(),
            zkgate_service::requests::count,
        ))
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
        ]))
        .with_state(state)
}

fn path_id(field: &str, raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| *id > 0 && *id <= i64::MAX as u64)
        .ok_or_else(|| ApiError::Malformed {
            field: Some(field.into()),
            message: "must be an integer in 1..=2^63-1".into(),
        })
}

/// Register an issuer (admin).
#[utoipa::path(post, path = "/v1/issuers", request_body = NewIssuer,
    responses(
        (status = 201, body = TreeSummary),
        (status = 400, description = "Malformed JSON (the field is named)", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Id taken", body = ErrorBody),
        (status = 422, description = "Invalid value (the field is named)", body = ErrorBody)))]
async fn add_issuer(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewIssuer>,
) -> Result<(StatusCode, Json<TreeSummary>), ApiError> {
    state.authorize(&headers, Role::Admin)?;
    let summary = state
        .registry
        .add_issuer(req.id, &req.name, req.depth)
        .await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// Issuers served, with their current and published roots.
#[utoipa::path(get, path = "/v1/issuers", responses((status = 200, body = [TreeSummary])))]
async fn list_issuers(State(state): State<AppState>) -> Result<Json<Vec<TreeSummary>>, ApiError> {
    Ok(Json(state.registry.summaries(TreeKind::Issuer).await?))
}

/// Issue one credential (issuer operator): the service draws the salt, appends the leaf and
/// answers with the credential. Concurrent requests are committed together (one tree version,
/// one transaction), each answered on its own.
#[utoipa::path(post, path = "/v1/issuers/{id}/credentials", request_body = IssueRequest,
    params(("id" = u64, Path, description = "Issuer id")),
    responses(
        (status = 201, body = CredentialRecord),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "Unknown issuer", body = ErrorBody),
        (status = 409, description = "Live duplicate, or tree full", body = ErrorBody),
        (status = 422, description = "Invalid attribute (the field is named)", body = ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<CredentialRecord>), ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::Issuer(id))?;
    let record = state.issues.issue(id, req).await?;
    state.metrics.issued(1);
    Ok((StatusCode::CREATED, Json(record)))
}

/// Issue up to 1,000 credentials as one tree version (issuer operator); all or nothing.
#[utoipa::path(post, path = "/v1/issuers/{id}/credentials/batch", request_body = IssueBatch,
    params(("id" = u64, Path, description = "Issuer id")),
    responses(
        (status = 201, body = [CredentialRecord]),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<IssueBatch>,
) -> Result<(StatusCode, Json<Vec<CredentialRecord>>), ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::Issuer(id))?;
    let (_, records) = state.registry.issue(id, &req.credentials).await?;
    state.metrics.issued(records.len() as u64);
    Ok((StatusCode::CREATED, Json(records)))
}

/// Revoke a credential (issuer operator): its leaf is zeroed.
#[utoipa::path(delete, path = "/v1/issuers/{id}/credentials/{leaf}",
    params(("id" = u64, Path, description = "Issuer id"), ("leaf" = u64, Path, description = "Leaf index")),
    responses(
        (status = 200, body = TreeChange), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "Unknown issuer or credential", body = ErrorBody),
        (status = 409, description = "Revoked already", body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    Path((id, leaf)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<TreeChange>, ApiError> {
    let id = path_id("id", &id)?;
    let leaf = leaf.parse::<u64>().map_err(|_| ApiError::Malformed {
        field: Some("leaf".into()),
        message: "must be a non-negative integer".into(),
    })?;
    state.authorize(&headers, Role::Issuer(id))?;
    let change = state.registry.revoke(id, leaf).await?;
    state.metrics.revoked();
    Ok(Json(change))
}

/// Query of a subject's credentials.
#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct SubjectQuery {
    /// The subject id (64 hex digits).
    pub subject_id: String,
}

/// A subject's credentials at an issuer, revoked ones included (issuer operator).
#[utoipa::path(get, path = "/v1/issuers/{id}/credentials",
    params(("id" = u64, Path, description = "Issuer id"), SubjectQuery),
    responses(
        (status = 200, body = [CredentialRecord]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn credentials_of_subject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<SubjectQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<CredentialRecord>>, ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::Issuer(id))?;
    let Query(q) = query.map_err(|_| ApiError::Malformed {
        field: Some("subject_id".into()),
        message: "the subject_id query parameter is required".into(),
    })?;
    Ok(Json(
        state
            .registry
            .credentials_of_subject(id, &q.subject_id)
            .await?,
    ))
}

/// Register a sanctions list (admin).
#[utoipa::path(post, path = "/v1/sanctions-lists", request_body = NewList,
    responses(
        (status = 201, body = TreeSummary), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewList>,
) -> Result<(StatusCode, Json<TreeSummary>), ApiError> {
    state.authorize(&headers, Role::Admin)?;
    let summary = state
        .registry
        .add_list(req.id, &req.name, req.depth)
        .await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// Sanctions lists served, with their current and published roots.
#[utoipa::path(get, path = "/v1/sanctions-lists", responses((status = 200, body = [TreeSummary])))]
async fn list_lists(State(state): State<AppState>) -> Result<Json<Vec<TreeSummary>>, ApiError> {
    Ok(Json(state.registry.summaries(TreeKind::List).await?))
}

/// List subject ids (list operator), as one version; refused as a whole if any is listed.
#[utoipa::path(post, path = "/v1/sanctions-lists/{id}/entries", request_body = ListEntries,
    params(("id" = u64, Path, description = "List id")),
    responses(
        (status = 200, body = TreeChange), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Listed already, or list full", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ListEntries>,
) -> Result<Json<TreeChange>, ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::List(id))?;
    let change = state.registry.list_add(id, &req.subject_ids).await?;
    state.metrics.listed(change.indices.len() as u64);
    Ok(Json(change))
}

/// Unlist subject ids (list operator), as one version; refused as a whole if any is not
/// listed.
#[utoipa::path(delete, path = "/v1/sanctions-lists/{id}/entries", request_body = ListEntries,
    params(("id" = u64, Path, description = "List id")),
    responses(
        (status = 200, body = TreeChange), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "Unknown list, or a value not listed", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ListEntries>,
) -> Result<Json<TreeChange>, ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::List(id))?;
    let change = state.registry.list_remove(id, &req.subject_ids).await?;
    state.metrics.unlisted(req.subject_ids.len() as u64);
    Ok(Json(change))
}

/// Parses a CSV import: one subject id (64 hex digits) per line, an optional `subject_id`
/// header, blank lines and `#` comments ignored. Errors name the line.
pub fn parse_import(body: &[u8]) -> Result<Vec<zkgate_circuits::Fr>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::Malformed {
        field: None,
        message: "the CSV must be UTF-8".into(),
    })?;
    let mut values = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let cell = line.split(',').next().unwrap_or("").trim();
        if cell.is_empty() || cell.starts_with('#') || (n == 0 && cell == "subject_id") {
            continue;
        }
        if values.len() == MAX_IMPORT {
            return Err(ApiError::Malformed {
                field: Some(format!("line {}", n + 1)),
                message: format!("at most {MAX_IMPORT} ids per import: split the file"),
            });
        }
        let (_, x) = decode_subject("subject_id", cell).map_err(|_| ApiError::Malformed {
            field: Some(format!("line {}", n + 1)),
            message: "must be a subject id: 64 hex digits in [1, 2^248 - 2]".into(),
        })?;
        values.push(x);
    }
    if values.is_empty() {
        return Err(ApiError::Malformed {
            field: None,
            message: "no subject ids in the file".into(),
        });
    }
    Ok(values)
}

/// Import a CSV of subject ids (list operator): ids listed already are skipped; the rest are
/// listed as one version, in one transaction (all or nothing; a re-run after a failure lists
/// only what is missing).
#[utoipa::path(post, path = "/v1/sanctions-lists/{id}/import",
    request_body(content = String, content_type = "text/csv",
        description = "One subject id (64 hex digits) per line; optional `subject_id` header; at most 100,000 lines"),
    params(("id" = u64, Path, description = "List id")),
    responses(
        (status = 200, body = ImportSummary),
        (status = 400, description = "A malformed line (named)", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "List full", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody)))]
async fn list_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Json<ImportSummary>, ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::List(id))?;
    let values = parse_import(&body)?;
    drop(body);
    let (listed, skipped, change) = state.registry.list_import(id, &values).await?;
    state.metrics.listed(listed);
    Ok(Json(ImportSummary {
        listed,
        already_listed: skipped,
        version: change.version,
        root: change.root,
    }))
}

/// A non-membership witness for a subject (reader): what a dApp proving for its own users
/// needs. Wallets get theirs with `/v1/wallets/{wallet}/witness` instead.
#[utoipa::path(get, path = "/v1/sanctions-lists/{id}/non-membership/{subject_id}",
    params(("id" = u64, Path, description = "List id"),
        ("subject_id" = String, Path, description = "Subject id, 64 hex digits")),
    responses(
        (status = 200, body = NonMembership), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The subject is listed, or nothing published yet", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn non_membership(
    State(state): State<AppState>,
    Path((id, subject)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<NonMembership>, ApiError> {
    let id = path_id("id", &id)?;
    state.authorize(&headers, Role::Read)?;
    let (_, x) = decode_subject("subject_id", &subject)?;
    Ok(Json(state.registry.non_membership(id, &x).await?))
}

/// A single-use challenge for a wallet to sign (valid 120 s).
#[utoipa::path(post, path = "/v1/wallets/{wallet}/challenge",
    params(("wallet" = String, Path, description = "Wallet address, base58")),
    responses(
        (status = 200, body = Challenge), (status = 422, body = ErrorBody),
        (status = 429, description = "Too many open challenges", body = ErrorBody)))]
async fn challenge(
    State(state): State<AppState>,
    Path(wallet): Path<String>,
) -> Result<Json<Challenge>, ApiError> {
    Ok(Json(state.registry.challenge(&wallet).await?))
}

/// A wallet's proof inputs, for a signed challenge: its newest live credential at the issuer,
/// the path and the subject's non-membership witness, against the published roots. The
/// service learns nothing it does not hold already (it issued the credential).
#[utoipa::path(post, path = "/v1/wallets/{wallet}/witness", request_body = WitnessRequest,
    params(("wallet" = String, Path, description = "Wallet address, base58")),
    responses(
        (status = 200, body = WalletWitness), (status = 400, body = ErrorBody),
        (status = 401, description = "Challenge or signature refused", body = ErrorBody),
        (status = 404, description = "No live credential, unknown issuer or list", body = ErrorBody),
        (status = 409, description = "Root not published yet (Retry-After), or the subject is listed", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn witness(
    State(state): State<AppState>,
    Path(wallet): Path<String>,
    ApiJson(req): ApiJson<WitnessRequest>,
) -> Result<Json<WalletWitness>, ApiError> {
    let result = async {
        let wallet = state
            .registry
            .redeem(&wallet, &req.nonce, &req.signature)
            .await?;
        state
            .registry
            .wallet_witness(&wallet, req.issuer_id, req.list_id)
            .await
    }
    .await;
    state.metrics.witness(result.is_ok());
    Ok(Json(result?))
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "alive")))]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "ready"),
    (status = 503, description = "database unreachable")))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.registry.db().ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&state.registry).await,
    )
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Serves `state` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
