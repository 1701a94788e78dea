//! The registry's admin instructions in the real runtime: authority checks, two-step admin
//! hand-over, re-initialization, verifying-key screening, parameter validation.
use anchor_lang::AccountDeserialize;
use solana_program_test::BanksClientError;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;
use zkgate::errors::ZkgateError;
use zkgate::instructions::RegisterRuleSetArgs;
use zkgate::state::{RuleSetStatus, MAX_ISSUERS};
use zkgate::verifier::G2_GENERATOR_BE;
use zkgate_circuits::keys::ProgramVerifyingKey;
use zkgate_client::{convert, ix, pda};
use zkgate_tests::*;

fn vk() -> ProgramVerifyingKey {
    ProgramVerifyingKey::from_ark(&keys().vk)
}

async fn register(
    w: &mut World,
    signer: &Keypair,
    id: u64,
    vk: &ProgramVerifyingKey,
) -> Result<(), BanksClientError> {
    // The world's rule-set authority owns it; `signer` registers and co-signs the key as admin.
    let rsa = w.rule_set_authority.insecure_clone();
    let args = RegisterRuleSetArgs {
        id,
        authority: rsa.pubkey(),
        config: rule_set_config(&w.params),
    };
    let signer = signer.insecure_clone();
    let key = signer.pubkey();
    w.send(
        &[
            ix::register_rule_set(&key, args, &rule_set_refs()),
            ix::set_verifying_key(&rsa.pubkey(), &key, id, convert::vk_args(vk)),
        ],
        &[&signer, &rsa],
    )
    .await
}

#[tokio::test]
async fn registered_rule_set_stores_key_params_and_hashes() {
    let mut w = World::new(TokenKind::Spl).await;
    let rs = w.rule_set_account(RULE_SET_ID).await;
    assert_eq!(rs.id, RULE_SET_ID);
    assert_eq!(rs.version, 1);
    assert_eq!(rs.status, RuleSetStatus::Active);
    assert_eq!(rs.authority, w.rule_set_authority.pubkey());
    assert_eq!(
        rs.vk_hash,
        vk().hash(),
        "on-chain SHA-256 equals the setup's vk hash"
    );
    assert_eq!(
        rs.params_hash,
        w.params.hash_bytes(),
        "on-chain Poseidon equals the circuit's"
    );
    assert_eq!(rs.params, convert::program_params(&w.params));
}

#[tokio::test]
async fn initialize_twice_fails() {
    let mut w = World::new(TokenKind::Spl).await;
    let attacker = Keypair::new();
    w.airdrop(&attacker.pubkey(), 1_000_000_000).await;
    let res = w
        .send(&[ix::initialize(&attacker.pubkey())], &[&attacker])
        .await;
    // Anchor's `init` refuses an account that already exists (the allocation fails).
    assert!(
        matches!(
            res,
            Err(BanksClientError::TransactionError(
                TransactionError::InstructionError(0, _)
            ))
        ),
        "re-initialization must fail, got {res:?}"
    );
    let config = w
        .ctx
        .banks_client
        .get_account(pda::config())
        .await
        .unwrap()
        .unwrap();
    let config =
        zkgate::state::Config::try_deserialize(&mut config.data.as_slice()).expect("config");
    assert_eq!(config.admin, w.admin.pubkey(), "the admin did not change");
}

