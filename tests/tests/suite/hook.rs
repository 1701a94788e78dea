//! Mint-level enforcement: a Token-2022 mint whose transfer hook is zkgate-hook moves tokens
//! only with an approval zkgate recorded after verifying a proof. The real Token-2022 program
//! (the bundled SBF build) calls the hook (registered natively) on every transfer.
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::token_2022::spl_token_2022;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use spl_token_2022::extension::ExtensionType;
use zkgate::errors::ZkgateError;
use zkgate_client::{ix, pda};
use zkgate_hook::errors::HookError;
use zkgate_hook::events::ExemptTransfer;
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;

/// A Token-2022 world whose mint is hooked by zkgate-hook, with a funded Alice and a Bob.
async fn hooked_world(exempt: Option<Pubkey>) -> (World, Wallet, Wallet) {
    let mut w = World::new(TokenKind::Token2022).await;
    w.use_hooked_mint(exempt).await;
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    (w, alice, bob)
}

/// `transfer_checked` of the world's mint with the hook's accounts, as a resolving wallet sends.
fn plain_transfer(
    w: &World,
    from: &Wallet,
    to: &Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Instruction {
    ix::hooked_transfer_checked(
        &from.token_account,
        &w.mint,
        to,
        authority,
        amount,
        w.decimals,
    )
}

#[tokio::test]
async fn the_hook_constants_are_zkgates_keys() {
    assert_eq!(zkgate_hook::ZKGATE_PROGRAM_ID, zkgate::ID);
    assert_eq!(zkgate_hook::ZKGATE_AUTHORITY, pda::config());
}

#[tokio::test]
async fn a_hooked_mint_moves_only_with_a_zkgate_approval_and_only_once() {
    let (mut w, alice, bob) = hooked_world(None).await;
    let signer = alice.keypair.insecure_clone();
    let sender = signer.pubkey();

    // Without zkgate: a wallet that resolves the hook's accounts is refused by the hook...
    let plain = plain_transfer(&w, &alice, &bob.token_account, &sender, 100);
    assert_hook_err(
        w.send(std::slice::from_ref(&plain), &[&signer]).await,
        HookError::NoApproval,
    );
    // ...and one that does not resolve them is refused by Token-2022 (the hook program and its
    // accounts are missing, so the hook cannot even be called).
    let bare = spl_token_2022::instruction::transfer_checked(
        &spl_token_2022::ID,
        &alice.token_account,
        &w.mint,
        &bob.token_account,
        &sender,
        &[],
        100,
        w.decimals,
    )
    .unwrap();
    match w.send(&[bare], &[&signer]).await {
        Err(solana_program_test::BanksClientError::TransactionError(
            TransactionError::InstructionError(0, InstructionError::MissingAccount),
        )) => {}
        other => panic!("expected MissingAccount, got {other:?}"),
    }
    assert_eq!(w.balance(&alice.token_account).await, 10_000);

    // [approve, transfer_checked] in one transaction passes.
    let args = w.proved_args(&alice, &bob, 100).await;
    let approve = ix::approve(&w.transfer_accounts(&alice, &bob), args);
    let out = w
        .send_with_logs(&[approve, plain.clone()], &[&signer])
        .await
        .expect("approve + transfer_checked");
    assert_eq!(w.balance(&alice.token_account).await, 9_900);
    assert_eq!(w.balance(&bob.token_account).await, 100);
    let events = transfer_events(&out);
    assert_eq!(events.len(), 1);
    assert!(!events[0].moved, "approve does not move tokens itself");
    assert_eq!(events[0].amount, 100);
    let approval = w.approval(&alice.token_account).await.expect("approval");
    assert!(approval.used);
    assert_eq!(approval.statement_hash, events[0].statement_hash);
    assert_eq!(approval.destination, bob.token_account);
    // The subject's nonce advanced once.
    assert_eq!(w.subject_state(&alice).await.unwrap().nonce, 1);

    // Never twice: the same transfer again is refused, nothing moves.
    assert_hook_err(w.send(&[plain], &[&signer]).await, HookError::ApprovalUsed);
    assert_eq!(w.balance(&bob.token_account).await, 100);
}

#[tokio::test]
async fn zkgate_transfer_performs_the_hooked_transfer_itself() {
    let (mut w, alice, bob) = hooked_world(None).await;
    for (round, amount) in [(1u64, 100u64), (2, 250)] {
        let out = w
            .transfer(&alice, &bob, amount)
            .await
            .expect("hooked transfer");
        let events = transfer_events(&out);
        assert_eq!(events.len(), 1);
        assert!(events[0].moved);
        let approval = w.approval(&alice.token_account).await.expect("approval");
        assert!(
            approval.used,
            "the hook consumed the approval (round {round})"
        );
        assert_eq!(approval.amount, amount);
    }
    assert_eq!(w.balance(&bob.token_account).await, 350);

    // The hook accounts are required on a hooked mint.
    let args = w.proved_args(&alice, &bob, 10).await;
    let mut accounts = w.transfer_accounts(&alice, &bob);
    accounts.hooked = false;
    let signer = alice.keypair.insecure_clone();
    let res = w
        .send(&[ix::transfer(&accounts, args.clone())], &[&signer])
        .await;
    assert_zkgate_err(res, ZkgateError::HookAccountsMissing);
    // `approve` needs the approval account; `transfer` also the accounts Token-2022 forwards.
    let res = w.send(&[ix::approve(&accounts, args)], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::HookAccountsMissing);
    assert_eq!(w.balance(&bob.token_account).await, 350);
}

#[tokio::test]
async fn an_approval_binds_amount_destination_and_time() {
    let (mut w, alice, bob) = hooked_world(None).await;
    let carol = w.wallet(0, Some((13, 840, 2, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();
    let sender = signer.pubkey();

    // Another amount.
    let args = w.proved_args(&alice, &bob, 100).await;
    let approve = ix::approve(&w.transfer_accounts(&alice, &bob), args.clone());
    let other_amount = plain_transfer(&w, &alice, &bob.token_account, &sender, 99);
    assert_hook_err(
        w.send(&[approve.clone(), other_amount], &[&signer]).await,
        HookError::ApprovalAmountMismatch,
    );
    // Another destination.
    let other_destination = plain_transfer(&w, &alice, &carol.token_account, &sender, 100);
    assert_hook_err(
        w.send(&[approve.clone(), other_destination], &[&signer])
            .await,
        HookError::ApprovalDestinationMismatch,
    );
    // Expired: approved alone, then more than the TTL in slots later.
    w.send(&[approve], &[&signer]).await.expect("approve alone");
    let approval = w.approval(&alice.token_account).await.expect("approval");
    assert!(!approval.used);
    let slot = w.clock().await.slot;
    let ttl = zkgate::instructions::APPROVAL_TTL_SLOTS;
    assert!(
        approval.expires_at_slot <= slot + ttl && approval.expires_at_slot + 5 >= slot + ttl,
        "expires {} at slot {slot}",
        approval.expires_at_slot
    );
    w.ctx.warp_to_slot(approval.expires_at_slot + 1).unwrap();
    let late = plain_transfer(&w, &alice, &bob.token_account, &sender, 100);
    assert_hook_err(
        w.send(&[late], &[&signer]).await,
        HookError::ApprovalExpired,
    );
    assert_eq!(w.balance(&alice.token_account).await, 10_000);
}

#[tokio::test]
async fn a_delegate_cannot_spend_an_owners_approval() {
    let (mut w, alice, bob) = hooked_world(None).await;
    let delegate = Keypair::new();
    let owner = alice.keypair.insecure_clone();
    let delegation = spl_token_2022::instruction::approve_checked(
        &spl_token_2022::ID,
        &alice.token_account,
        &w.mint,
        &delegate.pubkey(),
        &owner.pubkey(),
        &[],
        1_000,
        w.decimals,
    )
    .unwrap();
    w.send(&[delegation], &[&owner]).await.expect("delegate");
    let args = w.proved_args(&alice, &bob, 100).await;
    let approve = ix::approve(&w.transfer_accounts(&alice, &bob), args);
    let by_delegate = plain_transfer(&w, &alice, &bob.token_account, &delegate.pubkey(), 100);
    assert_hook_err(
        w.send(&[approve, by_delegate], &[&owner, &delegate]).await,
        HookError::DelegateTransfer,
    );
    assert_eq!(w.balance(&alice.token_account).await, 10_000);
}

/// The mint's permanent delegate, configured as exempt authority (a court-ordered clawback),
/// moves tokens without an approval and every such transfer is evented; zkgate accepts a
/// permanent delegate only on mints its hook enforces.
#[tokio::test]
async fn the_exempt_authority_passes_and_is_evented() {
    let mut w = World::new(TokenKind::Token2022).await;
    let clawback = Keypair::new();
    let admin = w.admin.insecure_clone();
    let delegate = clawback.pubkey();
    let mint = w
        .create_mint_2022(
            &[
                ExtensionType::TransferHook,
                ExtensionType::PermanentDelegate,
            ],
            |m| {
                vec![
                    spl_token_2022::extension::transfer_hook::instruction::initialize(
                        &spl_token_2022::ID,
                        m,
                        Some(admin.pubkey()),
                        Some(zkgate_hook::ID),
                    )
                    .unwrap(),
                    spl_token_2022::instruction::initialize_permanent_delegate(
                        &spl_token_2022::ID,
                        m,
                        &delegate,
                    )
                    .unwrap(),
                ]
            },
            None,
        )
        .await;
    w.send(
        &[ix::configure_mint_hook(
            &admin.pubkey(),
            &mint,
            Some(delegate),
        )],
        &[&admin],
    )
    .await
    .expect("configure");
    w.mint = mint;
    w.hooked = true;
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;

    let seize = plain_transfer(&w, &alice, &bob.token_account, &delegate, 400);
    let out = w
        .send_with_logs(&[seize], &[&clawback])
        .await
        .expect("exempt transfer");
    assert_eq!(w.balance(&bob.token_account).await, 400);
    let events: Vec<ExemptTransfer> = out.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].authority, delegate);
    assert_eq!(events[0].source, alice.token_account);
    assert_eq!(events[0].amount, 400);

    // Compliant transfers of the same mint still go through zkgate.
    w.transfer(&alice, &bob, 100)
        .await
        .expect("zkgate transfer");
    assert_eq!(w.balance(&bob.token_account).await, 500);
}

#[tokio::test]
async fn the_hook_is_called_only_by_token_2022_and_written_only_by_zkgate() {
    let (mut w, alice, bob) = hooked_world(None).await;
    let signer = alice.keypair.insecure_clone();

    // `execute` called directly, with every account a transfer would pass.
    let mut execute = spl_transfer_hook_interface::instruction::execute(
        &zkgate_hook::ID,
        &alice.token_account,
        &w.mint,
        &bob.token_account,
        &signer.pubkey(),
        100,
    );
    let transfer = plain_transfer(&w, &alice, &bob.token_account, &signer.pubkey(), 100);
    let extras = &transfer.accounts[4..];
    execute.accounts.push(extras[3].clone()); // the list
    execute.accounts.extend_from_slice(&extras[..3]);
    assert_hook_err(w.send(&[execute], &[]).await, HookError::NotTransferring);

    // Recording an approval needs zkgate's config PDA as signer.
    let attacker = Keypair::new();
    w.airdrop(&attacker.pubkey(), 1_000_000_000).await;
    let record = Instruction {
        program_id: zkgate_hook::ID,
        accounts: zkgate_hook::accounts::RecordApproval {
            zkgate_authority: attacker.pubkey(),
            payer: attacker.pubkey(),
            mint: w.mint,
            source: alice.token_account,
            approval: pda::hook::approval(&w.mint, &alice.token_account),
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: zkgate_hook::instruction::RecordApproval {
            args: zkgate_hook::instructions::ApprovalArgs {
                destination: bob.token_account,
                amount: 100,
                expires_at_slot: u64::MAX,
                rule_set: Pubkey::default(),
                statement_hash: [0; 32],
            },
        }
        .data(),
    };
    assert_hook_err(w.send(&[record], &[&attacker]).await, HookError::NotZkgate);
    // So is (re)configuring a mint, e.g. to make oneself exempt.
    let configure = Instruction {
        program_id: zkgate_hook::ID,
        accounts: zkgate_hook::accounts::ConfigureMint {
            zkgate_authority: attacker.pubkey(),
            payer: attacker.pubkey(),
            mint: w.mint,
            extra_account_metas: pda::hook::extra_account_metas(&w.mint),
            token_program: spl_token_2022::ID,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: zkgate_hook::instruction::ConfigureMint {
            exempt_authority: Some(attacker.pubkey()),
        }
        .data(),
    };
    assert_hook_err(
        w.send(&[configure], &[&attacker]).await,
        HookError::NotZkgate,
    );
    assert!(w.approval(&alice.token_account).await.is_none());
}

#[tokio::test]
async fn configure_mint_hook_is_the_admins_and_only_for_zkgate_hooked_mints() {
    let mut w = World::new(TokenKind::Token2022).await;
    let admin = w.admin.insecure_clone();
    let hooked = w.use_hooked_mint(None).await;

    // Not the admin.
    let stranger = Keypair::new();
    w.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let res = w
        .send(
            &[ix::configure_mint_hook(
                &stranger.pubkey(),
                &hooked,
                Some(stranger.pubkey()),
            )],
            &[&stranger],
        )
        .await;
    assert_zkgate_err(res, ZkgateError::NotAdmin);

    // A Token-2022 mint without a hook, and one hooked by another program.
    let plain = w.create_mint_2022(&[], |_| vec![], None).await;
    let res = w
        .send(
            &[ix::configure_mint_hook(&admin.pubkey(), &plain, None)],
            &[&admin],
        )
        .await;
    assert_zkgate_err(res, ZkgateError::MintNotHooked);
    let foreign = w
        .create_mint_2022(
            &[ExtensionType::TransferHook],
            |m| {
                vec![
                    spl_token_2022::extension::transfer_hook::instruction::initialize(
                        &spl_token_2022::ID,
                        m,
                        None,
                        Some(Pubkey::new_unique()),
                    )
                    .unwrap(),
                ]
            },
            None,
        )
        .await;
    let res = w
        .send(
            &[ix::configure_mint_hook(&admin.pubkey(), &foreign, None)],
            &[&admin],
        )
        .await;
    assert_zkgate_err(res, ZkgateError::MintHasTransferHook);

    // Reconfiguring keeps the list and changes the exempt authority, evented.
    let exempt = Pubkey::new_unique();
    let out = w
        .send_with_logs(
            &[ix::configure_mint_hook(
                &admin.pubkey(),
                &hooked,
                Some(exempt),
            )],
            &[&admin],
        )
        .await
        .expect("reconfigure");
    let events: Vec<zkgate::events::MintHookConfigured> = out.events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].mint, events[0].exempt_authority, events[0].admin),
        (hooked, Some(exempt), admin.pubkey())
    );
    let account = w
        .ctx
        .banks_client
        .get_account(pda::hook::extra_account_metas(&hooked))
        .await
        .unwrap()
        .expect("extra-account-metas list");
    let config = zkgate_hook::state::MintConfig::from_list_data(&account.data).unwrap();
    assert_eq!(config.exempt_authority, Some(exempt));
    assert_eq!(config.mint, hooked);
}

#[tokio::test]
async fn approve_is_refused_on_a_mint_without_the_hook() {
    let mut w = World::new(TokenKind::Token2022).await;
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    let args = w.proved_args(&alice, &bob, 100).await;
    let mut accounts = w.transfer_accounts(&alice, &bob);
    accounts.hooked = true; // pass the hook accounts anyway
    let signer = alice.keypair.insecure_clone();
    let res = w.send(&[ix::approve(&accounts, args)], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::MintNotHooked);
}

/// `[approve, transfer_checked]` with the proof and the auditor disclosure does not fit a
/// legacy transaction (1,232 bytes); through an address lookup table of the rule-set's static
/// accounts (`ix::lookup_table_addresses`) it does, and lands in the runtime as a version-0
/// transaction with its audit event.
#[tokio::test]
async fn approve_and_transfer_checked_fit_one_transaction() {
    let (mut w, alice, bob) = hooked_world(None).await;
    let args = w.proved_args(&alice, &bob, 100).await;
    let accounts = w.transfer_accounts(&alice, &bob);
    let approve = ix::approve(&accounts, args.clone());
    let sender = alice.keypair.pubkey();
    let plain = plain_transfer(&w, &alice, &bob.token_account, &sender, 100);
    let legacy = Transaction::new_signed_with_payer(
        &[approve.clone(), plain.clone()],
        Some(&sender),
        &[&alice.keypair],
        solana_sdk::hash::Hash::default(),
    );
    let legacy_size = bincode::serialize(&legacy).unwrap().len();
    let table = w
        .create_lookup_table(ix::lookup_table_addresses(&accounts))
        .await;
    let signer = alice.keypair.insecure_clone();
    let (outcome, size) = w
        .send_v0_with_logs(&[approve, plain], &[&signer], std::slice::from_ref(&table))
        .await
        .expect("approve + transfer_checked through the table");
    assert_eq!(w.balance(&bob.token_account).await, 100);
    assert_eq!(transfer_events(&outcome).len(), 1);
    // `transfer` alone, through the same table.
    let args = w.proved_args(&alice, &bob, 50).await;
    let transfer = ix::transfer(&accounts, args);
    let (_, transfer_size) = w
        .send_v0_with_logs(&[transfer], &[&signer], &[table])
        .await
        .expect("transfer through the table");
    assert_eq!(w.balance(&bob.token_account).await, 150);
    println!(
        "hooked sizes: [approve, transfer_checked] {size} B through a lookup table \
         ({legacy_size} B legacy), transfer {transfer_size} B"
    );
    assert!(size <= 1232, "{size} bytes");
    assert!(transfer_size <= 1232, "{transfer_size} bytes");
    assert!(
        legacy_size > 1232,
        "{legacy_size}: the table is needed (else drop it)"
    );
}

/// Token-2022's own compute (it runs as SBF here; zkgate and the hook run natively and are not
/// metered) for a hooked transfer against a plain Token-2022 transfer, printed for the README.
#[tokio::test]
async fn token_2022_compute_with_and_without_the_hook() {
    fn token_units(out: &Outcome) -> Vec<u64> {
        out.logs
            .iter()
            .filter(|l| l.starts_with(&format!("Program {} consumed", spl_token_2022::ID)))
            .filter_map(|l| l.split_whitespace().nth(3)?.parse().ok())
            .collect()
    }
    let mut plain = World::new(TokenKind::Token2022).await;
    let a = plain.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let b = plain.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    let without = token_units(&plain.transfer(&a, &b, 100).await.expect("plain transfer"));
    let (mut w, alice, bob) = hooked_world(None).await;
    let with = token_units(
        &w.transfer(&alice, &bob, 100)
            .await
            .expect("hooked transfer"),
    );
    println!("Token-2022 TransferChecked: {without:?} CU plain, {with:?} CU with zkgate-hook");
    assert_eq!((without.len(), with.len()), (1, 1));
    assert!(
        with[0] > without[0],
        "resolving and calling the hook costs compute"
    );
}
