//! Instruction builders for every zkgate instruction.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_program;
use anchor_lang::{InstructionData, ToAccountMetas};
use zkgate::instructions::{
    IssuePassArgs, RegisterRuleSetArgs, RuleSetConfigArgs, TransferArgs, VerifyingKeyArgs,
};
use zkgate::state::RuleSetStatus;

use anchor_spl::token_2022::spl_token_2022;

use crate::pda;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: zkgate::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The event-CPI accounts every instruction ends with: the event authority PDA and the
/// program itself.
fn event_accounts() -> (Pubkey, Pubkey) {
    (zkgate::EVENT_AUTHORITY_AND_BUMP.0, zkgate::ID)
}

/// `initialize`: `admin` (the program's upgrade authority) becomes the first admin and pays.
pub fn initialize(admin: &Pubkey) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::Initialize {
            admin: *admin,
            program_data: pda::program_data(),
            config: pda::config(),
            system_program: system_program::ID,
            event_authority,
            program,
        },
        zkgate::instruction::Initialize {},
    )
}

fn admin_only(admin: &Pubkey) -> zkgate::accounts::AdminOnly {
    let (event_authority, program) = event_accounts();
    zkgate::accounts::AdminOnly {
        admin: *admin,
        config: pda::config(),
        event_authority,
        program,
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
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::AcceptAdmin {
            new_admin: *new_admin,
            config: pda::config(),
            event_authority,
            program,
        },
        zkgate::instruction::AcceptAdmin {},
    )
}

/// `set_paused`.
pub fn set_paused(admin: &Pubkey, paused: bool) -> Instruction {
    build(admin_only(admin), zkgate::instruction::SetPaused { paused })
}

/// The accounts a rule-set's configuration names: its accepted issuers (passed as remaining
/// accounts, in order), its sanctions list and the mint it binds, if any.
#[derive(Clone, Debug)]
pub struct RuleSetRefs {
    /// `Issuer` accounts (1 to 8).
    pub issuers: Vec<Pubkey>,
    /// The `SanctionsList` account.
    pub sanctions_list: Pubkey,
    /// The bound mint, if any.
    pub mint: Option<Pubkey>,
}

fn with_issuers(mut ix: Instruction, issuers: &[Pubkey]) -> Instruction {
    ix.accounts.extend(
        issuers.iter().map(|k| {
            anchor_lang::solana_program::instruction::AccountMeta::new_readonly(*k, false)
        }),
    );
    ix
}

/// `register_rule_set` (without a key: `set_verifying_key` follows).
pub fn register_rule_set(
    admin: &Pubkey,
    args: RegisterRuleSetArgs,
    refs: &RuleSetRefs,
) -> Instruction {
    let (event_authority, program) = event_accounts();
    let ix = build(
        zkgate::accounts::RegisterRuleSet {
            admin: *admin,
            config: pda::config(),
            rule_set: pda::rule_set(args.id),
            sanctions_list: refs.sanctions_list,
            mint: refs.mint,
            system_program: system_program::ID,
            event_authority,
            program,
        },
        zkgate::instruction::RegisterRuleSet { args },
    );
    with_issuers(ix, &refs.issuers)
}

/// `update_rule_set`.
pub fn update_rule_set(
    authority: &Pubkey,
    id: u64,
    config: RuleSetConfigArgs,
    refs: &RuleSetRefs,
) -> Instruction {
    let (event_authority, program) = event_accounts();
    let ix = build(
        zkgate::accounts::UpdateRuleSet {
            authority: *authority,
            rule_set: pda::rule_set(id),
            sanctions_list: refs.sanctions_list,
            mint: refs.mint,
            event_authority,
            program,
        },
        zkgate::instruction::UpdateRuleSet { config },
    );
    with_issuers(ix, &refs.issuers)
}

/// `set_verifying_key`: signed by the rule-set authority and the admin.
pub fn set_verifying_key(
    authority: &Pubkey,
    admin: &Pubkey,
    id: u64,
    vk: VerifyingKeyArgs,
) -> Instruction {
    build(
        key_accounts(authority, admin, id),
        zkgate::instruction::SetVerifyingKey { vk },
    )
}

/// The accounts of both key instructions (the same co-signers).
fn key_accounts(authority: &Pubkey, admin: &Pubkey, id: u64) -> zkgate::accounts::SetVerifyingKey {
    let (event_authority, program) = event_accounts();
    zkgate::accounts::SetVerifyingKey {
        authority: *authority,
        admin: *admin,
        config: pda::config(),
        rule_set: pda::rule_set(id),
        event_authority,
        program,
    }
}

