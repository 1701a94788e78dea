use anchor_lang::prelude::*;
use anchor_lang::AccountDeserialize;
use anchor_spl::token_interface::Mint;

use crate::errors::ZkgateError;
use crate::events::{
    emit_cpi_event, KeyKind, RuleSetChanged, RuleSetStatusChanged, VerifyingKeyChanged,
};
use crate::state::*;
use crate::statement::params_hash;
use crate::token_policy;
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

/// The scalar configuration of a rule-set (register and update). The accepted issuers are the
/// instruction's remaining accounts (each must be an `Issuer` of this program), the sanctions
/// list and the optional bound mint are named accounts, and the verifying key has its own
/// instruction (`set_verifying_key`), so every transaction stays under the packet limit.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RuleSetConfigArgs {
    /// Circuit-enforced parameters.
    pub params: RuleSetParams,
    /// Program-enforced time rules.
    pub time: TimeParams,
    /// A point `Q` with `8·Q = params.auditor_key`, proving the key is in Baby Jubjub's
    /// prime-order subgroup (the key times the inverse of 8 modulo the subgroup order;
    /// `zkgate audit keygen` prints it).
    pub auditor_key_witness: [u8; 64],
}

/// The accounts a rule-set configuration refers to, each checked to be real: the accepted
/// issuers (the remaining accounts), the sanctions list and the optional bound mint.
struct ConfigAccounts {
    sanctions_list: Pubkey,
    mint: Option<Pubkey>,
    issuers: Vec<Pubkey>,
}

impl ConfigAccounts {
    fn check(
        sanctions_list: Pubkey,
        mint: Option<&InterfaceAccount<Mint>>,
        issuer_infos: &[AccountInfo],
    ) -> Result<Self> {
        require!(
            !issuer_infos.is_empty() && issuer_infos.len() <= MAX_ISSUERS,
            ZkgateError::InvalidIssuerList
        );
        let mut issuers = Vec::with_capacity(issuer_infos.len());
        for info in issuer_infos {
            // Owner and discriminator: a look-alike account of another program or type fails.
            let data = info.try_borrow_data()?;
            require!(
                *info.owner == crate::ID && Issuer::try_deserialize(&mut &data[..]).is_ok(),
                ZkgateError::InvalidIssuerAccount
            );
            issuers.push(info.key());
        }
        if let Some(mint) = mint {
            token_policy::check_mint(&mint.to_account_info())?;
        }
        Ok(Self {
            sanctions_list,
            mint: mint.map(|m| m.key()),
            issuers,
        })
    }
}

impl RuleSetConfigArgs {
    /// Validates everything and writes it into `rule_set`, recomputing the parameters hash.
    fn apply(self, rule_set: &mut RuleSet, accounts: ConfigAccounts) -> Result<()> {
        self.params.validate()?;
        self.time.validate()?;
        crate::auditor::check_auditor_key(&self.params.auditor_key, &self.auditor_key_witness)?;
        rule_set.rotate_auditor_key(&self.params.auditor_key);
        rule_set.params_hash = params_hash(&self.params)?;
        rule_set.params = self.params;
        rule_set.time = self.time;
        rule_set.mint = accounts.mint;
        rule_set.issuers = accounts.issuers;
        rule_set.sanctions_list = accounts.sanctions_list;
        rule_set.invariant()
    }
}

