//! `zkgate-watch`: reads zkgate's audit trail from an RPC node into a database (SQLite by
//! default, PostgreSQL), evaluates monitoring rules as transactions arrive, and serves the
//! alerts (`/v1/alerts`, acknowledged by an operator), the daily reports (`/v1/reports`,
//! written by the daemon with `--report-dir`) and Prometheus metrics; a `logsSubscribe`
//! subscription ([`subscribe`]) wakes ingestion as transactions land.
//!
//! Layout, as the prover's: [`app`] is the HTTP API over an [`AppState`]; [`config`] the
//! binary's flags; [`ingest`] the checkpointed backfill; [`decode`] a transaction's events;
//! [`rules`] the rules file and its evaluation; [`store`] the tables; [`rpc`] the node;
//! [`report`] the daily report (HTML and CSV).
#![deny(missing_docs)]

pub mod config;
pub mod decode;
pub mod ingest;
pub mod metrics;
pub mod report;
pub mod rpc;
pub mod rules;
pub mod store;
pub mod subscribe;
pub mod testing;

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use zkgate_client::api::{ErrorBody, ErrorDetail};
use zkgate_service::body::ApiJson;

use crate::metrics::Metrics;
use crate::store::{Acknowledged, Alert, Store, WrittenReport};

/// The API's errors, as JSON `{"error": {"code", "message", "field"}}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed body or query (400), naming the field.
    #[error("malformed request: {message}")]
    Malformed {
        /// The field.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// Missing or wrong API key (401).
    #[error("missing or invalid API key")]
    Unauthorized,
    /// No such alert or route (404).
    #[error("{0}")]
    NotFound(String),
    /// Already acknowledged (409).
    #[error("alert {0} was already acknowledged")]
    AlreadyAcknowledged(i64),
    /// The database is unreachable (503).
    #[error("temporarily unavailable: retry later")]
    Unavailable,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, Option<String>) {
        match self {
            ApiError::Malformed { field, .. } => {
                (StatusCode::BAD_REQUEST, "malformed_request", field.clone())
            }
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::AlreadyAcknowledged(_) => {
                (StatusCode::CONFLICT, "already_acknowledged", None)
            }
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
        }
    }
}

impl From<zkgate_service::body::BodyError> for ApiError {
    fn from(e: zkgate_service::body::BodyError) -> Self {
        match e {
            zkgate_service::body::BodyError::Malformed { field, message } => {
                ApiError::Malformed { field, message }
            }
            zkgate_service::body::BodyError::TooLarge => ApiError::Malformed {
                field: None,
                message: "request body too large".into(),
            },
        }
    }
}

impl From<zkgate_db::DbError> for ApiError {
    fn from(e: zkgate_db::DbError) -> Self {
        tracing::warn!("database: {e}");
        ApiError::Unavailable
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, field) = self.parts();
        (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: code.to_string(),
                    message: self.to_string(),
                    field,
                },
            }),
        )
            .into_response()
    }
}

/// What the API serves from.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    metrics: Arc<Metrics>,
    api_keys: Arc<Vec<String>>,
    /// A pass older than this makes the watcher unready (seconds).
    stale_after: i64,
}

impl AppState {
    /// The API over `store`, `/v1` restricted to holders of `api_keys` (none: open, for a
    /// watcher reachable only by its operators), unready when no pass succeeded for `stale_after` seconds.
    pub fn new(
        store: Store,
        metrics: Arc<Metrics>,
        api_keys: Vec<String>,
        stale_after: i64,
    ) -> Self {
        AppState {
            store,
            metrics,
            api_keys: Arc::new(api_keys),
            stale_after,
        }
    }
}

/// `GET /v1/alerts` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// `open` (not acknowledged; the default) or `all`.
    #[serde(default)]
    #[param(pattern = "^(open|all)$")]
    pub status: Option<String>,
    /// At most this many, newest first (1..=1000, default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// `GET /v1/alerts` answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertList {
    /// The alerts, newest first.
    pub alerts: Vec<Alert>,
}

/// `POST /v1/alerts/{id}/acknowledge` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledge {
    /// Who acknowledges (an operator's name or id; 1 to 64 characters).
    #[schema(min_length = 1, max_length = 64)]
    pub by: String,
}

/// Lists alerts.
#[utoipa::path(get, path = "/v1/alerts", params(AlertQuery),
    responses((status = 200, body = AlertList), (status = 400, description = "bad query")))]
async fn list_alerts(
    State(state): State<AppState>,
    query: Result<Query<AlertQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AlertList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed {
        field: None,
        message: e.body_text(),
    })?;
    let open_only = match q.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(_) => {
            return Err(ApiError::Malformed {
                field: Some("status".into()),
                message: "status must be open or all".into(),
            })
        }
    };
    Ok(Json(AlertList {
        alerts: state.store.alerts(open_only, limit(q.limit)?).await?,
    }))
}

