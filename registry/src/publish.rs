//! Root publication: each tree's newest root goes `created` → `sent` → `confirmed` in the
//! `publications` table, at most one root per tree per interval (changes in between are
//! batched into the next root), and a crash at any step is recovered on restart without
//! publishing twice:
//!
//! - the signed transaction's signature and its blockhash's last valid block height are
//!   committed (`sent`) *before* the transaction is submitted, so after a restart the
//!   publisher knows exactly which transaction may be in flight;
//! - a `sent` row is confirmed when its signature is, or when the tree's on-chain newest root
//!   is the row's root; it goes back to `created` (to be re-signed with a fresh blockhash)
//!   only once its blockhash has expired without the root reaching the chain, when the
//!   old transaction can no longer land;
//! - a `created` row whose root is already the on-chain newest root is confirmed without a
//!   transaction.
//!
//! The cluster is reached over Solana's JSON-RPC ([`RpcChain`]).
use std::time::Duration;

use anchor_lang::AccountDeserialize;
use base64::Engine;
use serde_json::{json, Value};
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use sqlx::Row;
use zkgate_circuits::encoding::fr_to_be_bytes;

use crate::registry::{now, Registry, RegistryError, TreeKind};

/// Why a publication step failed (the step is retried on the next tick).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The RPC endpoint failed or answered something unexpected.
    #[error("rpc: {0}")]
    Rpc(String),
    /// The registry's database failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A test fail point stopped the publisher (a simulated crash).
    #[error("fail point {0:?} hit")]
    FailPoint(FailPoint),
}

impl From<crate::store::StoreError> for PublishError {
    fn from(e: crate::store::StoreError) -> Self {
        PublishError::Registry(e.into())
    }
}

impl From<sqlx::Error> for PublishError {
    fn from(e: sqlx::Error) -> Self {
        PublishError::Registry(e.into())
    }
}

/// A cluster reached over JSON-RPC.
#[derive(Clone, Debug)]
pub struct RpcChain {
    url: String,
    http: reqwest::Client,
}

/// A transaction's fate as the cluster reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// Unknown to the cluster (not landed, or not yet).
    Unknown,
    /// Landed and succeeded (at `confirmed` or better).
    Succeeded,
    /// Landed and failed.
    Failed(String),
}

impl RpcChain {
    /// The cluster at `url` (e.g. `http://127.0.0.1:8899`).
    pub fn new(url: impl Into<String>) -> Self {
        RpcChain {
            url: url.into(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("reqwest client"),
        }
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, PublishError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response: Value = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| PublishError::Rpc(format!("{method}: {e}")))?
            .json()
            .await
            .map_err(|e| PublishError::Rpc(format!("{method}: {e}")))?;
        if let Some(error) = response.get("error") {
            return Err(PublishError::Rpc(format!("{method}: {error}")));
        }
        response
            .get("result")
            .cloned()
            .ok_or_else(|| PublishError::Rpc(format!("{method}: no result")))
    }

    /// The latest blockhash and the last block height at which it is valid.
    pub async fn latest_blockhash(&self) -> Result<(Hash, u64), PublishError> {
        let r = self
            .call("getLatestBlockhash", json!([{"commitment": "confirmed"}]))
            .await?;
        let hash = r["value"]["blockhash"]
            .as_str()
            .and_then(|s| s.parse::<Hash>().ok())
            .ok_or_else(|| PublishError::Rpc("getLatestBlockhash: no blockhash".into()))?;
        let height = r["value"]["lastValidBlockHeight"]
            .as_u64()
            .ok_or_else(|| PublishError::Rpc("getLatestBlockhash: no height".into()))?;
        Ok((hash, height))
    }

    /// The current block height.
    pub async fn block_height(&self) -> Result<u64, PublishError> {
        self.call("getBlockHeight", json!([{"commitment": "confirmed"}]))
            .await?
            .as_u64()
            .ok_or_else(|| PublishError::Rpc("getBlockHeight: not a number".into()))
    }

    /// Submits a signed transaction (not waiting for it).
    pub async fn send(&self, tx: &Transaction) -> Result<(), PublishError> {
        let bytes = bincode::serialize(tx).map_err(|e| PublishError::Rpc(e.to_string()))?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.call(
            "sendTransaction",
            json!([encoded, {"encoding": "base64", "preflightCommitment": "confirmed"}]),
        )
        .await?;
        Ok(())
    }

