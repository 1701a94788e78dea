use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::AccountMeta;
use anchor_lang::solana_program::program::invoke;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_interface::{
    self, Mint, TokenAccount, TokenInterface, TransferChecked as TransferCheckedCpi,
};
use zkgate_hook::program::ZkgateHook;
use zkgate_hook::state::{SEED_APPROVAL, SEED_EXTRA_ACCOUNT_METAS};

use crate::auditor::AuditDisclosure;
use crate::errors::ZkgateError;
use crate::events::{emit_cpi_event, TransferApproved};
use crate::state::*;
use crate::statement::{disclosure_hash, Statement};
use crate::token_policy::{self, MintKind};
use crate::verifier::{verify_proof, PROOF_LEN};

/// Arguments of `transfer`. Everything else in the statement comes from accounts.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct TransferArgs {
    /// Amount in base units.
    pub amount: u64,
    /// Unix seconds until which the proof may land; the proof shows the credential expires
    /// after it. At most `max_proof_age_secs` (+ tolerance) past the cluster clock.
    pub valid_until: i64,
    /// The window volume the proof commits to; must be at least the subject's volume in the
    /// last `window_seconds` of cluster time (a client passes the volume it read on chain).
    pub window_volume: u64,
    /// The subject tag the proof outputs; keys the subject's volume state.
    pub subject_tag: [u8; 32],
    /// The issuer credential-tree root the proof used (must be in the issuer's ring).
    pub credential_root: [u8; 32],
    /// The sanctions-tree root the proof used (must be in the list's ring).
    pub sanctions_root: [u8; 32],
    /// The sender's identity encrypted to the rule-set's auditor key (`R` and the
    /// ciphertext); the program hashes it into the statement, so the proof covers it.
    pub disclosure: AuditDisclosure,
    /// The Groth16 proof: `A || B || C`, 256 bytes, A negated, big-endian.
    pub proof: [u8; PROOF_LEN],
}

/// Accounts of `transfer`.
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: TransferArgs)]
pub struct Transfer<'info> {
    /// The sending wallet: signs, owns `source`, pays for the subject state on first use.
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
    /// The subject's nonce and volume under this rule-set, keyed by the proof's subject tag
    /// (shared by every wallet of the subject). Created on first use; its content only
    /// changes after a proof for this tag verified.
    #[account(
        init_if_needed,
        payer = sender,
        space = 8 + SubjectState::INIT_SPACE,
        seeds = [SEED_SUBJECT, rule_set.key().as_ref(), args.subject_tag.as_ref()],
        bump
    )]
    pub subject_state: Box<Account<'info, SubjectState>>,
    /// The token mint (SPL Token or Token-2022; extensions screened).
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
    /// System program (creates `subject_state` and the hook's approval).
    pub system_program: Program<'info, System>,
    /// zkgate-hook. Required when the mint's transfer hook is zkgate-hook; omitted otherwise.
    pub hook_program: Option<Program<'info, ZkgateHook>>,
    /// The hook's approval for (mint, source): written here after the proof verified, consumed
    /// by the hook during the transfer. Required for hooked mints.
    /// CHECK: address derived here; created and written by the hook.
    #[account(
        mut,
        seeds = [SEED_APPROVAL, mint.key().as_ref(), source.key().as_ref()],
        bump,
        seeds::program = zkgate_hook::ID
    )]
    pub approval: Option<UncheckedAccount<'info>>,
    /// The hook's extra-account-metas list for the mint (Token-2022 reads it; it also holds
    /// the hook's configuration of the mint). Required by `transfer` of hooked mints.
    /// CHECK: address derived here; Token-2022 reads it.
    #[account(
        seeds = [SEED_EXTRA_ACCOUNT_METAS, mint.key().as_ref()],
        bump,
        seeds::program = zkgate_hook::ID
    )]
    pub hook_extra_account_metas: Option<UncheckedAccount<'info>>,
    /// The hook's event authority (its event CPI). Required by `transfer` of hooked mints.
    /// CHECK: a fixed address.
    #[account(address = zkgate_hook::EVENT_AUTHORITY_AND_BUMP.0)]
    pub hook_event_authority: Option<UncheckedAccount<'info>>,
    /// The recipient wallet's `Pass` (PDA `["pass", rule_set, destination.owner]`). Required
    /// when the rule-set is two-sided (`pass_ttl_secs > 0`); omitted otherwise.
    /// CHECK: owner, discriminator, rule-set and wallet are checked in `validate`, so a missing
    /// or foreign pass gets its own error.
    pub recipient_pass: Option<UncheckedAccount<'info>>,
}

