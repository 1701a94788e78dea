//! Governance in the real runtime: only the upgrade authority initializes, the admin can pause,
//! resume and retire any rule-set and rotate any authority (two-step), sanctions lists can be
//! deactivated, a verifying key needs the admin's co-signature, a rule-set names only real
//! accounts, and every governance action emits its event.
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use zkgate::errors::ZkgateError;
use zkgate::events::*;
use zkgate::instructions::RegisterRuleSetArgs;
use zkgate::state::RuleSetStatus;
use zkgate_circuits::keys::ProgramVerifyingKey;
use zkgate_client::ix::{self, AuthorityTarget};
use zkgate_client::{convert, pda};
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;

async fn send_raw(
    ctx: &mut ProgramTestContext,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> Result<(), BanksClientError> {
    let blockhash = ctx.get_new_latest_blockhash().await.expect("blockhash");
    let payer = ctx.payer.insecure_clone();
    let mut all = vec![&payer];
    all.extend_from_slice(signers);
    let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
    ctx.banks_client.process_transaction(tx).await
}

#[tokio::test]
async fn only_the_upgrade_authority_initializes() {
    let authority = Keypair::new();
    let attacker = Keypair::new();
    let look_alike = Pubkey::new_unique();
    let mut pt = program_test_with_upgrade_authority(Some(authority.pubkey()));
    // A ProgramData-shaped account elsewhere that names the attacker.
    add_program_data(&mut pt, look_alike, Some(attacker.pubkey()));
    let mut ctx = pt.start_with_context().await;
    let payer = ctx.payer.insecure_clone();
    for key in [authority.pubkey(), attacker.pubkey()] {
        let fund = anchor_lang::solana_program::system_instruction::transfer(
            &payer.pubkey(),
            &key,
            1_000_000_000,
        );
        send_raw(&mut ctx, &[fund], &[]).await.expect("fund");
    }
    // The first caller after deployment is not the upgrade authority: refused.
    assert_zkgate_err(
        send_raw(
            &mut ctx,
            &[ix::initialize(&attacker.pubkey())],
            &[&attacker],
        )
        .await,
        ZkgateError::NotUpgradeAuthority,
    );
    // The look-alike is not zkgate's ProgramData.
    let mut forged = ix::initialize(&attacker.pubkey());
    forged.accounts[1].pubkey = look_alike;
    assert_anchor_err(
        send_raw(&mut ctx, &[forged], &[&attacker]).await,
        AnchorError::ConstraintAddress,
    );
    // The upgrade authority initializes and becomes admin.
    send_raw(
        &mut ctx,
        &[ix::initialize(&authority.pubkey())],
        &[&authority],
    )
    .await
    .expect("the upgrade authority initializes");
    let config = ctx
        .banks_client
        .get_account(pda::config())
        .await
        .unwrap()
        .unwrap();
    let config = <zkgate::state::Config as anchor_lang::AccountDeserialize>::try_deserialize(
        &mut config.data.as_slice(),
    )
    .unwrap();
    assert_eq!(config.admin, authority.pubkey());

    // An immutable program (no upgrade authority) can never be initialized by anyone.
    let mut ctx = program_test_with_upgrade_authority(None)
        .start_with_context()
        .await;
    let payer = ctx.payer.insecure_clone();
    assert_zkgate_err(
        send_raw(&mut ctx, &[ix::initialize(&payer.pubkey())], &[]).await,
        ZkgateError::NotUpgradeAuthority,
    );
    // No ProgramData at all (a program not deployed by the upgradeable loader).
    let mut ctx = program_test().start_with_context().await;
    let payer = ctx.payer.insecure_clone();
    assert_anchor_err(
        send_raw(&mut ctx, &[ix::initialize(&payer.pubkey())], &[]).await,
        AnchorError::AccountNotInitialized,
    );
    assert_eq!(
        pda::program_data(),
        anchor_lang::solana_program::bpf_loader_upgradeable::get_program_data_address(&zkgate::ID),
        "the compile-time ProgramData address is the loader's"
    );
}

/// The rule-set, issuer and sanctions list authorities: the current authority or the admin
/// proposes, only the proposed key accepts, and the old key loses its power.
#[tokio::test]
async fn authority_hand_overs_are_two_step_and_the_admin_can_rotate_any() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let mallory = Keypair::new();
    w.airdrop(&mallory.pubkey(), 1_000_000_000).await;
    let m = mallory.pubkey();
    for target in [
        AuthorityTarget::RuleSet(RULE_SET_ID),
        AuthorityTarget::Issuer(ISSUER_ID),
        AuthorityTarget::SanctionsList(SANCTIONS_ID),
    ] {
        let next = Keypair::new();
        w.airdrop(&next.pubkey(), 1_000_000_000).await;
        assert_zkgate_err(
            w.send(&[ix::accept_authority(&next.pubkey(), target)], &[&next])
                .await,
            ZkgateError::NoPendingAuthority,
        );
        assert_zkgate_err(
            w.send(&[ix::propose_authority(&m, target, Some(m))], &[&mallory])
                .await,
            ZkgateError::NotAuthorityOrAdmin,
        );
        let out = w
            .send_with_logs(
                &[ix::propose_authority(
                    &admin.pubkey(),
                    target,
                    Some(next.pubkey()),
                )],
                &[&admin],
            )
            .await
            .expect("the admin proposes");
        let proposed = &out.events::<AuthorityProposed>()[0];
        assert_eq!(proposed.proposed_by, admin.pubkey());
        assert_eq!(proposed.proposed, Some(next.pubkey()));
        assert_zkgate_err(
            w.send(&[ix::accept_authority(&m, target)], &[&mallory])
                .await,
            ZkgateError::NotPendingAuthority,
        );
        let out = w
            .send_with_logs(&[ix::accept_authority(&next.pubkey(), target)], &[&next])
            .await
            .expect("the proposed key accepts");
        let changed = &out.events::<AuthorityChanged>()[0];
        assert_eq!(changed.new, next.pubkey());
        assert_eq!(changed.previous, proposed.current);

        // The old authority lost its power; the new one has it.
        let (old_ix, new_ix, err) = match target {
            AuthorityTarget::RuleSet(id) => (
                ix::update_rule_set(
                    &w.rule_set_authority.pubkey(),
                    id,
                    rule_set_config(&w.params),
                    &rule_set_refs(),
                ),
                ix::update_rule_set(
                    &next.pubkey(),
                    id,
                    rule_set_config(&w.params),
                    &rule_set_refs(),
                ),
                ZkgateError::NotRuleSetAuthority,
            ),
            AuthorityTarget::Issuer(id) => (
                ix::publish_credential_root(&w.issuer_authority.pubkey(), id, [1; 32]),
                ix::publish_credential_root(&next.pubkey(), id, [1; 32]),
                ZkgateError::NotIssuerAuthority,
            ),
            AuthorityTarget::SanctionsList(id) => (
                ix::publish_sanctions_root(&w.sanctions_authority.pubkey(), id, [1; 32]),
                ix::publish_sanctions_root(&next.pubkey(), id, [1; 32]),
                ZkgateError::NotSanctionsAuthority,
            ),
        };
        let old_signer = match target {
            AuthorityTarget::RuleSet(_) => w.rule_set_authority.insecure_clone(),
            AuthorityTarget::Issuer(_) => w.issuer_authority.insecure_clone(),
            AuthorityTarget::SanctionsList(_) => w.sanctions_authority.insecure_clone(),
        };
        assert_zkgate_err(w.send(&[old_ix], &[&old_signer]).await, err);
        w.send(&[new_ix], &[&next])
            .await
            .expect("the new authority acts");

        // The current authority may propose and cancel.
        w.send(
            &[ix::propose_authority(&next.pubkey(), target, Some(m))],
            &[&next],
        )
        .await
        .expect("propose");
        w.send(
            &[ix::propose_authority(&next.pubkey(), target, None)],
            &[&next],
        )
        .await
        .expect("cancel");
        assert_zkgate_err(
            w.send(&[ix::accept_authority(&m, target)], &[&mallory])
                .await,
            ZkgateError::NoPendingAuthority,
        );
    }
    // Exactly one target: none, or two, is refused.
    let mut none = ix::propose_authority(&admin.pubkey(), AuthorityTarget::Issuer(ISSUER_ID), None);
    none.accounts[3].pubkey = zkgate::ID; // the optional issuer slot left empty
    assert_zkgate_err(
        w.send(&[none], &[&admin]).await,
        ZkgateError::InvalidAuthorityTarget,
    );
    let mut two = ix::propose_authority(&admin.pubkey(), AuthorityTarget::Issuer(ISSUER_ID), None);
    two.accounts[2].pubkey = pda::rule_set(RULE_SET_ID);
    two.accounts[2].is_writable = true;
    assert_zkgate_err(
        w.send(&[two], &[&admin]).await,
        ZkgateError::InvalidAuthorityTarget,
    );
}

