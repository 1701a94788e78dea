//! End to end: the real prover over HTTP, the real program in the Solana runtime, real token
//! balances after each transfer, and refusals with their exact errors.
use solana_sdk::signature::Signer;
use zkgate::errors::ZkgateError;
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_to_be_bytes};
use zkgate_circuits::keys::ProgramVerifyingKey;
use zkgate_client::api::ProofRequest;
use zkgate_client::ix::transfer_from_proof;
use zkgate_prover::client::ClientError;
use zkgate_tests::local_prover::{rule_set_entry, LocalProver};
use zkgate_tests::*;

const FAR: i64 = 4_000_000_000;

#[track_caller]
fn assert_refused(r: Result<zkgate_client::api::ProofResponse, ClientError>, code: &str) {
    match r {
        Err(ClientError::Api { status, body }) => {
            assert_eq!((status, body.error.code.as_str()), (422, code), "{body:?}")
        }
        other => panic!("expected 422 {code}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prover_over_http_then_program_in_runtime() {
    let keys = keys();
    let mut w = World::with_vk(
        TokenKind::Spl,
        default_params(),
        &ProgramVerifyingKey::from_ark(&keys.vk),
    )
    .await;
    let prover = LocalProver::start(vec![rule_set_entry(keys, &w.params)])
        .await
        .expect("prover");
    let client = prover.client.clone();

    let alice = w.wallet(100_000, Some((21, 840, 2, FAR))).await;
    let bob = w.wallet(0, Some((22, 276, 1, FAR))).await;
    let now = w.clock().await.unix_timestamp;
    let erin = w.wallet(100_000, Some((23, 840, 2, now - 1))).await;
    let mallory = w.wallet(100_000, Some((24, 840, 2, FAR))).await;

    // Approved: alice -> bob, 2_500.
    let req = w.proof_request(&alice, &bob, 2_500).await;
    let resp = client.prove(&req).await.expect("prover answers");
    let ix = transfer_from_proof(&w.transfer_accounts(&alice, &bob), &req, &resp).expect("ix");
    let signer = alice.keypair.insecure_clone();
    let logs = w
        .send_with_logs(std::slice::from_ref(&ix), &[&signer])
        .await
        .expect("approved");
    assert_eq!(w.balance(&alice.token_account).await, 97_500);
    assert_eq!(w.balance(&bob.token_account).await, 2_500);
    let events = transfer_events(&logs);
    assert_eq!(events.len(), 1);
    assert_eq!(
        hex::encode(events[0].statement_hash),
        resp.statement_hash_hex
    );

    // Replay of the same instruction: the subject's volume and nonce moved on (the volume
    // check fires first).
    w.ctx.get_new_latest_blockhash().await.expect("blockhash");
    assert_zkgate_err(
        w.send(&[ix], &[&signer]).await,
        ZkgateError::WindowVolumeUnderstated,
    );
    assert_eq!(w.balance(&bob.token_account).await, 2_500, "nothing moved");

    // Refused by the prover before any proving.
    let req = w.proof_request(&erin, &bob, 100).await;
    assert_refused(client.prove(&req).await, "credential_expired");
    let req = w.proof_request(&alice, &bob, 20_000).await;
    assert_refused(client.prove(&req).await, "amount_over_tier_limit");
    // Mallory's witness was taken before her listing; the list's new root catches her.
    let mut req = w.proof_request(&mallory, &bob, 100).await;
    let subject = fr_from_be_bytes(&mallory.credential.as_ref().unwrap().subject_id).unwrap();
    w.sanctions.insert(subject).expect("list mallory");
    w.publish_sanctions_root().await;
    req.transfer.sanctions_root = hex::encode(fr_to_be_bytes(&w.sanctions.root()));
    assert_refused(client.prove(&req).await, "sanctioned");

    // A proof carried to another recipient / amount / mint is refused by the program.
    let carol = w.wallet(0, Some((25, 840, 1, FAR))).await;
    let req = w.proof_request(&alice, &bob, 1_000).await;
    let resp = client.prove(&req).await.expect("proof");
    let to_carol = transfer_from_proof(&w.transfer_accounts(&alice, &carol), &req, &resp).unwrap();
    assert_zkgate_err(
        w.send(&[to_carol], &[&signer]).await,
        ZkgateError::InvalidProof,
    );
    let mut more: ProofRequest = req.clone();
    more.transfer.amount = 9_000;
    let bigger = transfer_from_proof(&w.transfer_accounts(&alice, &bob), &more, &resp).unwrap();
    assert_zkgate_err(
        w.send(&[bigger], &[&signer]).await,
        ZkgateError::InvalidProof,
    );
    // The honest one still goes through.
    let ok = transfer_from_proof(&w.transfer_accounts(&alice, &bob), &req, &resp).unwrap();
    w.send(&[ok], &[&signer]).await.expect("honest transfer");
    assert_eq!(w.balance(&bob.token_account).await, 3_500);
    assert_eq!(w.balance(&carol.token_account).await, 0);

    prover.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_cannot_be_carried_to_another_rule_set() {
    let keys = keys();
    let vk = ProgramVerifyingKey::from_ark(&keys.vk);
    let mut w = World::with_vk(TokenKind::Token2022, default_params(), &vk).await;
    let alice = w.wallet(10_000, Some((31, 840, 2, FAR))).await;
    let bob = w.wallet(0, Some((32, 840, 2, FAR))).await;
    // A second rule-set with the same key and issuer but other parameters.
    let mut params = default_params();
    params.per_transfer_limit = [5, 5, 5, 5];
    let admin = w.admin.insecure_clone();
    let rsa = w.rule_set_authority.insecure_clone();
    let args = zkgate::instructions::RegisterRuleSetArgs {
        id: RULE_SET_ID + 1,
        authority: rsa.pubkey(),
        config: rule_set_config(&params),
    };
    w.send(
        &[
            zkgate_client::ix::register_rule_set(&admin.pubkey(), args, &rule_set_refs()),
            zkgate_client::ix::set_verifying_key(
                &rsa.pubkey(),
                &admin.pubkey(),
                RULE_SET_ID + 1,
                zkgate_client::convert::vk_args(&vk),
            ),
        ],
        &[&admin, &rsa],
    )
    .await
    .expect("second rule-set");
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 1_000, valid_until).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let mut ix = w.transfer_ix(&alice, &bob, &statement, proof);
    let other = zkgate_client::pda::rule_set(RULE_SET_ID + 1);
    ix.accounts[2].pubkey = other;
    ix.accounts[5].pubkey = zkgate_client::pda::subject_state(&other, &statement.subject_tag);
    let signer = alice.keypair.insecure_clone();
    assert_zkgate_err(w.send(&[ix], &[&signer]).await, ZkgateError::InvalidProof);
    // Under its own rule-set the proof is good (Token-2022 mint).
    let ix = w.transfer_ix(&alice, &bob, &statement, proof);
    w.send(&[ix], &[&signer]).await.expect("own rule-set");
    assert_eq!(w.balance(&bob.token_account).await, 1_000);
}
