//! Every way an instruction can be refused, one specific code per check, so clients and tests
//! can tell exactly which rule fired.
use anchor_lang::prelude::*;

/// zkgate program errors.
#[error_code]
pub enum ZkgateError {
    /// The signer is not the config admin.
    #[msg("signer is not the zkgate admin")]
    NotAdmin,
    /// `accept_admin` was signed by someone other than the proposed admin.
    #[msg("signer is not the pending admin")]
    NotPendingAdmin,
    /// `accept_admin` was called with no hand-over in progress.
    #[msg("no admin hand-over is pending")]
    NoPendingAdmin,
    /// The whole program is paused by the admin.
    #[msg("zkgate is paused")]
    ProgramPaused,
    /// The signer is not the rule-set's authority.
    #[msg("signer is not the rule-set authority")]
    NotRuleSetAuthority,
    /// The rule-set is paused.
    #[msg("rule-set is paused")]
    RuleSetPaused,
    /// The rule-set is retired; retirement is final.
    #[msg("rule-set is retired")]
    RuleSetRetired,
    /// The rule-set's status cannot change this way.
    #[msg("invalid rule-set status change")]
    InvalidStatusChange,
    /// The signer is not the issuer's authority.
    #[msg("signer is not the issuer authority")]
    NotIssuerAuthority,
    /// The issuer is deactivated.
    #[msg("issuer is not active")]
    IssuerInactive,
    /// The issuer is not one of the rule-set's accepted issuers.
    #[msg("issuer is not accepted by this rule-set")]
    IssuerNotInRuleSet,
    /// The signer is not the sanctions list's authority.
    #[msg("signer is not the sanctions list authority")]
    NotSanctionsAuthority,
    /// The sanctions list is not the rule-set's list.
    #[msg("sanctions list does not belong to this rule-set")]
    SanctionsListMismatch,
    /// The credential root is not in the issuer's ring, or was superseded too long ago.
    #[msg("credential root is not an accepted root of the issuer")]
    UnknownCredentialRoot,
    /// The sanctions root is not in the list's ring, or its grace period has passed.
    #[msg("sanctions root is not current (or past its grace period)")]
    UnknownSanctionsRoot,
    /// A published root is not a canonical field element (>= the BN254 scalar modulus) or zero.
    #[msg("root is not a canonical non-zero BN254 field element")]
    RootNotInField,
    /// The statement's `valid_until` is negative.
    #[msg("valid_until is negative")]
    NegativeValidUntil,
    /// `valid_until` is further past the cluster clock than the rule-set's maximum proof age
    /// (plus the clock tolerance) allows.
    #[msg("proof lifetime is longer than the rule-set allows")]
    ProofLifetimeTooLong,
    /// The cluster clock is past the proof's `valid_until` plus the clock tolerance.
    #[msg("proof has expired (valid_until passed)")]
    ProofExpired,
    /// The proof's window volume is lower than the volume the subject moved in the last
    /// window of cluster time: the client must re-prove with the current volume.
    #[msg("proof understates the subject's volume in the current window")]
    WindowVolumeUnderstated,
    /// Zero-amount transfers are refused.
    #[msg("amount must be greater than zero")]
    ZeroAmount,
    /// The mint is not the rule-set's mint.
    #[msg("mint is not allowed by this rule-set")]
    MintNotAllowed,
    /// The proof bytes do not encode valid curve points.
    #[msg("proof bytes are malformed (point not on curve)")]
    MalformedProof,
    /// The Groth16 proof does not verify for the recomputed statement.
    #[msg("proof does not verify for this statement")]
    InvalidProof,
    /// The public input is not below the field modulus.
    #[msg("public input is not reduced below the field modulus")]
    PublicInputNotReduced,
    /// The statement could not be hashed (Poseidon syscall error).
    #[msg("statement hashing failed")]
    StatementHashFailed,
    /// A verifying-key point is not on the curve / not in the subgroup.
    #[msg("verifying key point is invalid")]
    InvalidVerifyingKeyPoint,
    /// The verifying key has the wrong number of IC points (must be 2: one public input).
    #[msg("verifying key must have exactly 2 IC points")]
    InvalidVerifyingKeyIcLength,
    /// The verifying key is degenerate (gamma == delta, delta == G2 generator, or identity points).
    #[msg("verifying key is degenerate (forgeable)")]
    DegenerateVerifyingKey,
    /// The jurisdiction lists are malformed.
    #[msg("invalid jurisdiction lists")]
    InvalidJurisdictions,
    /// The tier limits are malformed.
    #[msg("invalid tier limits")]
    InvalidTierLimits,
    /// Window length is zero.
    #[msg("window length must be positive")]
    InvalidWindow,
    /// Time parameters (max age, tolerance, grace) are out of range.
    #[msg("invalid time parameters")]
    InvalidTimeParams,
    /// Too many or duplicate issuers.
    #[msg("invalid issuer list")]
    InvalidIssuerList,
    /// Arithmetic overflow on nonce or volume.
    #[msg("arithmetic overflow")]
    Overflow,
    /// `initialize` was not signed by the program's upgrade authority.
    #[msg("signer is not the program's upgrade authority")]
    NotUpgradeAuthority,
    /// The signer is neither the account's authority nor the zkgate admin.
    #[msg("signer is neither the authority nor the admin")]
    NotAuthorityOrAdmin,
    /// `accept_authority` was signed by someone other than the proposed authority.
    #[msg("signer is not the pending authority")]
    NotPendingAuthority,
    /// `accept_authority` was called with no hand-over in progress.
    #[msg("no authority hand-over is pending")]
    NoPendingAuthority,
    /// Exactly one of the rule-set, issuer and sanctions-list accounts must be given.
    #[msg("exactly one target account (rule-set, issuer or sanctions list) must be given")]
    InvalidAuthorityTarget,
    /// The sanctions list is deactivated.
    #[msg("sanctions list is not active")]
    SanctionsListInactive,
    /// The rule-set has no verifying key yet (`set_verifying_key` has not run).
    #[msg("rule-set has no verifying key")]
    NoVerifyingKey,
    /// An account named as a rule-set's issuer is not an `Issuer` account of this program.
    #[msg("issuer account is not a zkgate Issuer")]
    InvalidIssuerAccount,
    /// The subject tag is not a canonical field element.
    #[msg("subject tag is not a canonical BN254 field element")]
    SubjectTagNotInField,
    /// The subject state account belongs to another subject or rule-set.
    #[msg("subject state does not match the proof's subject tag")]
    SubjectStateMismatch,
    /// The mint has Token-2022's transfer-fee extension: the recipient would get less than the
    /// proven amount.
    #[msg("mint has a transfer fee (unsupported)")]
    MintHasTransferFee,
    /// The mint has a permanent delegate, who moves tokens without zkgate (accepted only on
    /// mints hooked by zkgate-hook, which refuses the delegate unless it is the exempt authority).
    #[msg("mint has a permanent delegate and no zkgate-hook")]
    MintHasPermanentDelegate,
    /// The mint is non-transferable.
    #[msg("mint is non-transferable")]
    MintNonTransferable,
    /// The mint allows confidential transfers, which bypass zkgate and hide amounts.
    #[msg("mint allows confidential transfers (unsupported)")]
    MintHasConfidentialTransfers,
    /// The mint's transfer hook is another program than zkgate-hook.
    #[msg("mint's transfer hook is not zkgate-hook")]
    MintHasTransferHook,
    /// The mint or token account data could not be parsed as Token-2022 state.
    #[msg("mint extensions could not be read")]
    MintExtensionsUnreadable,
    /// The rule-set's mint account is required (the rule-set binds a mint) or does not match.
    #[msg("mint account missing or not the bound mint")]
    MintAccountMismatch,
    /// The mint has a Token-2022 extension zkgate has not assessed.
    #[msg("mint has an unsupported Token-2022 extension")]
    MintExtensionUnsupported,
    /// The source token account's CPI guard is on: its owner cannot send through zkgate.
    #[msg("source token account has its CPI guard enabled")]
    SourceCpiGuardEnabled,
    /// The destination token account requires a memo on incoming transfers.
    #[msg("destination token account requires memos")]
    DestinationRequiresMemo,
    /// The `program` account of an event-emitting instruction is not zkgate.
    #[msg("the program account is not zkgate (event CPI)")]
    EventProgramMismatch,
    /// The rule-set authority and the admin are the same key: the co-signature of a key change
    /// must come from two different keys.
    #[msg("the rule-set authority and the admin must be different keys")]
    CoSignersMustDiffer,
    /// The admin rotated this rule-set's authority recently; its key cannot change yet.
    #[msg("verifying key changes are locked after an admin-driven authority rotation")]
    KeyChangeLocked,
    /// The admin paused this rule-set; only the admin can resume it.
    #[msg("rule-set was paused by the admin; only the admin can resume it")]
    PausedByAdmin,
    /// The mint's transfers are enforced by zkgate-hook, and the hook accounts
    /// (`hook_program`, `approval`, `hook_extra_account_metas`, `hook_event_authority`) are
    /// missing.
    #[msg("mint is hooked by zkgate-hook: pass the hook accounts")]
    HookAccountsMissing,
    /// `approve` or `configure_mint_hook` on a mint whose transfer hook is not zkgate-hook.
    #[msg("mint's transfer hook is not zkgate-hook")]
    MintNotHooked,
    /// The rule-set has no pass verifying key (`set_pass_verifying_key`).
    #[msg("rule-set has no pass verifying key")]
    NoPassVerifyingKey,
    /// The rule-set does not use recipient passes (`pass_ttl_secs` is zero).
    #[msg("rule-set does not use recipient passes")]
    PassesNotEnabled,
    /// The pass proof's `valid_until` is not in the future.
    #[msg("pass valid_until is not in the future")]
    PassValidUntilPast,
    /// Two-sided rule-set: the recipient wallet holds no pass (or the account given is not
    /// its pass under this rule-set).
    #[msg("recipient has no pass for this rule-set")]
    RecipientPassMissing,
    /// The recipient's pass has expired.
    #[msg("recipient's pass has expired")]
    RecipientPassExpired,
    /// The recipient's pass was proven under another rule-set version.
    #[msg("recipient's pass was proven under another rule-set version")]
    RecipientPassStale,
    /// The sanctions root the recipient's pass was proven against is no longer accepted.
    #[msg("recipient's pass sanctions root is no longer accepted")]
    RecipientPassSanctionsRootStale,
    /// The auditor key is not a Baby Jubjub point of the prime-order subgroup: a coordinate
    /// is not a field element, the witness `Q` is off the curve, `8·Q` is not the key, or the
    /// key is the identity.
    #[msg("auditor key is not a valid Baby Jubjub public key")]
    InvalidAuditorKey,
    /// A value of the posted auditor disclosure (ephemeral key or ciphertext) is not a
    /// canonical field element.
    #[msg("disclosure value is not a canonical field element")]
    DisclosureNotInField,
}
