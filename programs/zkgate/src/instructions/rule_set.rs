use anchor_lang::prelude::*;

use crate::errors::ZkgateError;
use crate::events::{emit_event, RuleSetChanged};
use crate::state::*;
use crate::statement::params_hash;
use crate::verifier::validate_verifying_key;

/// A verifying key as submitted (the IC list length is checked, not assumed).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct VerifyingKeyArgs {
    /// `alpha` in G1.
    pub alpha_g1: [u8; 64],
    /// `beta` in G2.
    pub beta_g2: [u8; 128],
    /// `gamma` in G2.
    pub gamma_g2: [u8; 128],
    /// `delta` in G2.
    pub delta_g2: [u8; 128],
    /// IC points; must be exactly 2 (one public input).
    pub ic: Vec<[u8; 64]>,
}

/// Everything a rule-set is configured with (register and update).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RuleSetConfigArgs {
    /// The compliance circuit's verifying key.
    pub vk: VerifyingKeyArgs,
    /// Circuit-enforced parameters.
    pub params: RuleSetParams,
    /// Program-enforced time rules.
    pub time: TimeParams,
    /// Restrict to one mint (`None`: any mint).
    pub mint: Option<Pubkey>,
    /// Accepted `Issuer` accounts.
    pub issuers: Vec<Pubkey>,
    /// The `SanctionsList` account.
    pub sanctions_list: Pubkey,
}

impl RuleSetConfigArgs {
    /// Validates everything and writes it into `rule_set`, recomputing both hashes.
    fn apply(self, rule_set: &mut RuleSet) -> Result<()> {
        require!(
            self.vk.ic.len() == VK_IC_LEN,
            ZkgateError::InvalidVerifyingKeyIcLength
        );
        let vk = VerifyingKeyData {
            alpha_g1: self.vk.alpha_g1,
            beta_g2: self.vk.beta_g2,
            gamma_g2: self.vk.gamma_g2,
            delta_g2: self.vk.delta_g2,
            ic: [self.vk.ic[0], self.vk.ic[1]],
        };
        validate_verifying_key(&vk)?;
        self.params.validate()?;
        self.time.validate()?;
        require!(
            !self.issuers.is_empty() && self.issuers.len() <= MAX_ISSUERS,
            ZkgateError::InvalidIssuerList
        );
        rule_set.vk_hash = vk.hash();
        rule_set.vk = vk;
        rule_set.params_hash = params_hash(&self.params)?;
        rule_set.params = self.params;
        rule_set.time = self.time;
        rule_set.mint = self.mint;
        rule_set.issuers = self.issuers;
        rule_set.sanctions_list = self.sanctions_list;
        rule_set.invariant()
    }
}

/// Arguments of `register_rule_set`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterRuleSetArgs {
    /// New rule-set id (PDA seed).
    pub id: u64,
    /// Who may update, pause and retire it.
    pub authority: Pubkey,
    /// Its configuration.
    pub config: RuleSetConfigArgs,
}

/// Accounts of `register_rule_set`.
#[derive(Accounts)]
#[instruction(args: RegisterRuleSetArgs)]
pub struct RegisterRuleSet<'info> {
    /// The admin; pays for the account.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The config; must name the signer as admin.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
    /// The new rule-set PDA.
    #[account(
        init,
        payer = admin,
        space = 8 + RuleSet::INIT_SPACE,
        seeds = [SEED_RULE_SET, &args.id.to_le_bytes()],
        bump
    )]
    pub rule_set: Box<Account<'info, RuleSet>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl RegisterRuleSet<'_> {
    /// Registers an active rule-set at version 1.
    pub fn handler(ctx: Context<Self>, args: RegisterRuleSetArgs) -> Result<()> {
        let rule_set = &mut ctx.accounts.rule_set;
        rule_set.id = args.id;
        rule_set.version = 1;
        rule_set.authority = args.authority;
        rule_set.status = RuleSetStatus::Active;
        rule_set.bump = ctx.bumps.rule_set;
        args.config.apply(rule_set)?;
        emit_event(&RuleSetChanged {
            rule_set: rule_set.key(),
            id: rule_set.id,
            version: rule_set.version,
            vk_hash: rule_set.vk_hash,
            params_hash: rule_set.params_hash,
        });
        Ok(())
    }
}

/// Accounts of the rule-set authority's instructions.
#[derive(Accounts)]
pub struct RuleSetAuthority<'info> {
    /// The rule-set authority.
    pub authority: Signer<'info>,
    /// The rule-set.
    #[account(
        mut,
        seeds = [SEED_RULE_SET, &rule_set.id.to_le_bytes()],
        bump = rule_set.bump,
        has_one = authority @ ZkgateError::NotRuleSetAuthority
    )]
    pub rule_set: Box<Account<'info, RuleSet>>,
}

impl RuleSetAuthority<'_> {
    /// Retired rule-sets cannot change.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.rule_set.status != RuleSetStatus::Retired,
            ZkgateError::RuleSetRetired
        );
        Ok(())
    }

    /// Replaces the configuration and bumps the version, so proofs made under the old
    /// parameters or key stop verifying.
    pub fn update(ctx: Context<Self>, config: RuleSetConfigArgs) -> Result<()> {
        let rule_set = &mut ctx.accounts.rule_set;
        rule_set.version = rule_set
            .version
            .checked_add(1)
            .ok_or(ZkgateError::Overflow)?;
        config.apply(rule_set)?;
        emit_event(&RuleSetChanged {
            rule_set: rule_set.key(),
            id: rule_set.id,
            version: rule_set.version,
            vk_hash: rule_set.vk_hash,
            params_hash: rule_set.params_hash,
        });
        Ok(())
    }

    /// Pauses, resumes or retires the rule-set (retirement is final).
    pub fn set_status(ctx: Context<Self>, status: RuleSetStatus) -> Result<()> {
        let rule_set = &mut ctx.accounts.rule_set;
        require!(rule_set.status != status, ZkgateError::InvalidStatusChange);
        rule_set.status = status;
        rule_set.invariant()
    }
}
