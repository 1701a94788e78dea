//! Audit-trail events, emitted through Anchor's event CPI.
//!
//! Every event is the data of a self-invocation signed by the program's event authority
//! (`emit_cpi!`'s mechanism), so it lives in the transaction's inner instructions: a sender
//! cannot push it out of the log by exhausting the log budget, and the event is recorded if and
//! only if the instruction that emitted it committed.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;
use anchor_lang::Event;

use crate::state::RuleSetStatus;

/// Emits `event` by self-CPI signed by the event authority (`emit_cpi!` without its `ctx`).
/// `program` must be this program's account (the CPI needs it among the instruction's
/// accounts); another account is refused with its own error rather than a failed CPI.
pub fn emit_cpi_event<'info, E: Event>(
    event_authority: &AccountInfo<'info>,
    program: &AccountInfo<'info>,
    event: &E,
) -> Result<()> {
    require_keys_eq!(
        *program.key,
        crate::ID,
        crate::errors::ZkgateError::EventProgramMismatch
    );
    let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    data.extend_from_slice(&event.data());
    let ix = Instruction::new_with_bytes(
        crate::ID,
        &data,
        vec![AccountMeta::new_readonly(*event_authority.key, true)],
    );
    invoke_signed(
        &ix,
        core::slice::from_ref(event_authority),
        &[&[b"__event_authority", &[crate::EVENT_AUTHORITY_AND_BUMP.1]]],
    )
    .map_err(Into::into)
}

/// Emitted by every approved `transfer`. It carries every field of the proven statement, so an
/// auditor recomputes `statement_hash` from the event alone (docs/STATEMENT.md), plus the
/// token accounts and the issuer.
#[event]
pub struct TransferApproved {
    /// The zkgate program id (a statement field).
    pub program_id: Pubkey,
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version the proof was made under.
    pub rule_set_version: u32,
    /// The rule-set's parameters hash the proof was made under.
    pub params_hash: [u8; 32],
    /// Sending wallet.
    pub sender: Pubkey,
    /// Receiving wallet.
    pub recipient: Pubkey,
    /// Token mint.
    pub mint: Pubkey,
    /// The sender's token account.
    pub source: Pubkey,
    /// The recipient's token account.
    pub destination: Pubkey,
    /// Amount in base units.
    pub amount: u64,
    /// The subject's nonce consumed by this transfer.
    pub nonce: u64,
    /// The window volume the proof committed to (at least the subject's actual volume).
    pub window_volume: u64,
    /// The proof's `valid_until`.
    pub valid_until: i64,
    /// The subject tag (per rule-set pseudonym of the credential's subject).
    pub subject_tag: [u8; 32],
    /// The `Issuer` account whose root was used.
    pub issuer: Pubkey,
    /// Credential-tree root.
    pub credential_root: [u8; 32],
    /// Sanctions-tree root.
    pub sanctions_root: [u8; 32],
    /// The statement hash (the proof's public input).
    pub statement_hash: [u8; 32],
    /// The auditor key the disclosure is encrypted to (the rule-set's at the time).
    pub auditor_key: [u8; 64],
    /// The sender's identity encrypted to `auditor_key`, proven by the same proof (its
    /// commitment is the statement's last input).
    pub disclosure: crate::auditor::AuditDisclosure,
    /// Slot of the transfer.
    pub slot: u64,
    /// Cluster unix time of the transfer.
    pub unix_timestamp: i64,
    /// `true` when zkgate moved the tokens itself (`transfer`); `false` for `approve`, whose
    /// approval the mint's hook consumes in the transfer that follows in the same transaction
    /// (it expires unused otherwise).
    pub moved: bool,
}

impl TransferApproved {
    /// The statement this transfer proved, rebuilt from the event alone (the disclosure
    /// commitment recomputed from the posted bytes): an auditor hashes it (`.hash()`) and
    /// compares with `statement_hash`.
    pub fn statement(&self) -> Result<crate::statement::Statement> {
        Ok(crate::statement::Statement {
            rule_set_id: self.rule_set_id,
            rule_set_version: self.rule_set_version,
            params_hash: self.params_hash,
            credential_root: self.credential_root,
            sanctions_root: self.sanctions_root,
            program_id: self.program_id,
            sender: self.sender,
            recipient: self.recipient,
            mint: self.mint,
            amount: self.amount,
            nonce: self.nonce,
            window_volume: self.window_volume,
            valid_until: self.valid_until,
            subject_tag: self.subject_tag,
            disclosure_hash: crate::statement::disclosure_hash(&self.issuer, &self.disclosure)?,
        })
    }
}

/// Which of a rule-set's verifying keys.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// The transfer (compliance) circuit's key.
    Transfer,
    /// The recipient-pass circuit's key.
    Pass,
}

/// Emitted by `issue_pass`.
#[event]
pub struct PassIssued {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// The wallet that may now receive.
    pub wallet: Pubkey,
    /// The `Pass` account.
    pub pass: Pubkey,
    /// The rule-set version it was proven under.
    pub rule_set_version: u32,
    /// When it expires.
    pub expires_at: i64,
    /// The issuer whose root was used.
    pub issuer: Pubkey,
    /// Credential-tree root.
    pub credential_root: [u8; 32],
    /// Sanctions-tree root.
    pub sanctions_root: [u8; 32],
    /// The pass statement hash (the proof's public input).
    pub statement_hash: [u8; 32],
    /// Who paid.
    pub payer: Pubkey,
}