/// `set_pass_verifying_key`: the recipient-pass circuit's key, co-signed like
/// [`set_verifying_key`].
pub fn set_pass_verifying_key(
    authority: &Pubkey,
    admin: &Pubkey,
    id: u64,
    vk: VerifyingKeyArgs,
) -> Instruction {
    build(
        key_accounts(authority, admin, id),
        zkgate::instruction::SetPassVerifyingKey { vk },
    )
}

/// The accounts of `issue_pass`.
#[derive(Clone, Debug)]
pub struct PassAccounts {
    /// Pays for the pass account (signer).
    pub payer: Pubkey,
    /// The wallet the pass is for.
    pub wallet: Pubkey,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Issuer id of the wallet's credential.
    pub issuer_id: u64,
    /// Sanctions list id of the rule-set.
    pub sanctions_list_id: u64,
}

/// `issue_pass`: records `wallet`'s pass after verifying its pass proof.
pub fn issue_pass(accounts: &PassAccounts, args: IssuePassArgs) -> Instruction {
    let rule_set = pda::rule_set(accounts.rule_set_id);
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::IssuePass {
            payer: accounts.payer,
            wallet: accounts.wallet,
            config: pda::config(),
            rule_set,
            issuer: pda::issuer(accounts.issuer_id),
            sanctions_list: pda::sanctions_list(accounts.sanctions_list_id),
            pass: pda::pass(&rule_set, &accounts.wallet),
            system_program: system_program::ID,
            event_authority,
            program,
        },
        zkgate::instruction::IssuePass { args },
    )
}

/// `set_rule_set_status`: signed by the rule-set authority or the admin.
pub fn set_rule_set_status(signer: &Pubkey, id: u64, status: RuleSetStatus) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::SetRuleSetStatus {
            signer: *signer,
            config: pda::config(),
            rule_set: pda::rule_set(id),
            event_authority,
            program,
        },
        zkgate::instruction::SetRuleSetStatus { status },
    )
}

/// The account an authority hand-over is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorityTarget {
    /// A rule-set, by id.
    RuleSet(u64),
    /// An issuer, by id.
    Issuer(u64),
    /// A sanctions list, by id.
    SanctionsList(u64),
}

fn authority_target(signer: &Pubkey, target: AuthorityTarget) -> zkgate::accounts::AuthorityTarget {
    let (event_authority, program) = event_accounts();
    let (mut rule_set, mut issuer, mut sanctions_list) = (None, None, None);
    match target {
        AuthorityTarget::RuleSet(id) => rule_set = Some(pda::rule_set(id)),
        AuthorityTarget::Issuer(id) => issuer = Some(pda::issuer(id)),
        AuthorityTarget::SanctionsList(id) => sanctions_list = Some(pda::sanctions_list(id)),
    }
    zkgate::accounts::AuthorityTarget {
        signer: *signer,
        config: pda::config(),
        rule_set,
        issuer,
        sanctions_list,
        event_authority,
        program,
    }
}

/// `propose_authority`: signed by the target's authority or the admin.
pub fn propose_authority(
    signer: &Pubkey,
    target: AuthorityTarget,
    new_authority: Option<Pubkey>,
) -> Instruction {
    build(
        authority_target(signer, target),
        zkgate::instruction::ProposeAuthority { new_authority },
    )
}

/// `accept_authority`: signed by the proposed authority.
pub fn accept_authority(signer: &Pubkey, target: AuthorityTarget) -> Instruction {
    build(
        authority_target(signer, target),
        zkgate::instruction::AcceptAuthority {},
    )
}

/// `add_issuer`.
pub fn add_issuer(admin: &Pubkey, id: u64, authority: &Pubkey) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::AddIssuer {
            admin: *admin,
            config: pda::config(),
            issuer: pda::issuer(id),
            system_program: system_program::ID,
            event_authority,
            program,
        },
        zkgate::instruction::AddIssuer {
            id,
            authority: *authority,
        },
    )
}

/// `set_issuer_active`.
pub fn set_issuer_active(admin: &Pubkey, id: u64, active: bool) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::SetIssuerActive {
            admin: *admin,
            config: pda::config(),
            issuer: pda::issuer(id),
            event_authority,
            program,
        },
        zkgate::instruction::SetIssuerActive { active },
    )
}