/// A `limit` query parameter: 1..=1000, default 100.
fn limit(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::Malformed {
            field: Some("limit".into()),
            message: "limit must be between 1 and 1000".into(),
        });
    }
    Ok(limit)
}

/// `GET /v1/reports` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// At most this many, newest day first (1..=1000, default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// `GET /v1/reports` answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportList {
    /// The daily reports the watcher wrote (`--report-dir`), newest day first.
    pub reports: Vec<WrittenReport>,
}

/// Lists the daily reports written.
#[utoipa::path(get, path = "/v1/reports", params(ReportQuery),
    responses((status = 200, body = ReportList), (status = 400, description = "bad query")))]
async fn list_reports(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ReportList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::Malformed {
        field: None,
        message: e.body_text(),
    })?;
    Ok(Json(ReportList {
        reports: state.store.reports(limit(q.limit)?).await?,
    }))
}

/// One day's report as HTML, from the database as it is now (the day so far, for today).
#[utoipa::path(get, path = "/v1/reports/{day}",
    params(("day" = String, Path, description = "UTC day, YYYY-MM-DD", pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
    responses((status = 200, content_type = "text/html", description = "the report page"),
        (status = 400, description = "not a date"), (status = 404, description = "a day not begun")))]
async fn report_page(
    State(state): State<AppState>,
    Path(day): Path<String>,
) -> Result<Response, ApiError> {
    let start = report::day_start(&day).map_err(|e| ApiError::Malformed {
        field: Some("day".into()),
        message: e.to_string(),
    })?;
    if start > ingest::now() {
        return Err(ApiError::NotFound(format!("{day} has not begun")));
    }
    let page = match report::load_day(&state.store, &day).await {
        Ok(d) => d.html(),
        Err(report::ReportError::Db(e)) => return Err(e.into()),
        Err(e) => {
            return Err(ApiError::Malformed {
                field: Some("day".into()),
                message: e.to_string(),
            })
        }
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

/// Acknowledges an alert (API key required).
#[utoipa::path(post, path = "/v1/alerts/{id}/acknowledge", request_body = Acknowledge,
    params(("id" = i64, Path, description = "alert id")),
    responses((status = 200, body = Alert), (status = 401), (status = 404), (status = 409)))]
async fn acknowledge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Acknowledge>,
) -> Result<Json<Alert>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::Malformed {
        field: Some("id".into()),
        message: "id must be an integer".into(),
    })?;
    let by = body.by.trim();
    if by.is_empty() || by.chars().count() > 64 || by.chars().any(char::is_control) {
        return Err(ApiError::Malformed {
            field: Some("by".into()),
            message: "by must be 1 to 64 printable characters".into(),
        });
    }
    match state.store.acknowledge(id, by, ingest::now()).await? {
        Acknowledged::Now(alert) => Ok(Json(alert)),
        Acknowledged::Already(_) => Err(ApiError::AlreadyAcknowledged(id)),
        Acknowledged::Missing => Err(ApiError::NotFound(format!("no alert {id}"))),
    }
}

async fn auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.api_keys.is_empty() {
        return next.run(req).await;
    }
    let presented = zkgate_service::auth::bearer(req.headers());
    let ok =
        zkgate_service::auth::matches_any(presented, state.api_keys.iter().map(String::as_str));
    if ok {
        next.run(req).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.store.db().ping().await;
    let last = state.metrics.last_pass_ok();
    let fresh = last > 0 && ingest::now() - last <= state.stale_after;
    let status = if db && fresh {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(
            serde_json::json!({"database": db, "last_pass": last, "fresh": fresh,
            "subscription": state.metrics.subscription.enabled()
                .then(|| state.metrics.subscription.up())}),
        ),
    )
        .into_response()
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zkgate-watch", description = "Alerts on zkgate's audit trail"),
    paths(list_alerts, acknowledge, list_reports, report_page),
    components(schemas(Alert, AlertList, Acknowledge, WrittenReport, ReportList))
)]
struct ApiDoc;

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// The HTTP API: `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, and behind a bearer API
/// key when keys are set: `GET /v1/alerts`, `POST /v1/alerts/{id}/acknowledge`,
/// `GET /v1/reports` (the daily reports written) and `GET /v1/reports/{day}` (a day's page).
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/alerts", get(list_alerts))
        .route("/v1/alerts/{id}/acknowledge", post(acknowledge))
        .route("/v1/reports", get(list_reports))
        .route("/v1/reports/{day}", get(report_page))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi))
        .merge(api)
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(middleware::from_fn_with_state(
            state.metrics.requests.clone(),
            zkgate_service::requests::count,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .with_state(state)
}
