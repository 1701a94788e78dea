//! Which Token-2022 extensions zkgate accepts, decided per extension.
//!
//! A proof says "this sender moves `amount` of this mint to this recipient". An extension that
//! changes what a transfer means, or lets tokens move without `transfer`, would make the proof
//! and the audit event say something untrue, so such mints are refused when a rule-set binds
//! them and again at every transfer (a mint's extensions cannot be added after initialization,
//! but a closed mint can be re-created at the same address):
//!
//! | extension | decision | why |
//! |---|---|---|
//! | `TransferFeeConfig` | refused | the recipient gets `amount - fee`, not the proven amount |
//! | `PermanentDelegate` | refused, unless the hook is zkgate-hook | the delegate moves tokens from any account without zkgate; under zkgate-hook its transfers are refused unless it is the mint's exempt authority, and then evented |
//! | `NonTransferable` | refused | no transfer can succeed |
//! | `ConfidentialTransferMint` (+ fee, mint-burn) | refused | confidential transfers bypass zkgate and hide amounts |
//! | `TransferHook` | supported only with zkgate-hook | zkgate records the approval the hook consumes and forwards the hook's accounts; another hook's accounts and rules are unknown |
//! | `DefaultAccountState` | supported | frozen-by-default accounts are an issuer's gate; a frozen side fails in the token program and nothing changes |
//! | `Pausable` | supported | a paused mint refuses the transfer in the token program |
//! | `MintCloseAuthority`, `InterestBearingConfig`, `ScaledUiAmount` | supported | base units are unchanged; limits are in base units |
//! | metadata / group pointers and data | supported | descriptive only |
//!
//! Token accounts: a source with `CpiGuard` locked cannot be debited by its owner through a
//! CPI and a destination requiring memos cannot be credited without one, so both are refused
//! up front with their own errors instead of the token program's generic failure.
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::cpi_guard::CpiGuard;
use anchor_spl::token_2022::spl_token_2022::extension::memo_transfer::MemoTransfer;
use anchor_spl::token_2022::spl_token_2022::extension::transfer_hook::TransferHook;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, PodStateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::pod::{PodAccount, PodMint};

use crate::errors::ZkgateError;

fn is_token_2022(info: &AccountInfo) -> bool {
    *info.owner == anchor_spl::token_2022::ID
}

/// How transfers of an accepted mint are enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MintKind {
    /// No transfer hook: zkgate's `transfer` is the only gate (opt-in compliance).
    Plain,
    /// zkgate-hook is the mint's transfer hook: every transfer needs a zkgate approval.
    Hooked,
}

/// The program named by the mint's transfer-hook extension, if any.
fn transfer_hook_program(state: &PodStateWithExtensions<PodMint>) -> Option<Pubkey> {
    state
        .get_extension::<TransferHook>()
        .ok()
        .and_then(|hook| Option::<Pubkey>::from(hook.program_id))
}

/// Refuses a mint whose extensions change what a transfer means (see the module table), and
/// tells whether zkgate-hook enforces its transfers.
pub fn check_mint(mint: &AccountInfo) -> Result<MintKind> {
    if !is_token_2022(mint) {
        return Ok(MintKind::Plain); // SPL Token mints have no extensions.
    }
    let data = mint.try_borrow_data()?;
    let state = PodStateWithExtensions::<PodMint>::unpack(&data)
        .map_err(|_| error!(ZkgateError::MintExtensionsUnreadable))?;
    let kind = match transfer_hook_program(&state) {
        None => MintKind::Plain,
        Some(program) if program == zkgate_hook::ID => MintKind::Hooked,
        Some(_) => return err!(ZkgateError::MintHasTransferHook),
    };
    let types = state
        .get_extension_types()
        .map_err(|_| error!(ZkgateError::MintExtensionsUnreadable))?;
    for t in types {
        match t {
            ExtensionType::TransferFeeConfig => return err!(ZkgateError::MintHasTransferFee),
            ExtensionType::PermanentDelegate if kind == MintKind::Plain => {
                return err!(ZkgateError::MintHasPermanentDelegate)
            }
            ExtensionType::PermanentDelegate | ExtensionType::TransferHook => {}
            ExtensionType::NonTransferable => return err!(ZkgateError::MintNonTransferable),
            ExtensionType::ConfidentialTransferMint
            | ExtensionType::ConfidentialTransferFeeConfig
            | ExtensionType::ConfidentialMintBurn => {
                return err!(ZkgateError::MintHasConfidentialTransfers)
            }
            ExtensionType::DefaultAccountState
            | ExtensionType::Pausable
            | ExtensionType::MintCloseAuthority
            | ExtensionType::InterestBearingConfig
            | ExtensionType::ScaledUiAmount
            | ExtensionType::MetadataPointer
            | ExtensionType::TokenMetadata
            | ExtensionType::GroupPointer
            | ExtensionType::TokenGroup
            | ExtensionType::GroupMemberPointer
            | ExtensionType::TokenGroupMember => {}
            // Anything newer than this table is refused until it has been assessed.
            _ => return err!(ZkgateError::MintExtensionUnsupported),
        }
    }
    Ok(kind)
}

fn account_state<'a>(data: &'a [u8]) -> Result<PodStateWithExtensions<'a, PodAccount>> {
    PodStateWithExtensions::<PodAccount>::unpack(data)
        .map_err(|_| error!(ZkgateError::MintExtensionsUnreadable))
}

/// Refuses a source whose CPI guard is on and a destination that requires memos.
pub fn check_token_accounts(source: &AccountInfo, destination: &AccountInfo) -> Result<()> {
    if is_token_2022(source) {
        let data = source.try_borrow_data()?;
        let state = account_state(&data)?;
        if let Ok(guard) = state.get_extension::<CpiGuard>() {
            require!(
                !bool::from(guard.lock_cpi),
                ZkgateError::SourceCpiGuardEnabled
            );
        }
    }
    if is_token_2022(destination) {
        let data = destination.try_borrow_data()?;
        let state = account_state(&data)?;
        if let Ok(memo) = state.get_extension::<MemoTransfer>() {
            require!(
                !bool::from(memo.require_incoming_transfer_memos),
                ZkgateError::DestinationRequiresMemo
            );
        }
    }
    Ok(())
}
