//! A typed Rust client of the registry (operators' calls and the wallet flow), used by the
//! demo, the CLI and the end-to-end tests.
use serde::de::DeserializeOwned;
use serde::Serialize;
use solana_sdk::signature::{Keypair, Signer};
use zkgate_client::api::ErrorBody;

use crate::api::{
    Challenge, CredentialRecord, ImportSummary, IssueBatch, IssueRequest, ListEntries, NewIssuer,
    NewList, NonMembership, TreeChange, TreeSummary, WalletWitness, WitnessRequest,
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

impl ClientError {
    /// The API error code (`duplicate_credential`, `not_published`, …), if the service
    /// answered one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { body, .. } => Some(&body.error.code),
            ClientError::Transport(_) => None,
        }
    }
}

/// Where a chunked import stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportProgress {
    /// Ids sent so far.
    pub sent: usize,
    /// Ids in the whole import.
    pub total: usize,
    /// Ids listed so far.
    pub listed: u64,
    /// Ids skipped so far because they were listed already.
    pub already_listed: u64,
    /// The list's version after the last chunk.
    pub version: u64,
    /// Its root (hex).
    pub root: String,
}

/// A registry client.
#[derive(Clone, Debug)]
pub struct RegistryClient {
    base: String,
    http: reqwest::Client,
    api_key: Option<String>,
}

