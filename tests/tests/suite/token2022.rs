//! Token-2022 mints whose extensions change what a transfer means, created for real with each
//! extension: refused with their own error when a rule-set binds them and at every transfer;
//! the supported ones (default-frozen accounts) behave correctly. The decision per extension
//! is documented in `zkgate::token_policy`.
use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;
use spl_token_2022::extension::ExtensionType;
use zkgate::errors::ZkgateError;
use zkgate_client::ix;
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;
type Init = Box<dyn FnOnce(&Pubkey) -> Vec<Instruction>>;

fn extension_cases(authority: Pubkey) -> Vec<(&'static str, ExtensionType, Init, ZkgateError)> {
    use spl_token_2022::extension::{confidential_transfer, transfer_fee, transfer_hook};
    let p = spl_token_2022::ID;
    vec![
        (
            "transfer fee",
            ExtensionType::TransferFeeConfig,
            Box::new(move |m: &Pubkey| {
                vec![transfer_fee::instruction::initialize_transfer_fee_config(
                    &p,
                    m,
                    Some(&authority),
                    Some(&authority),
                    100,
                    1_000,
                )
                .unwrap()]
            }),
            ZkgateError::MintHasTransferFee,
        ),
        (
            "permanent delegate",
            ExtensionType::PermanentDelegate,
            Box::new(move |m: &Pubkey| {
                vec![
                    spl_token_2022::instruction::initialize_permanent_delegate(&p, m, &authority)
                        .unwrap(),
                ]
            }),
            ZkgateError::MintHasPermanentDelegate,
        ),
        (
            "non-transferable",
            ExtensionType::NonTransferable,
            Box::new(move |m: &Pubkey| {
                vec![spl_token_2022::instruction::initialize_non_transferable_mint(&p, m).unwrap()]
            }),
            ZkgateError::MintNonTransferable,
        ),
        (
            "confidential transfers",
            ExtensionType::ConfidentialTransferMint,
            Box::new(move |m: &Pubkey| {
                vec![confidential_transfer::instruction::initialize_mint(
                    &p,
                    m,
                    Some(authority),
                    true,
                    None,
                )
                .unwrap()]
            }),
            ZkgateError::MintHasConfidentialTransfers,
        ),
        (
            "transfer hook",
            ExtensionType::TransferHook,
            Box::new(move |m: &Pubkey| {
                vec![transfer_hook::instruction::initialize(
                    &p,
                    m,
                    Some(authority),
                    Some(Pubkey::new_unique()),
                )
                .unwrap()]
            }),
            ZkgateError::MintHasTransferHook,
        ),
    ]
}

#[tokio::test]
async fn mints_whose_extensions_change_a_transfer_are_refused() {
    let mut w = World::new(TokenKind::Token2022).await;
    let admin = w.admin.insecure_clone();
    let original = w.mint;
    for (name, extension, init, err) in extension_cases(admin.pubkey()) {
        w.mint = w.create_mint_2022(&[extension], init, None).await;
        // At binding: a rule-set cannot be bound to such a mint.
        let refs = ix::RuleSetRefs {
            mint: Some(w.mint),
            ..rule_set_refs()
        };
        let res = w.update_rule_set(rule_set_config(&w.params), &refs).await;
        assert_zkgate_err(res, err);
        // At transfer: refused before any proof work, and nothing moves.
        let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
        let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
        let valid_until = w.valid_until().await;
        let statement = w.statement(&alice, &bob, 100, valid_until).await;
        let ixn = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
        let signer = alice.keypair.insecure_clone();
        assert_zkgate_err(w.send(&[ixn], &[&signer]).await, err);
        assert_eq!(w.balance(&alice.token_account).await, 10_000, "{name}");
        assert!(w.subject_state(&alice).await.is_none(), "{name}");
    }
    w.mint = original;
}

