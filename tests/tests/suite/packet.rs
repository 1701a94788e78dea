//! Every instruction, at its largest arguments and with a separate fee payer, fits one
//! 1,232-byte transaction packet. The test runtime does not enforce the limit, so this test
//! does: it serializes each signed transaction exactly as a validator receives it.
use anchor_lang::prelude::Pubkey;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;

use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use zkgate::instructions::{RegisterRuleSetArgs, RuleSetConfigArgs, TransferArgs};
use zkgate::state::{RuleSetParams, RuleSetStatus, TimeParams, MAX_ISSUERS, MAX_JURISDICTIONS};
use zkgate_circuits::keys::ProgramVerifyingKey;
use zkgate_client::ix::{self, AuthorityTarget, RuleSetRefs, TransferAccounts};
use zkgate_client::{convert, pda};

/// The largest transaction a validator accepts: an IPv6 MTU (1280) minus the IPv6 (40) and
/// UDP (8) headers (`solana_packet::PACKET_DATA_SIZE`).
const PACKET_DATA_SIZE: usize = 1280 - 40 - 8;

fn size(ix: Instruction, signers: usize) -> usize {
    size_of_tx(vec![ix], signers)
}

/// The size of a transaction of `ixs` with a separate fee payer, where the instructions'
/// `signers` distinct signer keys are replaced by keys we hold (the same key everywhere it
/// appears), so the transaction can be signed.
fn size_of_tx(mut ixs: Vec<Instruction>, signers: usize) -> usize {
    let payer = Keypair::new();
    let mut held: Vec<(Pubkey, Keypair)> = vec![];
    for meta in ixs.iter_mut().flat_map(|ix| ix.accounts.iter_mut()) {
        if !meta.is_signer {
            continue;
        }
        let index = match held
            .iter()
            .position(|(original, _)| *original == meta.pubkey)
        {
            Some(i) => i,
            None => {
                held.push((meta.pubkey, Keypair::new()));
                held.len() - 1
            }
        };
        meta.pubkey = held[index].1.pubkey();
    }
    assert_eq!(held.len(), signers, "distinct signers");
    let mut all: Vec<&Keypair> = vec![&payer];
    all.extend(held.iter().map(|(_, k)| k));
    let tx =
        Transaction::new_signed_with_payer(&ixs, Some(&payer.pubkey()), &all, Hash::new_unique());
    bincode::serialize(&tx).expect("serializes").len()
}

/// [`size_of_tx`] for a version-0 transaction whose lookup table holds `table`.
fn size_of_v0_tx(ixs: Vec<Instruction>, signers: usize, table: &[Pubkey]) -> usize {
    use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
    use solana_sdk::transaction::VersionedTransaction;
    let payer = Keypair::new();
    let held: Vec<Keypair> = (0..signers).map(|_| Keypair::new()).collect();
    let mut ixs = ixs;
    let mut originals: Vec<Pubkey> = vec![];
    for meta in ixs.iter_mut().flat_map(|ix| ix.accounts.iter_mut()) {
        if meta.is_signer {
            let i = originals
                .iter()
                .position(|o| *o == meta.pubkey)
                .unwrap_or_else(|| {
                    originals.push(meta.pubkey);
                    originals.len() - 1
                });
            meta.pubkey = held[i].pubkey();
        }
    }
    assert_eq!(originals.len(), signers, "distinct signers");
    let tables = [AddressLookupTableAccount {
        key: Pubkey::new_unique(),
        addresses: table.to_vec(),
    }];
    let message =
        v0::Message::try_compile(&payer.pubkey(), &ixs, &tables, Hash::new_unique()).expect("v0");
    let mut all: Vec<&Keypair> = vec![&payer];
    all.extend(held.iter());
    let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &all).expect("signs");
    bincode::serialize(&tx).expect("serializes").len()
}

