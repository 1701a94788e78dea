//! Two-sided compliance: under a rule-set with `pass_ttl_secs > 0`, `transfer` credits only a
//! wallet holding a valid pass, which `issue_pass` records after verifying the wallet's
//! pass-circuit proof.
use solana_sdk::signature::{Keypair, Signer};
use zkgate::errors::ZkgateError;
use zkgate::events::PassIssued;
use zkgate_client::ix;
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;
const DAY: i64 = 86_400;

async fn two_sided_world(ttl: u32) -> (World, Wallet, Wallet) {
    let mut w = World::new(TokenKind::Spl).await;
    w.make_two_sided(ttl).await;
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    (w, alice, bob)
}

#[tokio::test]
async fn a_two_sided_rule_set_credits_only_wallets_with_a_pass() {
    let (mut w, alice, bob) = two_sided_world(DAY as u32).await;
    // Bob has no pass: refused before any proof work, nothing moves.
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::RecipientPassMissing,
    );
    assert_eq!(w.balance(&bob.token_account).await, 0);

    // Bob proves he may receive; the pass lives the rule-set's TTL, not the 30 days asked.
    let now = w.clock().await.unix_timestamp;
    let out = w
        .issue_pass(&bob, now + 30 * DAY)
        .await
        .expect("issue pass");
    let pass = w.pass_account(&bob).await.expect("pass");
    assert_eq!(pass.wallet, bob.keypair.pubkey());
    assert_eq!(pass.rule_set_version, w.version);
    assert!(pass.expires_at <= w.clock().await.unix_timestamp + DAY);
    assert!(pass.expires_at >= now + DAY);
    let events: Vec<PassIssued> = out.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].statement_hash, pass.statement_hash);
    assert_eq!(events[0].expires_at, pass.expires_at);

    w.transfer(&alice, &bob, 100)
        .await
        .expect("transfer to a pass holder");
    assert_eq!(w.balance(&bob.token_account).await, 100);

    // Another wallet's pass is not bob's.
    let carol = w.wallet(0, Some((13, 840, 2, EXPIRY))).await;
    let now = w.clock().await.unix_timestamp;
    w.issue_pass(&carol, now + DAY).await.expect("carol's pass");
    let statement = w.statement(&alice, &bob, 50, now + PROOF_LIFETIME).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let mut ixn = w.transfer_ix(&alice, &bob, &statement, proof);
    let carol_pass = zkgate_client::pda::pass(
        &zkgate_client::pda::rule_set(RULE_SET_ID),
        &carol.keypair.pubkey(),
    );
    let slot = ixn.accounts.len() - 3; // recipient_pass, then event_authority, program
    ixn.accounts[slot].pubkey = carol_pass;
    let signer = alice.keypair.insecure_clone();
    assert_zkgate_err(
        w.send(&[ixn], &[&signer]).await,
        ZkgateError::RecipientPassMissing,
    );
}

#[tokio::test]
async fn a_newly_sanctioned_recipient_stops_receiving_after_the_grace() {
    let (mut w, alice, bob) = two_sided_world(DAY as u32).await;
    let now = w.clock().await.unix_timestamp;
    w.issue_pass(&bob, now + DAY).await.expect("pass");
    // Bob's subject is listed; the list publishes the new root.
    let subject = bob.credential.as_ref().unwrap().subject().unwrap();
    w.sanctions.insert(subject).unwrap();
    w.publish_sanctions_root().await;
    // Within the grace his pass (proven against the old root) still holds...
    w.transfer(&alice, &bob, 100)
        .await
        .expect("within the grace");
    // ...after it, it does not.
    w.advance_time(default_time().sanctions_root_grace_secs as i64 + 1)
        .await;
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::RecipientPassSanctionsRootStale,
    );
    assert_eq!(w.balance(&bob.token_account).await, 100);
    // And no new pass can be proven: the prover's native check refuses a listed subject.
    let later = w.clock().await.unix_timestamp + DAY;
    let statement = w.pass_statement(&bob, later);
    let circuit = zkgate_circuits::pass::PassCircuit {
        statement,
        params: w.params.clone(),
        witness: zkgate_circuits::compliance::ComplianceWitness {
            credential: bob.credential.clone().unwrap(),
            credential_path: w.credentials.path(bob.leaf_index).unwrap(),
            sanctions: w
                .sanctions
                .non_membership(&zkgate_circuits::encoding::fr_from_u64(1))
                .unwrap(),
        },
        depth: DEPTH,
    };
    let res = zkgate_circuits::proof::prove(pass_keys(), circuit, &mut rand::thread_rng());
    assert!(
        matches!(
            res,
            Err(zkgate_circuits::proof::ProveError::Violation(
                zkgate_circuits::compliance::RuleViolation::Sanctioned
            ))
        ),
        "{res:?}"
    );
}

