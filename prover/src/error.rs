//! The one error type of the API: every failure becomes a JSON `ErrorBody` with a status code.
//! Client errors name the problem (and the field); internal errors are logged and the client
//! sees a generic message.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use zkgate_circuits::compliance::RuleViolation;
use zkgate_client::api::{ErrorBody, ErrorDetail, FieldError};

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON or does not match the schema (400).
    #[error("malformed request: {message}")]
    Malformed {
        /// Dotted path of the offending field, if known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A field has the right type but an invalid value (422).
    #[error(transparent)]
    InvalidField(#[from] FieldError),
    /// The transfer breaks a compliance rule (422).
    #[error(transparent)]
    Violation(#[from] RuleViolation),
    /// Unknown rule-set or job (404).
    #[error("{0}")]
    NotFound(String),
    /// Same idempotency key, different request (409).
    #[error("idempotency key reused with a different request")]
    IdempotencyConflict,
    /// Body over the size limit (413).
    #[error("request body too large")]
    PayloadTooLarge,
    /// Missing or wrong API key (401).
    #[error("missing or invalid API key")]
    Unauthorized,
    /// The proving queue is full (503 + Retry-After).
    #[error("prover busy, retry later")]
    Overloaded,
    /// The job queue's database is unreachable (503 + Retry-After).
    #[error("temporarily unavailable: retry later")]
    Unavailable,
    /// The request took too long (503).
    #[error("request timed out")]
    Timeout,
    /// Anything on our side (500); the detail is logged, not returned.
    #[error("internal error")]
    Internal(String),
}

impl From<zkgate_service::body::BodyError> for ApiError {
    fn from(e: zkgate_service::body::BodyError) -> Self {
        match e {
            zkgate_service::body::BodyError::Malformed { field, message } => {
                ApiError::Malformed { field, message }
            }
            zkgate_service::body::BodyError::TooLarge => ApiError::PayloadTooLarge,
        }
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, Option<String>) {
        match self {
            ApiError::Malformed { field, .. } => {
                (StatusCode::BAD_REQUEST, "malformed_request", field.clone())
            }
            ApiError::InvalidField(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                Some(e.field.clone()),
            ),
            ApiError::Violation(v) => (StatusCode::UNPROCESSABLE_ENTITY, v.code(), None),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::IdempotencyConflict => (StatusCode::CONFLICT, "idempotency_conflict", None),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            ApiError::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "overloaded", None),
            ApiError::Timeout => (StatusCode::SERVICE_UNAVAILABLE, "timeout", None),
            ApiError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        }
    }

    /// The JSON detail of this error (what clients and job records see).
    pub fn detail(&self) -> ErrorDetail {
        let (_, code, field) = self.parts();
        let field = match self {
            ApiError::Violation(RuleViolation::InvalidValue(f)) => Some((*f).to_string()),
            _ => field,
        };
        ErrorDetail {
            code: code.to_string(),
            message: self.to_string(),
            field,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response = (
            self.status(),
            Json(ErrorBody {
                error: self.detail(),
            }),
        )
            .into_response();
        if matches!(
            self,
            ApiError::Overloaded | ApiError::Timeout | ApiError::Unavailable
        ) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