/// `publish_credential_root`.
pub fn publish_credential_root(authority: &Pubkey, issuer_id: u64, root: [u8; 32]) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::PublishCredentialRoot {
            authority: *authority,
            issuer: pda::issuer(issuer_id),
            event_authority,
            program,
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
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::CreateSanctionsList {
            admin: *admin,
            config: pda::config(),
            sanctions_list: pda::sanctions_list(id),
            system_program: system_program::ID,
            event_authority,
            program,
        },
        zkgate::instruction::CreateSanctionsList {
            id,
            authority: *authority,
            initial_root,
        },
    )
}

/// `set_sanctions_list_active`.
pub fn set_sanctions_list_active(admin: &Pubkey, id: u64, active: bool) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::SetSanctionsListActive {
            admin: *admin,
            config: pda::config(),
            sanctions_list: pda::sanctions_list(id),
            event_authority,
            program,
        },
        zkgate::instruction::SetSanctionsListActive { active },
    )
}

/// `publish_sanctions_root`.
pub fn publish_sanctions_root(authority: &Pubkey, list_id: u64, root: [u8; 32]) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::PublishSanctionsRoot {
            authority: *authority,
            sanctions_list: pda::sanctions_list(list_id),
            event_authority,
            program,
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
    /// The mint's transfer hook is zkgate-hook: the hook's accounts are appended.
    pub hooked: bool,
    /// Two-sided rule-sets: the recipient wallet (the destination's owner), whose `Pass` is
    /// appended. `None` when the rule-set requires no pass.
    pub recipient: Option<Pubkey>,
}

/// The accounts of `transfer` / `approve` that are the same for every transfer of one rule-set,
/// issuer and mint: what an address lookup table holds so that a version-0 transaction carries
/// a one-byte index for each instead of 32 bytes. A hooked or two-sided transfer, with its
/// proof and auditor disclosure, does not fit a legacy (1,232-byte) transaction without one;
/// a plain one-sided transfer does. Program ids a transaction invokes directly stay in the
/// message whatever the table holds (`v0::Message::try_compile` leaves them out of lookups).
pub fn lookup_table_addresses(accounts: &TransferAccounts) -> Vec<Pubkey> {
    let (event_authority, program) = event_accounts();
    let mut out = vec![
        pda::config(),
        pda::rule_set(accounts.rule_set_id),
        pda::issuer(accounts.issuer_id),
        pda::sanctions_list(accounts.sanctions_list_id),
        accounts.mint,
        accounts.token_program,
        system_program::ID,
        event_authority,
        program,
    ];
    if accounts.hooked {
        out.extend([
            zkgate_hook::ID,
            pda::hook::extra_account_metas(&accounts.mint),
            pda::hook::event_authority(),
        ]);
    }
    out
}

/// The zkgate-hook accounts of `transfer` / `approve` (all `None` for a mint without the hook).
struct HookAccounts {
    program: Option<Pubkey>,
    approval: Option<Pubkey>,
    extra_account_metas: Option<Pubkey>,
    event_authority: Option<Pubkey>,
}

impl HookAccounts {
    fn new(accounts: &TransferAccounts, for_transfer: bool) -> Self {
        let hooked = accounts.hooked;
        let moving = hooked && for_transfer;
        HookAccounts {
            program: hooked.then_some(zkgate_hook::ID),
            approval: hooked.then(|| pda::hook::approval(&accounts.mint, &accounts.source)),
            extra_account_metas: moving.then(|| pda::hook::extra_account_metas(&accounts.mint)),
            event_authority: moving.then(pda::hook::event_authority),
        }
    }
}

fn transfer_like(
    accounts: &TransferAccounts,
    subject_tag: &[u8; 32],
    for_transfer: bool,
) -> zkgate::accounts::Transfer {
    let rule_set = pda::rule_set(accounts.rule_set_id);
    let (event_authority, program) = event_accounts();
    let hook = HookAccounts::new(accounts, for_transfer);
    zkgate::accounts::Transfer {
        sender: accounts.sender,
        config: pda::config(),
        rule_set,
        issuer: pda::issuer(accounts.issuer_id),
        sanctions_list: pda::sanctions_list(accounts.sanctions_list_id),
        subject_state: pda::subject_state(&rule_set, subject_tag),
        mint: accounts.mint,
        source: accounts.source,
        destination: accounts.destination,
        token_program: accounts.token_program,
        system_program: system_program::ID,
        hook_program: hook.program,
        approval: hook.approval,
        hook_extra_account_metas: hook.extra_account_metas,
        hook_event_authority: hook.event_authority,
        recipient_pass: accounts
            .recipient
            .map(|wallet| pda::pass(&rule_set, &wallet)),
        event_authority,
        program,
    }
}

