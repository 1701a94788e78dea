//! Request bodies with the API's rejections: a body over the limit is a 413, malformed JSON or a
//! field of the wrong type or range a 400 naming the field's path (`transfer.amount`), and no
//! request value is ever echoed back (a witness value could be in it).
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use zkgate_client::api::{ErrorBody, ErrorDetail};

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Not valid JSON, or not the schema (400).
    #[error("malformed request: {message}")]
    Malformed {
        /// Path of the offending field, if known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// Over the size limit (413).
    #[error("request body too large")]
    TooLarge,
}

impl BodyError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::Malformed { .. } => StatusCode::BAD_REQUEST,
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// The JSON detail.
    pub fn detail(&self) -> ErrorDetail {
        let (code, field) = match self {
            BodyError::Malformed { field, .. } => ("malformed_request", field.clone()),
            BodyError::TooLarge => ("payload_too_large", None),
        };
        ErrorDetail {
            code: code.to_string(),
            message: self.to_string(),
            field,
        }
    }
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        (
            self.status(),
            Json(ErrorBody {
                error: self.detail(),
            }),
        )
            .into_response()
    }
}

/// Parses a JSON body, naming the field at fault without echoing values.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
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
        BodyError::Malformed {
            field: (path != ".").then_some(path),
            message,
        }
    })
}

/// The raw body, with the size limit's rejection as a 413 in the API's format.
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = BodyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    BodyError::TooLarge
                } else {
                    BodyError::Malformed {
                        field: None,
                        message: "could not read the body".into(),
                    }
                }
            })
    }
}

/// `Json<T>` with the API's rejections.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = BodyError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        amount: u64,
    }

    #[test]
    fn errors_name_the_field_and_never_the_value() {
        let e = parse_json::<Outer>(br#"{"inner": {"amount": "secret-value"}}"#).unwrap_err();
        assert_eq!(e.detail().field.as_deref(), Some("inner.amount"));
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(!e.to_string().contains("secret-value"));
        let e = parse_json::<Outer>(b"{\"inner\": ").unwrap_err();
        assert_eq!(e.detail().field.as_deref(), Some("inner"));
        assert!(e.to_string().contains("malformed JSON at line 1"));
        let e = parse_json::<Outer>(b"not json").unwrap_err();
        assert_eq!(e.detail().field, None);
        assert_eq!(BodyError::TooLarge.detail().code, "payload_too_large");
    }
}
