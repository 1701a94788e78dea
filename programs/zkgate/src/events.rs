//! Audit-trail events.
use anchor_lang::prelude::*;

/// Emitted by every approved `transfer`: everything an auditor needs to tie the transfer to
/// its rule-set, credential issuer and the exact statement that was proven.
#[event]
pub struct TransferApproved {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version the proof was made under.
    pub rule_set_version: u32,
    /// Sending wallet.
    pub sender: Pubkey,
    /// Receiving wallet.
    pub recipient: Pubkey,
    /// Token mint.
    pub mint: Pubkey,
    /// Amount in base units.
    pub amount: u64,
    /// The sender's nonce consumed by this transfer.
    pub nonce: u64,
    /// The `Issuer` account whose root was used.
    pub issuer: Pubkey,
    /// Credential-tree root.
    pub credential_root: [u8; 32],
    /// Sanctions-tree root.
    pub sanctions_root: [u8; 32],
    /// The statement hash (the proof's public input).
    pub statement_hash: [u8; 32],
    /// Slot of the transfer.
    pub slot: u64,
    /// The statement's timestamp.
    pub timestamp: i64,
}

/// Emitted when a rule-set is registered or updated.
#[event]
pub struct RuleSetChanged {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// Rule-set id.
    pub id: u64,
    /// New version.
    pub version: u32,
    /// SHA-256 of the verifying key.
    pub vk_hash: [u8; 32],
    /// Poseidon hash of the parameters.
    pub params_hash: [u8; 32],
}

/// Emitted when an issuer or sanctions list publishes a root.
#[event]
pub struct RootPublished {
    /// The `Issuer` or `SanctionsList` account.
    pub account: Pubkey,
    /// The new root.
    pub root: [u8; 32],
    /// Whether this is a sanctions root (else a credential root).
    pub sanctions: bool,
    /// Publication time.
    pub published_at: i64,
}
