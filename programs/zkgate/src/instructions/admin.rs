use anchor_lang::prelude::*;

use crate::errors::ZkgateError;
use crate::state::*;

/// Accounts of the admin-only config instructions (`propose_admin`, `set_paused`).
#[derive(Accounts)]
pub struct AdminOnly<'info> {
    /// The current admin.
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin.
    #[account(mut, seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
}

impl AdminOnly<'_> {
    /// Step one of the hand-over: records `new_admin` as pending (or cancels with `None`).
    pub fn propose_admin(ctx: Context<Self>, new_admin: Option<Pubkey>) -> Result<()> {
        ctx.accounts.config.pending_admin = new_admin;
        Ok(())
    }

    /// Sets or clears the global pause.
    pub fn set_paused(ctx: Context<Self>, paused: bool) -> Result<()> {
        ctx.accounts.config.paused = paused;
        Ok(())
    }
}

/// Accounts of `accept_admin`.
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin, accepting.
    pub new_admin: Signer<'info>,
    /// The config.
    #[account(mut, seeds = [SEED_CONFIG], bump = config.bump)]
    pub config: Account<'info, Config>,
}

impl AcceptAdmin<'_> {
    /// Checks the signer is the pending admin.
    pub fn validate(&self) -> Result<()> {
        let pending = self
            .config
            .pending_admin
            .ok_or(ZkgateError::NoPendingAdmin)?;
        require_keys_eq!(pending, self.new_admin.key(), ZkgateError::NotPendingAdmin);
        Ok(())
    }

    /// Step two of the hand-over: the pending admin becomes admin.
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let config = &mut ctx.accounts.config;
        config.admin = ctx.accounts.new_admin.key();
        config.pending_admin = None;
        Ok(())
    }
}