/// The registry checks every proof-taking instruction makes first: zkgate not paused, the
/// rule-set active, the issuer accepted by it and active, its sanctions list active.
pub fn check_registry(
    config: &Config,
    rule_set: &Account<RuleSet>,
    issuer: &Account<Issuer>,
    sanctions_list: &SanctionsList,
) -> Result<()> {
    require!(!config.paused, ZkgateError::ProgramPaused);
    match rule_set.status {
        RuleSetStatus::Active => {}
        RuleSetStatus::Paused => return err!(ZkgateError::RuleSetPaused),
        RuleSetStatus::Retired => return err!(ZkgateError::RuleSetRetired),
    }
    require!(
        rule_set.issuers.contains(&issuer.key()),
        ZkgateError::IssuerNotInRuleSet
    );
    require!(issuer.active, ZkgateError::IssuerInactive);
    require!(sanctions_list.active, ZkgateError::SanctionsListInactive);
    Ok(())
}

/// How long (in slots, ~60 s) an approval recorded by `approve` or `transfer` may wait for
/// its transfer: meant for the same transaction, so one blockhash lifetime.
pub const APPROVAL_TTL_SLOTS: u64 = 150;

/// What the instruction does after the proof verified.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `transfer`: move the tokens (recording the hook's approval first on hooked mints).
    Transfer,
    /// `approve`: only record the hook's approval; the caller's `transfer_checked` follows.
    Approve,
}

