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
    /// A member's partial decryption is malformed or its proof does not verify.
    #[error("member {0}'s partial decryption does not verify")]
    BadPartial(u32),
    /// Fewer distinct members' partial decryptions for this transfer than the threshold.
    #[error("{have} partial decryptions for this transfer, {need} needed")]
    NotEnoughShares {
        /// Distinct members that answered.
        have: usize,
        /// The threshold.
        need: usize,
    },
    /// Verified partial decryptions that do not open the transfer: the members' shares are not
    /// of the key the transfer was encrypted to.
    #[error("the partial decryptions do not open the transfer (shares of another committee)")]
    SharesDoNotCombine,
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
    let record = event_disclosure(event).open(&sk, event.rule_set_id, event.nonce)?;
    report(event, &record)
}

fn event_disclosure(event: &TransferApproved) -> Disclosure {
    Disclosure {
        ephemeral_key: event.disclosure.ephemeral_key,
        ciphertext: event.disclosure.ciphertext,
    }
}

/// The checks after decryption (the record names the event's issuer, the statement rebuilt
/// from the event hashes to its `statement_hash`) and the report.
fn report(event: &TransferApproved, record: &AuditRecord) -> Result<AuditReport, AuditError> {
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

// ---------------------------------------------------------------------------------------------
// Committees: the auditor key shared t-of-n (Shamir over the subgroup order), so no single
// member can open a transfer. The circuit is unchanged (the committee key is one Baby Jubjub
// key); each member publishes a partial decryption `D_i = sk_i·R` with a Chaum-Pedersen proof
// that it used its share, and any t of them give `S = Σ λ_i·D_i = sk·R`.

/// One committee member's share, as `zkgate audit keygen --committee T/N` writes it. Secret:
/// zeroized on drop, redacted in `Debug`.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct CommitteeShareFile {
    /// Shares needed to open a transfer.
    pub threshold: u32,
    /// Members.
    pub members: u32,
    /// This member's index (1..=members).
    pub index: u32,
    /// The share `f(index)`, 32 bytes big-endian, hex.
    pub secret_hex: String,
    /// `f(index)·Base8`, hex (`x || y`): checks this member's partial decryptions.
    pub share_public_hex: String,
    /// The committee's public key (the rule-set's `auditor_key`), hex.
    pub public_key_hex: String,
}

impl std::fmt::Debug for CommitteeShareFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitteeShareFile")
            .field("index", &self.index)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

/// A committee: its public key (with the subgroup witness the program takes) and the members'
/// shares (each to be handed to its member; the dealer keeps nothing).
#[derive(Debug)]
pub struct CommitteeKeys {
    /// The committee's public key (the rule-set's `auditor_key`), hex.
    pub public_key_hex: String,
    /// `Q` with `8·Q = public key`, hex.
    pub key_witness_hex: String,
    /// One share per member.
    pub shares: Vec<CommitteeShareFile>,
}

fn scalar_hex(k: &Scalar) -> String {
    use ark_ff::{BigInteger, PrimeField};
    hex::encode(k.into_bigint().to_bytes_be())
}

fn scalar_from_hex(s: &str, what: &'static str) -> Result<Scalar, AuditError> {
    use ark_ff::PrimeField;
    let bytes = zeroize::Zeroizing::new(hex::decode(s).map_err(|_| AuditError::KeyFile(what))?);
    if bytes.len() != 32 {
        return Err(AuditError::KeyFile(what));
    }
    Ok(Scalar::from_be_bytes_mod_order(&bytes))
}

fn point_from_hex(s: &str, what: &'static str) -> Result<babyjub::Point, AuditError> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .and_then(|b| babyjub::public_key_from_bytes(&b))
        .ok_or(AuditError::KeyFile(what))
}

fn point_hex(p: &babyjub::Point) -> String {
    hex::encode(babyjub::point_to_bytes(p))
}

/// Deals a `threshold`-of-`members` committee key from `rng` (Shamir over the subgroup order).
pub fn committee_keygen<R: rand::RngCore + rand::CryptoRng>(
    threshold: u32,
    members: u32,
    rng: &mut R,
) -> Result<CommitteeKeys, AuditError> {
    use ark_ff::UniformRand;
    if threshold < 1 || threshold > members || members > 64 {
        return Err(AuditError::KeyFile(
            "committee: need 1 <= threshold <= members <= 64",
        ));
    }
    let mut coefficients: Vec<Scalar> = (0..threshold).map(|_| Scalar::rand(rng)).collect();
    while coefficients[0] == Scalar::from(0u64) {
        coefficients[0] = Scalar::rand(rng);
    }
    let public = babyjub::public_key(&coefficients[0]);
    let public_key_hex = point_hex(&public);
    let shares = (1..=members)
        .map(|index| {
            let x = Scalar::from(u64::from(index));
            let share = coefficients
                .iter()
                .rev()
                .fold(Scalar::from(0u64), |acc, a| acc * x + a);
            CommitteeShareFile {
                threshold,
                members,
                index,
                secret_hex: scalar_hex(&share),
                share_public_hex: point_hex(&babyjub::public_key(&share)),
                public_key_hex: public_key_hex.clone(),
            }
        })
        .collect();
    coefficients
        .iter_mut()
        .for_each(|c| *c = Scalar::from(0u64));
    Ok(CommitteeKeys {
        key_witness_hex: point_hex(&babyjub::cofactor_witness(&public)),
        public_key_hex,
        shares,
    })
}