/// `transfer` (the subject state PDA comes from the arguments' subject tag). On a hooked mint
/// zkgate records the hook's approval and performs the hooked `transfer_checked` itself.
pub fn transfer(accounts: &TransferAccounts, args: TransferArgs) -> Instruction {
    build(
        transfer_like(accounts, &args.subject_tag, true),
        zkgate::instruction::Transfer { args },
    )
}

/// `approve`: the same proof as `transfer`, but zkgate only records zkgate-hook's approval; the
/// sender's [`hooked_transfer_checked`] must follow in the same transaction.
pub fn approve(accounts: &TransferAccounts, args: TransferArgs) -> Instruction {
    build(
        transfer_like(accounts, &args.subject_tag, false),
        zkgate::instruction::Approve { args },
    )
}

/// Token-2022's `TransferChecked` of a mint hooked by zkgate-hook, with the accounts the hook
/// needs appended (what a wallet that resolves transfer-hook accounts appends by itself: the
/// approval, the hook's event authority, the hook program and the extra-account-metas list).
pub fn hooked_transfer_checked(
    source: &Pubkey,
    mint: &Pubkey,
    destination: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Instruction {
    use anchor_lang::solana_program::instruction::AccountMeta;
    let mut ix = spl_token_2022::instruction::transfer_checked(
        &spl_token_2022::ID,
        source,
        mint,
        destination,
        authority,
        &[],
        amount,
        decimals,
    )
    .expect("Token-2022 is a valid token program id");
    ix.accounts.extend([
        AccountMeta::new(pda::hook::approval(mint, source), false),
        AccountMeta::new_readonly(pda::hook::event_authority(), false),
        AccountMeta::new_readonly(zkgate_hook::ID, false),
        AccountMeta::new_readonly(pda::hook::extra_account_metas(mint), false),
    ]);
    ix
}

/// `configure_mint_hook`: the admin makes zkgate-hook enforce `mint` (a Token-2022 mint whose
/// transfer hook names zkgate-hook) and sets its exempt authority.
pub fn configure_mint_hook(
    admin: &Pubkey,
    mint: &Pubkey,
    exempt_authority: Option<Pubkey>,
) -> Instruction {
    let (event_authority, program) = event_accounts();
    build(
        zkgate::accounts::ConfigureMintHook {
            admin: *admin,
            config: pda::config(),
            mint: *mint,
            hook_extra_account_metas: pda::hook::extra_account_metas(mint),
            hook_program: zkgate_hook::ID,
            token_program: spl_token_2022::ID,
            system_program: system_program::ID,
            event_authority,
            program,
        },
        zkgate::instruction::ConfigureMintHook { exempt_authority },
    )
}

/// The arguments of `transfer` / `approve` for a prover's answer to `request`: amount,
/// valid-until, window volume and roots from the request (what the proof commits to), the
/// subject tag and the 256 proof bytes from the response.
pub fn args_from_proof(
    request: &crate::api::ProofRequest,
    response: &crate::api::ProofResponse,
) -> Result<TransferArgs, crate::api::FieldError> {
    let t = &request.transfer;
    let proof = response
        .proof_bytes()
        .map_err(|message| crate::api::FieldError {
            field: "proof_hex".into(),
            message,
        })?;
    Ok(TransferArgs {
        amount: t.amount,
        valid_until: t.valid_until,
        window_volume: t.window_volume,
        subject_tag: crate::api::decode_field("subject_tag_hex", &response.subject_tag_hex)?,
        credential_root: crate::api::decode_field("transfer.credential_root", &t.credential_root)?,
        sanctions_root: crate::api::decode_field("transfer.sanctions_root", &t.sanctions_root)?,
        disclosure: crate::convert::disclosure(&response.disclosure.decode()?),
        proof,
    })
}

/// The `transfer` instruction for a prover's answer to `request` (see [`args_from_proof`]).
pub fn transfer_from_proof(
    accounts: &TransferAccounts,
    request: &crate::api::ProofRequest,
    response: &crate::api::ProofResponse,
) -> Result<Instruction, crate::api::FieldError> {
    Ok(transfer(accounts, args_from_proof(request, response)?))
}
