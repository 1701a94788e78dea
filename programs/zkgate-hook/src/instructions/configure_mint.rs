use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::token_2022::spl_token_2022::extension::transfer_hook::TransferHook;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, PodStateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::pod::PodMint;
use anchor_spl::token_interface::{Mint, Token2022};
use spl_tlv_account_resolution::account::ExtraAccountMeta;
use spl_tlv_account_resolution::seeds::Seed;
use spl_tlv_account_resolution::state::ExtraAccountMetaList;
use spl_transfer_hook_interface::instruction::ExecuteInstruction;

use crate::errors::HookError;
use crate::state::*;
use crate::ZKGATE_AUTHORITY;

/// Accounts of `configure_mint`.
#[derive(Accounts)]
pub struct ConfigureMint<'info> {
    /// zkgate's config PDA, signing by CPI (zkgate's admin instruction `configure_mint_hook`).
    #[account(address = ZKGATE_AUTHORITY @ HookError::NotZkgate)]
    pub zkgate_authority: Signer<'info>,
    /// Pays for the new accounts.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The Token-2022 mint whose transfer hook is this program.
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The mint's extra-account-metas list and, as a second entry, its [`MintConfig`];
    /// created on the first call.
    /// CHECK: the interface's PDA, created and written here.
    #[account(mut, seeds = [SEED_EXTRA_ACCOUNT_METAS, mint.key().as_ref()], bump)]
    pub extra_account_metas: UncheckedAccount<'info>,
    /// Token-2022 (transfer hooks exist only there).
    pub token_program: Program<'info, Token2022>,
    /// System program (creates the accounts).
    pub system_program: Program<'info, System>,
}

/// The accounts `execute` needs beyond the interface's five, in order: the approval for
/// (mint, source) (writable: `execute` consumes it) and the event-CPI pair (this program's
/// event authority and the program itself).
pub fn extra_account_metas() -> Result<[ExtraAccountMeta; 3]> {
    Ok([
        ExtraAccountMeta::new_with_seeds(
            &[
                Seed::Literal {
                    bytes: SEED_APPROVAL.to_vec(),
                },
                Seed::AccountKey { index: 1 },
                Seed::AccountKey { index: 0 },
            ],
            false,
            true,
        )?,
        ExtraAccountMeta::new_with_pubkey(&crate::EVENT_AUTHORITY_AND_BUMP.0, false, false)?,
        ExtraAccountMeta::new_with_pubkey(&crate::ID, false, false)?,
    ])
}

/// Whether `mint`'s transfer-hook extension names this program.
pub fn mint_is_hooked(mint: &AccountInfo) -> Result<bool> {
    let data = mint.try_borrow_data()?;
    let state = PodStateWithExtensions::<PodMint>::unpack(&data)
        .map_err(|_| error!(HookError::TokenDataUnreadable))?;
    Ok(state
        .get_extension::<TransferHook>()
        .ok()
        .and_then(|hook| Option::<Pubkey>::from(hook.program_id))
        == Some(crate::ID))
}

impl ConfigureMint<'_> {
    /// Creates the extra-account-metas list if it does not exist, and sets the exempt authority.
    pub fn handler(ctx: Context<Self>, exempt_authority: Option<Pubkey>) -> Result<()> {
        let accounts = ctx.accounts;
        require!(
            mint_is_hooked(&accounts.mint.to_account_info())?,
            HookError::MintNotHooked
        );
        let config = MintConfig {
            mint: accounts.mint.key(),
            exempt_authority,
        };
        let list = &accounts.extra_account_metas;
        if list.data_is_empty() {
            let metas = extra_account_metas()?;
            let space = ExtraAccountMetaList::size_of(metas.len())? + MintConfig::entry_space();
            let mint_key = accounts.mint.key();
            let bump = [ctx.bumps.extra_account_metas];
            let seeds: &[&[u8]] = &[SEED_EXTRA_ACCOUNT_METAS, mint_key.as_ref(), &bump];
            create_pda(
                &accounts.payer,
                list,
                &accounts.system_program,
                space,
                seeds,
            )?;
            let mut data = list.try_borrow_mut_data()?;
            ExtraAccountMetaList::init::<ExecuteInstruction>(&mut data, &metas)?;
            config.append(&mut data)
        } else {
            config.store(&mut list.try_borrow_mut_data()?)
        }
    }
}

/// Creates a program-owned PDA of `space` bytes, also when someone already sent it lamports
/// (then it is topped up, allocated and assigned, as Anchor's `init` does).
fn create_pda<'info>(
    payer: &Signer<'info>,
    target: &UncheckedAccount<'info>,
    system: &Program<'info, System>,
    space: usize,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer = &[seeds];
    let current = target.lamports();
    if current == 0 {
        return system_program::create_account(
            CpiContext::new_with_signer(
                system.key(),
                system_program::CreateAccount {
                    from: payer.to_account_info(),
                    to: target.to_account_info(),
                },
                signer,
            ),
            rent,
            space as u64,
            &crate::ID,
        );
    }
    if current < rent {
        system_program::transfer(
            CpiContext::new(
                system.key(),
                system_program::Transfer {
                    from: payer.to_account_info(),
                    to: target.to_account_info(),
                },
            ),
            rent - current,
        )?;
    }
    system_program::allocate(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Allocate {
                account_to_allocate: target.to_account_info(),
            },
            signer,
        ),
        space as u64,
    )?;
    system_program::assign(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Assign {
                account_to_assign: target.to_account_info(),
            },
            signer,
        ),
        &crate::ID,
    )
}
