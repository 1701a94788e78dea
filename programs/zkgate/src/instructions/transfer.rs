use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    self, Mint, TokenAccount, TokenInterface, TransferChecked as TransferCheckedCpi,
};

use crate::errors::ZkgateError;
use crate::events::{emit_event, TransferApproved};
use crate::state::*;
use crate::statement::Statement;
use crate::verifier::{verify_proof, PROOF_LEN};

/// Arguments of `transfer`. Everything else in the statement comes from accounts.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct TransferArgs {
    /// Amount in base units.
    pub amount: u64,
    /// Unix seconds the proof was made for (checked against the cluster clock).
    pub timestamp: i64,
    /// The issuer credential-tree root the proof used (must be in the issuer's ring).
    pub credential_root: [u8; 32],
    /// The sanctions-tree root the proof used (must be in the list's ring).
    pub sanctions_root: [u8; 32],
    /// The Groth16 proof: `A || B || C`, 256 bytes, A negated, big-endian.
    pub proof: [u8; PROOF_LEN],
}

/// Accounts of `transfer`.
#[derive(Accounts)]
pub struct Transfer<'info> {
    /// The sending wallet: signs, owns `source`, pays for its `sender_state` on first use.
    #[account(mut)]
    pub sender: Signer<'info>,
    /// The global config (pause switch).
    #[account(seeds = [SEED_CONFIG], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The rule-set the proof is made under.
    #[account(seeds = [SEED_RULE_SET, &rule_set.id.to_le_bytes()], bump = rule_set.bump)]
    pub rule_set: Box<Account<'info, RuleSet>>,
    /// The issuer of the sender's credential; must be accepted by the rule-set.
    #[account(seeds = [SEED_ISSUER, &issuer.id.to_le_bytes()], bump = issuer.bump)]
    pub issuer: Box<Account<'info, Issuer>>,
    /// The rule-set's sanctions list.
    #[account(
        seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()],
        bump = sanctions_list.bump,
        address = rule_set.sanctions_list @ ZkgateError::SanctionsListMismatch
    )]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
    /// The sender's nonce and window volume under this rule-set. Created on first use; it is
    /// keyed by the signing sender, so nobody else can create or take it over.
    #[account(
        init_if_needed,
        payer = sender,
        space = 8 + SenderState::INIT_SPACE,
        seeds = [SEED_SENDER, rule_set.key().as_ref(), sender.key().as_ref()],
        bump
    )]
    pub sender_state: Box<Account<'info, SenderState>>,
    /// The token mint (SPL Token or Token-2022).
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The sender's token account.
    #[account(
        mut,
        token::mint = mint,
        token::authority = sender,
        token::token_program = token_program
    )]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The recipient's token account; its owner is the statement's recipient. Anchor refuses
    /// the same account as `source` (duplicate mutable accounts).
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// SPL Token or Token-2022 (checked by `Interface`).
    pub token_program: Interface<'info, TokenInterface>,
    /// System program (creates `sender_state`).
    pub system_program: Program<'info, System>,
}

impl Transfer<'_> {
    /// Account-level checks that need no proof work.
    pub fn validate(&self, args: &TransferArgs) -> Result<()> {
        require!(!self.config.paused, ZkgateError::ProgramPaused);
        match self.rule_set.status {
            RuleSetStatus::Active => {}
            RuleSetStatus::Paused => return err!(ZkgateError::RuleSetPaused),
            RuleSetStatus::Retired => return err!(ZkgateError::RuleSetRetired),
        }
        require!(
            self.rule_set.issuers.contains(&self.issuer.key()),
            ZkgateError::IssuerNotInRuleSet
        );
        require!(self.issuer.active, ZkgateError::IssuerInactive);
        require!(args.amount > 0, ZkgateError::ZeroAmount);
        if let Some(mint) = self.rule_set.mint {
            require_keys_eq!(mint, self.mint.key(), ZkgateError::MintNotAllowed);
        }
        Ok(())
    }

    /// Checks time and roots, recomputes the statement, verifies the proof, updates the
    /// sender's nonce and volume, moves the tokens and emits the audit event.
    pub fn handler(ctx: Context<Self>, args: TransferArgs) -> Result<()> {
        let clock = Clock::get()?;
        let now = clock.unix_timestamp;
        let accounts = ctx.accounts;
        let rule_set = &accounts.rule_set;
        let time = rule_set.time;

        require!(args.timestamp >= 0, ZkgateError::NegativeTimestamp);
        require!(
            args.timestamp <= now.saturating_add(time.clock_tolerance_secs.into()),
            ZkgateError::TimestampInFuture
        );
        require!(
            now.saturating_sub(args.timestamp) <= i64::from(time.max_proof_age_secs),
            ZkgateError::ProofTooOld
        );
        require!(
            accounts.issuer.roots.accepts(
                &args.credential_root,
                now,
                time.credential_root_grace_secs
            ),
            ZkgateError::UnknownCredentialRoot
        );
        require!(
            accounts.sanctions_list.roots.accepts(
                &args.sanctions_root,
                now,
                time.sanctions_root_grace_secs
            ),
            ZkgateError::UnknownSanctionsRoot
        );

        let state = &mut accounts.sender_state;
        if state.sender == Pubkey::default() {
            state.rule_set = rule_set.key();
            state.sender = accounts.sender.key();
            state.bump = ctx.bumps.sender_state;
        }
        let window_index = (args.timestamp as u64) / rule_set.params.window_seconds;
        require!(window_index >= state.window_index, ZkgateError::StaleWindow);
        let window_volume = state.volume_in(window_index);

        let statement = Statement {
            rule_set_id: rule_set.id,
            rule_set_version: rule_set.version,
            params_hash: rule_set.params_hash,
            credential_root: args.credential_root,
            sanctions_root: args.sanctions_root,
            program_id: crate::ID,
            sender: accounts.sender.key(),
            recipient: accounts.destination.owner,
            mint: accounts.mint.key(),
            amount: args.amount,
            nonce: state.nonce,
            window_volume,
            timestamp: args.timestamp,
        };
        let statement_hash = statement.hash()?;
        verify_proof(&rule_set.vk, &args.proof, &statement_hash)?;

        // Effects before the interaction: the nonce is consumed even if a later step fails
        // (the whole transaction reverts then anyway).
        state.nonce = state.nonce.checked_add(1).ok_or(ZkgateError::Overflow)?;
        state.window_index = window_index;
        state.window_volume = window_volume
            .checked_add(args.amount)
            .ok_or(ZkgateError::Overflow)?;

        token_interface::transfer_checked(
            CpiContext::new(
                accounts.token_program.key(),
                TransferCheckedCpi {
                    from: accounts.source.to_account_info(),
                    mint: accounts.mint.to_account_info(),
                    to: accounts.destination.to_account_info(),
                    authority: accounts.sender.to_account_info(),
                },
            ),
            args.amount,
            accounts.mint.decimals,
        )?;

        emit_event(&TransferApproved {
            rule_set: rule_set.key(),
            rule_set_id: rule_set.id,
            rule_set_version: rule_set.version,
            sender: statement.sender,
            recipient: statement.recipient,
            mint: statement.mint,
            amount: args.amount,
            nonce: statement.nonce,
            issuer: accounts.issuer.key(),
            credential_root: args.credential_root,
            sanctions_root: args.sanctions_root,
            statement_hash,
            slot: clock.slot,
            timestamp: args.timestamp,
        });
        Ok(())
    }
}
