use anchor_lang::prelude::*;

use crate::state::*;

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin; pays for the config account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The global config PDA; `init` makes a second initialization fail.
    #[account(init, payer = admin, space = 8 + Config::INIT_SPACE, seeds = [SEED_CONFIG], bump)]
    pub config: Account<'info, Config>,
    /// System program (account creation).
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    /// Creates the config with the signer as admin, unpaused.
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let config = &mut ctx.accounts.config;
        config.admin = ctx.accounts.admin.key();
        config.pending_admin = None;
        config.paused = false;
        config.bump = ctx.bumps.config;
        Ok(())
    }
}
