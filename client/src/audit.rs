//! The auditor's tools: auditor keys, and opening the disclosure of a `TransferApproved` event
//! from chain data alone.
//!
//! Opening checks, in order: the event is a zkgate `TransferApproved`; it was encrypted to this
//! auditor's key (the event names the key, so rotated-out keys keep working for their
//! transfers); `R` is a point of the prime-order subgroup; the ciphertext authenticates under
//! `S = sk·R` and the transfer's nonce; the record names the event's issuer; and the statement
//! rebuilt from the event (its disclosure commitment recomputed from the posted bytes) hashes
//! to the event's `statement_hash`, the proof's public input.
use anchor_lang::{AnchorDeserialize, Discriminator};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};
use zkgate::events::TransferApproved;
use zkgate_circuits::babyjub::{self, Scalar};
use zkgate_circuits::disclosure::{AuditRecord, Disclosure, DisclosureError};

/// An auditor's key pair as `zkgate audit keygen` writes it. The secret is zeroized on drop and
/// never printed (`Debug` is redacted).
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct AuditorKeyFile {
    /// The secret scalar (modulo the subgroup order), 32 bytes big-endian, hex.
    pub secret_hex: String,
    /// The public key `secret·Base8`, `x || y`, hex (the rule-set's `auditor_key`).
    pub public_key_hex: String,
    /// `Q` with `8·Q = public key` (the rule-set configuration's `auditor_key_witness`), hex.
    pub key_witness_hex: String,
}

impl std::fmt::Debug for AuditorKeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditorKeyFile")
            .field("public_key_hex", &self.public_key_hex)
            .finish_non_exhaustive()
    }
}

/// Why an event does not open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The data is not a zkgate `TransferApproved` event.
    #[error("not a zkgate TransferApproved event")]
    NotATransferEvent,
    /// The key file is malformed.
    #[error("auditor key file: {0}")]
    KeyFile(&'static str),
    /// The transfer was encrypted to another auditor key (the event names it).
    #[error("the transfer was encrypted to another auditor key ({0})")]
    OtherKey(String),
    /// The disclosure does not open.
    #[error("the disclosure does not open: {0}")]
    Disclosure(#[from] DisclosureError),
    /// The decrypted record names another issuer than the event.
    #[error("the decrypted issuer is not the event's issuer")]
    IssuerMismatch,
    /// The statement rebuilt from the event does not hash to its `statement_hash`.
    #[error("the statement rebuilt from the event does not hash to its statement_hash")]
    StatementMismatch,
}

impl AuditorKeyFile {
    /// A fresh key pair from `rng`.
    pub fn generate<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> Self {
        use ark_ff::UniformRand;
        loop {
            let sk = Scalar::rand(rng);
            if sk != Scalar::from(0u64) {
                return Self::from_secret(&sk);
            }
        }
    }

    /// The key file of a secret scalar.
    pub fn from_secret(sk: &Scalar) -> Self {
        use ark_ff::{BigInteger, PrimeField};
        let pk = babyjub::public_key(sk);
        AuditorKeyFile {
            secret_hex: hex::encode(sk.into_bigint().to_bytes_be()),
            public_key_hex: hex::encode(babyjub::point_to_bytes(&pk)),
            key_witness_hex: hex::encode(babyjub::point_to_bytes(&babyjub::cofactor_witness(&pk))),
        }
    }

    /// The secret scalar, checked against the public key.
    pub fn secret(&self) -> Result<Scalar, AuditError> {
        use ark_ff::PrimeField;
        let bytes = zeroize::Zeroizing::new(
            hex::decode(&self.secret_hex)
                .map_err(|_| AuditError::KeyFile("secret_hex is not hex"))?,
        );
        if bytes.len() != 32 {
            return Err(AuditError::KeyFile("secret_hex must be 32 bytes"));
        }
        let sk = Scalar::from_be_bytes_mod_order(&bytes);
        if babyjub::point_to_bytes(&babyjub::public_key(&sk)) != self.public_key()? {
            return Err(AuditError::KeyFile(
                "secret_hex does not match public_key_hex",
            ));
        }
        Ok(sk)
    }

    /// The public key bytes (`x || y`).
    pub fn public_key(&self) -> Result<[u8; 64], AuditError> {
        hex::decode(&self.public_key_hex)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or(AuditError::KeyFile("public_key_hex must be 64 bytes"))
    }
}

/// A `TransferApproved` from the data of zkgate's event CPI (the inner instruction's data:
/// Anchor's event tag, the event discriminator, the Borsh body) or from the bare
/// discriminator-and-body form.
pub fn decode_transfer_event(data: &[u8]) -> Result<TransferApproved, AuditError> {
    let body = data
        .strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE)
        .unwrap_or(data);
    let mut body = body
        .strip_prefix(TransferApproved::DISCRIMINATOR)
        .ok_or(AuditError::NotATransferEvent)?;
    TransferApproved::deserialize(&mut body).map_err(|_| AuditError::NotATransferEvent)
}

