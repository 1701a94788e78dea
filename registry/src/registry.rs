//! The registry's operations on the database, one transaction each: issuers and their
//! credentials, sanctions lists and their entries, wallet challenges. The HTTP layer
//! (`crate::app`) only decodes, authorizes and calls these.
use std::time::{SystemTime, UNIX_EPOCH};

use anchor_lang::prelude::Pubkey;
use ed25519_dalek::{Signature, VerifyingKey};
use rand::RngCore;
use sqlx::Row;
use zeroize::Zeroize;
use zkgate_circuits::credential::Credential;
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_to_be_bytes};
use zkgate_circuits::merkle::{MerklePath, DEFAULT_DEPTH, MAX_DEPTH};
use zkgate_circuits::{Fr, UniformRand};
use zkgate_client::api::{
    decode_field, decode_key, CredentialInput, FieldError, PathInput, SanctionsInput, WitnessInput,
};
use zkgate_db::seal::DataKey;
use zkgate_db::{Backend, Database, DbError};

use crate::api::{
    Challenge, CredentialRecord, IssueRequest, NonMembership, Publication, TreeChange, TreeSummary,
    WalletWitness,
};
use crate::indexed::IndexedStore;
use crate::store::{StoreError, TreeStore, WriteTx, RING};

/// Most credentials or subject ids in one request (one tree version).
pub const MAX_BATCH: usize = 1000;
/// Seconds a wallet challenge stays valid.
pub const CHALLENGE_TTL_SECS: i64 = 120;
/// Unexpired challenges one wallet may hold.
pub const MAX_CHALLENGES_PER_WALLET: i64 = 8;

/// Why a registry operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A field is malformed or out of range.
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// No issuer with this id.
    #[error("issuer {0} is not served here")]
    UnknownIssuer(u64),
    /// No sanctions list with this id.
    #[error("sanctions list {0} is not served here")]
    UnknownList(u64),
    /// The issuer or list id is taken.
    #[error("{0} exists already")]
    Exists(String),
    /// The same subject already holds a live credential for this wallet at this issuer.
    #[error("a live credential for this subject and wallet exists (revoke it first)")]
    DuplicateCredential,
    /// No credential at this leaf.
    #[error("no credential at leaf {0}")]
    UnknownCredential(u64),
    /// The credential is revoked already.
    #[error("credential at leaf {0} is revoked already")]
    AlreadyRevoked(u64),
    /// The wallet holds no live credential at the issuer.
    #[error("no live credential for this wallet at issuer {0}")]
    NoCredential(u64),
    /// The challenge is unknown, used or expired.
    #[error("challenge unknown, used or expired: ask for a new one")]
    BadChallenge,
    /// The signature does not verify under the wallet's key.
    #[error("signature does not verify under the wallet's key")]
    BadSignature,
    /// Too many open challenges for this wallet.
    #[error("too many open challenges for this wallet")]
    TooManyChallenges,
    /// What the wallet needs is not on chain yet.
    #[error("{0} is not published on chain yet: retry after the next publication")]
    NotPublished(String),
    /// A tree operation was refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The service cannot take the request now (database unreachable): retry.
    #[error("temporarily unavailable ({0}): retry later")]
    Unavailable(String),
}

impl From<DbError> for RegistryError {
    fn from(e: DbError) -> Self {
        RegistryError::Store(StoreError::Db(e))
    }
}

impl From<sqlx::Error> for RegistryError {
    fn from(e: sqlx::Error) -> Self {
        RegistryError::Store(StoreError::from(e))
    }
}

fn invalid(field: &str, message: &str) -> RegistryError {
    RegistryError::Invalid(FieldError {
        field: field.to_string(),
        message: message.to_string(),
    })
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Which kind of tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeKind {
    /// An issuer's credential tree.
    Issuer,
    /// A sanctions list.
    List,
}

impl TreeKind {
    fn unknown(self, id: u64) -> RegistryError {
        match self {
            TreeKind::Issuer => RegistryError::UnknownIssuer(id),
            TreeKind::List => RegistryError::UnknownList(id),
        }
    }
}

/// The registry: trees, lists, credentials and challenges on one database.
#[derive(Clone)]
pub struct Registry {
    trees: TreeStore,
    lists: IndexedStore,
    key: std::sync::Arc<DataKey>,
    published_only: bool,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("backend", &self.trees.db().backend())
            .field("published_only", &self.published_only)
            .finish_non_exhaustive()
    }
}