#[tokio::test]
async fn passes_expire_and_die_with_a_rule_set_change() {
    let (mut w, alice, bob) = two_sided_world(600).await;
    let now = w.clock().await.unix_timestamp;
    w.issue_pass(&bob, now + DAY).await.expect("pass");
    w.advance_time(601).await;
    w.publish_credential_root().await;
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::RecipientPassExpired,
    );

    let now = w.clock().await.unix_timestamp;
    w.issue_pass(&bob, now + DAY).await.expect("renewed pass");
    w.transfer(&alice, &bob, 100).await.expect("renewed");
    // A rule-set change (here: a longer TTL) voids passes proven under the old version.
    let mut config = rule_set_config(&w.params);
    config.time.pass_ttl_secs = 1_200;
    w.update_rule_set(config, &rule_set_refs())
        .await
        .expect("update");
    w.version += 1;
    assert_zkgate_err(
        w.transfer(&alice, &bob, 100).await,
        ZkgateError::RecipientPassStale,
    );
    assert_eq!(w.balance(&bob.token_account).await, 100);
}

#[tokio::test]
async fn issue_pass_refuses_what_it_cannot_verify() {
    let mut w = World::new(TokenKind::Spl).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    let signer = bob.keypair.insecure_clone();
    let now = w.clock().await.unix_timestamp;
    // A one-sided rule-set issues no passes.
    let statement = w.pass_statement(&bob, now + DAY);
    let args = w.pass_args(&bob, &statement);
    let res = w.send(&[w.issue_pass_ix(&bob, args)], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::PassesNotEnabled);

    // Two-sided, but no pass key yet.
    let mut config = rule_set_config(&w.params);
    config.time.pass_ttl_secs = DAY as u32;
    w.update_rule_set(config, &rule_set_refs())
        .await
        .expect("update");
    w.version += 1;
    let statement = w.pass_statement(&bob, now + DAY);
    let args = w.pass_args(&bob, &statement);
    let res = w.send(&[w.issue_pass_ix(&bob, args)], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::NoPassVerifyingKey);

    w.make_two_sided(DAY as u32).await;
    let statement = w.pass_statement(&bob, now + DAY);
    let good = w.pass_args(&bob, &statement);
    // The proof is for bob: another wallet cannot take it.
    let carol = Keypair::new();
    let mut accounts = ix::PassAccounts {
        payer: bob.keypair.pubkey(),
        wallet: carol.pubkey(),
        rule_set_id: RULE_SET_ID,
        issuer_id: ISSUER_ID,
        sanctions_list_id: SANCTIONS_ID,
    };
    let res = w
        .send(&[ix::issue_pass(&accounts, good.clone())], &[&signer])
        .await;
    assert_zkgate_err(res, ZkgateError::InvalidProof);
    // A deadline in the past.
    let mut past = good.clone();
    past.valid_until = now - 1;
    let res = w.send(&[w.issue_pass_ix(&bob, past)], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::PassValidUntilPast);
    // A root the issuer never published.
    let mut unknown = good.clone();
    unknown.credential_root[31] ^= 1;
    let res = w.send(&[w.issue_pass_ix(&bob, unknown)], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::UnknownCredentialRoot);
    // A transfer proof is not a pass proof (other circuit, other key).
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let statement = w.statement(&alice, &bob, 10, now + PROOF_LIFETIME).await;
    let mut wrong_circuit = good.clone();
    wrong_circuit.proof = w.prove(&statement, w.witness(&alice));
    let res = w
        .send(&[w.issue_pass_ix(&bob, wrong_circuit)], &[&signer])
        .await;
    assert_zkgate_err(res, ZkgateError::InvalidProof);
    assert!(w.pass_account(&bob).await.is_none());
    // The genuine one passes.
    accounts.wallet = bob.keypair.pubkey();
    w.send(&[ix::issue_pass(&accounts, good)], &[&signer])
        .await
        .expect("bob's pass");
    assert!(w.pass_account(&bob).await.is_some());
}

/// Both at once: a zkgate-hook mint under a two-sided rule-set. `[approve, transfer_checked]`
/// to a wallet without a pass is refused by zkgate before any approval exists; with the pass it
/// goes through.
#[tokio::test]
async fn a_hooked_two_sided_transfer_needs_the_pass_and_the_approval() {
    let mut w = World::new(TokenKind::Token2022).await;
    w.use_hooked_mint(None).await;
    w.make_two_sided(DAY as u32).await;
    let alice = w.wallet(10_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    let signer = alice.keypair.insecure_clone();
    let plain = ix::hooked_transfer_checked(
        &alice.token_account,
        &w.mint,
        &bob.token_account,
        &signer.pubkey(),
        100,
        w.decimals,
    );
    let args = w.proved_args(&alice, &bob, 100).await;
    let approve = ix::approve(&w.transfer_accounts(&alice, &bob), args);
    let res = w.send(&[approve.clone(), plain.clone()], &[&signer]).await;
    assert_zkgate_err(res, ZkgateError::RecipientPassMissing);
    assert!(w.approval(&alice.token_account).await.is_none());

    let now = w.clock().await.unix_timestamp;
    w.issue_pass(&bob, now + DAY).await.expect("bob's pass");
    w.send(&[approve, plain], &[&signer])
        .await
        .expect("approve + transfer_checked to a pass holder");
    assert_eq!(w.balance(&bob.token_account).await, 100);
    assert!(w.approval(&alice.token_account).await.unwrap().used);
}
