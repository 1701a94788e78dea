use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, Token2022};
use zkgate_hook::program::ZkgateHook;
use zkgate_hook::state::SEED_EXTRA_ACCOUNT_METAS;

use crate::errors::ZkgateError;
use crate::events::{emit_cpi_event, MintHookConfigured};
use crate::state::*;
use crate::token_policy::{self, MintKind};

/// Accounts of `configure_mint_hook`.
#[event_cpi]
#[derive(Accounts)]
pub struct ConfigureMintHook<'info> {
    /// The admin; pays for the hook's accounts.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin. Signs the CPI into the hook.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Box<Account<'info, Config>>,
    /// The Token-2022 mint whose transfer hook is zkgate-hook (its other extensions screened).
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The hook's extra-account-metas list for the mint, with the hook's configuration of the
    /// mint (created on first use).
    /// CHECK: address derived here; created and written by the hook.
    #[account(
        mut,
        seeds = [SEED_EXTRA_ACCOUNT_METAS, mint.key().as_ref()],
        bump,
        seeds::program = zkgate_hook::ID
    )]
    pub hook_extra_account_metas: UncheckedAccount<'info>,
    /// zkgate-hook.
    pub hook_program: Program<'info, ZkgateHook>,
    /// Token-2022.
    pub token_program: Program<'info, Token2022>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl ConfigureMintHook<'_> {
    /// Screens the mint, then has the hook create its list and set the exempt authority.
    pub fn handler(ctx: Context<Self>, exempt_authority: Option<Pubkey>) -> Result<()> {
        let accounts = ctx.accounts;
        require!(
            token_policy::check_mint(&accounts.mint.to_account_info())? == MintKind::Hooked,
            ZkgateError::MintNotHooked
        );
        let seeds: &[&[u8]] = &[SEED_CONFIG, &[accounts.config.bump]];
        zkgate_hook::cpi::configure_mint(
            CpiContext::new_with_signer(
                accounts.hook_program.key(),
                zkgate_hook::cpi::accounts::ConfigureMint {
                    zkgate_authority: accounts.config.to_account_info(),
                    payer: accounts.admin.to_account_info(),
                    mint: accounts.mint.to_account_info(),
                    extra_account_metas: accounts.hook_extra_account_metas.to_account_info(),
                    token_program: accounts.token_program.to_account_info(),
                    system_program: accounts.system_program.to_account_info(),
                },
                &[seeds],
            ),
            exempt_authority,
        )?;
        emit_cpi_event(
            &accounts.event_authority,
            &accounts.program,
            &MintHookConfigured {
                admin: accounts.admin.key(),
                mint: accounts.mint.key(),
                exempt_authority,
            },
        )
    }
}
