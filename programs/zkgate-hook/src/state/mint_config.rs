use anchor_lang::prelude::*;

/// Per-mint configuration of the hook.
#[account]
#[derive(InitSpace, Debug)]
pub struct MintConfig {
    /// The mint.
    pub mint: Pubkey,
    /// A transfer authority that passes without an approval (e.g. the permanent delegate for
    /// court-ordered clawbacks); each use emits `ExemptTransfer`. `None`: nobody is exempt.
    pub exempt_authority: Option<Pubkey>,
    /// Canonical PDA bump.
    pub bump: u8,
}
