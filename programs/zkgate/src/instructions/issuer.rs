use anchor_lang::prelude::*;

use crate::errors::ZkgateError;
use crate::events::{emit_cpi_event, IssuerActiveChanged, IssuerAdded, RootPublished};
use crate::state::*;

/// Accounts of `add_issuer`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(id: u64)]
pub struct AddIssuer<'info> {
    /// The admin; pays for the account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
    /// The new issuer PDA.
    #[account(
        init,
        payer = admin,
        space = 8 + Issuer::INIT_SPACE,
        seeds = [SEED_ISSUER, &id.to_le_bytes()],
        bump
    )]
    pub issuer: Box<Account<'info, Issuer>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl AddIssuer<'_> {
    /// Registers an active issuer whose `authority` publishes credential roots.
    pub fn handler(ctx: Context<Self>, id: u64, authority: Pubkey) -> Result<()> {
        let issuer = &mut ctx.accounts.issuer;
        issuer.id = id;
        issuer.authority = authority;
        issuer.pending_authority = None;
        issuer.active = true;
        issuer.roots = RootRing::default();
        issuer.bump = ctx.bumps.issuer;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &IssuerAdded {
                issuer: issuer.key(),
                id,
                authority,
            },
        )
    }
}

/// Accounts of `set_issuer_active`.
#[event_cpi]
#[derive(Accounts)]
pub struct SetIssuerActive<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
    /// The issuer.
    #[account(mut, seeds = [SEED_ISSUER, &issuer.id.to_le_bytes()], bump = issuer.bump)]
    pub issuer: Box<Account<'info, Issuer>>,
}

impl SetIssuerActive<'_> {
    /// Activates or deactivates the issuer.
    pub fn handler(ctx: Context<Self>, active: bool) -> Result<()> {
        ctx.accounts.issuer.active = active;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &IssuerActiveChanged {
                issuer: ctx.accounts.issuer.key(),
                active,
            },
        )
    }
}

/// Accounts of `publish_credential_root`.
#[event_cpi]
#[derive(Accounts)]
pub struct PublishCredentialRoot<'info> {
    /// The issuer's authority.
    pub authority: Signer<'info>,
    /// The issuer.
    #[account(
        mut,
        seeds = [SEED_ISSUER, &issuer.id.to_le_bytes()],
        bump = issuer.bump,
        has_one = authority @ ZkgateError::NotIssuerAuthority
    )]
    pub issuer: Box<Account<'info, Issuer>>,
}

impl PublishCredentialRoot<'_> {
    /// Refuses publication by a deactivated issuer.
    pub fn validate(&self) -> Result<()> {
        require!(self.issuer.active, ZkgateError::IssuerInactive);
        Ok(())
    }

    /// Publishes a new credential-tree root.
    pub fn handler(ctx: Context<Self>, root: [u8; 32]) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let issuer = &mut ctx.accounts.issuer;
        issuer.roots.push(root, now)?;
        issuer.roots.invariant()?;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &RootPublished {
                account: issuer.key(),
                root,
                sanctions: false,
                published_at: now,
            },
        )
    }
}
