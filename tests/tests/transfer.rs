//! `transfer` in the real runtime: approved transfers on both token programs, and every way a
//! transfer must be refused, each asserting the exact error.
use anchor_lang::error::ErrorCode as AnchorError;
use solana_sdk::signature::Signer;
use zkgate::errors::ZkgateError;
use zkgate::state::RuleSetStatus;
use zkgate_circuits::compliance::check_native;
use zkgate_circuits::compliance::RuleViolation;
use zkgate_circuits::keys::ProgramVerifyingKey;
use zkgate_client::ix;
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;

async fn world_with_pair(token: TokenKind) -> (World, Wallet, Wallet) {
    let mut w = World::new(token).await;
    let alice = w.wallet(1_000_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    (w, alice, bob)
}

async fn approved_transfer_moves_exact_amount(token: TokenKind) {
    let (mut w, alice, bob) = world_with_pair(token).await;
    let logs = w
        .transfer(&alice, &bob, 2_500)
        .await
        .expect("compliant transfer");
    assert_eq!(w.balance(&alice.token_account).await, 1_000_000 - 2_500);
    assert_eq!(w.balance(&bob.token_account).await, 2_500);

    let events = transfer_events(&logs);
    assert_eq!(events.len(), 1, "exactly one audit event");
    let e = &events[0];
    assert_eq!(e.sender, alice.keypair.pubkey());
    assert_eq!(e.recipient, bob.keypair.pubkey());
    assert_eq!(e.mint, w.mint);
    assert_eq!(e.amount, 2_500);
    assert_eq!(e.nonce, 0);
    assert_eq!(e.rule_set_id, RULE_SET_ID);
    assert_eq!(e.rule_set_version, 1);
    assert_eq!(e.issuer, zkgate_client::pda::issuer(ISSUER_ID));

    let state = w
        .sender_state(&alice.keypair.pubkey())
        .await
        .expect("sender state");
    assert_eq!(state.nonce, 1);
    assert_eq!(state.window_volume, 2_500);

    // The next transfer commits to nonce 1 and window volume 2_500.
    let logs = w
        .transfer(&alice, &bob, 500)
        .await
        .expect("second transfer");
    assert_eq!(transfer_events(&logs)[0].nonce, 1);
    assert_eq!(w.balance(&bob.token_account).await, 3_000);
    let state = w
        .sender_state(&alice.keypair.pubkey())
        .await
        .expect("sender state");
    assert_eq!((state.nonce, state.window_volume), (2, 3_000));
}

#[tokio::test]
async fn approved_transfer_spl_token() {
    approved_transfer_moves_exact_amount(TokenKind::Spl).await;
}

#[tokio::test]
async fn approved_transfer_token_2022() {
    approved_transfer_moves_exact_amount(TokenKind::Token2022).await;
}

/// A proof for one transfer, replayed or retargeted: every statement field is bound.
#[tokio::test]
async fn proof_is_bound_to_every_statement_field() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let carol = w.wallet(0, Some((13, 840, 1, EXPIRY))).await;
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 1_000, now).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let signer = alice.keypair.insecure_clone();

    // Another amount.
    let mut other = statement.clone();
    other.amount = 1_001;
    let ix = w.transfer_ix(&alice, &bob, &other, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // Another timestamp.
    let mut other = statement.clone();
    other.timestamp -= 1;
    let ix = w.transfer_ix(&alice, &bob, &other, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // Another recipient.
    let ix = w.transfer_ix(&alice, &carol, &statement, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // Another mint (a second mint; bob and alice get accounts for it).
    let original_mint = w.mint;
    w.mint = w.create_mint().await;
    let alice_b = Wallet {
        keypair: alice.keypair.insecure_clone(),
        credential: alice.credential.clone(),
        leaf_index: alice.leaf_index,
        token_account: w.create_token_account(&alice.keypair.pubkey()).await,
    };
    w.mint_to(&alice_b.token_account, 10_000).await;
    let bob_b = Wallet {
        keypair: bob.keypair.insecure_clone(),
        credential: None,
        leaf_index: 0,
        token_account: w.create_token_account(&bob.keypair.pubkey()).await,
    };
    let ix = w.transfer_ix(&alice_b, &bob_b, &statement, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);
    w.mint = original_mint;

    // Another sender: carol submits alice's proof from her own account.
    let carol_signer = carol.keypair.insecure_clone();
    w.mint_to(&carol.token_account, 5_000).await;
    let ix = w.transfer_ix(&carol, &bob, &statement, proof);
    assert_zkgate_err(
        w.send(&[ix], &[&carol_signer]).await,
        ZkgateError::InvalidProof,
    );

    // Anyone can re-randomize the proof: new bytes, still a valid proof of this statement.
    let fresh = zkgate_circuits::proof::rerandomize(&keys().vk, &proof, &mut rand::thread_rng())
        .expect("a valid proof");
    assert_ne!(fresh, proof);

    // The genuine transfer goes through once ...
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(std::slice::from_ref(&ix), &[&signer])
        .await
        .expect("genuine transfer");
    assert_eq!(w.balance(&bob.token_account).await, 1_000);
    // ... and its replay fails: the nonce moved on.
    w.ctx.get_new_latest_blockhash().await.expect("blockhash");
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);
    // So does the re-randomized copy: replay protection never rests on proof bytes.
    let ix = w.transfer_ix(&alice, &bob, &statement, fresh);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);
    assert_eq!(w.balance(&bob.token_account).await, 1_000);
}

