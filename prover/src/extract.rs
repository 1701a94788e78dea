//! A JSON extractor whose rejections use the API's error format: the failing field is named by
//! its path (`transfer.amount`), and no request value is ever echoed back (a witness value could
//! be in it).
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` with the API's rejections.
pub struct ApiJson<T>(pub T);

/// Parses a JSON body, naming the field at fault without echoing values.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let message = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                format!(
                    "malformed JSON at line {} column {}",
                    inner.line(),
                    inner.column()
                )
            }
            serde_json::error::Category::Data => {
                "missing field, unknown field, or wrong type or range of value".to_string()
            }
            serde_json::error::Category::Io => "could not read the body".to_string(),
        };
        ApiError::Malformed {
            field: (path != ".").then_some(path),
            message,
        }
    })
}

/// The raw body, with the size limit's rejection in the API's format (413).
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::Malformed {
                        field: None,
                        message: "could not read the body".into(),
                    }
                }
            })
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}
