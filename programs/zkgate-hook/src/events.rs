//! Events of the hook, emitted through Anchor's event CPI (inner instructions: not droppable by
//! exhausting the log budget).
use anchor_lang::prelude::*;

/// A transfer signed by the mint's exempt authority passed without an approval.
#[event]
pub struct ExemptTransfer {
    /// The mint.
    pub mint: Pubkey,
    /// The debited token account.
    pub source: Pubkey,
    /// The credited token account.
    pub destination: Pubkey,
    /// The exempt authority that signed the transfer.
    pub authority: Pubkey,
    /// Amount in base units.
    pub amount: u64,
    /// The slot of the transfer.
    pub slot: u64,
}
