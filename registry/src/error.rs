//! The one error type of the registry's API: every failure is a JSON `ErrorBody` (the
//! prover's shape) with a status code; client errors name the field, internal ones are logged
//! and answered with a generic message. Request values are never echoed (bodies are read with
//! `zkgate-service`'s extractors, whose rejections have the same shape).
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use zkgate_client::api::{ErrorBody, ErrorDetail};
pub use zkgate_service::body::{parse_json, ApiBytes, ApiJson, BodyError};

use crate::registry::RegistryError;
use crate::store::StoreError;

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON / CSV or does not match the schema (400).
    #[error("malformed request: {message}")]
    Malformed {
        /// Path of the offending field (or CSV line), if known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// Body over the size limit (413).
    #[error("request body too large")]
    PayloadTooLarge,
    /// Missing or wrong API key (401).
    #[error("missing or invalid API key")]
    Unauthorized,
    /// A valid key of a role that may not do this (403).
    #[error("this API key's role may not do this")]
    Forbidden,
    /// No such route (404).
    #[error("no such route")]
    NoRoute,
    /// Refused by the registry.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Malformed { field, message } => ApiError::Malformed { field, message },
            BodyError::TooLarge => ApiError::PayloadTooLarge,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Registry(RegistryError::Store(e))
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, Option<String>) {
        use RegistryError as R;
        use StatusCode as S;
        match self {
            ApiError::Malformed { field, .. } => {
                (S::BAD_REQUEST, "malformed_request", field.clone())
            }
            ApiError::PayloadTooLarge => (S::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            ApiError::Unauthorized => (S::UNAUTHORIZED, "unauthorized", None),
            ApiError::Forbidden => (S::FORBIDDEN, "forbidden", None),
            ApiError::NoRoute => (S::NOT_FOUND, "not_found", None),
            ApiError::Registry(e) => match e {
                R::Invalid(f) => (
                    S::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    Some(f.field.clone()),
                ),
                R::UnknownIssuer(_) => (S::NOT_FOUND, "unknown_issuer", None),
                R::UnknownList(_) => (S::NOT_FOUND, "unknown_list", None),
                R::UnknownCredential(_) => (S::NOT_FOUND, "unknown_credential", None),
                R::NoCredential(_) => (S::NOT_FOUND, "no_credential", None),
                R::Exists(_) => (S::CONFLICT, "exists", Some("id".into())),
                R::DuplicateCredential => (S::CONFLICT, "duplicate_credential", None),
                R::AlreadyRevoked(_) => (S::CONFLICT, "already_revoked", None),
                R::BadChallenge => (S::UNAUTHORIZED, "bad_challenge", Some("nonce".into())),
                R::BadSignature => (S::UNAUTHORIZED, "bad_signature", Some("signature".into())),
                R::TooManyChallenges => (S::TOO_MANY_REQUESTS, "too_many_challenges", None),
                R::NotPublished(_) => (S::CONFLICT, "not_published", None),
                R::Unavailable(_) => (S::SERVICE_UNAVAILABLE, "unavailable", None),
                R::Store(s) => match s {
                    StoreError::ValueOutOfRange => (
                        S::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        Some("subject_ids".into()),
                    ),
                    StoreError::AlreadyListed => (S::CONFLICT, "already_listed", None),
                    StoreError::NotListed => (S::NOT_FOUND, "not_listed", None),
                    StoreError::Listed => (S::CONFLICT, "listed", None),
                    StoreError::Full(_) => (S::CONFLICT, "tree_full", None),
                    StoreError::VersionNotKept { .. } => (S::GONE, "version_not_kept", None),
                    StoreError::IndexOutOfRange { .. } => (
                        S::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        Some("leaf_index".into()),
                    ),
                    // The database unreachable or failing: transient, retry.
                    StoreError::Db(_) => (S::SERVICE_UNAVAILABLE, "unavailable", None),
                    _ => (S::INTERNAL_SERVER_ERROR, "internal", None),
                },
            },
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    /// The JSON detail.
    pub fn detail(&self) -> ErrorDetail {
        let (status, code, field) = self.parts();
        ErrorDetail {
            code: code.to_string(),
            // Nothing of our side's failures is shown (logged instead).
            message: match status {
                StatusCode::INTERNAL_SERVER_ERROR => "internal error".to_string(),
                StatusCode::SERVICE_UNAVAILABLE => "temporarily unavailable: retry later".into(),
                _ => self.to_string(),
            },
            field,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR || status == StatusCode::SERVICE_UNAVAILABLE
        {
            tracing::error!(error = %self, "request failed on our side");
        }
        let retry = matches!(
            &self,
            ApiError::Registry(RegistryError::NotPublished(_) | RegistryError::TooManyChallenges)
        );
        let mut response = (
            status,
            Json(ErrorBody {
                error: self.detail(),
            }),
        )
            .into_response();
        if retry || status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