async fn register_with_authority(w: &mut World, id: u64, authority: &Keypair) {
    let admin = w.admin.insecure_clone();
    let args = RegisterRuleSetArgs {
        id,
        authority: authority.pubkey(),
        config: rule_set_config(&w.params),
    };
    w.send(
        &[ix::register_rule_set(
            &admin.pubkey(),
            args,
            &rule_set_refs(),
        )],
        &[&admin],
    )
    .await
    .expect("register");
}

/// Replacing a verifying key needs both the rule-set authority and the admin.
#[tokio::test]
async fn verifying_keys_need_the_admins_co_signature() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let owner = Keypair::new();
    let mallory = Keypair::new();
    w.airdrop(&owner.pubkey(), 1_000_000_000).await;
    const ID: u64 = 40;
    register_with_authority(&mut w, ID, &owner).await;
    let vk = convert::vk_args(&ProgramVerifyingKey::from_ark(&keys().vk));

    // No key yet: transfers are refused before any proof work.
    let alice = w.wallet(1_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
    let mut t = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    t.accounts[2].pubkey = pda::rule_set(ID);
    t.accounts[5].pubkey = pda::subject_state(&pda::rule_set(ID), &statement.subject_tag);
    let signer = alice.keypair.insecure_clone();
    assert_zkgate_err(w.send(&[t], &[&signer]).await, ZkgateError::NoVerifyingKey);

    // The authority alone (the admin named but not signing).
    let mut alone = ix::set_verifying_key(&owner.pubkey(), &admin.pubkey(), ID, vk.clone());
    alone.accounts[1].is_signer = false;
    assert_anchor_err(
        w.send(&[alone], &[&owner]).await,
        AnchorError::AccountNotSigner,
    );
    // The authority with someone else co-signing as admin.
    assert_zkgate_err(
        w.send(
            &[ix::set_verifying_key(
                &owner.pubkey(),
                &mallory.pubkey(),
                ID,
                vk.clone(),
            )],
            &[&owner, &mallory],
        )
        .await,
        ZkgateError::NotAdmin,
    );
    // The admin alone.
    assert_zkgate_err(
        w.send(
            &[ix::set_verifying_key(
                &admin.pubkey(),
                &admin.pubkey(),
                ID,
                vk.clone(),
            )],
            &[&admin],
        )
        .await,
        ZkgateError::NotRuleSetAuthority,
    );
    // Both: the first key, version unchanged.
    let out = w
        .send_with_logs(
            &[ix::set_verifying_key(
                &owner.pubkey(),
                &admin.pubkey(),
                ID,
                vk.clone(),
            )],
            &[&owner, &admin],
        )
        .await
        .expect("co-signed key");
    let e = &out.events::<VerifyingKeyChanged>()[0];
    assert_eq!((e.version, e.previous_vk_hash), (1, [0u8; 32]));
    assert_eq!(e.vk_hash, ProgramVerifyingKey::from_ark(&keys().vk).hash());
    assert_eq!((e.authority, e.admin), (owner.pubkey(), admin.pubkey()));
    // A replacement bumps the version (proofs under the old key stop verifying).
    let other = convert::vk_args(&ProgramVerifyingKey::from_ark(&other_keys().vk));
    let out = w
        .send_with_logs(
            &[ix::set_verifying_key(
                &owner.pubkey(),
                &admin.pubkey(),
                ID,
                other,
            )],
            &[&owner, &admin],
        )
        .await
        .expect("co-signed replacement");
    let e = &out.events::<VerifyingKeyChanged>()[0];
    assert_eq!(e.version, 2);
    assert_eq!(
        e.previous_vk_hash,
        ProgramVerifyingKey::from_ark(&keys().vk).hash()
    );
    let rs = w.rule_set_account(ID).await;
    assert_eq!(rs.version, 2);
    assert_eq!(
        rs.vk_hash,
        ProgramVerifyingKey::from_ark(&other_keys().vk).hash()
    );
    // The admin cannot be both signers: not by registering itself as authority, not by
    // rotating a rule-set's authority to itself.
    let args = RegisterRuleSetArgs {
        id: 42,
        authority: admin.pubkey(),
        config: rule_set_config(&w.params),
    };
    assert_zkgate_err(
        w.send(
            &[ix::register_rule_set(
                &admin.pubkey(),
                args,
                &rule_set_refs(),
            )],
            &[&admin],
        )
        .await,
        ZkgateError::CoSignersMustDiffer,
    );
    let target = AuthorityTarget::RuleSet(ID);
    w.send(
        &[ix::propose_authority(
            &admin.pubkey(),
            target,
            Some(admin.pubkey()),
        )],
        &[&admin],
    )
    .await
    .expect("propose");
    assert_zkgate_err(
        w.send(&[ix::accept_authority(&admin.pubkey(), target)], &[&admin])
            .await,
        ZkgateError::CoSignersMustDiffer,
    );
    // An admin-driven rotation locks key changes for two days; the new authority's key change
    // waits until the rotation has been public that long.
    let next = Keypair::new();
    w.airdrop(&next.pubkey(), 1_000_000_000).await;
    w.send(
        &[ix::propose_authority(
            &admin.pubkey(),
            target,
            Some(next.pubkey()),
        )],
        &[&admin],
    )
    .await
    .expect("the admin proposes");
    w.send(&[ix::accept_authority(&next.pubkey(), target)], &[&next])
        .await
        .expect("accept");
    let key_ix = |authority: &Keypair, vk| {
        ix::set_verifying_key(&authority.pubkey(), &admin.pubkey(), ID, vk)
    };
    assert_zkgate_err(
        w.send(&[key_ix(&next, vk.clone())], &[&next, &admin]).await,
        ZkgateError::KeyChangeLocked,
    );
    w.advance_time(zkgate::state::ADMIN_ROTATION_KEY_LOCK_SECS)
        .await;
    w.send(&[key_ix(&next, vk.clone())], &[&next, &admin])
        .await
        .expect("after the lock");
    // A rotation the authority makes itself does not lock.
    let third = Keypair::new();
    w.airdrop(&third.pubkey(), 1_000_000_000).await;
    w.send(
        &[ix::propose_authority(
            &next.pubkey(),
            target,
            Some(third.pubkey()),
        )],
        &[&next],
    )
    .await
    .expect("the authority proposes");
    w.send(&[ix::accept_authority(&third.pubkey(), target)], &[&third])
        .await
        .expect("accept");
    w.send(&[key_ix(&third, vk.clone())], &[&third, &admin])
        .await
        .expect("no lock after the authority's own rotation");

    // Retired: no key change either.
    w.send(
        &[ix::set_rule_set_status(
            &admin.pubkey(),
            ID,
            RuleSetStatus::Retired,
        )],
        &[&admin],
    )
    .await
    .expect("retire");
    assert_zkgate_err(
        w.send(&[key_ix(&third, vk)], &[&third, &admin]).await,
        ZkgateError::RuleSetRetired,
    );
}