impl Transfer<'_> {
    /// Account-level checks that need no proof work.
    pub fn validate(&self, args: &TransferArgs) -> Result<()> {
        check_registry(
            &self.config,
            &self.rule_set,
            &self.issuer,
            &self.sanctions_list,
        )?;
        require!(self.rule_set.has_vk(), ZkgateError::NoVerifyingKey);
        require!(args.amount > 0, ZkgateError::ZeroAmount);
        if let Some(mint) = self.rule_set.mint {
            require_keys_eq!(mint, self.mint.key(), ZkgateError::MintNotAllowed);
        }
        token_policy::check_token_accounts(
            &self.source.to_account_info(),
            &self.destination.to_account_info(),
        )?;
        if self.rule_set.requires_recipient_pass() {
            self.check_recipient_pass()?;
        }
        Ok(())
    }

    /// Two-sided rule-sets: the destination's owner holds a pass under this rule-set and
    /// version, unexpired, whose sanctions root the list still accepts.
    fn check_recipient_pass(&self) -> Result<()> {
        let info = self
            .recipient_pass
            .as_ref()
            .ok_or(ZkgateError::RecipientPassMissing)?;
        require!(
            *info.owner == crate::ID && !info.data_is_empty(),
            ZkgateError::RecipientPassMissing
        );
        let pass = {
            let data = info.try_borrow_data()?;
            Pass::try_deserialize(&mut &data[..])
                .map_err(|_| error!(ZkgateError::RecipientPassMissing))?
        };
        // Only `issue_pass` writes `Pass` accounts, each at its (rule-set, wallet) address.
        require!(
            pass.rule_set == self.rule_set.key() && pass.wallet == self.destination.owner,
            ZkgateError::RecipientPassMissing
        );
        let now = Clock::get()?.unix_timestamp;
        require!(now <= pass.expires_at, ZkgateError::RecipientPassExpired);
        require!(
            pass.rule_set_version == self.rule_set.version,
            ZkgateError::RecipientPassStale
        );
        require!(
            self.sanctions_list.roots.accepts(
                &pass.sanctions_root,
                now,
                self.rule_set.time.sanctions_root_grace_secs
            ),
            ZkgateError::RecipientPassSanctionsRootStale
        );
        Ok(())
    }

    /// Checks time and roots, recomputes the statement, verifies the proof, updates the
    /// subject's nonce and volume, records the hook's approval (hooked mints), moves the tokens
    /// (`Mode::Transfer`) and emits the audit event.
    pub fn handler(ctx: Context<Self>, args: TransferArgs, mode: Mode) -> Result<()> {
        let kind = token_policy::check_mint(&ctx.accounts.mint.to_account_info())?;
        let hooked = kind == MintKind::Hooked;
        if hooked {
            ctx.accounts.require_hook_accounts(mode)?;
        } else {
            require!(mode == Mode::Transfer, ZkgateError::MintNotHooked);
        }
        let clock = Clock::get()?;
        let now = clock.unix_timestamp;
        let accounts = ctx.accounts;
        let rule_set = &accounts.rule_set;
        let time = rule_set.time;
        let window_seconds = rule_set.params.window_seconds;

        // The proof lives until `valid_until` (+ tolerance), and no longer than the rule-set's
        // maximum age: the circuit shows `valid_until < expiry`, so a credential is never used
        // after its expiry by more than the clock tolerance.
        let tolerance = i64::from(time.clock_tolerance_secs);
        require!(args.valid_until >= 0, ZkgateError::NegativeValidUntil);
        require!(
            now <= args.valid_until.saturating_add(tolerance),
            ZkgateError::ProofExpired
        );
        require!(
            args.valid_until <= now.saturating_add(i64::from(time.max_proof_age_secs) + tolerance),
            ZkgateError::ProofLifetimeTooLong
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

        let state = &mut accounts.subject_state;
        if state.rule_set == Pubkey::default() {
            state.rule_set = rule_set.key();
            state.subject_tag = args.subject_tag;
            state.bump = ctx.bumps.subject_state;
        }
        // The window is the cluster's, never the caller's: the volume of the last
        // `window_seconds` before `now`. A proof may overstate it (then it proved a stricter
        // bound), never understate it.
        let volume = state.volume_at(now, window_seconds)?;
        require!(
            args.window_volume >= volume,
            ZkgateError::WindowVolumeUnderstated
        );

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
            window_volume: args.window_volume,
            valid_until: args.valid_until,
            subject_tag: args.subject_tag,
            disclosure_hash: disclosure_hash(&accounts.issuer.key(), &args.disclosure)?,
        };
        let statement_hash = statement.hash()?;
        verify_proof(&rule_set.vk, &args.proof, &statement_hash)?;

        // Effects before the interaction.
        state.nonce = state.nonce.checked_add(1).ok_or(ZkgateError::Overflow)?;
        state.record(now, args.amount, window_seconds)?;

        if hooked {
            accounts.record_approval(&args, &statement_hash, clock.slot)?;
        }
        if mode == Mode::Transfer && hooked {
            accounts.hooked_transfer_checked(args.amount)?;
        } else if mode == Mode::Transfer {
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
        }

        // Boxed: the event is ~420 bytes and the SBF stack frame is 4 KiB.
        let event = Box::new(TransferApproved {
            program_id: crate::ID,
            rule_set: rule_set.key(),
            rule_set_id: rule_set.id,
            rule_set_version: rule_set.version,
            params_hash: rule_set.params_hash,
            sender: statement.sender,
            recipient: statement.recipient,
            mint: statement.mint,
            source: accounts.source.key(),
            destination: accounts.destination.key(),
            amount: args.amount,
            nonce: statement.nonce,
            window_volume: args.window_volume,
            valid_until: args.valid_until,
            subject_tag: args.subject_tag,
            issuer: accounts.issuer.key(),
            credential_root: args.credential_root,
            sanctions_root: args.sanctions_root,
            statement_hash,
            auditor_key: rule_set.params.auditor_key,
            disclosure: args.disclosure.clone(),
            slot: clock.slot,
            unix_timestamp: now,
            moved: mode == Mode::Transfer,
        });
        emit_cpi_event(&accounts.event_authority, &accounts.program, &*event)
    }
}