/// What `zkgate audit decrypt` prints for one transfer: the public facts from the event and the
/// disclosed identity. Personal data: `Debug` is redacted.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditReport {
    /// The rule-set account.
    pub rule_set: String,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// Sending wallet.
    pub sender: String,
    /// Receiving wallet.
    pub recipient: String,
    /// Mint.
    pub mint: String,
    /// Amount in base units.
    pub amount: u64,
    /// The subject's nonce this transfer consumed.
    pub nonce: u64,
    /// Slot.
    pub slot: u64,
    /// Cluster unix time.
    pub unix_timestamp: i64,
    /// The statement hash (checked against the event's fields), hex.
    pub statement_hash_hex: String,
    /// The disclosed subject id, hex (32 bytes big-endian).
    pub subject_id_hex: String,
    /// The credential's issuer account.
    pub issuer: String,
    /// The credential's leaf index in the issuer tree.
    pub leaf_index: u64,
    /// The credential's jurisdiction.
    pub jurisdiction: u16,
    /// The credential's tier.
    pub tier: u8,
    /// The credential's expiry, unix seconds.
    pub expiry: i64,
}

impl std::fmt::Debug for AuditReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditReport")
            .field("statement_hash_hex", &self.statement_hash_hex)
            .finish_non_exhaustive()
    }
}

/// Opens `event`'s disclosure with the auditor's key (see the module documentation for the
/// checks).
pub fn open_event(
    event: &TransferApproved,
    key: &AuditorKeyFile,
) -> Result<AuditReport, AuditError> {
    let sk = key.secret()?;
    if key.public_key()? != event.auditor_key {
        return Err(AuditError::OtherKey(hex::encode(event.auditor_key)));
    }
    let disclosure = Disclosure {
        ephemeral_key: event.disclosure.ephemeral_key,
        ciphertext: event.disclosure.ciphertext,
    };
    let record: AuditRecord = disclosure.open(&sk, event.rule_set_id, event.nonce)?;
    if record.issuer != event.issuer.to_bytes() {
        return Err(AuditError::IssuerMismatch);
    }
    let rebuilt = event
        .statement()
        .and_then(|s| s.hash())
        .map_err(|_| AuditError::StatementMismatch)?;
    if rebuilt != event.statement_hash {
        return Err(AuditError::StatementMismatch);
    }
    Ok(AuditReport {
        rule_set: event.rule_set.to_string(),
        rule_set_id: event.rule_set_id,
        rule_set_version: event.rule_set_version,
        sender: event.sender.to_string(),
        recipient: event.recipient.to_string(),
        mint: event.mint.to_string(),
        amount: event.amount,
        nonce: event.nonce,
        slot: event.slot,
        unix_timestamp: event.unix_timestamp,
        statement_hash_hex: hex::encode(event.statement_hash),
        subject_id_hex: hex::encode(record.subject_id),
        issuer: anchor_lang::prelude::Pubkey::new_from_array(record.issuer).to_string(),
        leaf_index: record.leaf_index,
        jurisdiction: record.jurisdiction,
        tier: record.tier,
        expiry: record.expiry,
    })
}
