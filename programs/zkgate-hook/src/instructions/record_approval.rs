use anchor_lang::prelude::*;

use crate::errors::HookError;
use crate::state::*;
use crate::ZKGATE_AUTHORITY;

/// Arguments of `record_approval`: the one transfer zkgate approved.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ApprovalArgs {
    /// The only token account that may be credited.
    pub destination: Pubkey,
    /// The exact amount, in base units.
    pub amount: u64,
    /// The last slot in which the approval may be consumed.
    pub expires_at_slot: u64,
    /// The zkgate rule-set the proof was made under.
    pub rule_set: Pubkey,
    /// The hash of the proven statement.
    pub statement_hash: [u8; 32],
}

/// Accounts of `record_approval`.
#[derive(Accounts)]
pub struct RecordApproval<'info> {
    /// zkgate's config PDA, signing by CPI after zkgate verified the proof.
    #[account(address = ZKGATE_AUTHORITY @ HookError::NotZkgate)]
    pub zkgate_authority: Signer<'info>,
    /// Pays for the approval account on first use (the sender).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The mint.
    /// CHECK: only its key is used (a seed); zkgate checked the mint and the source.
    pub mint: UncheckedAccount<'info>,
    /// The token account to be debited.
    /// CHECK: only its key is used (a seed); zkgate checked it belongs to the sender and mint.
    pub source: UncheckedAccount<'info>,
    /// The approval for (mint, source); created on first use, then overwritten.
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Approval::INIT_SPACE,
        seeds = [SEED_APPROVAL, mint.key().as_ref(), source.key().as_ref()],
        bump
    )]
    pub approval: Box<Account<'info, Approval>>,
    /// System program (creates the approval).
    pub system_program: Program<'info, System>,
}

impl RecordApproval<'_> {
    /// Writes the approval, unused.
    pub fn handler(ctx: Context<Self>, args: ApprovalArgs) -> Result<()> {
        require!(args.amount > 0, HookError::ZeroAmount);
        require!(
            args.expires_at_slot >= Clock::get()?.slot,
            HookError::ApprovalDeadlineInPast
        );
        let approval = &mut ctx.accounts.approval;
        approval.mint = ctx.accounts.mint.key();
        approval.source = ctx.accounts.source.key();
        approval.destination = args.destination;
        approval.amount = args.amount;
        approval.expires_at_slot = args.expires_at_slot;
        approval.used = false;
        approval.rule_set = args.rule_set;
        approval.statement_hash = args.statement_hash;
        approval.bump = ctx.bumps.approval;
        Ok(())
    }
}