#[tokio::test]
async fn admin_instructions_require_the_admin() {
    let mut w = World::new(TokenKind::Spl).await;
    let mallory = Keypair::new();
    w.airdrop(&mallory.pubkey(), 5_000_000_000).await;
    let m = mallory.pubkey();

    assert_zkgate_err(
        w.send(&[ix::set_paused(&m, true)], &[&mallory]).await,
        ZkgateError::NotAdmin,
    );
    assert_zkgate_err(
        w.send(&[ix::propose_admin(&m, Some(m))], &[&mallory]).await,
        ZkgateError::NotAdmin,
    );
    assert_zkgate_err(
        w.send(&[ix::add_issuer(&m, 5, &m)], &[&mallory]).await,
        ZkgateError::NotAdmin,
    );
    assert_zkgate_err(
        w.send(&[ix::set_issuer_active(&m, ISSUER_ID, false)], &[&mallory])
            .await,
        ZkgateError::NotAdmin,
    );
    assert_zkgate_err(
        w.send(
            &[ix::create_sanctions_list(&m, 5, &m, [1u8; 32])],
            &[&mallory],
        )
        .await,
        ZkgateError::NotAdmin,
    );
    assert_zkgate_err(
        register(&mut w, &mallory, 99, &vk()).await,
        ZkgateError::NotAdmin,
    );

    // Rule-set authority instructions.
    let config = rule_set_config(&w.params);
    assert_zkgate_err(
        w.send(
            &[ix::update_rule_set(
                &m,
                RULE_SET_ID,
                config,
                &rule_set_refs(),
            )],
            &[&mallory],
        )
        .await,
        ZkgateError::NotRuleSetAuthority,
    );
    assert_zkgate_err(
        w.send(
            &[ix::set_rule_set_status(
                &m,
                RULE_SET_ID,
                RuleSetStatus::Paused,
            )],
            &[&mallory],
        )
        .await,
        ZkgateError::NotAuthorityOrAdmin,
    );
    // Root publication.
    assert_zkgate_err(
        w.send(
            &[ix::publish_credential_root(&m, ISSUER_ID, [1u8; 32])],
            &[&mallory],
        )
        .await,
        ZkgateError::NotIssuerAuthority,
    );
    assert_zkgate_err(
        w.send(
            &[ix::publish_sanctions_root(&m, SANCTIONS_ID, [1u8; 32])],
            &[&mallory],
        )
        .await,
        ZkgateError::NotSanctionsAuthority,
    );
}

#[tokio::test]
async fn admin_signature_is_required() {
    let mut w = World::new(TokenKind::Spl).await;
    // The admin's key without its signature: the instruction names the admin but the
    // transaction is signed by someone else only.
    let mut ix = ix::set_paused(&w.admin.pubkey(), true);
    ix.accounts[0].is_signer = false;
    assert_anchor_err(
        w.send(&[ix], &[]).await,
        anchor_lang::error::ErrorCode::AccountNotSigner,
    );
}

#[tokio::test]
async fn admin_hand_over_is_two_step() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let next = Keypair::new();
    let mallory = Keypair::new();
    w.airdrop(&next.pubkey(), 1_000_000_000).await;

    assert_zkgate_err(
        w.send(&[ix::accept_admin(&next.pubkey())], &[&next]).await,
        ZkgateError::NoPendingAdmin,
    );
    w.send(
        &[ix::propose_admin(&admin.pubkey(), Some(next.pubkey()))],
        &[&admin],
    )
    .await
    .expect("propose");
    // Proposing does not hand over: the old admin still governs.
    w.send(&[ix::set_paused(&admin.pubkey(), false)], &[&admin])
        .await
        .expect("still admin");
    assert_zkgate_err(
        w.send(&[ix::accept_admin(&mallory.pubkey())], &[&mallory])
            .await,
        ZkgateError::NotPendingAdmin,
    );
    w.send(&[ix::accept_admin(&next.pubkey())], &[&next])
        .await
        .expect("accept");
    assert_zkgate_err(
        w.send(&[ix::set_paused(&admin.pubkey(), true)], &[&admin])
            .await,
        ZkgateError::NotAdmin,
    );
    w.send(&[ix::set_paused(&next.pubkey(), true)], &[&next])
        .await
        .expect("new admin governs");
}