/// The admin pauses, resumes and retires a rule-set it does not own; its authority can too;
/// nobody else can.
#[tokio::test]
async fn the_admin_can_pause_resume_and_retire_any_rule_set() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let owner = Keypair::new();
    let mallory = Keypair::new();
    w.airdrop(&owner.pubkey(), 1_000_000_000).await;
    w.airdrop(&mallory.pubkey(), 1_000_000_000).await;
    const ID: u64 = 41;
    register_with_authority(&mut w, ID, &owner).await;
    let status = |signer: &Keypair, s| ix::set_rule_set_status(&signer.pubkey(), ID, s);

    assert_zkgate_err(
        w.send(&[status(&mallory, RuleSetStatus::Paused)], &[&mallory])
            .await,
        ZkgateError::NotAuthorityOrAdmin,
    );
    let out = w
        .send_with_logs(&[status(&admin, RuleSetStatus::Paused)], &[&admin])
        .await
        .expect("the admin pauses");
    let e = &out.events::<RuleSetStatusChanged>()[0];
    assert_eq!(
        (e.previous, e.status, e.by),
        (RuleSetStatus::Active, RuleSetStatus::Paused, admin.pubkey())
    );
    assert_eq!(w.rule_set_account(ID).await.status, RuleSetStatus::Paused);
    assert_zkgate_err(
        w.send(&[status(&admin, RuleSetStatus::Paused)], &[&admin])
            .await,
        ZkgateError::InvalidStatusChange,
    );
    // An admin pause holds against the authority (which may be the compromised party).
    assert_zkgate_err(
        w.send(&[status(&owner, RuleSetStatus::Active)], &[&owner])
            .await,
        ZkgateError::PausedByAdmin,
    );
    w.send(&[status(&admin, RuleSetStatus::Active)], &[&admin])
        .await
        .expect("the admin resumes");
    // The authority's own pause it lifts itself.
    w.send(&[status(&owner, RuleSetStatus::Paused)], &[&owner])
        .await
        .expect("the authority pauses");
    w.send(&[status(&owner, RuleSetStatus::Active)], &[&owner])
        .await
        .expect("the authority resumes");
    assert_zkgate_err(
        w.send(&[status(&admin, RuleSetStatus::Active)], &[&admin])
            .await,
        ZkgateError::InvalidStatusChange,
    );
    w.send(&[status(&admin, RuleSetStatus::Retired)], &[&admin])
        .await
        .expect("the admin retires");
    assert_zkgate_err(
        w.send(&[status(&owner, RuleSetStatus::Active)], &[&owner])
            .await,
        ZkgateError::RuleSetRetired,
    );
}