fn changed(rule_set: &Account<RuleSet>) -> RuleSetChanged {
    RuleSetChanged {
        rule_set: rule_set.key(),
        id: rule_set.id,
        version: rule_set.version,
        vk_hash: rule_set.vk_hash,
        params_hash: rule_set.params_hash,
        auditor_key: rule_set.params.auditor_key,
        issuers: rule_set.issuers.clone(),
        sanctions_list: rule_set.sanctions_list,
        mint: rule_set.mint,
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

/// Accounts of `register_rule_set`; remaining accounts: the accepted `Issuer`s (1 to 8).
#[event_cpi]
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
    /// The sanctions list the rule-set screens against (a real `SanctionsList`).
    #[account(seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()], bump = sanctions_list.bump)]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
    /// The only mint the rule-set gates, if it binds one (its extensions are screened).
    pub mint: Option<Box<InterfaceAccount<'info, Mint>>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl RegisterRuleSet<'_> {
    /// Registers an active rule-set at version 1, without a verifying key: transfers are
    /// refused until `set_verifying_key` (signed by the authority and the admin) sets one.
    pub fn handler(ctx: Context<Self>, args: RegisterRuleSetArgs) -> Result<()> {
        let accounts = ctx.accounts;
        // Key changes need the authority and the admin: two different keys.
        require_keys_neq!(
            args.authority,
            accounts.admin.key(),
            ZkgateError::CoSignersMustDiffer
        );
        let rule_set = &mut accounts.rule_set;
        rule_set.id = args.id;
        rule_set.version = 1;
        rule_set.authority = args.authority;
        rule_set.pending_authority = None;
        rule_set.pending_authority_by_admin = false;
        rule_set.key_change_locked_until = 0;
        rule_set.paused_by_admin = false;
        rule_set.status = RuleSetStatus::Active;
        rule_set.bump = ctx.bumps.rule_set;
        let refs = ConfigAccounts::check(
            accounts.sanctions_list.key(),
            accounts.mint.as_deref(),
            ctx.remaining_accounts,
        )?;
        args.config.apply(rule_set, refs)?;
        emit_cpi_event(
            &accounts.event_authority,
            &accounts.program,
            &changed(rule_set),
        )
    }
}

/// Accounts of `update_rule_set`; remaining accounts: the accepted `Issuer`s (1 to 8).
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateRuleSet<'info> {
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
    /// The sanctions list the rule-set screens against (a real `SanctionsList`).
    #[account(seeds = [SEED_SANCTIONS, &sanctions_list.id.to_le_bytes()], bump = sanctions_list.bump)]
    pub sanctions_list: Box<Account<'info, SanctionsList>>,
    /// The only mint the rule-set gates, if it binds one.
    pub mint: Option<Box<InterfaceAccount<'info, Mint>>>,
}

impl UpdateRuleSet<'_> {
    /// Retired rule-sets cannot change.
    pub fn validate(&self) -> Result<()> {
        not_retired(&self.rule_set)
    }

    /// Replaces the configuration (not the key) and bumps the version, so proofs made under
    /// the old parameters stop verifying.
    pub fn handler(ctx: Context<Self>, config: RuleSetConfigArgs) -> Result<()> {
        let accounts = ctx.accounts;
        let rule_set = &mut accounts.rule_set;
        rule_set.bump_version()?;
        let refs = ConfigAccounts::check(
            accounts.sanctions_list.key(),
            accounts.mint.as_deref(),
            ctx.remaining_accounts,
        )?;
        config.apply(rule_set, refs)?;
        emit_cpi_event(
            &accounts.event_authority,
            &accounts.program,
            &changed(rule_set),
        )
    }
}

fn not_retired(rule_set: &RuleSet) -> Result<()> {
    require!(
        rule_set.status != RuleSetStatus::Retired,
        ZkgateError::RuleSetRetired
    );
    Ok(())
}

/// Accounts of `set_verifying_key`: the rule-set authority **and** the admin sign.
///
/// Replacing a verifying key is the most dangerous operation zkgate has: a key from another
/// setup lets its maker forge every proof. It therefore needs two keys, held by different
/// parties in production (the rule-set's authority and the zkgate admin, a multisig). A
/// co-signature was chosen over a vetoable delay because it blocks a stolen authority key
/// outright, needs no monitoring to be safe, and lets a compromised key be rotated without a
/// waiting period (a delay would also delay emergency fixes).
#[event_cpi]
#[derive(Accounts)]
pub struct SetVerifyingKey<'info> {
    /// The rule-set authority.
    pub authority: Signer<'info>,
    /// The zkgate admin, co-signing.
    pub admin: Signer<'info>,
    /// The config; must name `admin`.
    #[account(seeds = [SEED_CONFIG], bump = config.bump, has_one = admin @ ZkgateError::NotAdmin)]
    pub config: Account<'info, Config>,
    /// The rule-set.
    #[account(
        mut,
        seeds = [SEED_RULE_SET, &rule_set.id.to_le_bytes()],
        bump = rule_set.bump,
        has_one = authority @ ZkgateError::NotRuleSetAuthority
    )]
    pub rule_set: Box<Account<'info, RuleSet>>,
}

