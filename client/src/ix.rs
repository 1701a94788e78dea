//! Instruction builders for every zkgate instruction.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_program;
use anchor_lang::{InstructionData, ToAccountMetas};
use zkgate::instructions::{RegisterRuleSetArgs, RuleSetConfigArgs, TransferArgs};
use zkgate::state::RuleSetStatus;

use crate::pda;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: zkgate::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `initialize`: `admin` becomes the first admin and pays.
pub fn initialize(admin: &Pubkey) -> Instruction {
    build(
        zkgate::accounts::Initialize {
            admin: *admin,
            config: pda::config(),
            system_program: system_program::ID,
        },
        zkgate::instruction::Initialize {},
    )
}

fn admin_only(admin: &Pubkey) -> zkgate::accounts::AdminOnly {
    zkgate::accounts::AdminOnly {
        admin: *admin,
        config: pda::config(),
    }
}

/// `propose_admin`.
pub fn propose_admin(admin: &Pubkey, new_admin: Option<Pubkey>) -> Instruction {
    build(
        admin_only(admin),
        zkgate::instruction::ProposeAdmin { new_admin },
    )
}

/// `accept_admin`.
pub fn accept_admin(new_admin: &Pubkey) -> Instruction {
    build(
        zkgate::accounts::AcceptAdmin {
            new_admin: *new_admin,
            config: pda::config(),
        },
        zkgate::instruction::AcceptAdmin {},
    )
}

/// `set_paused`.
pub fn set_paused(admin: &Pubkey, paused: bool) -> Instruction {
    build(admin_only(admin), zkgate::instruction::SetPaused { paused })
}

/// `register_rule_set`.
pub fn register_rule_set(admin: &Pubkey, args: RegisterRuleSetArgs) -> Instruction {
    build(
        zkgate::accounts::RegisterRuleSet {
            admin: *admin,
            config: pda::config(),
            rule_set: pda::rule_set(args.id),
            system_program: system_program::ID,
        },
        zkgate::instruction::RegisterRuleSet { args },
    )
}

/// `update_rule_set`.
pub fn update_rule_set(authority: &Pubkey, id: u64, config: RuleSetConfigArgs) -> Instruction {
    build(
        zkgate::accounts::RuleSetAuthority {
            authority: *authority,
            rule_set: pda::rule_set(id),
        },
        zkgate::instruction::UpdateRuleSet { config },
    )
}

/// `set_rule_set_status`.
pub fn set_rule_set_status(authority: &Pubkey, id: u64, status: RuleSetStatus) -> Instruction {
    build(
        zkgate::accounts::RuleSetAuthority {
            authority: *authority,
            rule_set: pda::rule_set(id),
        },
        zkgate::instruction::SetRuleSetStatus { status },
    )
}

/// `add_issuer`.
pub fn add_issuer(admin: &Pubkey, id: u64, authority: &Pubkey) -> Instruction {
    build(
        zkgate::accounts::AddIssuer {
            admin: *admin,
            config: pda::config(),
            issuer: pda::issuer(id),
            system_program: system_program::ID,
        },
        zkgate::instruction::AddIssuer {
            id,
            authority: *authority,
        },
    )
}

/// `set_issuer_active`.
pub fn set_issuer_active(admin: &Pubkey, id: u64, active: bool) -> Instruction {
    build(
        zkgate::accounts::SetIssuerActive {
            admin: *admin,
            config: pda::config(),
            issuer: pda::issuer(id),
        },
        zkgate::instruction::SetIssuerActive { active },
    )
}

/// `publish_credential_root`.
pub fn publish_credential_root(authority: &Pubkey, issuer_id: u64, root: [u8; 32]) -> Instruction {
    build(
        zkgate::accounts::PublishCredentialRoot {
            authority: *authority,
            issuer: pda::issuer(issuer_id),
        },
        zkgate::instruction::PublishCredentialRoot { root },
    )
}

/// `create_sanctions_list`.
pub fn create_sanctions_list(
    admin: &Pubkey,
    id: u64,
    authority: &Pubkey,
    initial_root: [u8; 32],
) -> Instruction {
    build(
        zkgate::accounts::CreateSanctionsList {
            admin: *admin,
            config: pda::config(),
            sanctions_list: pda::sanctions_list(id),
            system_program: system_program::ID,
        },
        zkgate::instruction::CreateSanctionsList {
            id,
            authority: *authority,
            initial_root,
        },
    )
}

/// `publish_sanctions_root`.
pub fn publish_sanctions_root(authority: &Pubkey, list_id: u64, root: [u8; 32]) -> Instruction {
    build(
        zkgate::accounts::PublishSanctionsRoot {
            authority: *authority,
            sanctions_list: pda::sanctions_list(list_id),
        },
        zkgate::instruction::PublishSanctionsRoot { root },
    )
}

/// The accounts a `transfer` touches besides the PDAs the builder derives.
#[derive(Clone, Debug)]
pub struct TransferAccounts {
    /// Sending wallet (signer).
    pub sender: Pubkey,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Issuer id of the sender's credential.
    pub issuer_id: u64,
    /// Sanctions list id of the rule-set.
    pub sanctions_list_id: u64,
    /// Token mint.
    pub mint: Pubkey,
    /// Sender's token account.
    pub source: Pubkey,
    /// Recipient's token account.
    pub destination: Pubkey,
    /// SPL Token or Token-2022 program id.
    pub token_program: Pubkey,
}

/// `transfer`.
pub fn transfer(accounts: &TransferAccounts, args: TransferArgs) -> Instruction {
    let rule_set = pda::rule_set(accounts.rule_set_id);
    build(
        zkgate::accounts::Transfer {
            sender: accounts.sender,
            config: pda::config(),
            rule_set,
            issuer: pda::issuer(accounts.issuer_id),
            sanctions_list: pda::sanctions_list(accounts.sanctions_list_id),
            sender_state: pda::sender_state(&rule_set, &accounts.sender),
            mint: accounts.mint,
            source: accounts.source,
            destination: accounts.destination,
            token_program: accounts.token_program,
            system_program: system_program::ID,
        },
        zkgate::instruction::Transfer { args },
    )
}

/// The `transfer` instruction for a prover's answer to `request`: amount, timestamp and roots
/// from the request (what the proof commits to), the 256 proof bytes from the response.
pub fn transfer_from_proof(
    accounts: &TransferAccounts,
    request: &crate::api::ProofRequest,
    response: &crate::api::ProofResponse,
) -> Result<Instruction, crate::api::FieldError> {
    let t = &request.transfer;
    let proof = response
        .proof_bytes()
        .map_err(|message| crate::api::FieldError {
            field: "proof_hex".into(),
            message,
        })?;
    Ok(transfer(
        accounts,
        TransferArgs {
            amount: t.amount,
            timestamp: t.timestamp,
            credential_root: crate::api::decode_field(
                "transfer.credential_root",
                &t.credential_root,
            )?,
            sanctions_root: crate::api::decode_field("transfer.sanctions_root", &t.sanctions_root)?,
            proof,
        },
    ))
}
