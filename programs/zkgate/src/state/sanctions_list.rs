use anchor_lang::prelude::*;

use super::root_ring::RootRing;

/// A sanctions list: the roots of an indexed Merkle tree of sanctioned subject ids.
#[account]
#[derive(InitSpace, Debug)]
pub struct SanctionsList {
    /// List id (PDA seed).
    pub id: u64,
    /// Who may publish roots.
    pub authority: Pubkey,
    /// The proposed next authority (two-step hand-over), if any.
    pub pending_authority: Option<Pubkey>,
    /// Deactivated lists accept no roots, and `transfer` refuses every rule-set screening
    /// against them.
    pub active: bool,
    /// Recent roots; superseded roots expire after the rule-set's sanctions grace period.
    pub roots: RootRing,
    /// Canonical PDA bump.
    pub bump: u8,
}
