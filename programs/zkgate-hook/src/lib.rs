//! zkgate-hook: the Token-2022 transfer hook of zkgate-compliant mints.
//!
//! A mint whose `TransferHook` extension names this program moves tokens only when zkgate
//! recorded an approval for exactly that transfer after verifying a compliance proof: Token-2022
//! calls `execute` on every transfer (from any wallet or program), and `execute` refuses unless
//! the approval for (mint, source token account) exists, is unused, unexpired, and names the same
//! destination and amount; then it marks the approval consumed. Approvals and mint
//! configurations are written only by zkgate, signing with its config PDA
//! ([`ZKGATE_AUTHORITY`]). An optional exempt authority per mint (e.g. the permanent delegate
//! that executes a court-ordered clawback) passes without an approval, and every such transfer
//! emits [`events::ExemptTransfer`].
use anchor_lang::prelude::*;
use spl_discriminator::SplDiscriminate;
use spl_transfer_hook_interface::instruction::ExecuteInstruction;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;

use instructions::*;

declare_id!("ZKGateHook111111111111111111111111111111111");

/// The zkgate program, the only writer of approvals.
pub const ZKGATE_PROGRAM_ID: Pubkey = pubkey!("ZKGate1111111111111111111111111111111111111");

/// zkgate's config PDA (`["config"]` under [`ZKGATE_PROGRAM_ID`]): the signer this program
/// requires to configure a mint or record an approval. A constant (checked by a test against the
/// derivation) so no instruction pays for a PDA search.
pub const ZKGATE_AUTHORITY: Pubkey = pubkey!("4HEoeJ5Pnqoym3bgdwVyEKP3LtCCmqdRuzHpusbhUeTa");

/// The zkgate-hook program.
#[program]
pub mod zkgate_hook {
    use super::*;

    /// zkgate (config PDA signing): creates the mint's extra-account-metas list (first call)
    /// and sets its exempt authority.
    pub fn configure_mint(
        ctx: Context<ConfigureMint>,
        exempt_authority: Option<Pubkey>,
    ) -> Result<()> {
        ConfigureMint::handler(ctx, exempt_authority)
    }

    /// zkgate (config PDA signing): records the approval of one transfer from `source`,
    /// replacing the previous one.
    pub fn record_approval(ctx: Context<RecordApproval>, args: ApprovalArgs) -> Result<()> {
        RecordApproval::handler(ctx, args)
    }

    /// Token-2022, during a transfer: lets it through only with a matching unused approval (or
    /// from the exempt authority), and consumes the approval.
    #[instruction(discriminator = ExecuteInstruction::SPL_DISCRIMINATOR_SLICE)]
    pub fn execute(ctx: Context<Execute>, amount: u64) -> Result<()> {
        Execute::handler(ctx, amount)
    }
}