#[tokio::test]
async fn proof_for_another_verifying_key_or_rule_set_version_fails() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 100, now).await;
    let signer = alice.keypair.insecure_clone();

    // Proof from an independent setup of the same circuit.
    let foreign = prove_with(other_keys(), &statement, &w.params, w.witness(&alice));
    let ix = w.transfer_ix(&alice, &bob, &statement, foreign);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // A valid proof for version 1 stops verifying once the rule-set is updated (version 2).
    let proof = w.prove(&statement, w.witness(&alice));
    let admin = w.admin.insecure_clone();
    let config = rule_set_config(&ProgramVerifyingKey::from_ark(&keys().vk), &w.params);
    w.send(
        &[ix::update_rule_set(&admin.pubkey(), RULE_SET_ID, config)],
        &[&admin],
    )
    .await
    .expect("update rule-set");
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);
    w.version = 2;
    w.transfer(&alice, &bob, 100)
        .await
        .expect("proof for version 2");
}

#[tokio::test]
async fn corrupted_proof_bytes_are_refused() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 100, now).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let signer = alice.keypair.insecure_clone();

    // A off the curve.
    let mut bad = proof;
    bad[63] ^= 1;
    let ix = w.transfer_ix(&alice, &bob, &statement, bad);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::MalformedProof);

    // C off the curve.
    let mut bad = proof;
    bad[255] ^= 1;
    let ix = w.transfer_ix(&alice, &bob, &statement, bad);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::MalformedProof);

    // B corrupted.
    let mut bad = proof;
    bad[100] ^= 1;
    let ix = w.transfer_ix(&alice, &bob, &statement, bad);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // A not negated (the most common encoding mistake): negate A back.
    let mut bad = proof;
    negate_g1_y(&mut bad[0..64]);
    let ix = w.transfer_ix(&alice, &bob, &statement, bad);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // All zero.
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // The intact proof still works.
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(&[ix], &[&signer]).await.expect("intact proof");
}

/// Replaces the big-endian y of a G1 point by q - y.
fn negate_g1_y(point: &mut [u8]) {
    use num_bigint::BigUint;
    let q = BigUint::parse_bytes(
        b"21888242871839275222246405745257275088696311157297823662689037894645226208583",
        10,
    )
    .expect("q");
    let y = BigUint::from_bytes_be(&point[32..64]);
    let neg = (&q - y) % &q;
    let bytes = neg.to_bytes_be();
    point[32..64].fill(0);
    point[64 - bytes.len()..64].copy_from_slice(&bytes);
}

#[tokio::test]
async fn timestamps_outside_age_and_tolerance_are_refused() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let signer = alice.keypair.insecure_clone();
    let now = w.clock().await.unix_timestamp;
    let time = default_time();

    for (ts, err) in [
        (
            now - i64::from(time.max_proof_age_secs) - 1,
            ZkgateError::ProofTooOld,
        ),
        (
            now + i64::from(time.clock_tolerance_secs) + 5,
            ZkgateError::TimestampInFuture,
        ),
    ] {
        let statement = w.statement(&alice, &bob, 100, ts).await;
        let proof = w.prove(&statement, w.witness(&alice));
        let ix = w.transfer_ix(&alice, &bob, &statement, proof);
        assert_zkgate_err(w.send(&[ix], &[&signer]).await, err);
    }
    // Negative timestamp: refused before any proof work.
    let mut statement = w.statement(&alice, &bob, 100, now).await;
    statement.timestamp = -1;
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::NegativeTimestamp,
    );
}