fn max_config() -> RuleSetConfigArgs {
    RuleSetConfigArgs {
        params: RuleSetParams {
            allowed_jurisdictions: [u16::MAX; MAX_JURISDICTIONS],
            denied_jurisdictions: [u16::MAX - 1; MAX_JURISDICTIONS],
            per_transfer_limit: [u64::MAX; 4],
            per_window_limit: [u64::MAX; 4],
            window_seconds: u64::MAX,
            auditor_key: [0xff; 64],
        },
        time: TimeParams {
            max_proof_age_secs: u32::MAX,
            clock_tolerance_secs: u32::MAX,
            credential_root_grace_secs: u32::MAX,
            sanctions_root_grace_secs: u32::MAX,
            pass_ttl_secs: u32::MAX,
        },
        auditor_key_witness: [0xff; 64],
    }
}

/// A hooked transfer's accounts (the largest account list of `transfer` / `approve`).
fn hooked_accounts() -> TransferAccounts {
    let k = Pubkey::new_unique;
    TransferAccounts {
        sender: k(),
        rule_set_id: u64::MAX,
        issuer_id: u64::MAX,
        sanctions_list_id: u64::MAX,
        mint: k(),
        source: k(),
        destination: k(),
        token_program: anchor_spl::token_2022::ID,
        hooked: true,
        recipient: Some(k()),
    }
}

fn max_args() -> TransferArgs {
    TransferArgs {
        amount: u64::MAX,
        valid_until: i64::MAX,
        window_volume: u64::MAX,
        subject_tag: [0xff; 32],
        credential_root: [0xff; 32],
        sanctions_root: [0xff; 32],
        disclosure: zkgate::auditor::AuditDisclosure {
            ephemeral_key: [0xff; 64],
            ciphertext: [[0xff; 32]; 4],
        },
        proof: [0xff; 256],
    }
}

/// What a wallet sends for a zkgate-hook mint under a two-sided rule-set: zkgate's `approve`
/// (with the recipient's pass), then Token-2022's `transfer_checked` with the hook's accounts,
/// one signer (the sender) and a separate payer, as a version-0 transaction through the
/// rule-set's lookup table (`ix::lookup_table_addresses`).
#[test]
fn approve_and_hooked_transfer_checked_fit_a_packet() {
    let a = hooked_accounts();
    let ixs = vec![
        ix::approve(&a, max_args()),
        ix::hooked_transfer_checked(&a.source, &a.mint, &a.destination, &a.sender, u64::MAX, 9),
    ];
    let legacy = size_of_tx(ixs.clone(), 1);
    let bytes = size_of_v0_tx(ixs, 1, &ix::lookup_table_addresses(&a));
    println!(
        "[approve, transfer_checked] with a separate fee payer: {bytes} bytes through a \
         lookup table ({legacy} legacy)"
    );
    assert!(
        bytes <= PACKET_DATA_SIZE,
        "{bytes} bytes > {PACKET_DATA_SIZE}"
    );
}

/// A plain mint's one-sided `transfer` at its maximum fits a legacy transaction (no lookup
/// table needed).
#[test]
fn a_plain_transfer_fits_a_legacy_packet() {
    let mut a = hooked_accounts();
    a.hooked = false;
    a.recipient = None;
    let bytes = size(ix::transfer(&a, max_args()), 1);
    println!("transfer (plain mint, one-sided), legacy: {bytes} bytes");
    assert!(
        bytes <= PACKET_DATA_SIZE,
        "{bytes} bytes > {PACKET_DATA_SIZE}"
    );
}

