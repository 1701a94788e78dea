//! Every refusal of the hook has its own code.
use anchor_lang::prelude::*;

/// zkgate-hook errors.
#[error_code]
pub enum HookError {
    /// Only zkgate (its config PDA) configures mints and records approvals.
    #[msg("signer is not zkgate")]
    NotZkgate,
    /// The mint's transfer-hook extension does not name this program.
    #[msg("mint's transfer hook is not zkgate-hook")]
    MintNotHooked,
    /// The mint's extensions could not be read.
    #[msg("mint or token account data is unreadable")]
    TokenDataUnreadable,
    /// `execute` was called outside a Token-2022 transfer (the source is not marked
    /// transferring, or is not a Token-2022 account of this mint).
    #[msg("execute may only be called by Token-2022 during a transfer")]
    NotTransferring,
    /// The transfer is signed by a delegate, not the source's owner (and not the exempt
    /// authority): approvals are bound to the owner's proof.
    #[msg("transfers by a delegate are refused")]
    DelegateTransfer,
    /// No approval exists for this mint and source account.
    #[msg("no zkgate approval for this transfer")]
    NoApproval,
    /// The approval was already consumed by a transfer.
    #[msg("approval already used")]
    ApprovalUsed,
    /// The approval's slot deadline has passed.
    #[msg("approval expired")]
    ApprovalExpired,
    /// The transfer's amount is not the approved amount.
    #[msg("amount differs from the approved amount")]
    ApprovalAmountMismatch,
    /// The transfer's destination is not the approved destination.
    #[msg("destination differs from the approved destination")]
    ApprovalDestinationMismatch,
    /// The approval or the extra-account-metas list does not belong to this mint and source.
    #[msg("approval or extra-account-metas list belongs to another mint or source")]
    AccountMismatch,
    /// The approval's deadline is not in the future.
    #[msg("approval deadline is in the past")]
    ApprovalDeadlineInPast,
    /// Zero-amount approvals are refused.
    #[msg("approved amount must be greater than zero")]
    ZeroAmount,
}