#[tokio::test]
async fn roots_must_be_in_the_rings() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let signer = alice.keypair.insecure_clone();
    let now = w.clock().await.unix_timestamp;

    // A credential root the issuer never published.
    let mut statement = w.statement(&alice, &bob, 100, now).await;
    statement.credential_root = [3u8; 32];
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::UnknownCredentialRoot,
    );

    // A sanctions root the list never published.
    let mut statement = w.statement(&alice, &bob, 100, now).await;
    statement.sanctions_root = [3u8; 32];
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::UnknownSanctionsRoot,
    );

    // A superseded sanctions root: fine within the grace period, refused after it.
    let old = w.statement(&alice, &bob, 100, now).await;
    let old_proof = w.prove(&old, w.witness(&alice));
    w.sanctions
        .insert(zkgate_circuits::encoding::fr_from_u64(3_000_003))
        .expect("insert");
    w.publish_sanctions_root().await;
    let grace = default_time().sanctions_root_grace_secs;
    w.advance_time(i64::from(grace) + 1).await;
    let ix = w.transfer_ix(&alice, &bob, &old, old_proof);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::UnknownSanctionsRoot,
    );
}

#[tokio::test]
async fn superseded_roots_verify_within_grace() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let signer = alice.keypair.insecure_clone();
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 100, now).await;
    let proof = w.prove(&statement, w.witness(&alice));
    // The issuer and the list both publish new roots after the proof was made.
    let _dave = w.wallet(0, Some((14, 840, 1, EXPIRY))).await;
    w.sanctions
        .insert(zkgate_circuits::encoding::fr_from_u64(3_000_003))
        .expect("insert");
    w.publish_sanctions_root().await;
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(&[ix], &[&signer])
        .await
        .expect("old roots within grace");
}

#[tokio::test]
async fn paused_program_and_rule_set_stop_transfers() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    w.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin])
        .await
        .expect("pause");
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::ProgramPaused,
    );
    w.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin])
        .await
        .expect("unpause");

    w.send(
        &[ix::set_rule_set_status(
            &admin.pubkey(),
            RULE_SET_ID,
            RuleSetStatus::Paused,
        )],
        &[&admin],
    )
    .await
    .expect("pause rule-set");
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::RuleSetPaused,
    );
    w.send(
        &[ix::set_rule_set_status(
            &admin.pubkey(),
            RULE_SET_ID,
            RuleSetStatus::Active,
        )],
        &[&admin],
    )
    .await
    .expect("resume rule-set");
    w.transfer(&alice, &bob, 100).await.expect("active again");

    w.send(
        &[ix::set_rule_set_status(
            &admin.pubkey(),
            RULE_SET_ID,
            RuleSetStatus::Retired,
        )],
        &[&admin],
    )
    .await
    .expect("retire");
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::RuleSetRetired,
    );
    // Retirement is final.
    assert_zkgate_err(
        w.send(
            &[ix::set_rule_set_status(
                &admin.pubkey(),
                RULE_SET_ID,
                RuleSetStatus::Active,
            )],
            &[&admin],
        )
        .await,
        ZkgateError::RuleSetRetired,
    );
}

#[tokio::test]
async fn issuer_must_be_active_and_accepted() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    w.send(
        &[ix::set_issuer_active(&admin.pubkey(), ISSUER_ID, false)],
        &[&admin],
    )
    .await
    .expect("deactivate");
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::IssuerInactive,
    );
    w.send(
        &[ix::set_issuer_active(&admin.pubkey(), ISSUER_ID, true)],
        &[&admin],
    )
    .await
    .expect("reactivate");

    // An issuer the rule-set does not accept, with the same tree published.
    let ia = w.issuer_authority.insecure_clone();
    w.send(
        &[ix::add_issuer(&admin.pubkey(), 99, &ia.pubkey())],
        &[&admin],
    )
    .await
    .expect("add issuer 99");
    let root = zkgate_circuits::encoding::fr_to_be_bytes(&w.credentials.root());
    w.send(
        &[ix::publish_credential_root(&ia.pubkey(), 99, root)],
        &[&ia],
    )
    .await
    .expect("publish");
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 100, now).await;
    let mut ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    ix.accounts[3].pubkey = zkgate_client::pda::issuer(99);
    let signer = alice.keypair.insecure_clone();
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::IssuerNotInRuleSet,
    );
}