impl RegistryClient {
    /// A client of the service at `base` (e.g. `http://127.0.0.1:8788`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            api_key: None,
        }
    }

    /// Sends `Authorization: Bearer <key>` (the role's secret).
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

    async fn decode<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, ClientError> {
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

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(b);
        }
        Self::decode(r.send().await?).await
    }

    /// `POST /v1/issuers` (admin).
    pub async fn add_issuer(&self, issuer: &NewIssuer) -> Result<TreeSummary, ClientError> {
        self.send(reqwest::Method::POST, "/v1/issuers", Some(issuer))
            .await
    }

    /// `GET /v1/issuers`.
    pub async fn issuers(&self) -> Result<Vec<TreeSummary>, ClientError> {
        self.send::<(), _>(reqwest::Method::GET, "/v1/issuers", None)
            .await
    }

    /// `POST /v1/issuers/{id}/credentials` (issuer operator).
    pub async fn issue(
        &self,
        issuer: u64,
        request: &IssueRequest,
    ) -> Result<CredentialRecord, ClientError> {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/issuers/{issuer}/credentials"),
            Some(request),
        )
        .await
    }

    /// `POST /v1/issuers/{id}/credentials/batch` (issuer operator).
    pub async fn issue_batch(
        &self,
        issuer: u64,
        batch: &IssueBatch,
    ) -> Result<Vec<CredentialRecord>, ClientError> {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/issuers/{issuer}/credentials/batch"),
            Some(batch),
        )
        .await
    }

    /// `DELETE /v1/issuers/{id}/credentials/{leaf}` (issuer operator).
    pub async fn revoke(&self, issuer: u64, leaf_index: u64) -> Result<TreeChange, ClientError> {
        self.send::<(), _>(
            reqwest::Method::DELETE,
            &format!("/v1/issuers/{issuer}/credentials/{leaf_index}"),
            None,
        )
        .await
    }

    /// `GET /v1/issuers/{id}/credentials?subject_id=` (issuer operator).
    pub async fn credentials_of_subject(
        &self,
        issuer: u64,
        subject_id: &str,
    ) -> Result<Vec<CredentialRecord>, ClientError> {
        let r = self
            .req(
                reqwest::Method::GET,
                &format!("/v1/issuers/{issuer}/credentials"),
            )
            .query(&[("subject_id", subject_id)]);
        Self::decode(r.send().await?).await
    }

    /// `POST /v1/sanctions-lists` (admin).
    pub async fn add_list(&self, list: &NewList) -> Result<TreeSummary, ClientError> {
        self.send(reqwest::Method::POST, "/v1/sanctions-lists", Some(list))
            .await
    }

    /// `GET /v1/sanctions-lists`.
    pub async fn lists(&self) -> Result<Vec<TreeSummary>, ClientError> {
        self.send::<(), _>(reqwest::Method::GET, "/v1/sanctions-lists", None)
            .await
    }

    /// `POST /v1/sanctions-lists/{id}/entries` (list operator).
    pub async fn list_add(
        &self,
        list: u64,
        subject_ids: Vec<String>,
    ) -> Result<TreeChange, ClientError> {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/sanctions-lists/{list}/entries"),
            Some(&ListEntries { subject_ids }),
        )
        .await
    }

    /// `DELETE /v1/sanctions-lists/{id}/entries` (list operator).
    pub async fn list_remove(
        &self,
        list: u64,
        subject_ids: Vec<String>,
    ) -> Result<TreeChange, ClientError> {
        self.send(
            reqwest::Method::DELETE,
            &format!("/v1/sanctions-lists/{list}/entries"),
            Some(&ListEntries { subject_ids }),
        )
        .await
    }

    /// `POST /v1/sanctions-lists/{id}/import` with a CSV body (list operator).
    pub async fn import_csv(&self, list: u64, csv: String) -> Result<ImportSummary, ClientError> {
        let r = self
            .req(
                reqwest::Method::POST,
                &format!("/v1/sanctions-lists/{list}/import"),
            )
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(csv);
        Self::decode(r.send().await?).await
    }

    /// Imports `ids` (hex subject ids) in CSV chunks of `chunk` ids (each one version, one
    /// transaction), calling `progress` after each. Ids listed already are skipped, so after a
    /// failure the same call resumes where it stopped.
    pub async fn import_ids(
        &self,
        list: u64,
        ids: &[String],
        chunk: usize,
        mut progress: impl FnMut(&ImportProgress),
    ) -> Result<ImportProgress, ClientError> {
        let mut at = ImportProgress {
            total: ids.len(),
            ..Default::default()
        };
        for part in ids.chunks(chunk.max(1)) {
            let mut csv = String::with_capacity(part.len() * 65);
            for id in part {
                csv.push_str(id);
                csv.push('\n');
            }
            let summary = self.import_csv(list, csv).await?;
            at.sent += part.len();
            at.listed += summary.listed;
            at.already_listed += summary.already_listed;
            at.version = summary.version;
            at.root = summary.root;
            progress(&at);
        }
        Ok(at)
    }

    /// `GET /v1/sanctions-lists/{id}/non-membership/{subject_id}` (reader).
    pub async fn non_membership(
        &self,
        list: u64,
        subject_id: &str,
    ) -> Result<NonMembership, ClientError> {
        self.send::<(), _>(
            reqwest::Method::GET,
            &format!("/v1/sanctions-lists/{list}/non-membership/{subject_id}"),
            None,
        )
        .await
    }

    /// `POST /v1/wallets/{wallet}/challenge`.
    pub async fn challenge(&self, wallet: &str) -> Result<Challenge, ClientError> {
        self.send::<(), _>(
            reqwest::Method::POST,
            &format!("/v1/wallets/{wallet}/challenge"),
            None,
        )
        .await
    }

    /// `POST /v1/wallets/{wallet}/witness` with an already signed challenge.
    pub async fn witness_signed(
        &self,
        wallet: &str,
        request: &WitnessRequest,
    ) -> Result<WalletWitness, ClientError> {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/wallets/{wallet}/witness"),
            Some(request),
        )
        .await
    }

    /// The wallet flow in one call: asks for a challenge, signs it with `wallet` and fetches
    /// the wallet's proof inputs for `issuer_id` and `list_id`.
    pub async fn wallet_witness(
        &self,
        wallet: &Keypair,
        issuer_id: u64,
        list_id: u64,
    ) -> Result<WalletWitness, ClientError> {
        let address = wallet.pubkey().to_string();
        let challenge = self.challenge(&address).await?;
        let signature = wallet.sign_message(challenge.message.as_bytes());
        self.witness_signed(
            &address,
            &WitnessRequest {
                nonce: challenge.nonce,
                signature: signature.to_string(),
                issuer_id,
                list_id,
            },
        )
        .await
    }
}
