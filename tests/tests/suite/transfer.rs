//! `transfer` in the real runtime: approved transfers on both token programs, and every way a
//! transfer must be refused, each asserting the exact error.
use anchor_lang::error::ErrorCode as AnchorError;
use solana_sdk::signature::Signer;
use zkgate::errors::ZkgateError;
use zkgate::state::RuleSetStatus;
use zkgate_circuits::compliance::check_native;
use zkgate_circuits::compliance::RuleViolation;
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
    assert_eq!(e.source, alice.token_account);
    assert_eq!(e.destination, bob.token_account);
    assert_eq!(e.subject_tag, alice.subject_tag());
    assert_eq!(e.window_volume, 0);
    // An auditor recomputes what was proven from the event alone.
    let recomputed = e.statement().expect("statement").hash().expect("hash");
    assert_eq!(recomputed, e.statement_hash);
    assert_eq!(e.params_hash, w.params.hash_bytes());
    assert_eq!(e.program_id, zkgate::ID);
    // The event travels as an event-CPI instruction, not as a log line a sender could push
    // out of the log budget.
    assert!(
        !logs.logs.iter().any(|l| l.contains("Program data:")),
        "no event in the logs: {:?}",
        logs.logs
    );

    let now = w.clock().await.unix_timestamp;
    let window = w.params.window_seconds;
    let state = w.subject_state(&alice).await.expect("subject state");
    assert_eq!(state.nonce, 1);
    assert_eq!(state.volume_at(now, window).unwrap(), 2_500);
    assert_eq!(state.subject_tag, alice.subject_tag());

    // The next transfer commits to nonce 1 and window volume 2_500.
    let logs = w
        .transfer(&alice, &bob, 500)
        .await
        .expect("second transfer");
    let e = &transfer_events(&logs)[0];
    assert_eq!((e.nonce, e.window_volume), (1, 2_500));
    assert_eq!(w.balance(&bob.token_account).await, 3_000);
    let state = w.subject_state(&alice).await.expect("subject state");
    assert_eq!(
        (state.nonce, state.volume_at(now, window).unwrap()),
        (2, 3_000)
    );
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
    let valid_until = w.valid_until().await;
    let mut statement = w.statement(&alice, &bob, 1_000, valid_until).await;
    // The proof overstates the window volume (allowed), so that after the genuine transfer a
    // replay still passes the volume check and meets the nonce.
    statement.window_volume = 1_000;
    let proof = w.prove(&statement, w.witness(&alice));
    let signer = alice.keypair.insecure_clone();

    // Another amount.
    let mut other = statement.clone();
    other.amount = 1_001;
    let ix = w.transfer_ix(&alice, &bob, &other, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // Another valid-until.
    let mut other = statement.clone();
    other.valid_until -= 1;
    let ix = w.transfer_ix(&alice, &bob, &other, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // Another (higher, so accepted by the volume check) window volume.
    let mut other = statement.clone();
    other.window_volume += 1;
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
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
    let signer = alice.keypair.insecure_clone();

    // Proof from an independent setup of the same circuit.
    let foreign = prove_with(
        other_keys(),
        &statement,
        &w.params,
        w.witness(&alice),
        w.disclosure(&statement).1,
    );
    let ix = w.transfer_ix(&alice, &bob, &statement, foreign);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);

    // A valid proof for version 1 stops verifying once the rule-set is updated (version 2).
    let proof = w.prove(&statement, w.witness(&alice));
    let config = rule_set_config(&w.params);
    w.update_rule_set(config, &rule_set_refs())
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
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
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
async fn proof_lifetime_is_bounded_by_the_cluster_clock() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let signer = alice.keypair.insecure_clone();
    let now = w.clock().await.unix_timestamp;
    let time = default_time();
    let (age, tolerance) = (
        i64::from(time.max_proof_age_secs),
        i64::from(time.clock_tolerance_secs),
    );

    // A proof that claims to live longer than the rule-set allows.
    let statement = w
        .statement(&alice, &bob, 100, now + age + tolerance + 1)
        .await;
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::ProofLifetimeTooLong,
    );
    // Negative: refused before any proof work.
    let mut statement = w.statement(&alice, &bob, 100, now).await;
    statement.valid_until = -1;
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::NegativeValidUntil,
    );
    // A real proof that lands after its valid_until (+ tolerance).
    let statement = w.statement(&alice, &bob, 100, now + 10).await;
    let proof = w.prove(&statement, w.witness(&alice));
    w.advance_time(10 + tolerance + 1).await;
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::ProofExpired);
    // The longest lifetime allowed, at the edge.
    let now = w.clock().await.unix_timestamp;
    let statement = w.statement(&alice, &bob, 100, now + age + tolerance).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(&[ix], &[&signer]).await.expect("longest lifetime");
}

