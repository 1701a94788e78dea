//! A typed Rust client of the prover API (used by the demo and the end-to-end tests).
use zkgate_client::api::{
    ErrorBody, JobStatus, PassRequest, PassResponse, ProofRequest, ProofResponse, RuleSetInfo,
};

/// What a call returned instead of a result.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an API error.
    #[error("{status}: {} ({})", body.error.message, body.error.code)]
    Api {
        /// HTTP status.
        status: u16,
        /// The error body.
        body: ErrorBody,
    },
    /// Transport or decoding failure.
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
}

/// A prover client.
#[derive(Clone, Debug)]
pub struct ProverClient {
    base: String,
    http: reqwest::Client,
    api_key: Option<String>,
}

impl ProverClient {
    /// A client of the service at `base` (e.g. `http://127.0.0.1:8787`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            api_key: None,
        }
    }

    /// Sends `Authorization: Bearer <key>`.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.api_key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    async fn decode<T: serde::de::DeserializeOwned>(
        resp: reqwest::Response,
    ) -> Result<T, ClientError> {
        let status = resp.status();
        if status.is_success() {
            Ok(resp.json().await?)
        } else {
            Err(ClientError::Api {
                status: status.as_u16(),
                body: resp.json().await?,
            })
        }
    }

    /// `POST /v1/proofs`.
    pub async fn prove(&self, request: &ProofRequest) -> Result<ProofResponse, ClientError> {
        Self::decode(
            self.req(reqwest::Method::POST, "/v1/proofs")
                .json(request)
                .send()
                .await?,
        )
        .await
    }

    /// `POST /v1/passes`.
    pub async fn pass(&self, request: &PassRequest) -> Result<PassResponse, ClientError> {
        Self::decode(
            self.req(reqwest::Method::POST, "/v1/passes")
                .json(request)
                .send()
                .await?,
        )
        .await
    }

    /// `POST /v1/jobs`.
    pub async fn submit_job(
        &self,
        request: &ProofRequest,
        idempotency_key: Option<&str>,
    ) -> Result<JobStatus, ClientError> {
        let mut r = self.req(reqwest::Method::POST, "/v1/jobs").json(request);
        if let Some(k) = idempotency_key {
            r = r.header("idempotency-key", k);
        }
        Self::decode(r.send().await?).await
    }

    /// `GET /v1/jobs/{id}`.
    pub async fn job(&self, id: &str) -> Result<JobStatus, ClientError> {
        Self::decode(
            self.req(reqwest::Method::GET, &format!("/v1/jobs/{id}"))
                .send()
                .await?,
        )
        .await
    }

    /// `GET /v1/rule-sets`.
    pub async fn rule_sets(&self) -> Result<Vec<RuleSetInfo>, ClientError> {
        Self::decode(
            self.req(reqwest::Method::GET, "/v1/rule-sets")
                .send()
                .await?,
        )
        .await
    }
}
