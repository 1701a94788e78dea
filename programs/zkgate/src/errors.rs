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
    /// The statement timestamp is negative.
    #[msg("timestamp is negative")]
    NegativeTimestamp,
    /// The statement timestamp is later than the cluster clock plus the tolerance.
    #[msg("proof timestamp is in the future")]
    TimestampInFuture,
    /// The statement timestamp is older than the rule-set's maximum proof age.
    #[msg("proof is too old")]
    ProofTooOld,
    /// The statement's window is older than the sender's last recorded window.
    #[msg("timestamp falls in a window older than the sender's last transfer")]
    StaleWindow,
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
}