impl<'info> Transfer<'info> {
    /// The hook accounts `mode` needs on a hooked mint, or `HookAccountsMissing`.
    fn require_hook_accounts(&self, mode: Mode) -> Result<()> {
        let for_approval = self.hook_program.is_some() && self.approval.is_some();
        let for_transfer =
            self.hook_extra_account_metas.is_some() && self.hook_event_authority.is_some();
        require!(
            for_approval && (mode == Mode::Approve || for_transfer),
            ZkgateError::HookAccountsMissing
        );
        Ok(())
    }

    /// Has zkgate-hook record the approval of exactly this transfer (signed by the config PDA).
    #[inline(never)]
    fn record_approval(
        &self,
        args: &TransferArgs,
        statement_hash: &[u8; 32],
        slot: u64,
    ) -> Result<()> {
        let (Some(hook_program), Some(approval)) = (&self.hook_program, &self.approval) else {
            return err!(ZkgateError::HookAccountsMissing);
        };
        let seeds: &[&[u8]] = &[SEED_CONFIG, &[self.config.bump]];
        zkgate_hook::cpi::record_approval(
            CpiContext::new_with_signer(
                hook_program.key(),
                zkgate_hook::cpi::accounts::RecordApproval {
                    zkgate_authority: self.config.to_account_info(),
                    payer: self.sender.to_account_info(),
                    mint: self.mint.to_account_info(),
                    source: self.source.to_account_info(),
                    approval: approval.to_account_info(),
                    system_program: self.system_program.to_account_info(),
                },
                &[seeds],
            ),
            zkgate_hook::instructions::ApprovalArgs {
                destination: self.destination.key(),
                amount: args.amount,
                expires_at_slot: slot.saturating_add(APPROVAL_TTL_SLOTS),
                rule_set: self.rule_set.key(),
                statement_hash: *statement_hash,
            },
        )
    }

    /// Token-2022's `TransferChecked` (built with the interface crate) with the hook's extra
    /// accounts appended, so Token-2022 can call the hook (anchor-spl's helper forwards none).
    #[inline(never)]
    fn hooked_transfer_checked(&self, amount: u64) -> Result<()> {
        let (Some(program), Some(approval), Some(metas), Some(events)) = (
            &self.hook_program,
            &self.approval,
            &self.hook_extra_account_metas,
            &self.hook_event_authority,
        ) else {
            return err!(ZkgateError::HookAccountsMissing);
        };
        let mut ix = spl_token_2022::instruction::transfer_checked(
            &self.token_program.key(),
            &self.source.key(),
            &self.mint.key(),
            &self.destination.key(),
            &self.sender.key(),
            &[],
            amount,
            self.mint.decimals,
        )?;
        // Token-2022 resolves the hook's accounts from the list by address, in any order.
        ix.accounts.extend([
            AccountMeta::new(approval.key(), false),
            AccountMeta::new_readonly(events.key(), false),
            AccountMeta::new_readonly(program.key(), false),
            AccountMeta::new_readonly(metas.key(), false),
        ]);
        invoke(
            &ix,
            &[
                self.source.to_account_info(),
                self.mint.to_account_info(),
                self.destination.to_account_info(),
                self.sender.to_account_info(),
                approval.to_account_info(),
                events.to_account_info(),
                program.to_account_info(),
                metas.to_account_info(),
                self.token_program.to_account_info(),
            ],
        )
        .map_err(Into::into)
    }
}