/// The sealed part of a credential row: subject id, jurisdiction, tier, expiry, salt.
fn credential_plaintext(c: &Credential) -> Vec<u8> {
    let mut out = Vec::with_capacity(75);
    out.extend_from_slice(&c.subject_id);
    out.extend_from_slice(&c.jurisdiction.to_be_bytes());
    out.push(c.tier);
    out.extend_from_slice(&c.expiry.to_be_bytes());
    out.extend_from_slice(&c.salt);
    out
}

fn credential_aad(issuer: u64, index: u64, wallet: &[u8; 32]) -> Vec<u8> {
    let mut aad = b"zkgate/registry/credential".to_vec();
    aad.extend_from_slice(&issuer.to_be_bytes());
    aad.extend_from_slice(&index.to_be_bytes());
    aad.extend_from_slice(wallet);
    aad
}

fn key_string(k: &[u8; 32]) -> String {
    Pubkey::new_from_array(*k).to_string()
}

/// The credential's JSON form.
pub fn credential_input(c: &Credential) -> CredentialInput {
    CredentialInput {
        subject_id: hex::encode(c.subject_id),
        wallet: key_string(&c.wallet),
        jurisdiction: c.jurisdiction,
        tier: c.tier,
        expiry: c.expiry,
        salt: hex::encode(c.salt),
    }
}

/// A subject id from hex, checked to be in `[1, 2^248 - 2]`.
pub fn decode_subject(field: &str, value: &str) -> Result<([u8; 32], Fr), RegistryError> {
    let bytes = decode_field(field, value)?;
    let x = fr_from_be_bytes(&bytes).map_err(|_| invalid(field, "must be a field element"))?;
    if x == Fr::from(0u64) || x >= zkgate_circuits::indexed::sentinel() {
        return Err(invalid(field, "must be in [1, 2^248 - 2]"));
    }
    Ok((bytes, x))
}

fn check_depth(depth: Option<usize>) -> Result<usize, RegistryError> {
    let depth = depth.unwrap_or(DEFAULT_DEPTH);
    if !(2..=MAX_DEPTH).contains(&depth) {
        return Err(invalid("depth", &format!("must be in 2..={MAX_DEPTH}")));
    }
    Ok(depth)
}

fn check_name(name: &str) -> Result<(), RegistryError> {
    if name.trim().is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "must be 1..=100 characters without control characters",
        ));
    }
    Ok(())
}

impl Registry {
    /// The registry on `db` (migrated with [`crate::MIGRATIONS`]), sealing credentials under
    /// `key`. With `published_only`, wallets are served paths against published roots only
    /// (what the program accepts); without, against the current roots (no publisher: tests,
    /// the demo's in-process chain).
    pub fn new(db: Database, key: DataKey, published_only: bool) -> Self {
        let trees = TreeStore::new(db);
        Registry {
            lists: IndexedStore::new(trees.clone()),
            trees,
            key: std::sync::Arc::new(key),
            published_only,
        }
    }

    /// The database.
    pub fn db(&self) -> &Database {
        self.trees.db()
    }

    /// The trees.
    pub fn trees(&self) -> &TreeStore {
        &self.trees
    }

    /// The sanctions lists.
    pub fn lists(&self) -> &IndexedStore {
        &self.lists
    }

    /// The tree of issuer or list `id`.
    pub async fn tree_id(&self, kind: TreeKind, id: u64) -> Result<i64, RegistryError> {
        let sql = match kind {
            TreeKind::Issuer => "SELECT tree_id FROM issuers WHERE id = $1",
            TreeKind::List => "SELECT tree_id FROM sanctions_lists WHERE id = $1",
        };
        let row = sqlx::query(sql)
            .bind(id as i64)
            .fetch_optional(self.db().pool())
            .await?
            .ok_or(kind.unknown(id))?;
        Ok(row.try_get(0)?)
    }