#[tokio::test]
async fn account_substitutions_are_refused() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let signer = alice.keypair.insecure_clone();
    let admin = w.admin.insecure_clone();
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 100, now).await;
    let base = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);

    // Another sanctions list (valid account, wrong list).
    let sa = w.sanctions_authority.insecure_clone();
    w.send(
        &[ix::create_sanctions_list(
            &admin.pubkey(),
            2,
            &sa.pubkey(),
            statement.sanctions_root,
        )],
        &[&admin],
    )
    .await
    .expect("second list");
    let mut bad = base.clone();
    bad.accounts[4].pubkey = zkgate_client::pda::sanctions_list(2);
    assert_zkgate_err(
        w.send(&[bad], &[&signer]).await,
        ZkgateError::SanctionsListMismatch,
    );

    // Type cosplay: the issuer account in the sanctions list's slot.
    let mut bad = base.clone();
    bad.accounts[4].pubkey = zkgate_client::pda::issuer(ISSUER_ID);
    assert_anchor_err(
        w.send(&[bad], &[&signer]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );

    // An account owned by another program in the rule-set's slot (a token account).
    let mut bad = base.clone();
    bad.accounts[2].pubkey = bob.token_account;
    assert_anchor_err(
        w.send(&[bad], &[&signer]).await,
        AnchorError::AccountOwnedByWrongProgram,
    );

    // A fake token program.
    let mut bad = base.clone();
    bad.accounts[9].pubkey = zkgate::ID;
    assert_anchor_err(
        w.send(&[bad], &[&signer]).await,
        AnchorError::InvalidProgramId,
    );

    // Source and destination the same account.
    let mut bad = base.clone();
    bad.accounts[8].pubkey = alice.token_account;
    assert_anchor_err(
        w.send(&[bad], &[&signer]).await,
        AnchorError::ConstraintDuplicateMutableAccount,
    );

    // A source account the sender does not own.
    let stranger = w
        .create_token_account(&anchor_lang::prelude::Pubkey::new_unique())
        .await;
    let mut bad = base.clone();
    bad.accounts[7].pubkey = stranger;
    assert_anchor_err(
        w.send(&[bad], &[&signer]).await,
        AnchorError::ConstraintTokenOwner,
    );

    // Zero amount.
    let mut zero = statement.clone();
    zero.amount = 0;
    let ix = w.transfer_ix(&alice, &bob, &zero, [0u8; 256]);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::ZeroAmount);

    // A mint the rule-set is restricted away from.
    let mut config = rule_set_config(&ProgramVerifyingKey::from_ark(&keys().vk), &w.params);
    config.mint = Some(anchor_lang::prelude::Pubkey::new_unique());
    w.send(
        &[ix::update_rule_set(&admin.pubkey(), RULE_SET_ID, config)],
        &[&admin],
    )
    .await
    .expect("restrict mint");
    assert_zkgate_err(
        w.send(&[base], &[&signer]).await,
        ZkgateError::MintNotAllowed,
    );
}

#[tokio::test]
async fn window_volume_is_enforced_across_transfers() {
    let mut params = default_params();
    params.per_transfer_limit = [1_000, 1_000, 1_000, 1_000];
    params.per_window_limit = [1_500, 1_500, 1_500, 1_500];
    params.window_seconds = 60;
    let mut w = World::with_params(TokenKind::Spl, params).await;
    let alice = w.wallet(100_000, Some((11, 840, 1, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 1, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();

    w.transfer(&alice, &bob, 1_000)
        .await
        .expect("first transfer");
    let now = w.clock().await.unix_timestamp;

    // The honest statement now carries window volume 1_000: 1_000 more breaks the limit, and
    // the prover's native check says so before any proving.
    let statement = w.statement(&alice, &bob, 1_000, now).await;
    assert_eq!(statement.window_volume, 1_000);
    assert_eq!(
        check_native(&statement, &w.params, &w.witness(&alice)),
        Err(RuleViolation::WindowLimitExceeded)
    );
    // Lying about the volume (claiming 0) gives a proof for a statement the program does not
    // recompute.
    let mut lie = statement.clone();
    lie.window_volume = 0;
    let proof = w.prove(&lie, w.witness(&alice));
    let ix = w.transfer_ix(&alice, &bob, &lie, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // A timestamp in an earlier window than the last transfer is refused.
    let earlier = w.statement(&alice, &bob, 100, now - 120).await;
    let ix = w.transfer_ix(&alice, &bob, &earlier, [0u8; 256]);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::StaleWindow);

    // In the next window the volume starts again from zero.
    w.advance_time(60).await;
    w.transfer(&alice, &bob, 1_000).await.expect("next window");
    assert_eq!(w.balance(&bob.token_account).await, 2_000);
}