/// Emitted by `configure_mint_hook`.
#[event]
pub struct MintHookConfigured {
    /// The admin that configured it.
    pub admin: Pubkey,
    /// The mint whose transfers zkgate-hook enforces.
    pub mint: Pubkey,
    /// The authority whose transfers pass without an approval (evented by the hook), if any.
    pub exempt_authority: Option<Pubkey>,
}

/// Emitted by `initialize`.
#[event]
pub struct ConfigInitialized {
    /// The first admin (the program's upgrade authority).
    pub admin: Pubkey,
}

/// Emitted when the global pause is switched.
#[event]
pub struct PauseChanged {
    /// The admin who switched it.
    pub admin: Pubkey,
    /// The new state.
    pub paused: bool,
}

/// What kind of account an authority hand-over concerns.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorityKind {
    /// The global config's admin.
    Admin,
    /// A rule-set's authority.
    RuleSet,
    /// An issuer's authority.
    Issuer,
    /// A sanctions list's authority.
    SanctionsList,
}

/// Emitted when a hand-over is proposed (or cancelled: `proposed == None`).
#[event]
pub struct AuthorityProposed {
    /// Kind of the account.
    pub kind: AuthorityKind,
    /// The account (the config for the admin).
    pub account: Pubkey,
    /// Who signed the proposal (the current authority or the admin).
    pub proposed_by: Pubkey,
    /// The current authority.
    pub current: Pubkey,
    /// The proposed authority, `None` to cancel.
    pub proposed: Option<Pubkey>,
}

/// Emitted when a proposed authority accepts.
#[event]
pub struct AuthorityChanged {
    /// Kind of the account.
    pub kind: AuthorityKind,
    /// The account (the config for the admin).
    pub account: Pubkey,
    /// The previous authority.
    pub previous: Pubkey,
    /// The new authority.
    pub new: Pubkey,
}

/// Emitted when a rule-set is registered or its configuration updated.
#[event]
pub struct RuleSetChanged {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// Rule-set id.
    pub id: u64,
    /// New version.
    pub version: u32,
    /// SHA-256 of the verifying key (zero while none is set).
    pub vk_hash: [u8; 32],
    /// Poseidon hash of the parameters.
    pub params_hash: [u8; 32],
    /// The auditor key (`x || y`) transfers are now encrypted to.
    pub auditor_key: [u8; 64],
    /// The accepted issuers.
    pub issuers: Vec<Pubkey>,
    /// The sanctions list.
    pub sanctions_list: Pubkey,
    /// The bound mint, if any.
    pub mint: Option<Pubkey>,
}

/// Emitted when a rule-set's verifying key is set or replaced.
#[event]
pub struct VerifyingKeyChanged {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// Which key changed.
    pub kind: KeyKind,
    /// Version after the change.
    pub version: u32,
    /// SHA-256 of the previous key (zero for the first key).
    pub previous_vk_hash: [u8; 32],
    /// SHA-256 of the new key.
    pub vk_hash: [u8; 32],
    /// The rule-set authority who signed.
    pub authority: Pubkey,
    /// The admin who co-signed.
    pub admin: Pubkey,
}

/// Emitted when a rule-set is paused, resumed or retired.
#[event]
pub struct RuleSetStatusChanged {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// Status before.
    pub previous: RuleSetStatus,
    /// Status after.
    pub status: RuleSetStatus,
    /// Who signed (the rule-set authority or the admin).
    pub by: Pubkey,
}

/// Emitted by `add_issuer`.
#[event]
pub struct IssuerAdded {
    /// The `Issuer` account.
    pub issuer: Pubkey,
    /// Issuer id.
    pub id: u64,
    /// Its authority.
    pub authority: Pubkey,
}

/// Emitted when an issuer is activated or deactivated.
#[event]
pub struct IssuerActiveChanged {
    /// The `Issuer` account.
    pub issuer: Pubkey,
    /// The new state.
    pub active: bool,
}

/// Emitted by `create_sanctions_list`.
#[event]
pub struct SanctionsListCreated {
    /// The `SanctionsList` account.
    pub sanctions_list: Pubkey,
    /// List id.
    pub id: u64,
    /// Its authority.
    pub authority: Pubkey,
    /// Its first root.
    pub initial_root: [u8; 32],
}

/// Emitted when a sanctions list is activated or deactivated.
#[event]
pub struct SanctionsListActiveChanged {
    /// The `SanctionsList` account.
    pub sanctions_list: Pubkey,
    /// The new state.
    pub active: bool,
}

/// Emitted when an issuer or sanctions list publishes a root.
#[event]
pub struct RootPublished {
    /// The `Issuer` or `SanctionsList` account.
    pub account: Pubkey,
    /// The new root.
    pub root: [u8; 32],
    /// Whether this is a sanctions root (else a credential root).
    pub sanctions: bool,
    /// Publication time.
    pub published_at: i64,
}
