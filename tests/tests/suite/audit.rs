//! Disclosure to the auditor in the real runtime: the auditor opens an approved transfer from
//! its event alone; an altered ephemeral key or ciphertext is refused with the exact error; the
//! registry refuses auditor keys outside the prime-order subgroup and lists rotated-out keys.
use solana_sdk::signature::Signer;
use zkgate::errors::ZkgateError;
use zkgate_circuits::babyjub::{self, Point, Scalar};
use zkgate_circuits::testing::sample_auditor_secret;
use zkgate_client::audit::{decode_transfer_event, open_event, AuditError, AuditorKeyFile};
use zkgate_client::ix;
use zkgate_tests::*;

const EXPIRY: i64 = 4_000_000_000;

async fn world_with_pair() -> (World, Wallet, Wallet) {
    let mut w = World::new(TokenKind::Token2022).await;
    let alice = w.wallet(1_000_000, Some((11, 840, 2, EXPIRY))).await;
    let bob = w.wallet(0, Some((12, 276, 1, EXPIRY))).await;
    (w, alice, bob)
}

#[tokio::test]
async fn the_auditor_opens_an_approved_transfer_from_its_event_alone() {
    let (mut w, alice, bob) = world_with_pair().await;
    let logs = w.transfer(&alice, &bob, 2_500).await.expect("transfer");
    // The raw event-CPI data, as an indexer or `getTransaction` hands it over.
    let raw: Vec<Vec<u8>> = logs
        .events
        .iter()
        .filter(|d| {
            d.starts_with(
                <zkgate::events::TransferApproved as anchor_lang::Discriminator>::DISCRIMINATOR,
            )
        })
        .cloned()
        .collect();
    assert_eq!(raw.len(), 1);
    let event = decode_transfer_event(&raw[0]).expect("decodes");
    assert_eq!(event.auditor_key, w.params.auditor_key);

    let auditor = AuditorKeyFile::from_secret(&sample_auditor_secret());
    let report = open_event(&event, &auditor).expect("the auditor opens it");
    let credential = alice.credential.clone().unwrap();
    assert_eq!(report.subject_id_hex, hex::encode(credential.subject_id));
    assert_eq!(
        report.issuer,
        zkgate_client::pda::issuer(ISSUER_ID).to_string()
    );
    assert_eq!(report.leaf_index, alice.leaf_index);
    assert_eq!(report.jurisdiction, 840);
    assert_eq!(report.tier, 2);
    assert_eq!(report.expiry, EXPIRY);
    assert_eq!(report.sender, alice.keypair.pubkey().to_string());
    assert_eq!(report.amount, 2_500);
    assert_eq!(report.statement_hash_hex, hex::encode(event.statement_hash));

    // Anyone else: another key is refused before decryption (the event names the key), and a
    // key file claiming the auditor's public key with another secret is refused as well.
    let other = AuditorKeyFile::from_secret(&Scalar::from(99u64));
    assert!(matches!(
        open_event(&event, &other),
        Err(AuditError::OtherKey(_))
    ));
    let mut forged = AuditorKeyFile::from_secret(&Scalar::from(99u64));
    forged.public_key_hex = auditor.public_key_hex.clone();
    assert!(matches!(
        open_event(&event, &forged),
        Err(AuditError::KeyFile(_))
    ));
    // An event whose posted bytes were changed after the fact no longer opens.
    let mut altered = decode_transfer_event(&raw[0]).expect("decodes");
    altered.disclosure.ciphertext[1][31] ^= 1;
    assert_eq!(
        open_event(&altered, &auditor).err(),
        Some(AuditError::Disclosure(
            zkgate_circuits::disclosure::DisclosureError::Authentication
        ))
    );
    // Not a transfer event.
    assert_eq!(
        decode_transfer_event(&[1, 2, 3]).err(),
        Some(AuditError::NotATransferEvent)
    );
}

#[tokio::test]
async fn an_altered_ephemeral_key_or_ciphertext_is_refused() {
    let (mut w, alice, bob) = world_with_pair().await;
    let valid_until = w.valid_until().await;
    let statement = w.statement(&alice, &bob, 2_500, valid_until).await;
    let proof = w.prove(&statement, w.witness(&alice));
    let signer = alice.keypair.insecure_clone();
    let genuine = w.transfer_ix(&alice, &bob, &statement, proof);
    let args = |ix: &solana_sdk::instruction::Instruction| {
        <zkgate::instruction::Transfer as anchor_lang::AnchorDeserialize>::deserialize(
            &mut &ix.data[8..],
        )
        .expect("args")
        .args
    };
    let accounts = w.transfer_accounts(&alice, &bob);
    let with_args = |args: zkgate::instructions::TransferArgs| ix::transfer(&accounts, args);
    let original = args(&genuine);

    // Another R (a valid point), one flipped ciphertext bit, another issuer's commitment: the
    // statement changes, the proof does not verify.
    let mut other_r = original.clone();
    other_r.disclosure.ephemeral_key =
        babyjub::point_to_bytes(&babyjub::public_key(&Scalar::from(5u64)));
    let mut other_c = original.clone();
    other_c.disclosure.ciphertext[3][31] ^= 1;
    for (name, a) in [("R", other_r), ("ciphertext", other_c)] {
        let r = w.send(&[with_args(a)], &[&signer]).await;
        assert_zkgate_err(r, ZkgateError::InvalidProof);
        eprintln!("altered {name}: InvalidProof");
    }
    // Values that are not field elements are refused before any hashing.
    let mut huge = original.clone();
    huge.disclosure.ciphertext[0] = [0xff; 32];
    let r = w.send(&[with_args(huge)], &[&signer]).await;
    assert_zkgate_err(r, ZkgateError::DisclosureNotInField);
    let mut huge_r = original.clone();
    huge_r.disclosure.ephemeral_key[32..].copy_from_slice(&[0xff; 32]);
    let r = w.send(&[with_args(huge_r)], &[&signer]).await;
    assert_zkgate_err(r, ZkgateError::DisclosureNotInField);

    // The genuine one still lands, and nothing moved before.
    assert_eq!(w.balance(&bob.token_account).await, 0);
    w.send(&[genuine], &[&signer]).await.expect("genuine");
    assert_eq!(w.balance(&bob.token_account).await, 2_500);
}