/// A credential is never used after its expiry by more than the clock tolerance: the proof
/// shows `valid_until < expiry` and the program refuses it after `valid_until + tolerance`.
/// Backdating cannot help: there is no proof time, only the deadline.
#[tokio::test]
async fn credentials_are_not_used_after_expiry() {
    let mut w = World::new(TokenKind::Spl).await;
    let now = w.clock().await.unix_timestamp;
    let expiry = now + 100;
    let alice = w.wallet(10_000, Some((11, 840, 2, expiry))).await;
    let bob = w.wallet(0, Some((12, 840, 1, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();
    let tolerance = i64::from(default_time().clock_tolerance_secs);

    // A proof that would live past the expiry does not exist (prover and circuit refuse).
    let statement = w.statement(&alice, &bob, 100, expiry).await;
    assert_eq!(
        check_native(
            &statement,
            &w.params,
            &w.witness(&alice),
            &w.disclosure(&statement).1
        ),
        Err(RuleViolation::CredentialExpired)
    );
    // The latest possible proof: valid until one second before the expiry.
    let statement = w.statement(&alice, &bob, 100, expiry - 1).await;
    let proof = w.prove(&statement, w.witness(&alice));
    // It lands until expiry - 1 + tolerance, and not a second later.
    w.advance_time(expiry - 1 + tolerance + 1 - now).await;
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::ProofExpired);
    assert_eq!(w.balance(&bob.token_account).await, 0);
}

#[tokio::test]
async fn roots_must_be_in_the_rings() {
    let (mut w, alice, bob) = world_with_pair(TokenKind::Spl).await;
    let signer = alice.keypair.insecure_clone();
    let valid_until = w.valid_until().await;

    // A credential root the issuer never published.
    let mut statement = w.statement(&alice, &bob, 100, valid_until).await;
    statement.credential_root = [3u8; 32];
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::UnknownCredentialRoot,
    );

    // A sanctions root the list never published.
    let mut statement = w.statement(&alice, &bob, 100, valid_until).await;
    statement.sanctions_root = [3u8; 32];
    let ix = w.transfer_ix(&alice, &bob, &statement, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::UnknownSanctionsRoot,
    );

    // A superseded credential root: accepted up to its grace (the zero proof then fails
    // verification), refused one second after it.
    let old_root = statement.credential_root;
    let _carol = w.wallet(0, Some((13, 840, 1, EXPIRY))).await; // publishes a new root
    let grace = i64::from(default_time().credential_root_grace_secs);
    w.advance_time(grace).await;
    let valid_until = w.valid_until().await;
    let mut stale = w.statement(&alice, &bob, 100, valid_until).await;
    stale.credential_root = old_root;
    let ix = w.transfer_ix(&alice, &bob, &stale, [0u8; 256]);
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);
    w.advance_time(1).await;
    w.ctx.get_new_latest_blockhash().await.expect("blockhash");
    let ix = w.transfer_ix(&alice, &bob, &stale, [0u8; 256]);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::UnknownCredentialRoot,
    );
    let valid_until = w.valid_until().await;

    // A superseded sanctions root: fine within the grace period, refused after it.
    let old = w.statement(&alice, &bob, 100, valid_until).await;
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
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
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
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
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
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 100, valid_until).await;
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

    // Without the sender's signature.
    let mut unsigned = base.clone();
    unsigned.accounts[0].is_signer = false;
    assert_anchor_err(
        w.send(&[unsigned], &[]).await,
        AnchorError::AccountNotSigner,
    );

    // A destination token account of another mint.
    let original_mint = w.mint;
    w.mint = w.create_mint().await;
    let other_mint = w.mint;
    let bob_other = w.create_token_account(&bob.keypair.pubkey()).await;
    w.mint = original_mint;
    let mut bad = base.clone();
    bad.accounts[8].pubkey = bob_other;
    assert_anchor_err(
        w.send(&[bad], &[&signer]).await,
        AnchorError::ConstraintTokenMint,
    );

    // A mint the rule-set is restricted away from.
    let config = rule_set_config(&w.params);
    let refs = ix::RuleSetRefs {
        mint: Some(other_mint),
        ..rule_set_refs()
    };
    w.update_rule_set(config, &refs)
        .await
        .expect("restrict mint");
    assert_zkgate_err(
        w.send(&[base], &[&signer]).await,
        ZkgateError::MintNotAllowed,
    );
}

