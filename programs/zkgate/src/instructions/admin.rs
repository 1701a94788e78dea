use anchor_lang::prelude::*;

use crate::errors::ZkgateError;
use crate::events::{
    emit_cpi_event, AuthorityChanged, AuthorityKind, AuthorityProposed, PauseChanged,
};
use crate::state::*;

/// Accounts of the admin-only config instructions (`propose_admin`, `set_paused`).
#[event_cpi]
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
        let config = &mut ctx.accounts.config;
        config.pending_admin = new_admin;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &AuthorityProposed {
                kind: AuthorityKind::Admin,
                account: config.key(),
                proposed_by: config.admin,
                current: config.admin,
                proposed: new_admin,
            },
        )
    }

    /// Sets or clears the global pause.
    pub fn set_paused(ctx: Context<Self>, paused: bool) -> Result<()> {
        ctx.accounts.config.paused = paused;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &PauseChanged {
                admin: ctx.accounts.admin.key(),
                paused,
            },
        )
    }
}

/// Accounts of `accept_admin`.
#[event_cpi]
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
        let previous = config.admin;
        config.admin = ctx.accounts.new_admin.key();
        config.pending_admin = None;
        emit_cpi_event(
            &ctx.accounts.event_authority,
            &ctx.accounts.program,
            &AuthorityChanged {
                kind: AuthorityKind::Admin,
                account: config.key(),
                previous,
                new: config.admin,
            },
        )
    }
}

/// The one account an authority hand-over is about: exactly one of the three is given.
#[event_cpi]
#[derive(Accounts)]
pub struct AuthorityTarget<'info> {
    /// The current authority of the target, the admin (only for `propose_authority`), or the
    /// pending authority (only for `accept_authority`).
    pub signer: Signer<'info>,
    /// The config (the admin may rotate any authority).
    #[account(seeds = [SEED_CONFIG], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// A rule-set.
    #[account(mut, seeds = [SEED_RULE_SET, &rule_set.id.to_le_bytes()], bump = rule_set.bump)]
    pub rule_set: Option<Box<Account<'info, RuleSet>>>,
    /// An issuer.
    #[account(mut, seeds = [SEED_ISSUER, &issuer.id.to_le_bytes()], bump = issuer.bump)]
    pub issuer: Option<Box<Account<'info, Issuer>>>,
    /// A sanctions list.
    #[account(
        mut,
        seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()],
        bump = sanctions_list.bump
    )]
    pub sanctions_list: Option<Box<Account<'info, SanctionsList>>>,
}

impl AuthorityTarget<'_> {
    /// The target's kind, key and `(authority, pending_authority)` slots.
    fn slots(&mut self) -> Result<(AuthorityKind, Pubkey, &mut Pubkey, &mut Option<Pubkey>)> {
        match (
            self.rule_set.as_deref_mut(),
            self.issuer.as_deref_mut(),
            self.sanctions_list.as_deref_mut(),
        ) {
            (Some(r), None, None) => {
                let key = r.key();
                let inner: &mut RuleSet = r;
                Ok((
                    AuthorityKind::RuleSet,
                    key,
                    &mut inner.authority,
                    &mut inner.pending_authority,
                ))
            }
            (None, Some(i), None) => {
                let key = i.key();
                let inner: &mut Issuer = i;
                Ok((
                    AuthorityKind::Issuer,
                    key,
                    &mut inner.authority,
                    &mut inner.pending_authority,
                ))
            }
            (None, None, Some(s)) => {
                let key = s.key();
                let inner: &mut SanctionsList = s;
                Ok((
                    AuthorityKind::SanctionsList,
                    key,
                    &mut inner.authority,
                    &mut inner.pending_authority,
                ))
            }
            _ => err!(ZkgateError::InvalidAuthorityTarget),
        }
    }

    /// Step one: the target's authority or the admin proposes `new_authority` (`None`
    /// cancels a pending hand-over).
    pub fn propose(ctx: Context<Self>, new_authority: Option<Pubkey>) -> Result<()> {
        let accounts = ctx.accounts;
        let signer = accounts.signer.key();
        let admin = accounts.config.admin;
        let (kind, account, authority, pending) = accounts.slots()?;
        require!(
            signer == *authority || signer == admin,
            ZkgateError::NotAuthorityOrAdmin
        );
        let by_admin = signer != *authority;
        *pending = new_authority;
        let event = AuthorityProposed {
            kind,
            account,
            proposed_by: signer,
            current: *authority,
            proposed: new_authority,
        };
        if let Some(rule_set) = accounts.rule_set.as_deref_mut() {
            rule_set.pending_authority_by_admin = by_admin && new_authority.is_some();
        }
        emit_cpi_event(&accounts.event_authority, &accounts.program, &event)
    }

    /// Step two: the proposed authority accepts.
    pub fn accept(ctx: Context<Self>) -> Result<()> {
        let accounts = ctx.accounts;
        let signer = accounts.signer.key();
        let admin = accounts.config.admin;
        let (kind, account, authority, pending) = accounts.slots()?;
        let proposed = pending.ok_or(ZkgateError::NoPendingAuthority)?;
        require_keys_eq!(proposed, signer, ZkgateError::NotPendingAuthority);
        let previous = core::mem::replace(authority, signer);
        *pending = None;
        let event = AuthorityChanged {
            kind,
            account,
            previous,
            new: signer,
        };
        if let Some(rule_set) = accounts.rule_set.as_deref_mut() {
            // A rule-set's key changes need two different keys: the admin cannot also be its
            // authority. After an admin-driven rotation, key changes wait until the rotation
            // has been public for two days.
            require_keys_neq!(signer, admin, ZkgateError::CoSignersMustDiffer);
            if rule_set.pending_authority_by_admin {
                rule_set.key_change_locked_until = Clock::get()?
                    .unix_timestamp
                    .saturating_add(ADMIN_ROTATION_KEY_LOCK_SECS);
            }
            rule_set.pending_authority_by_admin = false;
        }
        emit_cpi_event(&accounts.event_authority, &accounts.program, &event)
    }
}