    /// What the cluster knows of `signature`.
    pub async fn status(&self, signature: &Signature) -> Result<TxStatus, PublishError> {
        let r = self
            .call(
                "getSignatureStatuses",
                json!([[signature.to_string()], {"searchTransactionHistory": true}]),
            )
            .await?;
        let status = &r["value"][0];
        if status.is_null() {
            return Ok(TxStatus::Unknown);
        }
        if !status["err"].is_null() {
            return Ok(TxStatus::Failed(status["err"].to_string()));
        }
        match status["confirmationStatus"].as_str() {
            Some("confirmed" | "finalized") => Ok(TxStatus::Succeeded),
            _ => Ok(TxStatus::Unknown),
        }
    }

    /// An account's data, if it exists.
    pub async fn account_data(&self, address: &Pubkey) -> Result<Option<Vec<u8>>, PublishError> {
        let r = self
            .call(
                "getAccountInfo",
                json!([address.to_string(), {"encoding": "base64", "commitment": "confirmed"}]),
            )
            .await?;
        let value = &r["value"];
        if value.is_null() {
            return Ok(None);
        }
        let data = value["data"][0]
            .as_str()
            .ok_or_else(|| PublishError::Rpc("getAccountInfo: no data".into()))?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map(Some)
            .map_err(|e| PublishError::Rpc(format!("getAccountInfo: {e}")))
    }
}

/// Where a test may stop the publisher, as a crash would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailPoint {
    /// After the `created` row committed.
    AfterCreated,
    /// After the `sent` row (signature) committed, before the transaction is submitted.
    AfterMarkedSent,
    /// After the transaction was submitted, before its confirmation is recorded.
    AfterSubmitted,
}

/// What a tick did to one tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing to publish, or waiting for the interval or for a transaction in flight.
    Idle,
    /// A publication row was created.
    Created(u64),
    /// A transaction was signed, recorded and submitted.
    Sent(u64),
    /// A publication was confirmed.
    Confirmed(u64),
    /// An expired or failed transaction's root will be re-sent.
    Retry(u64),
}

/// Publishes the registry's roots, each signed by the key of its issuer's or list's on-chain
/// authority (read from the account, so an authority hand-over needs only the new key here).
pub struct Publisher {
    registry: Registry,
    chain: RpcChain,
    authorities: Vec<Keypair>,
    interval: Duration,
    fail_point: Option<FailPoint>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field(
                "authorities",
                &self
                    .authorities
                    .iter()
                    .map(|k| k.pubkey())
                    .collect::<Vec<_>>(),
            )
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

struct Pending {
    version: u64,
    root: [u8; 32],
    state: String,
    signature: Option<String>,
    last_valid_height: Option<u64>,
}

impl Publisher {
    /// A publisher of `registry`'s roots to `chain`, signing with whichever of `authorities`
    /// is the on-chain authority of each issuer and list, at most one root per tree per
    /// `interval`.
    pub fn new(
        registry: Registry,
        chain: RpcChain,
        authorities: Vec<Keypair>,
        interval: Duration,
    ) -> Self {
        Publisher {
            registry,
            chain,
            authorities,
            interval,
            fail_point: None,
        }
    }

    /// Stops at `point` with [`PublishError::FailPoint`] (tests: a crash there).
    pub fn fail_at(mut self, point: Option<FailPoint>) -> Self {
        self.fail_point = point;
        self
    }

    fn check(&self, point: FailPoint) -> Result<(), PublishError> {
        if self.fail_point == Some(point) {
            return Err(PublishError::FailPoint(point));
        }
        Ok(())
    }

    /// Runs [`Publisher::tick`] every `poll` until `shutdown` resolves, logging failures
    /// (each is retried on the next tick).
    pub async fn run(self, poll: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!("root publication: {e}");
            }
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// One pass over every issuer and list; returns what happened to each.
    pub async fn tick(&self) -> Result<Vec<(TreeKind, u64, Step)>, PublishError> {
        let mut out = vec![];
        for kind in [TreeKind::Issuer, TreeKind::List] {
            for summary in self.registry.summaries(kind).await? {
                let step = self.step(kind, summary.id).await?;
                if let Step::Confirmed(_) = step {
                    // Versions no kept root needs any more (the program's ring of published
                    // roots) are dropped.
                    let pruned = self.registry.prune(kind, summary.id).await?;
                    tracing::debug!(?kind, id = summary.id, pruned, "pruned old tree rows");
                }
                out.push((kind, summary.id, step));
            }
        }
        Ok(out)
    }