#[tokio::test]
async fn the_registry_refuses_auditor_keys_outside_the_subgroup() {
    let (mut w, _alice, _bob) = world_with_pair().await;
    let p = |x: zkgate_circuits::Fr, y: zkgate_circuits::Fr| {
        babyjub::point_to_bytes(&Point::new_unchecked(x, y))
    };
    let fr = zkgate_circuits::Fr::from;
    let valid = w.params.auditor_key;
    let valid_witness = zkgate_client::convert::auditor_key_witness(&valid);
    // A point of order 2 plus the valid key: on the curve, outside the subgroup.
    let torsion = babyjub::point_from_bytes(&p(fr(0u64), -fr(1u64))).unwrap();
    let mixed = Point::from(babyjub::point_from_bytes(&valid).unwrap() + torsion);
    let cases: Vec<(&str, [u8; 64], [u8; 64])> = vec![
        ("identity", p(fr(0u64), fr(1u64)), p(fr(0u64), fr(1u64))),
        ("order 2", p(fr(0u64), -fr(1u64)), p(fr(0u64), fr(1u64))),
        (
            "mixed order, its own 8th",
            babyjub::point_to_bytes(&mixed),
            babyjub::point_to_bytes(&babyjub::cofactor_witness(&mixed)),
        ),
        ("off curve", p(fr(1u64), fr(2u64)), valid_witness),
        (
            "witness of another key",
            valid,
            zkgate_client::convert::auditor_key_witness(&babyjub::point_to_bytes(
                &babyjub::public_key(&Scalar::from(3u64)),
            )),
        ),
        ("not a field element", [0xff; 64], [0xff; 64]),
    ];
    for (name, key, witness) in cases {
        let mut config = rule_set_config(&w.params);
        config.params.auditor_key = key;
        config.auditor_key_witness = witness;
        let r = w.update_rule_set(config, &rule_set_refs()).await;
        eprintln!("auditor key {name}");
        assert_zkgate_err(r, ZkgateError::InvalidAuditorKey);
    }
    assert_eq!(
        w.rule_set_account(RULE_SET_ID).await.params.auditor_key,
        valid
    );
}

#[tokio::test]
async fn rotation_keeps_old_keys_listed_and_new_transfers_use_the_new_key() {
    let (mut w, alice, bob) = world_with_pair().await;
    let old = w.params.auditor_key;
    let new_sk = Scalar::from(0xa0d1_7002u64);
    let new_key = babyjub::point_to_bytes(&babyjub::public_key(&new_sk));
    let mut params = w.params.clone();
    params.auditor_key = new_key;
    let logs = {
        let config = rule_set_config(&params);
        let rsa = w.rule_set_authority.insecure_clone();
        w.send_with_logs(
            &[ix::update_rule_set(
                &rsa.pubkey(),
                RULE_SET_ID,
                config,
                &rule_set_refs(),
            )],
            &[&rsa],
        )
        .await
        .expect("rotation")
    };
    let changed: Vec<zkgate::events::RuleSetChanged> = logs.events();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].auditor_key, new_key);
    w.params = params;
    w.version += 1;
    let rs = w.rule_set_account(RULE_SET_ID).await;
    assert_eq!(rs.params.auditor_key, new_key);
    assert_eq!(rs.previous_auditor_keys, vec![old]);
    assert_eq!(rs.params_hash, w.params.hash_bytes());

    let logs = w.transfer(&alice, &bob, 100).await.expect("transfer");
    let e = &transfer_events(&logs)[0];
    assert_eq!(e.auditor_key, new_key);
    let new_auditor = AuditorKeyFile::from_secret(&new_sk);
    let old_auditor = AuditorKeyFile::from_secret(&sample_auditor_secret());
    assert_eq!(open_event(e, &new_auditor).expect("opens").amount, 100);
    assert!(matches!(
        open_event(e, &old_auditor),
        Err(AuditError::OtherKey(_))
    ));

    // Rotating back and forth keeps at most MAX_PREVIOUS_AUDITOR_KEYS, newest last.
    let mut last = new_key;
    for i in 0..zkgate::state::MAX_PREVIOUS_AUDITOR_KEYS as u64 + 1 {
        let key = babyjub::point_to_bytes(&babyjub::public_key(&Scalar::from(1_000 + i)));
        let mut params = w.params.clone();
        params.auditor_key = key;
        w.update_rule_set(rule_set_config(&params), &rule_set_refs())
            .await
            .expect("rotation");
        w.params = params;
        w.version += 1;
        last = key;
    }
    let rs = w.rule_set_account(RULE_SET_ID).await;
    assert_eq!(rs.params.auditor_key, last);
    assert_eq!(
        rs.previous_auditor_keys.len(),
        zkgate::state::MAX_PREVIOUS_AUDITOR_KEYS
    );
    assert_ne!(rs.previous_auditor_keys.last(), Some(&last));
    assert!(
        !rs.previous_auditor_keys.contains(&old),
        "the oldest dropped"
    );
}
