use anchor_lang::prelude::*;

use super::root_ring::RootRing;

/// A credential issuer: publishes the roots of its credential tree.
#[account]
#[derive(InitSpace, Debug)]
pub struct Issuer {
    /// Issuer id (PDA seed).
    pub id: u64,
    /// Who may publish roots.
    pub authority: Pubkey,
    /// The proposed next authority (two-step hand-over), if any.
    pub pending_authority: Option<Pubkey>,
    /// Deactivated issuers are refused by `transfer`.
    pub active: bool,
    /// Recent credential-tree roots.
    pub roots: RootRing,
    /// Canonical PDA bump.
    pub bump: u8,
}
