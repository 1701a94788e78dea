//! The transfer statement, recomputed on chain from the program's own accounts and hashed with
//! the Poseidon syscall into the proof's single public input. Layout: `docs/STATEMENT.md`.
use anchor_lang::prelude::*;
use solana_poseidon::{hashv, Endianness, Parameters};

use crate::auditor::AuditDisclosure;
use crate::errors::ZkgateError;
use crate::state::{is_canonical_field_element, RuleSetParams};

/// A field element as 32 big-endian bytes.
pub type FieldBytes = [u8; 32];

/// Embeds an unsigned integer as a field element.
pub fn u64_field(value: u64) -> FieldBytes {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&value.to_be_bytes());
    out
}

/// Splits a 32-byte key into its `(hi, lo)` 128-bit limbs, each a field element.
pub fn key_limbs(key: &Pubkey) -> (FieldBytes, FieldBytes) {
    let bytes = key.to_bytes();
    let mut hi = [0u8; 32];
    let mut lo = [0u8; 32];
    hi[16..].copy_from_slice(&bytes[..16]);
    lo[16..].copy_from_slice(&bytes[16..]);
    (hi, lo)
}

/// A domain tag: the ASCII bytes of `s` read as a big-endian integer (`s.len() <= 31`).
pub const fn tag(s: &str) -> FieldBytes {
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < b.len() {
        out[32 - b.len() + i] = b[i];
        i += 1;
    }
    out
}

/// Tag of the statement hash.
pub const TAG_STATEMENT: FieldBytes = tag("zkgate/statement/v3");
/// Tag of the parameters hash.
pub const TAG_PARAMS: FieldBytes = tag("zkgate/params/v2");
/// Tag of the recipient-pass statement hash.
pub const TAG_PASS: FieldBytes = tag("zkgate/pass/v1");

fn poseidon(inputs: &[&[u8]]) -> Result<FieldBytes> {
    hashv(Parameters::Bn254X5, Endianness::BigEndian, inputs)
        .map(|h| h.to_bytes())
        .map_err(|_| error!(ZkgateError::StatementHashFailed))
}

/// `params_hash = H_7(TAG_PARAMS, H_8(allowed), H_8(denied), H_8(limits), window_seconds,
/// auditor.x, auditor.y)`.
pub fn params_hash(params: &RuleSetParams) -> Result<FieldBytes> {
    let allow: [FieldBytes; 8] = params.allowed_jurisdictions.map(|c| u64_field(c.into()));
    let deny: [FieldBytes; 8] = params.denied_jurisdictions.map(|c| u64_field(c.into()));
    let mut limits = [[0u8; 32]; 8];
    for i in 0..4 {
        limits[i] = u64_field(params.per_transfer_limit[i]);
        limits[4 + i] = u64_field(params.per_window_limit[i]);
    }
    let h_allow = poseidon(&allow.each_ref().map(|x| x.as_slice()))?;
    let h_deny = poseidon(&deny.each_ref().map(|x| x.as_slice()))?;
    let h_tiers = poseidon(&limits.each_ref().map(|x| x.as_slice()))?;
    poseidon(&[
        &TAG_PARAMS,
        &h_allow,
        &h_deny,
        &h_tiers,
        &u64_field(params.window_seconds),
        &params.auditor_key[..32],
        &params.auditor_key[32..],
    ])
}

/// Every value a transfer proof commits to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// The rule-set's parameters hash.
    pub params_hash: FieldBytes,
    /// The issuer's credential-tree root the proof used.
    pub credential_root: FieldBytes,
    /// The sanctions-tree root the proof used.
    pub sanctions_root: FieldBytes,
    /// This program's id.
    pub program_id: Pubkey,
    /// The sending wallet.
    pub sender: Pubkey,
    /// The receiving wallet (owner of the destination token account).
    pub recipient: Pubkey,
    /// The token mint.
    pub mint: Pubkey,
    /// Amount in base units.
    pub amount: u64,
    /// The sender's nonce before this transfer.
    pub nonce: u64,
    /// The window volume the proof commits to (at least the subject's volume in the last
    /// window of cluster time).
    pub window_volume: u64,
    /// Unix seconds until which the proof may land (the credential must outlive it).
    pub valid_until: i64,
    /// The subject tag: `H_3(TAG_SUBJECT, rule_set_id, subject_id)`, computed in the circuit.
    pub subject_tag: FieldBytes,
    /// The commitment to the posted auditor disclosure ([`disclosure_hash`]).
    pub disclosure_hash: FieldBytes,
}