/// One member's contribution to opening one transfer: `D = share·R` with a Chaum-Pedersen
/// proof that `log_Base8(share_public) = log_R(D)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialDecryption {
    /// The member's index.
    pub index: u32,
    /// Shares needed.
    pub threshold: u32,
    /// The transfer's statement hash (which event this opens), hex.
    pub statement_hash_hex: String,
    /// The member's `share·Base8`, hex.
    pub share_public_hex: String,
    /// `D = share·R`, hex.
    pub partial_hex: String,
    /// The proof `c || z` (32 + 32 bytes big-endian), hex.
    pub proof_hex: String,
}

fn dleq_challenge(points: &[&babyjub::Point]) -> Scalar {
    use ark_ff::PrimeField;
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"zkgate/audit/dleq/v1");
    for p in points {
        h.update(babyjub::point_to_bytes(p));
    }
    Scalar::from_be_bytes_mod_order(&h.finalize())
}

fn mul(p: &babyjub::Point, k: &Scalar) -> babyjub::Point {
    use ark_ff::{BigInteger, PrimeField};
    babyjub::mul_le_bytes(p, &k.into_bigint().to_bytes_le())
}

/// A member's partial decryption of `event` (refused if the event was encrypted to another key
/// than the member's committee).
pub fn partial_decrypt<R: rand::RngCore + rand::CryptoRng>(
    event: &TransferApproved,
    share: &CommitteeShareFile,
    rng: &mut R,
) -> Result<PartialDecryption, AuditError> {
    use ark_ff::UniformRand;
    if hex::encode(event.auditor_key) != share.public_key_hex {
        return Err(AuditError::OtherKey(hex::encode(event.auditor_key)));
    }
    let x = scalar_from_hex(&share.secret_hex, "committee share: secret_hex")?;
    let public = point_from_hex(&share.share_public_hex, "committee share: share_public_hex")?;
    if babyjub::public_key(&x) != public {
        return Err(AuditError::KeyFile(
            "committee share: secret_hex does not match share_public_hex",
        ));
    }
    let r = event_disclosure(event).ephemeral_point()?;
    let d = mul(&r, &x);
    let k = Scalar::rand(rng);
    let (t1, t2) = (babyjub::public_key(&k), mul(&r, &k));
    let c = dleq_challenge(&[&public, &r, &d, &t1, &t2]);
    let z = k + c * x;
    Ok(PartialDecryption {
        index: share.index,
        threshold: share.threshold,
        statement_hash_hex: hex::encode(event.statement_hash),
        share_public_hex: point_hex(&public),
        partial_hex: point_hex(&d),
        proof_hex: format!("{}{}", scalar_hex(&c), scalar_hex(&z)),
    })
}

fn verify_partial(p: &PartialDecryption, r: &babyjub::Point) -> Result<babyjub::Point, AuditError> {
    let bad = || AuditError::BadPartial(p.index);
    let public = point_from_hex(&p.share_public_hex, "partial").map_err(|_| bad())?;
    let d = point_from_hex(&p.partial_hex, "partial").map_err(|_| bad())?;
    if p.proof_hex.len() != 128 {
        return Err(bad());
    }
    let c = scalar_from_hex(&p.proof_hex[..64], "partial").map_err(|_| bad())?;
    let z = scalar_from_hex(&p.proof_hex[64..], "partial").map_err(|_| bad())?;
    // T1 = z·Base8 − c·A, T2 = z·R − c·D; the challenge must be theirs.
    let t1: babyjub::Point = (babyjub::public_key(&z) - mul(&public, &c)).into();
    let t2: babyjub::Point = (mul(r, &z) - mul(&d, &c)).into();
    if dleq_challenge(&[&public, r, &d, &t1, &t2]) != c {
        return Err(bad());
    }
    Ok(d)
}

/// Combines at least `threshold` members' partial decryptions of `event` (each proof checked)
/// into `S` and opens the transfer.
pub fn combine(
    event: &TransferApproved,
    partials: &[PartialDecryption],
) -> Result<AuditReport, AuditError> {
    use ark_ff::Field;
    let r = event_disclosure(event).ephemeral_point()?;
    let hash = hex::encode(event.statement_hash);
    let mut chosen: Vec<(u32, babyjub::Point)> = vec![];
    let mut threshold = u32::MAX;
    for p in partials.iter().filter(|p| p.statement_hash_hex == hash) {
        if p.index == 0 || chosen.iter().any(|(i, _)| *i == p.index) {
            continue;
        }
        threshold = threshold.min(p.threshold);
        chosen.push((p.index, verify_partial(p, &r)?));
    }
    if threshold == u32::MAX || chosen.len() < threshold as usize {
        return Err(AuditError::NotEnoughShares {
            have: chosen.len(),
            need: if threshold == u32::MAX {
                1
            } else {
                threshold as usize
            },
        });
    }
    chosen.truncate(threshold as usize);
    let mut shared = ark_ec::twisted_edwards::Projective::<babyjub::CircomBabyJubjub>::default();
    for (i, d) in &chosen {
        let xi = Scalar::from(u64::from(*i));
        let mut lambda = Scalar::from(1u64);
        for (j, _) in chosen.iter().filter(|(j, _)| j != i) {
            let xj = Scalar::from(u64::from(*j));
            lambda *= xj * (xj - xi).inverse().expect("distinct indices");
        }
        shared += mul(d, &lambda);
    }
    let shared: babyjub::Point = ark_ec::CurveGroup::into_affine(shared);
    let record = event_disclosure(event)
        .open_with_shared(&shared, event.rule_set_id, event.nonce)
        .map_err(|_| AuditError::SharesDoNotCombine)?;
    report(event, &record)
}
