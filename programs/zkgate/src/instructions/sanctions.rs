use anchor_lang::prelude::*;

use crate::errors::ZkgateError;
use crate::events::{
    emit_cpi_event, RootPublished, SanctionsListActiveChanged, SanctionsListCreated,
};
use crate::state::*;

/// Accounts of `create_sanctions_list`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(id: u64)]
pub struct CreateSanctionsList<'info> {
    /// The admin; pays for the account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
    /// The new sanctions list PDA.
    #[account(
        init,
        payer = admin,
        space = 8 + SanctionsList::INIT_SPACE,
        seeds = [SEED_SANCTIONS, &id.to_le_bytes()],
        bump
    )]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl CreateSanctionsList<'_> {
    /// Creates a sanctions list whose `authority` publishes roots, with its first root.
    pub fn handler(
        ctx: Context<Self>,
        id: u64,
        authority: Pubkey,
        initial_root: [u8; 32],
    ) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let list = &mut ctx.accounts.sanctions_list;
        list.id = id;
        list.authority = authority;
        list.pending_authority = None;
        list.active = true;
        list.roots = RootRing::default();
        list.roots.push(initial_root, now)?;
        list.bump = ctx.bumps.sanctions_list;
        list.roots.invariant()?;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &SanctionsListCreated {
                sanctions_list: list.key(),
                id,
                authority,
                initial_root,
            },
        )
    }
}

/// Accounts of `publish_sanctions_root`.
#[event_cpi]
#[derive(Accounts)]
pub struct PublishSanctionsRoot<'info> {
    /// The list's authority.
    pub authority: Signer<'info>,
    /// The sanctions list.
    #[account(
        mut,
        seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()],
        bump = sanctions_list.bump,
        has_one = authority @ ZkgateError::NotSanctionsAuthority
    )]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
}

impl PublishSanctionsRoot<'_> {
    /// Refuses publication to a deactivated list.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.sanctions_list.active,
            ZkgateError::SanctionsListInactive
        );
        Ok(())
    }

    /// Publishes a new sanctions-tree root; the previous one expires after the grace period.
    pub fn handler(ctx: Context<Self>, root: [u8; 32]) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let list = &mut ctx.accounts.sanctions_list;
        list.roots.push(root, now)?;
        list.roots.invariant()?;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &RootPublished {
                account: list.key(),
                root,
                sanctions: true,
                published_at: now,
            },
        )
    }
}

/// Accounts of `set_sanctions_list_active`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetSanctionsListActive<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
    /// The sanctions list.
    #[account(
        mut,
        seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()],
        bump = sanctions_list.bump
    )]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
}

impl SetSanctionsListActive<'_> {
    /// Activates or deactivates the list. A deactivated list takes no roots, and every
    /// rule-set screening against it refuses transfers until it is reactivated (or the
    /// rule-set is pointed at another list).
    pub fn handler(ctx: Context<Self>, active: bool) -> Result<()> {
        ctx.accounts.sanctions_list.active = active;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &SanctionsListActiveChanged {
                sanctions_list: ctx.accounts.sanctions_list.key(),
                active,
            },
        )
    }
}