impl SetVerifyingKey<'_> {
    /// Two different keys; not retired; not within the lock after an admin-driven rotation.
    pub fn validate(&self) -> Result<()> {
        require_keys_neq!(
            self.authority.key(),
            self.admin.key(),
            ZkgateError::CoSignersMustDiffer
        );
        require!(
            Clock::get()?.unix_timestamp >= self.rule_set.key_change_locked_until,
            ZkgateError::KeyChangeLocked
        );
        not_retired(&self.rule_set)
    }

    /// Screens and stores the key of `kind`. Replacing a key bumps the version (proofs under
    /// the old key stop verifying, passes proven under it are void); the first key does not,
    /// since no proof could exist before it.
    pub fn handler(ctx: Context<Self>, vk: VerifyingKeyArgs, kind: KeyKind) -> Result<()> {
        require!(
            vk.ic.len() == VK_IC_LEN,
            ZkgateError::InvalidVerifyingKeyIcLength
        );
        let vk = VerifyingKeyData {
            alpha_g1: vk.alpha_g1,
            beta_g2: vk.beta_g2,
            gamma_g2: vk.gamma_g2,
            delta_g2: vk.delta_g2,
            ic: [vk.ic[0], vk.ic[1]],
        };
        validate_verifying_key(&vk)?;
        let rule_set = &mut ctx.accounts.rule_set;
        let vk_hash = vk.hash();
        let previous_vk_hash = match kind {
            KeyKind::Transfer => rule_set.vk_hash,
            KeyKind::Pass => rule_set.pass_vk_hash,
        };
        if previous_vk_hash != [0u8; 32] {
            rule_set.bump_version()?;
        }
        match kind {
            KeyKind::Transfer => {
                rule_set.vk_hash = vk_hash;
                rule_set.vk = vk;
            }
            KeyKind::Pass => {
                rule_set.pass_vk_hash = vk_hash;
                rule_set.pass_vk = vk;
            }
        }
        rule_set.invariant()?;
        let event = VerifyingKeyChanged {
            rule_set: rule_set.key(),
            kind,
            version: rule_set.version,
            previous_vk_hash,
            vk_hash,
            authority: ctx.accounts.authority.key(),
            admin: ctx.accounts.admin.key(),
        };
        emit_cpi_event(&ctx.accounts.event_authority, &ctx.accounts.program, &event)
    }
}

/// Accounts of `set_rule_set_status`: the rule-set authority or the admin signs.
#[event_cpi]
#[derive(Accounts)]
pub struct SetRuleSetStatus<'info> {
    /// The rule-set authority or the zkgate admin.
    pub signer: Signer<'info>,
    /// The config (names the admin).
    #[account(seeds = [SEED_CONFIG], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// The rule-set.
    #[account(mut, seeds = [SEED_RULE_SET, &rule_set.id.to_le_bytes()], bump = rule_set.bump)]
    pub rule_set: Box<Account<'info, RuleSet>>,
}

impl SetRuleSetStatus<'_> {
    /// The signer must be the authority or the admin; retired rule-sets cannot change.
    pub fn validate(&self) -> Result<()> {
        let signer = self.signer.key();
        require!(
            signer == self.rule_set.authority || signer == self.config.admin,
            ZkgateError::NotAuthorityOrAdmin
        );
        not_retired(&self.rule_set)
    }

    /// Pauses, resumes or retires the rule-set (retirement is final). A pause by the admin
    /// can only be lifted by the admin (a compromised authority cannot undo it).
    pub fn handler(ctx: Context<Self>, status: RuleSetStatus) -> Result<()> {
        let by_admin = ctx.accounts.signer.key() == ctx.accounts.config.admin;
        let rule_set = &mut ctx.accounts.rule_set;
        let previous = rule_set.status;
        require!(previous != status, ZkgateError::InvalidStatusChange);
        if status == RuleSetStatus::Active {
            require!(
                by_admin || !rule_set.paused_by_admin,
                ZkgateError::PausedByAdmin
            );
        }
        rule_set.paused_by_admin = status == RuleSetStatus::Paused && by_admin;
        rule_set.status = status;
        rule_set.invariant()?;
        let event = RuleSetStatusChanged {
            rule_set: rule_set.key(),
            previous,
            status,
            by: ctx.accounts.signer.key(),
        };
        emit_cpi_event(&ctx.accounts.event_authority, &ctx.accounts.program, &event)
    }
}