/// `H_8(issuer.hi, issuer.lo, R.x, R.y, c0, c1, c2, c3)`: the commitment to the disclosure
/// posted with a transfer, recomputed from the posted bytes (never taken from the caller).
pub fn disclosure_hash(issuer: &Pubkey, disclosure: &AuditDisclosure) -> Result<FieldBytes> {
    let r = &disclosure.ephemeral_key;
    let c = &disclosure.ciphertext;
    require!(
        is_canonical_field_element(
            r[..32]
                .try_into()
                .map_err(|_| ZkgateError::DisclosureNotInField)?
        ) && is_canonical_field_element(
            r[32..]
                .try_into()
                .map_err(|_| ZkgateError::DisclosureNotInField)?
        ) && c.iter().all(is_canonical_field_element),
        ZkgateError::DisclosureNotInField
    );
    let (hi, lo) = key_limbs(issuer);
    poseidon(&[&hi, &lo, &r[..32], &r[32..], &c[0], &c[1], &c[2], &c[3]])
}

impl Statement {
    /// `H_9(H_12(ctx...), mint limbs, amount, nonce, window_volume, valid_until, subject_tag,
    /// disclosure_hash)`.
    pub fn hash(&self) -> Result<FieldBytes> {
        require!(self.valid_until >= 0, ZkgateError::NegativeValidUntil);
        require!(
            is_canonical_field_element(&self.subject_tag),
            ZkgateError::SubjectTagNotInField
        );
        require!(
            is_canonical_field_element(&self.params_hash)
                && is_canonical_field_element(&self.credential_root)
                && is_canonical_field_element(&self.sanctions_root),
            ZkgateError::RootNotInField
        );
        let (prog_hi, prog_lo) = key_limbs(&self.program_id);
        let (snd_hi, snd_lo) = key_limbs(&self.sender);
        let (rcp_hi, rcp_lo) = key_limbs(&self.recipient);
        let (mint_hi, mint_lo) = key_limbs(&self.mint);
        let h_ctx = poseidon(&[
            &TAG_STATEMENT,
            &u64_field(self.rule_set_id),
            &u64_field(self.rule_set_version.into()),
            &self.params_hash,
            &self.credential_root,
            &self.sanctions_root,
            &prog_hi,
            &prog_lo,
            &snd_hi,
            &snd_lo,
            &rcp_hi,
            &rcp_lo,
        ])?;
        poseidon(&[
            &h_ctx,
            &mint_hi,
            &mint_lo,
            &u64_field(self.amount),
            &u64_field(self.nonce),
            &u64_field(self.window_volume),
            &u64_field(self.valid_until as u64),
            &self.subject_tag,
            &self.disclosure_hash,
        ])
    }
}

/// Every value a recipient-pass proof commits to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassStatement {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// The rule-set's parameters hash.
    pub params_hash: FieldBytes,
    /// The issuer's credential-tree root the proof used.
    pub credential_root: FieldBytes,
    /// The sanctions-tree root the proof used.
    pub sanctions_root: FieldBytes,
    /// This program's id.
    pub program_id: Pubkey,
    /// The wallet the pass is for.
    pub wallet: Pubkey,
    /// Unix seconds until which the pass may be used (the credential must outlive it).
    pub valid_until: i64,
}

impl PassStatement {
    /// `H_12(TAG_PASS, rule_set_id, rule_set_version, params_hash, credential_root,
    /// sanctions_root, program.hi, program.lo, wallet.hi, wallet.lo, valid_until, 0)`.
    pub fn hash(&self) -> Result<FieldBytes> {
        require!(self.valid_until >= 0, ZkgateError::NegativeValidUntil);
        require!(
            is_canonical_field_element(&self.params_hash)
                && is_canonical_field_element(&self.credential_root)
                && is_canonical_field_element(&self.sanctions_root),
            ZkgateError::RootNotInField
        );
        let (prog_hi, prog_lo) = key_limbs(&self.program_id);
        let (wallet_hi, wallet_lo) = key_limbs(&self.wallet);
        let valid_until = u64_field(self.valid_until as u64);
        poseidon(&[
            &TAG_PASS,
            &u64_field(self.rule_set_id),
            &u64_field(self.rule_set_version.into()),
            &self.params_hash,
            &self.credential_root,
            &self.sanctions_root,
            &prog_hi,
            &prog_lo,
            &wallet_hi,
            &wallet_lo,
            &valid_until,
            &[0u8; 32],
        ])
    }
}