#[tokio::test]
async fn degenerate_verifying_keys_are_refused() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();

    let mut k = vk();
    k.delta_g2 = k.gamma_g2;
    assert_zkgate_err(
        register(&mut w, &admin, 100, &k).await,
        ZkgateError::DegenerateVerifyingKey,
    );

    let mut k = vk();
    k.delta_g2 = G2_GENERATOR_BE;
    assert_zkgate_err(
        register(&mut w, &admin, 101, &k).await,
        ZkgateError::DegenerateVerifyingKey,
    );

    let mut k = vk();
    k.ic.push(k.ic[1]);
    assert_zkgate_err(
        register(&mut w, &admin, 102, &k).await,
        ZkgateError::InvalidVerifyingKeyIcLength,
    );

    let mut k = vk();
    k.ic.truncate(1);
    assert_zkgate_err(
        register(&mut w, &admin, 103, &k).await,
        ZkgateError::InvalidVerifyingKeyIcLength,
    );

    let mut k = vk();
    k.alpha_g1[63] ^= 1;
    assert_zkgate_err(
        register(&mut w, &admin, 104, &k).await,
        ZkgateError::InvalidVerifyingKeyPoint,
    );

    let mut k = vk();
    k.beta_g2[127] ^= 1;
    assert_zkgate_err(
        register(&mut w, &admin, 105, &k).await,
        ZkgateError::InvalidVerifyingKeyPoint,
    );

    let mut k = vk();
    k.ic[1] = [0u8; 64];
    assert_zkgate_err(
        register(&mut w, &admin, 106, &k).await,
        ZkgateError::DegenerateVerifyingKey,
    );

    // gamma or delta equal to beta.
    let mut k = vk();
    k.gamma_g2 = k.beta_g2;
    assert_zkgate_err(
        register(&mut w, &admin, 108, &k).await,
        ZkgateError::DegenerateVerifyingKey,
    );
    let mut k = vk();
    k.delta_g2 = k.beta_g2;
    assert_zkgate_err(
        register(&mut w, &admin, 109, &k).await,
        ZkgateError::DegenerateVerifyingKey,
    );

    // A G2 point on the curve but outside the prime-order subgroup, in each G2 slot.
    let outside = g2_outside_subgroup();
    for (id, slot) in [(110u64, 0usize), (111, 1), (112, 2)] {
        let mut k = vk();
        match slot {
            0 => k.beta_g2 = outside,
            1 => k.gamma_g2 = outside,
            _ => k.delta_g2 = outside,
        }
        assert_zkgate_err(
            register(&mut w, &admin, id, &k).await,
            ZkgateError::InvalidVerifyingKeyPoint,
        );
    }

    register(&mut w, &admin, 107, &vk())
        .await
        .expect("a sound key registers");
}

/// A point of the BN254 G2 twist that is on the curve but not in the r-order subgroup (the
/// twist's cofactor is large, so a point from a random x almost never is).
fn g2_outside_subgroup() -> [u8; 128] {
    use ark_ff::UniformRand;
    let mut rng = rand::thread_rng();
    loop {
        let x = ark_bn254::Fq2::rand(&mut rng);
        if let Some(p) = ark_bn254::G2Affine::get_point_from_x_unchecked(x, false) {
            assert!(p.is_on_curve());
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                return zkgate_circuits::proof::g2_to_be_bytes(&p);
            }
        }
    }
}

/// A change to otherwise valid parameters.
type ParamsMutation = Box<dyn Fn(&mut zkgate_circuits::params::RuleSetParams)>;

