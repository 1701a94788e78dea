//! zkgate: zero-knowledge compliance for peer-to-peer token transfers.
//!
//! A registry of compliance rule-sets (verifying key, parameters, issuers, sanctions list) and a
//! `transfer` instruction that moves SPL / Token-2022 tokens only when a Groth16 proof shows the
//! transfer complies with an active rule-set. The program recomputes the proven statement from
//! its own accounts (docs/STATEMENT.md), so a proof is bound to one exact transfer.

use anchor_lang::prelude::*;

pub mod auditor;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;
pub mod statement;
pub mod token_policy;
pub mod verifier;

use events::KeyKind;
use instructions::*;
use state::RuleSetStatus;

declare_id!("ZKGate1111111111111111111111111111111111111");

/// The zkgate program.
#[program]
pub mod zkgate {
    use super::*;

    /// Creates the global config with the signer, the program's upgrade authority, as admin.
    pub fn initialize(ctx: Context<Initialize>) -> Result<()> {
        Initialize::handler(ctx)
    }

    /// Admin: proposes a new admin (step one of two), or cancels with `None`.
    pub fn propose_admin(ctx: Context<AdminOnly>, new_admin: Option<Pubkey>) -> Result<()> {
        AdminOnly::propose_admin(ctx, new_admin)
    }

    /// Pending admin: accepts the hand-over (step two).
    #[access_control(ctx.accounts.validate())]
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handler(ctx)
    }

    /// Admin: pauses or resumes every transfer.
    pub fn set_paused(ctx: Context<AdminOnly>, paused: bool) -> Result<()> {
        AdminOnly::set_paused(ctx, paused)
    }

    /// Admin: registers a rule-set without a key (parameters hashed; remaining accounts: the
    /// accepted issuers).
    pub fn register_rule_set(
        ctx: Context<RegisterRuleSet>,
        args: RegisterRuleSetArgs,
    ) -> Result<()> {
        RegisterRuleSet::handler(ctx, args)
    }

    /// Rule-set authority: replaces the configuration and bumps the version (remaining
    /// accounts: the accepted issuers).
    #[access_control(ctx.accounts.validate())]
    pub fn update_rule_set(ctx: Context<UpdateRuleSet>, config: RuleSetConfigArgs) -> Result<()> {
        UpdateRuleSet::handler(ctx, config)
    }

    /// Rule-set authority and admin together: sets or replaces the verifying key.
    #[access_control(ctx.accounts.validate())]
    pub fn set_verifying_key(ctx: Context<SetVerifyingKey>, vk: VerifyingKeyArgs) -> Result<()> {
        SetVerifyingKey::handler(ctx, vk, KeyKind::Transfer)
    }

    /// Rule-set authority and admin together: sets or replaces the recipient-pass circuit's
    /// verifying key (two-sided rule-sets).
    #[access_control(ctx.accounts.validate())]
    pub fn set_pass_verifying_key(
        ctx: Context<SetVerifyingKey>,
        vk: VerifyingKeyArgs,
    ) -> Result<()> {
        SetVerifyingKey::handler(ctx, vk, KeyKind::Pass)
    }

    /// Anyone, for a wallet: verifies the wallet's recipient-pass proof and records its pass
    /// (two-sided rule-sets credit only wallets with a valid pass).
    #[access_control(ctx.accounts.validate())]
    pub fn issue_pass(ctx: Context<IssuePass>, args: IssuePassArgs) -> Result<()> {
        IssuePass::handler(ctx, args)
    }

    /// Rule-set authority or admin: pauses, resumes or retires the rule-set.
    #[access_control(ctx.accounts.validate())]
    pub fn set_rule_set_status(
        ctx: Context<SetRuleSetStatus>,
        status: RuleSetStatus,
    ) -> Result<()> {
        SetRuleSetStatus::handler(ctx, status)
    }

    /// Authority of a rule-set, issuer or sanctions list, or the admin: proposes a new
    /// authority (step one of two), or cancels with `None`.
    pub fn propose_authority(
        ctx: Context<AuthorityTarget>,
        new_authority: Option<Pubkey>,
    ) -> Result<()> {
        AuthorityTarget::propose(ctx, new_authority)
    }

    /// Proposed authority: accepts the hand-over (step two).
    pub fn accept_authority(ctx: Context<AuthorityTarget>) -> Result<()> {
        AuthorityTarget::accept(ctx)
    }

    /// Admin: registers an issuer whose `authority` publishes credential roots.
    pub fn add_issuer(ctx: Context<AddIssuer>, id: u64, authority: Pubkey) -> Result<()> {
        AddIssuer::handler(ctx, id, authority)
    }

    /// Admin: activates or deactivates an issuer.
    pub fn set_issuer_active(ctx: Context<SetIssuerActive>, active: bool) -> Result<()> {
        SetIssuerActive::handler(ctx, active)
    }

    /// Issuer authority: publishes a new credential-tree root.
    #[access_control(ctx.accounts.validate())]
    pub fn publish_credential_root(
        ctx: Context<PublishCredentialRoot>,
        root: [u8; 32],
    ) -> Result<()> {
        PublishCredentialRoot::handler(ctx, root)
    }

    /// Admin: creates a sanctions list with its first root.
    pub fn create_sanctions_list(
        ctx: Context<CreateSanctionsList>,
        id: u64,
        authority: Pubkey,
        initial_root: [u8; 32],
    ) -> Result<()> {
        CreateSanctionsList::handler(ctx, id, authority, initial_root)
    }

    /// Admin: activates or deactivates a sanctions list.
    pub fn set_sanctions_list_active(
        ctx: Context<SetSanctionsListActive>,
        active: bool,
    ) -> Result<()> {
        SetSanctionsListActive::handler(ctx, active)
    }

    /// Sanctions-list authority: publishes a new sanctions-tree root.
    #[access_control(ctx.accounts.validate())]
    pub fn publish_sanctions_root(
        ctx: Context<PublishSanctionsRoot>,
        root: [u8; 32],
    ) -> Result<()> {
        PublishSanctionsRoot::handler(ctx, root)
    }

    /// Sender: moves tokens if the Groth16 proof verifies for the recomputed statement.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn transfer(ctx: Context<Transfer>, args: TransferArgs) -> Result<()> {
        Transfer::handler(ctx, args, Mode::Transfer)
    }

    /// Sender: like `transfer`, but only records zkgate-hook's approval of the transfer (mints
    /// hooked by zkgate-hook); the sender's `transfer_checked` follows in the same transaction.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn approve(ctx: Context<Transfer>, args: TransferArgs) -> Result<()> {
        Transfer::handler(ctx, args, Mode::Approve)
    }

    /// Admin: makes zkgate-hook enforce a mint whose transfer hook names it (creates the
    /// extra-account-metas list on first use) and sets the mint's exempt authority.
    pub fn configure_mint_hook(
        ctx: Context<ConfigureMintHook>,
        exempt_authority: Option<Pubkey>,
    ) -> Result<()> {
        ConfigureMintHook::handler(ctx, exempt_authority)
    }
}
