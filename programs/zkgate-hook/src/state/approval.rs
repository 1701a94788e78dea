use anchor_lang::prelude::*;

/// The approval of one transfer from a token account, recorded by zkgate after it verified the
/// sender's proof. One per (mint, source): a new approval replaces the previous one.
#[account]
#[derive(InitSpace, Debug)]
pub struct Approval {
    /// The mint.
    pub mint: Pubkey,
    /// The token account to be debited.
    pub source: Pubkey,
    /// The only token account that may be credited.
    pub destination: Pubkey,
    /// The exact amount, in base units.
    pub amount: u64,
    /// The last slot in which the approval may be consumed.
    pub expires_at_slot: u64,
    /// Set by the transfer that consumed it.
    pub used: bool,
    /// The zkgate rule-set the proof was made under.
    pub rule_set: Pubkey,
    /// The hash of the proven statement (links the transfer to zkgate's audit event).
    pub statement_hash: [u8; 32],
    /// Canonical PDA bump.
    pub bump: u8,
}