#[tokio::test]
async fn a_deactivated_sanctions_list_stops_transfers() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let sa = w.sanctions_authority.insecure_clone();
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 2, EXPIRY))).await;
    assert_zkgate_err(
        w.send(
            &[ix::set_sanctions_list_active(
                &sa.pubkey(),
                SANCTIONS_ID,
                false,
            )],
            &[&sa],
        )
        .await,
        ZkgateError::NotAdmin,
    );
    let out = w
        .send_with_logs(
            &[ix::set_sanctions_list_active(
                &admin.pubkey(),
                SANCTIONS_ID,
                false,
            )],
            &[&admin],
        )
        .await
        .expect("deactivate");
    let e = &out.events::<SanctionsListActiveChanged>()[0];
    assert_eq!(
        (e.sanctions_list, e.active),
        (pda::sanctions_list(SANCTIONS_ID), false)
    );
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::SanctionsListInactive,
    );
    assert_zkgate_err(
        w.send(
            &[ix::publish_sanctions_root(
                &sa.pubkey(),
                SANCTIONS_ID,
                [1; 32],
            )],
            &[&sa],
        )
        .await,
        ZkgateError::SanctionsListInactive,
    );
    w.send(
        &[ix::set_sanctions_list_active(
            &admin.pubkey(),
            SANCTIONS_ID,
            true,
        )],
        &[&admin],
    )
    .await
    .expect("reactivate");
    w.transfer(&alice, &bob, 100).await.expect("active again");
}

