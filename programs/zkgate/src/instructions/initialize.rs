use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::errors::ZkgateError;
use crate::events::{emit_cpi_event, ConfigInitialized};
use crate::state::*;

/// zkgate's `ProgramData` account under the upgradeable loader (loader-v3 derives it from the
/// program id alone), computed at compile time.
pub const PROGRAM_DATA_ADDRESS: Pubkey = Pubkey::new_from_array(
    anchor_lang::derive_program_address(
        &[&crate::ID_CONST.to_bytes()],
        &bpf_loader_upgradeable::id().to_bytes(),
    )
    .0,
);

/// Accounts of `initialize`.
#[event_cpi]
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin: must be the program's upgrade authority; pays for the config account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The program's `ProgramData`; its upgrade authority must be `admin`, so nobody can take
    /// the registry between the deployment and the first transaction.
    #[account(
        address = PROGRAM_DATA_ADDRESS,
        constraint = program_data.upgrade_authority_address == Some(admin.key())
            @ ZkgateError::NotUpgradeAuthority
    )]
    pub program_data: Account<'info, ProgramData>,
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
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &ConfigInitialized {
                admin: config.admin,
            },
        )
    }
}
