//! Audit-trail events.
use anchor_lang::prelude::*;
use anchor_lang::Event;

/// Logs an event as `Program data: <base64(discriminator || borsh)>`, exactly like `emit!`.
///
/// On SBF this is `emit!`'s `sol_log_data` syscall. Off chain, Anchor's `sol_log_data` is a
/// no-op (and `msg!` prints to stdout), while `solana-program-test` routes only the `sol_log`
/// syscall stub into the transaction's logs, so natively
/// the same base64 payload goes through `sol_log` (it then reads
/// `Program log: Program data: ...`): tests see the event a SBF build would emit.
pub fn emit_event<E: Event>(event: &E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
        solana_sysvar::program_stubs::sol_log(&format!("Program data: {encoded}"));
    }
}

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
