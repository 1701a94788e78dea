//! The transfer statement and its hash, the proof's single public input (docs/STATEMENT.md).
//! The program recomputes the same hash with the Poseidon syscall.
use serde::{Deserialize, Serialize};

use crate::encoding::{
    fr_from_be_bytes_named, fr_from_i64, fr_from_u64, fr_to_be_bytes, key_limbs, tag,
    EncodingError, TAG_STATEMENT, TAG_SUBJECT,
};
use crate::poseidon::hash;
use crate::Fr;

/// Every public value a transfer proof commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// The rule-set's parameters hash.
    pub params_hash: [u8; 32],
    /// The issuer's credential-tree root.
    pub credential_root: [u8; 32],
    /// The sanctions-tree root.
    pub sanctions_root: [u8; 32],
    /// The zkgate program id.
    pub program_id: [u8; 32],
    /// Sending wallet.
    pub sender: [u8; 32],
    /// Receiving wallet.
    pub recipient: [u8; 32],
    /// Token mint.
    pub mint: [u8; 32],
    /// Amount in base units.
    pub amount: u64,
    /// The subject's nonce under the rule-set.
    pub nonce: u64,
    /// The subject's volume in the current window (at least what the program counts).
    pub window_volume: u64,
    /// Unix seconds until which the proof may land; the credential must expire after it.
    pub valid_until: i64,
    /// The subject tag, `H_3(TAG_SUBJECT, rule_set_id, subject_id)` (see [`subject_tag`]).
    pub subject_tag: [u8; 32],
    /// The commitment to the auditor disclosure posted with the transfer
    /// ([`crate::disclosure::Disclosure::commitment`]).
    pub disclosure_hash: [u8; 32],
}

/// The per-rule-set pseudonym of a subject: `H_3(TAG_SUBJECT, rule_set_id, subject_id)`. Every
/// wallet of one subject has the same tag under a rule-set (so they share one volume window),
/// tags under different rule-sets are unlinkable, and the tag reveals the subject id only to
/// someone who can enumerate subject ids (issuers draw them at random from 248 bits).
pub fn subject_tag(rule_set_id: u64, subject_id: &Fr) -> Fr {
    hash(&[tag(TAG_SUBJECT), fr_from_u64(rule_set_id), *subject_id])
}

/// [`subject_tag`] as 32 big-endian bytes.
pub fn subject_tag_bytes(rule_set_id: u64, subject_id: &Fr) -> [u8; 32] {
    fr_to_be_bytes(&subject_tag(rule_set_id, subject_id))
}

/// The statement as field elements, in hashing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementElements {
    /// The 12 inputs of `h_ctx`.
    pub ctx: [Fr; 12],
    /// The 8 inputs that follow `h_ctx` in the final hash: mint limbs, amount, nonce, window
    /// volume, valid-until, subject tag, disclosure commitment.
    pub transfer: [Fr; 8],
}

impl Statement {
    /// The statement's field elements (errors name the field that is not canonical).
    pub fn elements(&self) -> Result<StatementElements, EncodingError> {
        let [prog_hi, prog_lo] = key_limbs(&self.program_id);
        let [snd_hi, snd_lo] = key_limbs(&self.sender);
        let [rcp_hi, rcp_lo] = key_limbs(&self.recipient);
        let [mint_hi, mint_lo] = key_limbs(&self.mint);
        Ok(StatementElements {
            ctx: [
                tag(TAG_STATEMENT),
                fr_from_u64(self.rule_set_id),
                fr_from_u64(u64::from(self.rule_set_version)),
                fr_from_be_bytes_named(&self.params_hash, "params_hash")?,
                fr_from_be_bytes_named(&self.credential_root, "credential_root")?,
                fr_from_be_bytes_named(&self.sanctions_root, "sanctions_root")?,
                prog_hi,
                prog_lo,
                snd_hi,
                snd_lo,
                rcp_hi,
                rcp_lo,
            ],
            transfer: [
                mint_hi,
                mint_lo,
                fr_from_u64(self.amount),
                fr_from_u64(self.nonce),
                fr_from_u64(self.window_volume),
                fr_from_i64(self.valid_until, "valid_until")?,
                fr_from_be_bytes_named(&self.subject_tag, "subject_tag")?,
                fr_from_be_bytes_named(&self.disclosure_hash, "disclosure_hash")?,
            ],
        })
    }

    /// `H_9(H_12(ctx), mint.hi, mint.lo, amount, nonce, window_volume, valid_until,
    /// subject_tag, disclosure_hash)`.
    pub fn hash(&self) -> Result<Fr, EncodingError> {
        let e = self.elements()?;
        let h_ctx = hash(&e.ctx);
        let mut inputs = vec![h_ctx];
        inputs.extend_from_slice(&e.transfer);
        Ok(hash(&inputs))
    }

    /// [`Statement::hash`] as 32 big-endian bytes.
    pub fn hash_bytes(&self) -> Result<[u8; 32], EncodingError> {
        self.hash().map(|h| fr_to_be_bytes(&h))
    }
}
