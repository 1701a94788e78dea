use anchor_lang::prelude::*;

use crate::errors::ZkgateError;
use crate::events::{emit_cpi_event, PassIssued};
use crate::instructions::check_registry;
use crate::state::*;
use crate::statement::PassStatement;
use crate::verifier::{verify_proof, PROOF_LEN};

/// Arguments of `issue_pass`. Everything else in the pass statement comes from accounts.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct IssuePassArgs {
    /// Unix seconds until which the pass is asked for; the proof shows the credential expires
    /// after it. The pass expires at this time or `pass_ttl_secs` from now, whichever is first.
    pub valid_until: i64,
    /// The issuer credential-tree root the proof used (must be in the issuer's ring).
    pub credential_root: [u8; 32],
    /// The sanctions-tree root the proof used (must be in the list's ring).
    pub sanctions_root: [u8; 32],
    /// The Groth16 proof of the pass circuit: `A || B || C`, 256 bytes.
    pub proof: [u8; PROOF_LEN],
}

/// Accounts of `issue_pass`.
#[event_cpi]
#[derive(Accounts)]
pub struct IssuePass<'info> {
    /// Pays for the pass account (the wallet itself or anyone relaying its proof).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The wallet the pass is for: the proof binds the credential to it.
    /// CHECK: only its key is used (statement and seed).
    pub wallet: UncheckedAccount<'info>,
    /// The global config (pause switch).
    #[account(seeds = [SEED_CONFIG], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The two-sided rule-set.
    #[account(seeds = [SEED_RULE_SET, &rule_set.id.to_le_bytes()], bump = rule_set.bump)]
    pub rule_set: Box<Account<'info, RuleSet>>,
    /// The issuer of the wallet's credential; must be accepted by the rule-set.
    #[account(seeds = [SEED_ISSUER, &issuer.id.to_le_bytes()], bump = issuer.bump)]
    pub issuer: Box<Account<'info, Issuer>>,
    /// The rule-set's sanctions list.
    #[account(
        seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()],
        bump = sanctions_list.bump,
        address = rule_set.sanctions_list @ ZkgateError::SanctionsListMismatch
    )]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
    /// The wallet's pass under this rule-set; created on first use, replaced by each new pass.
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Pass::INIT_SPACE,
        seeds = [SEED_PASS, rule_set.key().as_ref(), wallet.key().as_ref()],
        bump
    )]
    pub pass: Box<Account<'info, Pass>>,
    /// System program (creates the pass).
    pub system_program: Program<'info, System>,
}

impl IssuePass<'_> {
    /// Account-level checks that need no proof work.
    pub fn validate(&self) -> Result<()> {
        check_registry(
            &self.config,
            &self.rule_set,
            &self.issuer,
            &self.sanctions_list,
        )?;
        require!(
            self.rule_set.requires_recipient_pass(),
            ZkgateError::PassesNotEnabled
        );
        require!(self.rule_set.has_pass_vk(), ZkgateError::NoPassVerifyingKey);
        Ok(())
    }

    /// Checks time and roots, recomputes the pass statement, verifies the proof and writes the
    /// pass.
    pub fn handler(ctx: Context<Self>, args: IssuePassArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let accounts = ctx.accounts;
        let rule_set = &accounts.rule_set;
        let time = rule_set.time;
        require!(args.valid_until > now, ZkgateError::PassValidUntilPast);
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
        let statement = PassStatement {
            rule_set_id: rule_set.id,
            rule_set_version: rule_set.version,
            params_hash: rule_set.params_hash,
            credential_root: args.credential_root,
            sanctions_root: args.sanctions_root,
            program_id: crate::ID,
            wallet: accounts.wallet.key(),
            valid_until: args.valid_until,
        };
        let statement_hash = statement.hash()?;
        verify_proof(&rule_set.pass_vk, &args.proof, &statement_hash)?;

        let expires_at = args
            .valid_until
            .min(now.saturating_add(i64::from(time.pass_ttl_secs)));
        let pass = &mut accounts.pass;
        pass.rule_set = rule_set.key();
        pass.wallet = accounts.wallet.key();
        pass.rule_set_version = rule_set.version;
        pass.expires_at = expires_at;
        pass.issuer = accounts.issuer.key();
        pass.credential_root = args.credential_root;
        pass.sanctions_root = args.sanctions_root;
        pass.statement_hash = statement_hash;
        pass.issued_at = now;
        pass.bump = ctx.bumps.pass;
        let event = Box::new(PassIssued {
            rule_set: rule_set.key(),
            wallet: pass.wallet,
            pass: pass.key(),
            rule_set_version: pass.rule_set_version,
            expires_at,
            issuer: pass.issuer,
            credential_root: args.credential_root,
            sanctions_root: args.sanctions_root,
            statement_hash,
            payer: accounts.payer.key(),
        });
        emit_cpi_event(&accounts.event_authority, &accounts.program, &*event)
    }
}