/// Default-frozen accounts (an issuer's own gate) are supported: thawed accounts transfer
/// with a proof; a frozen side fails in the token program and nothing changes.
#[tokio::test]
async fn default_frozen_accounts_are_supported() {
    use spl_token_2022::extension::default_account_state;
    use spl_token_2022::state::AccountState;
    let mut w = World::new(TokenKind::Token2022).await;
    let admin = w.admin.insecure_clone();
    let p = spl_token_2022::ID;
    w.mint = w
        .create_mint_2022(
            &[ExtensionType::DefaultAccountState],
            |m| {
                vec![
                    default_account_state::instruction::initialize_default_account_state(
                        &p,
                        m,
                        &AccountState::Frozen,
                    )
                    .unwrap(),
                ]
            },
            Some(&admin.pubkey()),
        )
        .await;
    // Binding the rule-set to it is accepted.
    let refs = ix::RuleSetRefs {
        mint: Some(w.mint),
        ..rule_set_refs()
    };
    w.update_rule_set(rule_set_config(&w.params), &refs)
        .await
        .expect("bind a default-frozen mint");
    w.version += 1;
    let thaw = |w: &World, account: &Pubkey| {
        spl_token_2022::instruction::thaw_account(&p, account, &w.mint, &w.admin.pubkey(), &[])
            .unwrap()
    };
    // Wallets are created frozen; the issuer thaws the KYC'd ones.
    let alice_key = Keypair::new();
    let alice_account = w.create_token_account(&alice_key.pubkey()).await;
    let t = thaw(&w, &alice_account);
    w.send(&[t], &[&admin]).await.expect("thaw");
    w.mint_to(&alice_account, 10_000).await;
    let mut alice = w.wallet(0, Some((11, 840, 2, EXPIRY))).await;
    alice.keypair = alice_key;
    alice.token_account = alice_account;
    let c = credential(11, &alice.keypair.pubkey(), 840, 2, EXPIRY);
    alice.leaf_index = w.credentials.push(c.leaf().unwrap()).unwrap();
    alice.credential = Some(c);
    w.publish_credential_root().await;
    w.airdrop(&alice.keypair.pubkey(), 1_000_000_000).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;

    // Bob's account is still frozen: the token program refuses (AccountFrozen), the proof
    // and the subject's nonce are not consumed.
    let res = w.transfer(&alice, &bob, 100).await;
    match res {
        Err(solana_program_test::BanksClientError::TransactionError(
            TransactionError::InstructionError(0, InstructionError::Custom(code)),
        )) => assert_eq!(
            code,
            spl_token_2022::error::TokenError::AccountFrozen as u32
        ),
        other => panic!("expected AccountFrozen, got {other:?}"),
    }
    assert!(w.subject_state(&alice).await.is_none());
    let t = thaw(&w, &bob.token_account);
    w.send(&[t], &[&admin]).await.expect("thaw bob");
    w.transfer(&alice, &bob, 100).await.expect("both thawed");
    assert_eq!(w.balance(&bob.token_account).await, 100);
}

/// Token-account extensions that block the owner's CPI transfer or need a memo are refused
/// up front with zkgate's own errors.
#[tokio::test]
async fn cpi_guard_and_required_memos_are_named() {
    use spl_token_2022::extension::{cpi_guard, memo_transfer};
    let mut w = World::new(TokenKind::Token2022).await;
    let p = spl_token_2022::ID;
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();

    // Alice's second account with the CPI guard on.
    let guarded = w
        .create_token_account_with(&alice.keypair.pubkey(), &[ExtensionType::CpiGuard])
        .await;
    w.mint_to(&guarded, 1_000).await;
    let on = cpi_guard::instruction::enable_cpi_guard(&p, &guarded, &alice.keypair.pubkey(), &[])
        .unwrap();
    w.send(&[on], &[&signer]).await.expect("enable CPI guard");
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
    let mut bad = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    bad.accounts[7].pubkey = guarded;
    assert_zkgate_err(
        w.send(&[bad], &[&signer]).await,
        ZkgateError::SourceCpiGuardEnabled,
    );

    // Bob's second account requires memos.
    let memo = w
        .create_token_account_with(&bob.keypair.pubkey(), &[ExtensionType::MemoTransfer])
        .await;
    let bob_signer = bob.keypair.insecure_clone();
    let on = memo_transfer::instruction::enable_required_transfer_memos(
        &p,
        &memo,
        &bob.keypair.pubkey(),
        &[],
    )
    .unwrap();
    w.send(&[on], &[&bob_signer]).await.expect("require memos");
    let mut bad = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    bad.accounts[8].pubkey = memo;
    assert_zkgate_err(
        w.send(&[bad], &[&signer]).await,
        ZkgateError::DestinationRequiresMemo,
    );
}