fn window_params() -> zkgate_circuits::params::RuleSetParams {
    let mut params = default_params();
    params.per_transfer_limit = [1_000, 1_000, 1_000, 1_000];
    params.per_window_limit = [1_500, 1_500, 1_500, 1_500];
    params.window_seconds = 60;
    params
}

#[tokio::test]
async fn window_volume_is_enforced_across_transfers() {
    let mut w = World::with_params(TokenKind::Spl, window_params()).await;
    let alice = w.wallet(100_000, Some((11, 840, 1, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 1, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();

    w.transfer(&alice, &bob, 1_000)
        .await
        .expect("first transfer");
    let valid_until = w.valid_until().await;

    // The honest statement now carries window volume 1_000: 1_000 more breaks the limit, and
    // the prover's native check says so before any proving.
    let statement = w.statement(&alice, &bob, 1_000, valid_until).await;
    assert_eq!(statement.window_volume, 1_000);
    assert_eq!(
        check_native(
            &statement,
            &w.params,
            &w.witness(&alice),
            &w.disclosure(&statement).1
        ),
        Err(RuleViolation::WindowLimitExceeded)
    );
    // Understating the volume (claiming 0) is refused before the proof is even looked at.
    let mut lie = statement.clone();
    lie.window_volume = 0;
    let proof = w.prove(&lie, w.witness(&alice));
    let ix = w.transfer_ix(&alice, &bob, &lie, proof);
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::WindowVolumeUnderstated,
    );
    // Overstating is allowed (it proves a stricter bound): 500 more with a claimed 1_000.
    w.transfer(&alice, &bob, 500)
        .await
        .expect("up to the limit");

    // The window slides with the cluster clock: 59 s later the first transfer still counts.
    w.advance_time(59).await;
    let vu = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 1, vu).await;
    assert_eq!(statement.window_volume, 1_500);
    assert_eq!(
        check_native(
            &statement,
            &w.params,
            &w.witness(&alice),
            &w.disclosure(&statement).1
        ),
        Err(RuleViolation::WindowLimitExceeded)
    );
    // At 60 s it has left the window: 1_000 are free again.
    w.advance_time(1).await;
    w.transfer(&alice, &bob, 1_000).await.expect("next window");
    assert_eq!(w.balance(&bob.token_account).await, 2_500);
}

/// The attack of the review: a fresh sender steps its proof's time one window at a time to
/// spend a full window limit in each, in one slot. The window is the cluster's now, so
/// whatever times the proofs carry, one window of cluster time holds at most one limit.
#[tokio::test]
async fn stepping_proof_times_does_not_multiply_the_window_limit() {
    let mut w = World::with_params(TokenKind::Spl, window_params()).await;
    let alice = w.wallet(100_000, Some((11, 840, 1, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 1, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();
    let now = w.clock().await.unix_timestamp;
    let mut sent = 0u64;
    // Proofs "for" 11 successive windows, all landing in the same slot.
    for step in 0..11i64 {
        let valid_until = now + step * 60 % 600;
        let statement = w.statement(&alice, &bob, 1_000, valid_until).await;
        if check_native(
            &statement,
            &w.params,
            &w.witness(&alice),
            &w.disclosure(&statement).1,
        )
        .is_err()
        {
            // The honest prover refuses; a dishonest one can only understate the volume.
            let mut lie = statement.clone();
            lie.window_volume = 0;
            let proof = w.prove(&lie, w.witness(&alice));
            let ix = w.transfer_ix(&alice, &bob, &lie, proof);
            assert_zkgate_err(
                w.send(&[ix], &[&signer]).await,
                ZkgateError::WindowVolumeUnderstated,
            );
            continue;
        }
        let proof = w.prove(&statement, w.witness(&alice));
        let ix = w.transfer_ix(&alice, &bob, &statement, proof);
        w.send(&[ix], &[&signer]).await.expect("within the limit");
        sent += 1_000;
    }
    assert_eq!(sent, 1_000, "one transfer of 1_000 fits a 1_500 window");
    assert_eq!(w.balance(&bob.token_account).await, 1_000);
}

/// Every wallet of one subject shares one volume window (the subject tag keys it).
#[tokio::test]
async fn a_subjects_wallets_share_one_window() {
    let mut w = World::with_params(TokenKind::Spl, window_params()).await;
    // Two wallets, two credentials, one subject (11).
    let alice = w.wallet(100_000, Some((11, 840, 1, EXPIRY))).await;
    let alice2 = w.wallet(100_000, Some((11, 840, 1, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 1, EXPIRY))).await;
    assert_eq!(alice.subject_tag(), alice2.subject_tag());
    w.transfer(&alice, &bob, 1_000).await.expect("first wallet");
    // The second wallet sees the subject's volume and nonce.
    let vu = w.valid_until().await;
    let statement = w.statement(&alice2, &bob, 1_000, vu).await;
    assert_eq!((statement.nonce, statement.window_volume), (1, 1_000));
    assert_eq!(
        check_native(
            &statement,
            &w.params,
            &w.witness(&alice2),
            &w.disclosure(&statement).1
        ),
        Err(RuleViolation::WindowLimitExceeded)
    );
    w.transfer(&alice2, &bob, 500)
        .await
        .expect("the rest of the limit");
    assert_eq!(w.balance(&bob.token_account).await, 1_500);
    // Claiming another subject's tag (a fresh state) needs a proof for that subject.
    let vu = w.valid_until().await;
    let mut other = w.statement(&alice2, &bob, 500, vu).await;
    other.subject_tag = bob.subject_tag();
    other.nonce = 0;
    other.window_volume = 0;
    assert_eq!(
        check_native(
            &other,
            &w.params,
            &w.witness(&alice2),
            &w.disclosure(&other).1
        ),
        Err(RuleViolation::SubjectTagMismatch)
    );
}

/// Changing the window length never locks a subject out: the state records each transfer's
/// time, and the new length applies to it at once.
#[tokio::test]
async fn a_window_change_does_not_lock_anyone_out() {
    let mut w = World::with_params(TokenKind::Spl, window_params()).await;
    let alice = w.wallet(100_000, Some((11, 840, 1, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 840, 1, EXPIRY))).await;
    w.transfer(&alice, &bob, 1_000).await.expect("before");
    w.advance_time(120).await;
    for window_seconds in [3_600, 30] {
        let mut params = w.params.clone();
        params.window_seconds = window_seconds;
        w.update_rule_set(rule_set_config(&params), &rule_set_refs())
            .await
            .expect("change the window");
        w.params = params;
        w.version += 1;
        w.transfer(&alice, &bob, 100)
            .await
            .expect("transfers go on after a window change");
    }
    // Under the 1-hour window the first transfer counted again (1_000 + 100 + 100 < 1_500);
    // under 30 s only the two made just now count.
    let now = w.clock().await.unix_timestamp;
    let state = w.subject_state(&alice).await.expect("state");
    assert_eq!(state.volume_at(now, 3_600).unwrap(), 1_200);
    assert_eq!(state.volume_at(now, 30).unwrap(), 200);
    assert_eq!(state.nonce, 3);
}