#[test]
fn every_instruction_fits_a_packet_at_its_maximum() {
    let k = Pubkey::new_unique;
    let hooked = hooked_accounts();
    let refs = RuleSetRefs {
        issuers: (0..MAX_ISSUERS as u64).map(pda::issuer).collect(),
        sanctions_list: pda::sanctions_list(u64::MAX),
        mint: Some(k()),
    };
    let vk = convert::vk_args(&ProgramVerifyingKey::from_ark(&zkgate_tests::keys().vk));
    let root = [0xee; 32];
    let cases: Vec<(&str, Instruction, usize)> = vec![
        ("initialize", ix::initialize(&k()), 1),
        ("propose_admin", ix::propose_admin(&k(), Some(k())), 1),
        ("accept_admin", ix::accept_admin(&k()), 1),
        ("set_paused", ix::set_paused(&k(), true), 1),
        (
            "register_rule_set",
            ix::register_rule_set(
                &k(),
                RegisterRuleSetArgs {
                    id: u64::MAX,
                    authority: k(),
                    config: max_config(),
                },
                &refs,
            ),
            1,
        ),
        (
            "update_rule_set",
            ix::update_rule_set(&k(), u64::MAX, max_config(), &refs),
            1,
        ),
        (
            "set_verifying_key",
            ix::set_verifying_key(&k(), &k(), u64::MAX, vk.clone()),
            2,
        ),
        (
            "set_pass_verifying_key",
            ix::set_pass_verifying_key(&k(), &k(), u64::MAX, vk),
            2,
        ),
        (
            "issue_pass (relayed)",
            ix::issue_pass(
                &ix::PassAccounts {
                    payer: k(),
                    wallet: k(),
                    rule_set_id: u64::MAX,
                    issuer_id: u64::MAX,
                    sanctions_list_id: u64::MAX,
                },
                zkgate::instructions::IssuePassArgs {
                    valid_until: i64::MAX,
                    credential_root: [0xff; 32],
                    sanctions_root: [0xff; 32],
                    proof: [0xff; 256],
                },
            ),
            1,
        ),
        (
            "set_rule_set_status",
            ix::set_rule_set_status(&k(), u64::MAX, RuleSetStatus::Retired),
            1,
        ),
        (
            "propose_authority",
            ix::propose_authority(&k(), AuthorityTarget::SanctionsList(u64::MAX), Some(k())),
            1,
        ),
        (
            "accept_authority",
            ix::accept_authority(&k(), AuthorityTarget::RuleSet(u64::MAX)),
            1,
        ),
        ("add_issuer", ix::add_issuer(&k(), u64::MAX, &k()), 1),
        (
            "set_issuer_active",
            ix::set_issuer_active(&k(), u64::MAX, true),
            1,
        ),
        (
            "publish_credential_root",
            ix::publish_credential_root(&k(), u64::MAX, root),
            1,
        ),
        (
            "create_sanctions_list",
            ix::create_sanctions_list(&k(), u64::MAX, &k(), root),
            1,
        ),
        (
            "set_sanctions_list_active",
            ix::set_sanctions_list_active(&k(), u64::MAX, true),
            1,
        ),
        (
            "publish_sanctions_root",
            ix::publish_sanctions_root(&k(), u64::MAX, root),
            1,
        ),
        (
            "transfer (zkgate-hook mint)",
            ix::transfer(&hooked, max_args()),
            1,
        ),
        ("approve", ix::approve(&hooked, max_args()), 1),
        (
            "configure_mint_hook",
            ix::configure_mint_hook(&k(), &k(), Some(k())),
            1,
        ),
    ];
    let idl: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(zkgate_tests::idl::workspace_root().join("idl/zkgate.json"))
            .expect("idl"),
    )
    .expect("json");
    assert_eq!(
        cases.len(),
        idl["instructions"].as_array().expect("instructions").len(),
        "every instruction of the IDL is measured"
    );
    let mut report = vec![];
    // Hooked and two-sided transfers go through the rule-set's lookup table.
    let table = ix::lookup_table_addresses(&hooked);
    for (name, ix, signers) in cases {
        let bytes = if name.starts_with("transfer") || name == "approve" {
            size_of_v0_tx(vec![ix], signers, &table)
        } else {
            size(ix, signers)
        };
        report.push(format!("{name:<26} {bytes:>5} bytes"));
        assert!(
            bytes <= PACKET_DATA_SIZE,
            "{name}: {bytes} bytes > {PACKET_DATA_SIZE}"
        );
    }
    println!("{}", report.join("\n"));
}