    async fn next_tree_id(&self, tx: &mut WriteTx) -> Result<i64, RegistryError> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM trees")
            .fetch_one(&mut **tx)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    async fn add(
        &self,
        kind: TreeKind,
        id: u64,
        name: &str,
        depth: Option<usize>,
    ) -> Result<TreeSummary, RegistryError> {
        if id == 0 || id > i64::MAX as u64 {
            return Err(invalid("id", "must be in 1..=2^63-1"));
        }
        check_name(name)?;
        let depth = check_depth(depth)?;
        let mut tx = self.db().begin_write().await?;
        let exists = match kind {
            TreeKind::Issuer => "SELECT 1 FROM issuers WHERE id = $1",
            TreeKind::List => "SELECT 1 FROM sanctions_lists WHERE id = $1",
        };
        if sqlx::query(exists)
            .bind(id as i64)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            let what = match kind {
                TreeKind::Issuer => "issuer",
                TreeKind::List => "sanctions list",
            };
            return Err(RegistryError::Exists(format!("{what} {id}")));
        }
        let tree_id = self.next_tree_id(&mut tx).await?;
        match kind {
            TreeKind::Issuer => {
                self.trees
                    .create_tree_in(&mut tx, tree_id, depth, &[])
                    .await?
            }
            TreeKind::List => self.lists.create_in(&mut tx, tree_id, depth).await?,
        }
        let insert = match kind {
            TreeKind::Issuer => {
                "INSERT INTO issuers (id, tree_id, name, created_at) VALUES ($1, $2, $3, $4)"
            }
            TreeKind::List => {
                "INSERT INTO sanctions_lists (id, tree_id, name, created_at) VALUES ($1, $2, $3, $4)"
            }
        };
        sqlx::query(insert)
            .bind(id as i64)
            .bind(tree_id)
            .bind(name.to_string())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.summary(kind, id).await
    }

    /// Registers issuer `id` (its on-chain id) with an empty tree.
    pub async fn add_issuer(
        &self,
        id: u64,
        name: &str,
        depth: Option<usize>,
    ) -> Result<TreeSummary, RegistryError> {
        self.add(TreeKind::Issuer, id, name, depth).await
    }

    /// Registers sanctions list `id` (its on-chain id) with an empty list.
    pub async fn add_list(
        &self,
        id: u64,
        name: &str,
        depth: Option<usize>,
    ) -> Result<TreeSummary, RegistryError> {
        self.add(TreeKind::List, id, name, depth).await
    }

    /// The newest publication of a tree.
    pub async fn latest_publication(
        &self,
        tree_id: i64,
    ) -> Result<Option<Publication>, RegistryError> {
        let row = sqlx::query(
            "SELECT version, root, state, signature FROM publications WHERE tree_id = $1 \
             AND state <> 'superseded' ORDER BY version DESC LIMIT 1",
        )
        .bind(tree_id)
        .fetch_optional(self.db().pool())
        .await?;
        Ok(match row {
            Some(row) => Some(Publication {
                version: row.try_get::<i64, _>(0)? as u64,
                root: hex::encode(row.try_get::<Vec<u8>, _>(1)?),
                state: row.try_get(2)?,
                signature: row.try_get(3)?,
            }),
            None => None,
        })
    }

    /// One issuer or list.
    pub async fn summary(&self, kind: TreeKind, id: u64) -> Result<TreeSummary, RegistryError> {
        let sql = match kind {
            TreeKind::Issuer => "SELECT tree_id, name FROM issuers WHERE id = $1",
            TreeKind::List => "SELECT tree_id, name FROM sanctions_lists WHERE id = $1",
        };
        let row = sqlx::query(sql)
            .bind(id as i64)
            .fetch_optional(self.db().pool())
            .await?
            .ok_or(kind.unknown(id))?;
        let tree_id: i64 = row.try_get(0)?;
        let name: String = row.try_get(1)?;
        let info = self.trees.info(tree_id).await?;
        let root = self.trees.root(tree_id, Some(info.version)).await?;
        let entries = match kind {
            TreeKind::Issuer => {
                let row = sqlx::query(
                    "SELECT COUNT(*) FROM credentials WHERE issuer_id = $1 \
                     AND revoked_version IS NULL",
                )
                .bind(id as i64)
                .fetch_one(self.db().pool())
                .await?;
                row.try_get::<i64, _>(0)? as u64
            }
            TreeKind::List => self.lists.len(tree_id).await?,
        };
        Ok(TreeSummary {
            id,
            name,
            depth: info.depth,
            version: info.version,
            root: hex::encode(fr_to_be_bytes(&root)),
            entries,
            published: self.latest_publication(tree_id).await?,
        })
    }

    /// Every issuer or every list, by id.
    pub async fn summaries(&self, kind: TreeKind) -> Result<Vec<TreeSummary>, RegistryError> {
        let sql = match kind {
            TreeKind::Issuer => "SELECT id FROM issuers ORDER BY id",
            TreeKind::List => "SELECT id FROM sanctions_lists ORDER BY id",
        };
        let ids: Vec<i64> = sqlx::query(sql)
            .fetch_all(self.db().pool())
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.summary(kind, id as u64).await?);
        }
        Ok(out)
    }

    fn decode_issue(&self, field: &str, r: &IssueRequest) -> Result<Credential, RegistryError> {
        let (subject_id, _) = decode_subject(&format!("{field}subject_id"), &r.subject_id)?;
        let wallet = decode_key(&format!("{field}wallet"), &r.wallet)?;
        if r.jurisdiction == 0 || r.jurisdiction > 999 {
            return Err(invalid(
                &format!("{field}jurisdiction"),
                "must be an ISO 3166-1 numeric code in 1..=999",
            ));
        }
        if !(1..=4).contains(&r.tier) {
            return Err(invalid(&format!("{field}tier"), "must be in 1..=4"));
        }
        if r.expiry <= now() {
            return Err(invalid(&format!("{field}expiry"), "must be in the future"));
        }
        let mut salt = fr_to_be_bytes(&Fr::rand(&mut rand::rngs::OsRng));
        let credential = Credential {
            subject_id,
            wallet,
            jurisdiction: r.jurisdiction,
            tier: r.tier,
            expiry: r.expiry,
            salt,
        };
        salt.zeroize();
        Ok(credential)
    }

    /// Issues credentials at issuer `issuer` as one tree version: each with a fresh salt, at the
    /// next free leaves. Refused as a whole (nothing written) if any is invalid or duplicates a
    /// live credential of the same subject and wallet.
    pub async fn issue(
        &self,
        issuer: u64,
        requests: &[IssueRequest],
    ) -> Result<(TreeChange, Vec<CredentialRecord>), RegistryError> {
        if requests.is_empty() || requests.len() > MAX_BATCH {
            return Err(invalid(
                "credentials",
                &format!("must hold 1..={MAX_BATCH} credentials"),
            ));
        }
        let (change, results) = self.issue_inner(issuer, requests, true).await?;
        let records = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok((change.expect("all issued"), records))
    }

    /// Issues each of `requests` that is valid and not a duplicate (the others get their own
    /// error) as one tree version in one transaction: the group commit of single issue
    /// requests. Fails as a whole only if the issuer is unknown or the database fails.
    pub async fn issue_each(
        &self,
        issuer: u64,
        requests: &[IssueRequest],
    ) -> Result<
        (
            Option<TreeChange>,
            Vec<Result<CredentialRecord, RegistryError>>,
        ),
        RegistryError,
    > {
        self.issue_inner(issuer, requests, false).await
    }

    async fn issue_inner(
        &self,
        issuer: u64,
        requests: &[IssueRequest],
        all_or_nothing: bool,
    ) -> Result<
        (
            Option<TreeChange>,
            Vec<Result<CredentialRecord, RegistryError>>,
        ),
        RegistryError,
    > {
        let mut results: Vec<Result<Credential, RegistryError>> = requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let prefix = if requests.len() == 1 || !all_or_nothing {
                    String::new()
                } else {
                    format!("credentials[{i}].")
                };
                self.decode_issue(&prefix, r)
            })
            .collect();
        if all_or_nothing {
            if let Some(pos) = results.iter().position(|r| r.is_err()) {
                return Err(results.swap_remove(pos).expect_err("an error"));
            }
        }
        let tree_id = self.tree_id(TreeKind::Issuer, issuer).await?;
        let mut tx = self.db().begin_write().await?;
        let tree = self.trees.lock_tree(&mut tx, tree_id).await?;
        // (request, subject tag, leaf index, wallet)
        let mut accepted: Vec<(usize, Vec<u8>, u64, [u8; 32])> = Vec::new();
        let mut next = tree.next_index;
        for (i, result) in results.iter_mut().enumerate() {
            let Ok(c) = result else { continue };
            let tag = self.key.tag(b"subject", &c.subject_id).to_vec();
            let live = sqlx::query(
                "SELECT 1 FROM credentials WHERE issuer_id = $1 AND subject_tag = $2 \
                 AND wallet = $3 AND revoked_version IS NULL",
            )
            .bind(issuer as i64)
            .bind(tag.clone())
            .bind(c.wallet.to_vec())
            .fetch_optional(&mut *tx)
            .await?;
            let wallet = c.wallet;
            let duplicate = live.is_some()
                || accepted
                    .iter()
                    .any(|(_, t, _, w)| *t == tag && *w == wallet);
            let error = if duplicate {
                Some(RegistryError::DuplicateCredential)
            } else if next >> tree.depth != 0 {
                Some(StoreError::Full(tree_id).into())
            } else {
                None
            };
            match error {
                Some(e) if all_or_nothing => return Err(e),
                Some(e) => *result = Err(e),
                None => {
                    accepted.push((i, tag, next, wallet));
                    next += 1;
                }
            }
        }
        if accepted.is_empty() {
            return Ok((
                None,
                results
                    .into_iter()
                    .map(|r| r.map(|_| unreachable!()))
                    .collect(),
            ));
        }
        let mut changes = Vec::with_capacity(accepted.len());
        for (i, _, index, _) in &accepted {
            let c = results[*i].as_ref().expect("accepted");
            let leaf = c
                .leaf()
                .map_err(|e| invalid("credential", &e.to_string()))?;
            changes.push((*index, leaf));
        }
        let version = self.trees.set_leaves_in(&mut tx, tree_id, &changes).await?;
        let issued_at = now();
        let mut records: Vec<Option<CredentialRecord>> = vec![None; results.len()];
        for (i, tag, index, _) in &accepted {
            let c = results[*i].as_ref().expect("accepted");
            let mut plain = credential_plaintext(c);
            let sealed = self
                .key
                .seal(&credential_aad(issuer, *index, &c.wallet), &plain);
            plain.zeroize();
            sqlx::query(
                "INSERT INTO credentials (issuer_id, leaf_index, subject_tag, wallet, sealed, \
                 issued_version, revoked_version, issued_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
            )
            .bind(issuer as i64)
            .bind(*index as i64)
            .bind(tag.clone())
            .bind(c.wallet.to_vec())
            .bind(sealed)
            .bind(version as i64)
            .bind(issued_at)
            .execute(&mut *tx)
            .await?;
            records[*i] = Some(CredentialRecord {
                issuer_id: issuer,
                leaf_index: *index,
                credential: credential_input(c),
                issued_version: version,
                revoked_version: None,
            });
        }
        tx.commit().await?;
        let root = self.trees.root(tree_id, Some(version)).await?;
        let change = TreeChange {
            version,
            root: hex::encode(fr_to_be_bytes(&root)),
            indices: accepted.iter().map(|(_, _, index, _)| *index).collect(),
        };
        let out = results
            .into_iter()
            .zip(records)
            .map(|(r, record)| match (r, record) {
                (Ok(_), Some(record)) => Ok(record),
                (Err(e), _) => Err(e),
                (Ok(_), None) => unreachable!("every accepted credential has its record"),
            })
            .collect();
        Ok((Some(change), out))
    }

    /// Revokes the credential at `leaf_index` of issuer `issuer`: its leaf is zeroed.
    pub async fn revoke(&self, issuer: u64, leaf_index: u64) -> Result<TreeChange, RegistryError> {
        let tree_id = self.tree_id(TreeKind::Issuer, issuer).await?;
        let mut tx = self.db().begin_write().await?;
        self.trees.lock_tree(&mut tx, tree_id).await?;
        let row = sqlx::query(
            "SELECT revoked_version FROM credentials WHERE issuer_id = $1 AND leaf_index = $2",
        )
        .bind(issuer as i64)
        .bind(leaf_index as i64)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(RegistryError::UnknownCredential(leaf_index))?;
        if row.try_get::<Option<i64>, _>(0)?.is_some() {
            return Err(RegistryError::AlreadyRevoked(leaf_index));
        }
        let version = self
            .trees
            .set_leaves_in(&mut tx, tree_id, &[(leaf_index, Fr::from(0u64))])
            .await?;
        sqlx::query(
            "UPDATE credentials SET revoked_version = $3 WHERE issuer_id = $1 AND leaf_index = $2",
        )
        .bind(issuer as i64)
        .bind(leaf_index as i64)
        .bind(version as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let root = self.trees.root(tree_id, Some(version)).await?;
        Ok(TreeChange {
            version,
            root: hex::encode(fr_to_be_bytes(&root)),
            indices: vec![leaf_index],
        })
    }

    fn record(
        &self,
        issuer: u64,
        row: &sqlx::any::AnyRow,
    ) -> Result<CredentialRecord, RegistryError> {
        let index = row.try_get::<i64, _>(0)? as u64;
        let wallet: [u8; 32] = row
            .try_get::<Vec<u8>, _>(1)?
            .try_into()
            .map_err(|_| StoreError::Corrupt(issuer as i64))?;
        let sealed: Vec<u8> = row.try_get(2)?;
        let mut plain = self
            .key
            .open(&credential_aad(issuer, index, &wallet), &sealed)
            .map_err(|_| StoreError::Corrupt(issuer as i64))?;
        if plain.len() != 75 {
            plain.zeroize();
            return Err(StoreError::Corrupt(issuer as i64).into());
        }
        let mut credential = Credential {
            subject_id: [0; 32],
            wallet,
            jurisdiction: u16::from_be_bytes([plain[32], plain[33]]),
            tier: plain[34],
            expiry: i64::from_be_bytes(plain[35..43].try_into().expect("8 bytes")),
            salt: [0; 32],
        };
        credential.subject_id.copy_from_slice(&plain[..32]);
        credential.salt.copy_from_slice(&plain[43..75]);
        plain.zeroize();
        Ok(CredentialRecord {
            issuer_id: issuer,
            leaf_index: index,
            credential: credential_input(&credential),
            issued_version: row.try_get::<i64, _>(3)? as u64,
            revoked_version: row.try_get::<Option<i64>, _>(4)?.map(|v| v as u64),
        })
    }

    /// Every credential of `subject` (hex) at `issuer`, revoked ones included.
    pub async fn credentials_of_subject(
        &self,
        issuer: u64,
        subject: &str,
    ) -> Result<Vec<CredentialRecord>, RegistryError> {
        let (subject_id, _) = decode_subject("subject_id", subject)?;
        self.tree_id(TreeKind::Issuer, issuer).await?;
        let rows = sqlx::query(
            "SELECT leaf_index, wallet, sealed, issued_version, revoked_version FROM credentials \
             WHERE issuer_id = $1 AND subject_tag = $2 ORDER BY leaf_index",
        )
        .bind(issuer as i64)
        .bind(self.key.tag(b"subject", &subject_id).to_vec())
        .fetch_all(self.db().pool())
        .await?;
        rows.iter().map(|row| self.record(issuer, row)).collect()
    }

    /// The version of a tree wallets are served: the newest confirmed publication (with
    /// `published_only`), else the current one.
    pub async fn served_version(
        &self,
        kind: TreeKind,
        id: u64,
        tree_id: i64,
    ) -> Result<u64, RegistryError> {
        if !self.published_only {
            return Ok(self.trees.version(tree_id).await?);
        }
        let row = sqlx::query(
            "SELECT MAX(version) FROM publications WHERE tree_id = $1 AND state = 'confirmed'",
        )
        .bind(tree_id)
        .fetch_one(self.db().pool())
        .await?;
        match row.try_get::<Option<i64>, _>(0)? {
            Some(v) => Ok(v as u64),
            None => Err(RegistryError::NotPublished(match kind {
                TreeKind::Issuer => format!("issuer {id}'s tree"),
                TreeKind::List => format!("sanctions list {id}"),
            })),
        }
    }

    /// A non-membership witness for `subject` in list `list`, against the served version.
    pub async fn non_membership(
        &self,
        list: u64,
        subject: &Fr,
    ) -> Result<NonMembership, RegistryError> {
        let tree_id = self.tree_id(TreeKind::List, list).await?;
        let version = self.served_version(TreeKind::List, list, tree_id).await?;
        let w = self
            .lists
            .non_membership(tree_id, subject, Some(version))
            .await?;
        let root = self.trees.root(tree_id, Some(version)).await?;
        Ok(NonMembership {
            list_id: list,
            version,
            root: hex::encode(fr_to_be_bytes(&root)),
            witness: SanctionsInput {
                low_value: hex::encode(w.low_value),
                low_next_value: hex::encode(w.low_next_value),
                low_next_index: w.low_next_index,
                path: PathInput::encode(&w.path),
            },
        })
    }

    /// Lists subject ids (hex) as one version; refused as a whole if any is listed already.
    pub async fn list_add(&self, list: u64, ids: &[String]) -> Result<TreeChange, RegistryError> {
        let values = decode_ids(ids)?;
        let tree_id = self.tree_id(TreeKind::List, list).await?;
        let (indices, version) = self.lists.insert(tree_id, &values).await?;
        self.change(tree_id, version, indices).await
    }

    /// Unlists subject ids (hex) as one version; refused as a whole if any is not listed.
    pub async fn list_remove(
        &self,
        list: u64,
        ids: &[String],
    ) -> Result<TreeChange, RegistryError> {
        let values = decode_ids(ids)?;
        let tree_id = self.tree_id(TreeKind::List, list).await?;
        let version = self.lists.remove(tree_id, &values).await?;
        self.change(tree_id, version, vec![]).await
    }

    /// Lists `values`, skipping those listed already (or repeated), as one version in one
    /// transaction (all or nothing); returns (listed, skipped, change).
    pub async fn list_import(
        &self,
        list: u64,
        values: &[Fr],
    ) -> Result<(u64, u64, TreeChange), RegistryError> {
        let tree_id = self.tree_id(TreeKind::List, list).await?;
        let mut tx = self.db().begin_write().await?;
        let (indices, version) = self.lists.insert_in(&mut tx, tree_id, values, true).await?;
        tx.commit().await?;
        let listed = indices.len() as u64;
        let skipped = values.len() as u64 - listed;
        Ok((
            listed,
            skipped,
            self.change(tree_id, version, indices).await?,
        ))
    }

    async fn change(
        &self,
        tree_id: i64,
        version: u64,
        indices: Vec<u64>,
    ) -> Result<TreeChange, RegistryError> {
        let root = self.trees.root(tree_id, Some(version)).await?;
        Ok(TreeChange {
            version,
            root: hex::encode(fr_to_be_bytes(&root)),
            indices,
        })
    }

    /// A fresh single-use challenge for `wallet` (base58).
    pub async fn challenge(&self, wallet: &str) -> Result<Challenge, RegistryError> {
        let wallet_bytes = decode_key("wallet", wallet)?;
        let now = now();
        let mut tx = self.db().begin_write().await?;
        sqlx::query("DELETE FROM challenges WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let open = sqlx::query("SELECT COUNT(*) FROM challenges WHERE wallet = $1")
            .bind(wallet_bytes.to_vec())
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>(0)?;
        if open >= MAX_CHALLENGES_PER_WALLET {
            return Err(RegistryError::TooManyChallenges);
        }
        let mut nonce = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let expires_at = now + CHALLENGE_TTL_SECS;
        sqlx::query("INSERT INTO challenges (nonce, wallet, expires_at) VALUES ($1, $2, $3)")
            .bind(nonce.to_vec())
            .bind(wallet_bytes.to_vec())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Challenge {
            message: challenge_message(&key_string(&wallet_bytes), &hex::encode(nonce), expires_at),
            nonce: hex::encode(nonce),
            expires_at,
        })
    }

    /// Consumes the challenge `nonce` of `wallet` if `signature` signs its message with the
    /// wallet's key. A challenge is used at most once, whether the signature verifies or not.
    pub async fn redeem(
        &self,
        wallet: &str,
        nonce: &str,
        signature: &str,
    ) -> Result<[u8; 32], RegistryError> {
        let wallet_bytes = decode_key("wallet", wallet)?;
        let nonce_bytes: [u8; 32] = hex::decode(nonce)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid("nonce", "must be 64 hex digits"))?;
        let signature = decode_signature(signature)?;
        let mut tx = self.db().begin_write().await?;
        let row = sqlx::query("SELECT wallet, expires_at FROM challenges WHERE nonce = $1")
            .bind(nonce_bytes.to_vec())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(RegistryError::BadChallenge)?;
        sqlx::query("DELETE FROM challenges WHERE nonce = $1")
            .bind(nonce_bytes.to_vec())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let owner: Vec<u8> = row.try_get(0)?;
        let expires_at: i64 = row.try_get(1)?;
        if owner != wallet_bytes || expires_at < now() {
            return Err(RegistryError::BadChallenge);
        }
        let message = challenge_message(wallet, &hex::encode(nonce_bytes), expires_at);
        let key =
            VerifyingKey::from_bytes(&wallet_bytes).map_err(|_| RegistryError::BadSignature)?;
        key.verify_strict(message.as_bytes(), &signature)
            .map_err(|_| RegistryError::BadSignature)?;
        Ok(wallet_bytes)
    }

    /// Everything `wallet`'s proof needs, after [`Registry::redeem`]: its newest live
    /// credential at `issuer` with its path, and its subject's non-membership witness in
    /// `list`, against the served roots.
    pub async fn wallet_witness(
        &self,
        wallet: &[u8; 32],
        issuer: u64,
        list: u64,
    ) -> Result<WalletWitness, RegistryError> {
        let tree_id = self.tree_id(TreeKind::Issuer, issuer).await?;
        let version = self
            .served_version(TreeKind::Issuer, issuer, tree_id)
            .await?;
        let rows = sqlx::query(
            "SELECT leaf_index, wallet, sealed, issued_version, revoked_version FROM credentials \
             WHERE issuer_id = $1 AND wallet = $2 AND revoked_version IS NULL \
             ORDER BY leaf_index DESC",
        )
        .bind(issuer as i64)
        .bind(wallet.to_vec())
        .fetch_all(self.db().pool())
        .await?;
        let mut newest_unpublished = false;
        let mut chosen = None;
        for row in &rows {
            let record = self.record(issuer, row)?;
            if record.issued_version > version {
                newest_unpublished = true;
                continue;
            }
            chosen = Some(record);
            break;
        }
        let record = match chosen {
            Some(r) => r,
            None if newest_unpublished => {
                return Err(RegistryError::NotPublished(format!(
                    "the credential's root (issuer {issuer})"
                )))
            }
            None => return Err(RegistryError::NoCredential(issuer)),
        };
        let path: MerklePath = self
            .trees
            .path(tree_id, record.leaf_index, Some(version))
            .await?;
        let root = self.trees.root(tree_id, Some(version)).await?;
        let (_, subject) = decode_subject("subject_id", &record.credential.subject_id)?;
        let sanctions = self.non_membership(list, &subject).await?;
        Ok(WalletWitness {
            issuer_id: issuer,
            credential_version: version,
            credential_root: hex::encode(fr_to_be_bytes(&root)),
            list_id: list,
            sanctions_version: sanctions.version,
            sanctions_root: sanctions.root,
            witness: WitnessInput {
                credential: record.credential.clone(),
                credential_path: PathInput::encode(&path),
                sanctions: sanctions.witness,
            },
        })
    }

    /// Drops tree rows no longer readable by wallets: versions older than the oldest of the
    /// last [`RING`] published roots (or the last [`RING`] versions without publication).
    pub async fn prune(&self, kind: TreeKind, id: u64) -> Result<u64, RegistryError> {
        let tree_id = self.tree_id(kind, id).await?;
        let current = self.trees.version(tree_id).await?;
        let keep_from = if self.published_only {
            let rows = sqlx::query(
                "SELECT version FROM publications WHERE tree_id = $1 AND state = 'confirmed' \
                 ORDER BY version DESC LIMIT $2",
            )
            .bind(tree_id)
            .bind(RING as i64)
            .fetch_all(self.db().pool())
            .await?;
            match rows.last() {
                Some(row) => row.try_get::<i64, _>(0)? as u64,
                None => return Ok(0),
            }
        } else {
            (current + 1).saturating_sub(RING)
        };
        let keep = current + 1 - keep_from;
        Ok(match kind {
            TreeKind::Issuer => self.trees.prune(tree_id, keep).await?,
            TreeKind::List => self.lists.prune(tree_id, keep).await?,
        })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.db().backend()
    }
}

/// The message a wallet signs to redeem a challenge.
pub fn challenge_message(wallet: &str, nonce: &str, expires_at: i64) -> String {
    format!(
        "zkgate registry: sign in to read your credential\nwallet: {wallet}\nnonce: {nonce}\nexpires: {expires_at}"
    )
}

fn decode_signature(s: &str) -> Result<Signature, RegistryError> {
    let bytes = if s.len() == 128 {
        hex::decode(s).ok()
    } else {
        bs58::decode(s).into_vec().ok()
    };
    let bytes: [u8; 64] = bytes
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| invalid("signature", "must be 64 bytes, base58 or 128 hex digits"))?;
    Ok(Signature::from_bytes(&bytes))
}

fn decode_ids(ids: &[String]) -> Result<Vec<Fr>, RegistryError> {
    if ids.is_empty() || ids.len() > MAX_BATCH {
        return Err(invalid(
            "subject_ids",
            &format!("must hold 1..={MAX_BATCH} ids"),
        ));
    }
    ids.iter()
        .enumerate()
        .map(|(i, s)| decode_subject(&format!("subject_ids[{i}]"), s).map(|(_, x)| x))
        .collect()
}
