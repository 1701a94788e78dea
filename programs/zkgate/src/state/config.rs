use anchor_lang::prelude::*;

/// Global configuration: who governs zkgate and whether it is paused.
#[account]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// The admin: registers rule-sets, issuers and sanctions lists, pauses everything.
    pub admin: Pubkey,
    /// The proposed next admin (two-step hand-over); `None` when no hand-over is pending.
    pub pending_admin: Option<Pubkey>,
    /// Global pause: when set, `transfer` is refused for every rule-set.
    pub paused: bool,
    /// Canonical PDA bump.
    pub bump: u8,
}