#[tokio::test]
async fn malformed_parameters_are_refused() {
    let mut w = World::new(TokenKind::Spl).await;
    let admin = w.admin.insecure_clone();
    let base = w.params.clone();
    let cases: Vec<(ParamsMutation, ZkgateError)> = vec![
        (
            Box::new(|p| p.allowed_jurisdictions = [0; 8]),
            ZkgateError::InvalidJurisdictions,
        ),
        (
            Box::new(|p| p.allowed_jurisdictions[1] = p.allowed_jurisdictions[0]),
            ZkgateError::InvalidJurisdictions,
        ),
        (
            Box::new(|p| p.allowed_jurisdictions = [840, 0, 276, 0, 0, 0, 0, 0]),
            ZkgateError::InvalidJurisdictions,
        ),
        (
            Box::new(|p| p.denied_jurisdictions[0] = p.allowed_jurisdictions[0]),
            ZkgateError::InvalidJurisdictions,
        ),
        (
            Box::new(|p| p.per_transfer_limit[2] = p.per_window_limit[2] + 1),
            ZkgateError::InvalidTierLimits,
        ),
        (
            Box::new(|p| p.window_seconds = 0),
            ZkgateError::InvalidWindow,
        ),
    ];
    for (i, (mutate, err)) in cases.into_iter().enumerate() {
        let mut params = base.clone();
        mutate(&mut params);
        let args = RegisterRuleSetArgs {
            id: 200 + i as u64,
            authority: w.rule_set_authority.pubkey(),
            config: rule_set_config(&params),
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
            err,
        );
    }
    let mut config = rule_set_config(&base);
    config.time.max_proof_age_secs = 0;
    let args = RegisterRuleSetArgs {
        id: 300,
        authority: w.rule_set_authority.pubkey(),
        config,
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
        ZkgateError::InvalidTimeParams,
    );
    // Issuer lists: duplicated, empty, too long.
    let issuer = pda::issuer(ISSUER_ID);
    for (id, issuers) in [
        (301, vec![issuer; 2]),
        (302, vec![]),
        (303, vec![issuer; MAX_ISSUERS + 1]),
    ] {
        let args = RegisterRuleSetArgs {
            id,
            authority: w.rule_set_authority.pubkey(),
            config: rule_set_config(&base),
        };
        let refs = ix::RuleSetRefs {
            issuers,
            ..rule_set_refs()
        };
        assert_zkgate_err(
            w.send(
                &[ix::register_rule_set(&admin.pubkey(), args, &refs)],
                &[&admin],
            )
            .await,
            ZkgateError::InvalidIssuerList,
        );
    }
    // A window longer than a year.
    let mut params = base.clone();
    params.window_seconds = zkgate::state::MAX_WINDOW_SECONDS + 1;
    let args = RegisterRuleSetArgs {
        id: 304,
        authority: w.rule_set_authority.pubkey(),
        config: rule_set_config(&params),
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
        ZkgateError::InvalidWindow,
    );
}

#[tokio::test]
async fn roots_must_be_canonical_field_elements() {
    let mut w = World::new(TokenKind::Spl).await;
    let ia = w.issuer_authority.insecure_clone();
    let modulus = zkgate::state::BN254_R_BE;
    for root in [modulus, [0xff; 32], [0u8; 32]] {
        assert_zkgate_err(
            w.send(
                &[ix::publish_credential_root(&ia.pubkey(), ISSUER_ID, root)],
                &[&ia],
            )
            .await,
            ZkgateError::RootNotInField,
        );
    }
    let sa = w.sanctions_authority.insecure_clone();
    assert_zkgate_err(
        w.send(
            &[ix::publish_sanctions_root(
                &sa.pubkey(),
                SANCTIONS_ID,
                modulus,
            )],
            &[&sa],
        )
        .await,
        ZkgateError::RootNotInField,
    );
    // A deactivated issuer cannot publish.
    let admin = w.admin.insecure_clone();
    w.send(
        &[ix::set_issuer_active(&admin.pubkey(), ISSUER_ID, false)],
        &[&admin],
    )
    .await
    .expect("deactivate");
    assert_zkgate_err(
        w.send(
            &[ix::publish_credential_root(
                &ia.pubkey(),
                ISSUER_ID,
                [1u8; 32],
            )],
            &[&ia],
        )
        .await,
        ZkgateError::IssuerInactive,
    );
}