    /// The newest root the program holds for a tree.
    pub async fn on_chain_latest(
        &self,
        kind: TreeKind,
        id: u64,
    ) -> Result<Option<[u8; 32]>, PublishError> {
        Ok(self.on_chain(kind, id).await?.1)
    }

    /// A tree's on-chain authority and newest root.
    async fn on_chain(
        &self,
        kind: TreeKind,
        id: u64,
    ) -> Result<(Pubkey, Option<[u8; 32]>), PublishError> {
        let address = match kind {
            TreeKind::Issuer => zkgate_client::pda::issuer(id),
            TreeKind::List => zkgate_client::pda::sanctions_list(id),
        };
        let Some(data) = self.chain.account_data(&address).await? else {
            return Err(PublishError::Rpc(format!(
                "{kind:?} {id} does not exist on chain"
            )));
        };
        let (authority, ring) = match kind {
            TreeKind::Issuer => zkgate::state::Issuer::try_deserialize(&mut data.as_slice())
                .map(|a| (a.authority, a.roots)),
            TreeKind::List => zkgate::state::SanctionsList::try_deserialize(&mut data.as_slice())
                .map(|a| (a.authority, a.roots)),
        }
        .map_err(|e| PublishError::Rpc(format!("{kind:?} {id}: {e}")))?;
        Ok((authority, ring.latest()))
    }

