use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::transfer_hook::TransferHookAccount;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, PodStateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::pod::PodAccount;

use crate::errors::HookError;
use crate::events::ExemptTransfer;
use crate::state::*;

/// Accounts of `execute`, in the order of the transfer-hook interface: the four accounts of the
/// transfer, the extra-account-metas list, then the extras it lists (see
/// [`crate::instructions::extra_account_metas`]).
#[event_cpi]
#[derive(Accounts)]
pub struct Execute<'info> {
    /// The debited token account.
    /// CHECK: read in the handler (Token-2022 account of `mint`, marked transferring).
    pub source: UncheckedAccount<'info>,
    /// The mint.
    /// CHECK: only its key is compared (the source's mint, the approval's and config's mint).
    pub mint: UncheckedAccount<'info>,
    /// The credited token account.
    /// CHECK: only its key is compared with the approval's destination.
    pub destination: UncheckedAccount<'info>,
    /// The transfer's authority (the source's owner, a delegate, or the exempt authority).
    /// CHECK: only its key is compared.
    pub owner: UncheckedAccount<'info>,
    /// The mint's extra-account-metas list, which also holds the mint's [`MintConfig`].
    /// CHECK: owner and the config's mint are checked in the handler (Token-2022 found it at
    /// the interface's address).
    pub extra_account_metas: UncheckedAccount<'info>,
    /// The approval for (mint, source), possibly absent (then the transfer is refused).
    /// CHECK: owner, discriminator, mint and source are checked in the handler, so a missing
    /// approval gets its own error.
    #[account(mut)]
    pub approval: UncheckedAccount<'info>,
}

/// What `execute` decided.
enum Decision {
    /// The exempt authority signed: pass and event it.
    Exempt,
    /// The owner signed: an approval must match.
    Approved,
}

impl Execute<'_> {
    fn decide(&self) -> Result<Decision> {
        require_keys_eq!(
            *self.source.owner,
            anchor_spl::token_2022::ID,
            HookError::NotTransferring
        );
        let data = self.source.try_borrow_data()?;
        let account = PodStateWithExtensions::<PodAccount>::unpack(&data)
            .map_err(|_| error!(HookError::TokenDataUnreadable))?;
        // Token-2022 marks both accounts transferring for the duration of the hook call; only it
        // can write that flag, so a direct call of `execute` is refused here.
        let transferring = account
            .get_extension::<TransferHookAccount>()
            .map(|ext| bool::from(ext.transferring))
            .unwrap_or(false);
        require!(transferring, HookError::NotTransferring);
        require_keys_eq!(
            account.base.mint,
            self.mint.key(),
            HookError::AccountMismatch
        );
        // Only `configure_mint` writes hook-owned lists, each at its mint's address, holding
        // that mint's config.
        require_keys_eq!(
            *self.extra_account_metas.owner,
            crate::ID,
            HookError::AccountMismatch
        );
        let config = MintConfig::from_list_data(&self.extra_account_metas.try_borrow_data()?)?;
        require_keys_eq!(config.mint, self.mint.key(), HookError::AccountMismatch);
        if config.exempt_authority == Some(self.owner.key()) {
            return Ok(Decision::Exempt);
        }
        require_keys_eq!(
            account.base.owner,
            self.owner.key(),
            HookError::DelegateTransfer
        );
        Ok(Decision::Approved)
    }

    /// Checks the approval (or the exempt authority) and consumes the approval.
    pub fn handler(ctx: Context<Self>, amount: u64) -> Result<()> {
        let accounts = ctx.accounts;
        let slot = Clock::get()?.slot;
        if let Decision::Exempt = accounts.decide()? {
            let event = ExemptTransfer {
                mint: accounts.mint.key(),
                source: accounts.source.key(),
                destination: accounts.destination.key(),
                authority: accounts.owner.key(),
                amount,
                slot,
            };
            return emit_event(&accounts.event_authority, &accounts.program, &event);
        }

        let info = &accounts.approval;
        require!(
            *info.owner == crate::ID && !info.data_is_empty(),
            HookError::NoApproval
        );
        let mut approval = {
            let data = info.try_borrow_data()?;
            Approval::try_deserialize(&mut &data[..])?
        };
        require!(
            approval.mint == accounts.mint.key() && approval.source == accounts.source.key(),
            HookError::AccountMismatch
        );
        require!(!approval.used, HookError::ApprovalUsed);
        require!(slot <= approval.expires_at_slot, HookError::ApprovalExpired);
        require_keys_eq!(
            approval.destination,
            accounts.destination.key(),
            HookError::ApprovalDestinationMismatch
        );
        require_eq!(approval.amount, amount, HookError::ApprovalAmountMismatch);
        approval.used = true;
        let mut data = info.try_borrow_mut_data()?;
        approval.try_serialize(&mut &mut data[..])
    }
}

/// `emit_cpi!` without its `ctx`: a self-CPI signed by the event authority.
fn emit_event<'info, E: anchor_lang::Event>(
    event_authority: &AccountInfo<'info>,
    program: &AccountInfo<'info>,
    event: &E,
) -> Result<()> {
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
    let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    data.extend_from_slice(&event.data());
    let ix = Instruction::new_with_bytes(
        crate::ID,
        &data,
        vec![AccountMeta::new_readonly(*event_authority.key, true)],
    );
    anchor_lang::solana_program::program::invoke_signed(
        &ix,
        &[event_authority.clone(), program.clone()],
        &[&[b"__event_authority", &[crate::EVENT_AUTHORITY_AND_BUMP.1]]],
    )
    .map_err(Into::into)
}