/// A rule-set names only real accounts of this program: issuers are `Issuer`s, the list is a
/// `SanctionsList`, the mint is a mint.
#[tokio::test]
async fn rule_sets_name_only_real_accounts() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let alice = w.wallet(1, None).await;
    let rsa = w.rule_set_authority.pubkey();
    let register = |id: u64, refs: &ix::RuleSetRefs, w: &World| {
        ix::register_rule_set(
            &admin.pubkey(),
            RegisterRuleSetArgs {
                id,
                authority: rsa,
                config: rule_set_config(&w.params),
            },
            refs,
        )
    };
    for (id, issuer) in [
        (50, Pubkey::new_unique()),              // nothing there
        (51, pda::sanctions_list(SANCTIONS_ID)), // zkgate's, another type
        (52, alice.token_account),               // another program's
        (53, pda::config()),                     // zkgate's config
    ] {
        let refs = ix::RuleSetRefs {
            issuers: vec![pda::issuer(ISSUER_ID), issuer],
            ..rule_set_refs()
        };
        let r = register(id, &refs, &w);
        assert_zkgate_err(
            w.send(&[r], &[&admin]).await,
            ZkgateError::InvalidIssuerAccount,
        );
    }
    let refs = ix::RuleSetRefs {
        sanctions_list: pda::issuer(ISSUER_ID),
        ..rule_set_refs()
    };
    let r = register(54, &refs, &w);
    assert_anchor_err(
        w.send(&[r], &[&admin]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    let refs = ix::RuleSetRefs {
        sanctions_list: pda::sanctions_list(99),
        ..rule_set_refs()
    };
    let r = register(55, &refs, &w);
    assert_anchor_err(
        w.send(&[r], &[&admin]).await,
        AnchorError::AccountNotInitialized,
    );
    let refs = ix::RuleSetRefs {
        mint: Some(alice.token_account),
        ..rule_set_refs()
    };
    let r = register(56, &refs, &w);
    let res = w.send(&[r], &[&admin]).await;
    assert!(res.is_err(), "a token account is not a mint: {res:?}");
}

/// Every governance action emits its event, with what an auditor needs.
#[tokio::test]
async fn every_governance_action_emits_its_event() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let a = admin.pubkey();
    let next = Keypair::new();
    w.airdrop(&next.pubkey(), 1_000_000_000).await;

    let out = w
        .send_with_logs(&[ix::set_paused(&a, true)], &[&admin])
        .await
        .unwrap();
    assert!(out.events::<PauseChanged>()[0].paused);
    w.send(&[ix::set_paused(&a, false)], &[&admin])
        .await
        .unwrap();

    let out = w
        .send_with_logs(&[ix::add_issuer(&a, 9, &next.pubkey())], &[&admin])
        .await
        .unwrap();
    let e = &out.events::<IssuerAdded>()[0];
    assert_eq!(
        (e.issuer, e.id, e.authority),
        (pda::issuer(9), 9, next.pubkey())
    );

    let out = w
        .send_with_logs(&[ix::set_issuer_active(&a, 9, false)], &[&admin])
        .await
        .unwrap();
    assert!(!out.events::<IssuerActiveChanged>()[0].active);

    let out = w
        .send_with_logs(
            &[ix::create_sanctions_list(&a, 9, &next.pubkey(), [5; 32])],
            &[&admin],
        )
        .await
        .unwrap();
    let e = &out.events::<SanctionsListCreated>()[0];
    assert_eq!((e.id, e.initial_root), (9, [5; 32]));

    let out = w
        .send_with_logs(
            &[ix::publish_sanctions_root(&next.pubkey(), 9, [6; 32])],
            &[&next],
        )
        .await
        .unwrap();
    let e = &out.events::<RootPublished>()[0];
    assert_eq!(
        (e.account, e.root, e.sanctions),
        (pda::sanctions_list(9), [6; 32], true)
    );
    let ia = w.issuer_authority.insecure_clone();
    let out = w
        .send_with_logs(
            &[ix::publish_credential_root(
                &ia.pubkey(),
                ISSUER_ID,
                [7; 32],
            )],
            &[&ia],
        )
        .await
        .unwrap();
    assert!(!out.events::<RootPublished>()[0].sanctions);

    let mut params = w.params.clone();
    params.window_seconds += 1;
    let rsa = w.rule_set_authority.insecure_clone();
    let out = w
        .send_with_logs(
            &[ix::update_rule_set(
                &rsa.pubkey(),
                RULE_SET_ID,
                rule_set_config(&params),
                &rule_set_refs(),
            )],
            &[&rsa],
        )
        .await
        .unwrap();
    let e = &out.events::<RuleSetChanged>()[0];
    assert_eq!(e.version, 2);
    assert_eq!(e.params_hash, params.hash_bytes());
    assert_eq!(e.issuers, vec![pda::issuer(ISSUER_ID)]);
    assert_eq!(e.sanctions_list, pda::sanctions_list(SANCTIONS_ID));

    let out = w
        .send_with_logs(&[ix::propose_admin(&a, Some(next.pubkey()))], &[&admin])
        .await
        .unwrap();
    let e = &out.events::<AuthorityProposed>()[0];
    assert_eq!(
        (e.kind, e.proposed),
        (AuthorityKind::Admin, Some(next.pubkey()))
    );
    let out = w
        .send_with_logs(&[ix::accept_admin(&next.pubkey())], &[&next])
        .await
        .unwrap();
    let e = &out.events::<AuthorityChanged>()[0];
    assert_eq!(
        (e.kind, e.previous, e.new),
        (AuthorityKind::Admin, a, next.pubkey())
    );
    // (initialize: `only_the_upgrade_authority_initializes`; keys, status and hand-overs of
    // rule-sets, issuers and lists: their own tests above.)
    let mut ctx = program_test_with_upgrade_authority(Some(a))
        .start_with_context()
        .await;
    let payer = ctx.payer.insecure_clone();
    let fund = anchor_lang::solana_program::system_instruction::transfer(
        &payer.pubkey(),
        &a,
        1_000_000_000,
    );
    send_raw(&mut ctx, &[fund], &[]).await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        &[ix::initialize(&a)],
        Some(&payer.pubkey()),
        &[&payer, &admin],
        ctx.get_new_latest_blockhash().await.unwrap(),
    );
    let sim = ctx.banks_client.simulate_transaction(tx).await.unwrap();
    let inner = sim.simulation_details.unwrap().inner_instructions.unwrap();
    let payloads = event_payloads(
        &Transaction::new_with_payer(&[ix::initialize(&a)], Some(&payer.pubkey())),
        &inner,
    );
    let e = Outcome {
        logs: vec![],
        events: payloads,
    }
    .events::<ConfigInitialized>();
    assert_eq!(e[0].admin, a);
}