    async fn pending(&self, tree_id: i64) -> Result<Option<Pending>, PublishError> {
        let row = sqlx::query(
            "SELECT version, root, state, signature, last_valid_height FROM publications \
             WHERE tree_id = $1 AND state IN ('created', 'sent') ORDER BY version DESC LIMIT 1",
        )
        .bind(tree_id)
        .fetch_optional(self.registry.db().pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let root: Vec<u8> = row.try_get(1)?;
        Ok(Some(Pending {
            version: row.try_get::<i64, _>(0)? as u64,
            root: root
                .try_into()
                .map_err(|_| PublishError::Rpc("stored root is not 32 bytes".into()))?,
            state: row.try_get(2)?,
            signature: row.try_get(3)?,
            last_valid_height: row.try_get::<Option<i64>, _>(4)?.map(|h| h as u64),
        }))
    }

    async fn set_state(&self, tree_id: i64, version: u64, state: &str) -> Result<(), PublishError> {
        let mut tx = self
            .registry
            .db()
            .begin_write()
            .await
            .map_err(RegistryError::from)?;
        sqlx::query(
            "UPDATE publications SET state = $3, updated_at = $4 WHERE tree_id = $1 AND version = $2",
        )
        .bind(tree_id)
        .bind(version as i64)
        .bind(state.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if state == "confirmed" {
            // Older rows never sent are moot now.
            sqlx::query(
                "UPDATE publications SET state = 'superseded', updated_at = $3 \
                 WHERE tree_id = $1 AND version < $2 AND state = 'created'",
            )
            .bind(tree_id)
            .bind(version as i64)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One step of one tree's publication.
    pub async fn step(&self, kind: TreeKind, id: u64) -> Result<Step, PublishError> {
        let tree_id = self.registry.tree_id(kind, id).await?;
        let pending = match self.pending(tree_id).await? {
            Some(p) => p,
            None => match self.create(kind, id, tree_id).await? {
                Some(p) => p,
                None => return Ok(Step::Idle),
            },
        };
        if pending.state == "sent" {
            return self.follow(kind, id, tree_id, &pending).await;
        }
        // `created`: maybe it landed before a crash lost track of it, or the chain already
        // holds this root.
        let (authority, latest) = self.on_chain(kind, id).await?;
        if latest == Some(pending.root) {
            self.set_state(tree_id, pending.version, "confirmed")
                .await?;
            return Ok(Step::Confirmed(pending.version));
        }
        let signer = self
            .authorities
            .iter()
            .find(|k| k.pubkey() == authority)
            .ok_or_else(|| {
                PublishError::Rpc(format!(
                    "no key for {kind:?} {id}'s on-chain authority {authority}"
                ))
            })?;
        let instruction = match kind {
            TreeKind::Issuer => {
                zkgate_client::ix::publish_credential_root(&authority, id, pending.root)
            }
            TreeKind::List => {
                zkgate_client::ix::publish_sanctions_root(&authority, id, pending.root)
            }
        };
        let (blockhash, last_valid_height) = self.chain.latest_blockhash().await?;
        let tx = Transaction::new_signed_with_payer(
            &[instruction],
            Some(&authority),
            &[signer],
            blockhash,
        );
        let signature = tx.signatures[0];
        let mut db = self
            .registry
            .db()
            .begin_write()
            .await
            .map_err(RegistryError::from)?;
        sqlx::query(
            "UPDATE publications SET state = 'sent', signature = $3, last_valid_height = $4, \
             attempts = attempts + 1, updated_at = $5 WHERE tree_id = $1 AND version = $2",
        )
        .bind(tree_id)
        .bind(pending.version as i64)
        .bind(signature.to_string())
        .bind(last_valid_height as i64)
        .bind(now())
        .execute(&mut *db)
        .await?;
        db.commit().await?;
        self.check(FailPoint::AfterMarkedSent)?;
        if let Err(e) = self.chain.send(&tx).await {
            // Preflight refusals and transport errors alike: the row stays `sent` and is
            // resolved by its status or its blockhash's expiry.
            tracing::warn!(
                ?kind,
                id,
                version = pending.version,
                "publication not submitted: {e}"
            );
        }
        tracing::info!(?kind, id, version = pending.version, %signature, "root submitted");
        self.check(FailPoint::AfterSubmitted)?;
        Ok(Step::Sent(pending.version))
    }

    /// A new `created` row for the tree's newest version if it differs from what is on chain
    /// and the interval since the last publication has passed.
    async fn create(
        &self,
        kind: TreeKind,
        id: u64,
        tree_id: i64,
    ) -> Result<Option<Pending>, PublishError> {
        let last = sqlx::query(
            "SELECT version, created_at FROM publications WHERE tree_id = $1 \
             AND state <> 'superseded' ORDER BY version DESC LIMIT 1",
        )
        .bind(tree_id)
        .fetch_optional(self.registry.db().pool())
        .await?;
        let version = self.registry.trees().version(tree_id).await?;
        if let Some(row) = &last {
            let published = row.try_get::<i64, _>(0)? as u64;
            let at: i64 = row.try_get(1)?;
            if published >= version || now() - at < self.interval.as_secs() as i64 {
                return Ok(None);
            }
        }
        let root = fr_to_be_bytes(&self.registry.trees().root(tree_id, Some(version)).await?);
        let mut tx = self
            .registry
            .db()
            .begin_write()
            .await
            .map_err(RegistryError::from)?;
        sqlx::query(
            "INSERT INTO publications (tree_id, version, root, state, signature, \
             last_valid_height, attempts, created_at, updated_at) \
             VALUES ($1, $2, $3, 'created', NULL, NULL, 0, $4, $4)",
        )
        .bind(tree_id)
        .bind(version as i64)
        .bind(root.to_vec())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(?kind, id, version, "root publication created");
        self.check(FailPoint::AfterCreated)?;
        Ok(Some(Pending {
            version,
            root,
            state: "created".into(),
            signature: None,
            last_valid_height: None,
        }))
    }

    /// Follows a `sent` row to `confirmed`, or back to `created` once its transaction can no
    /// longer land.
    async fn follow(
        &self,
        kind: TreeKind,
        id: u64,
        tree_id: i64,
        p: &Pending,
    ) -> Result<Step, PublishError> {
        let signature: Signature = p
            .signature
            .as_deref()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| PublishError::Rpc("sent row without a valid signature".into()))?;
        match self.chain.status(&signature).await? {
            TxStatus::Succeeded => {
                self.set_state(tree_id, p.version, "confirmed").await?;
                tracing::info!(?kind, id, version = p.version, "root confirmed");
                return Ok(Step::Confirmed(p.version));
            }
            TxStatus::Failed(err) => {
                tracing::warn!(?kind, id, version = p.version, %err, "publication failed on chain");
            }
            TxStatus::Unknown => {
                let height = self.chain.block_height().await?;
                if height <= p.last_valid_height.unwrap_or(0) {
                    // May still land.
                    return Ok(Step::Idle);
                }
            }
        }
        // Failed, or expired unseen: unless the root reached the chain anyway, sign again.
        if self.on_chain_latest(kind, id).await? == Some(p.root) {
            self.set_state(tree_id, p.version, "confirmed").await?;
            return Ok(Step::Confirmed(p.version));
        }
        self.set_state(tree_id, p.version, "created").await?;
        Ok(Step::Retry(p.version))
    }
}
