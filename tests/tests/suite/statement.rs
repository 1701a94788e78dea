//! The program's statement and parameter hashing (Poseidon syscall, `solana-poseidon`) agrees
//! with the circuit crate's native twin on the same values, and the verifier's encodings agree
//! with arkworks.
use anchor_lang::prelude::Pubkey;
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, UniformRand};
use rand::{Rng, RngCore};
use zkgate::verifier::{verify_proof, G2_GENERATOR_BE};
use zkgate_circuits::encoding::fr_to_be_bytes;
use zkgate_circuits::params::RuleSetParams;
use zkgate_circuits::statement::Statement;
use zkgate_client::convert;

fn random_field(rng: &mut impl RngCore) -> [u8; 32] {
    fr_to_be_bytes(&zkgate_circuits::Fr::rand(rng))
}

fn random_key(rng: &mut impl RngCore) -> [u8; 32] {
    let mut k = [0u8; 32];
    rng.fill_bytes(&mut k);
    k
}

#[test]
fn program_and_circuit_hash_the_same_statement() {
    let mut rng = rand::thread_rng();
    for i in 0..32 {
        let s = Statement {
            rule_set_id: rng.gen(),
            rule_set_version: rng.gen(),
            params_hash: random_field(&mut rng),
            credential_root: random_field(&mut rng),
            sanctions_root: random_field(&mut rng),
            program_id: if i == 0 {
                zkgate::ID.to_bytes()
            } else {
                random_key(&mut rng)
            },
            sender: if i == 1 {
                [0xff; 32]
            } else {
                random_key(&mut rng)
            },
            recipient: random_key(&mut rng),
            mint: if i == 2 {
                [0; 32]
            } else {
                random_key(&mut rng)
            },
            amount: if i == 3 { u64::MAX } else { rng.gen() },
            nonce: rng.gen(),
            window_volume: rng.gen(),
            valid_until: rng.gen_range(0..i64::MAX),
            subject_tag: random_field(&mut rng),
            disclosure_hash: random_field(&mut rng),
        };
        let program = convert::program_statement(&s).hash().expect("program hash");
        let circuit = s.hash_bytes().expect("circuit hash");
        assert_eq!(program, circuit, "statement {i}");
    }
}

#[test]
fn program_and_circuit_hash_the_same_params() {
    let mut rng = rand::thread_rng();
    for _ in 0..16 {
        let p = RuleSetParams {
            allowed_jurisdictions: std::array::from_fn(|_| rng.gen()),
            denied_jurisdictions: std::array::from_fn(|_| rng.gen()),
            per_transfer_limit: std::array::from_fn(|_| rng.gen()),
            per_window_limit: std::array::from_fn(|_| rng.gen()),
            window_seconds: rng.gen(),
            auditor_key: {
                let mut k = [0u8; 64];
                k[..32].copy_from_slice(&random_field(&mut rng));
                k[32..].copy_from_slice(&random_field(&mut rng));
                k
            },
        };
        let program = zkgate::statement::params_hash(&convert::program_params(&p)).expect("hash");
        assert_eq!(program, p.hash_bytes());
    }
}

#[test]
fn key_limbs_do_not_alias() {
    // Two keys that would collide if packed into one field element modulo r.
    let a = Pubkey::new_from_array([0xff; 32]);
    let b = Pubkey::new_from_array([0x00; 32]);
    assert_ne!(
        zkgate::statement::key_limbs(&a),
        zkgate::statement::key_limbs(&b)
    );
}

#[test]
fn g2_generator_constant_matches_arkworks() {
    let g = ark_bn254::G2Affine::generator();
    let mut bytes = Vec::new();
    for limb in [g.x.c1, g.x.c0, g.y.c1, g.y.c0] {
        bytes.extend(limb.into_bigint().to_bytes_be());
    }
    assert_eq!(bytes, G2_GENERATOR_BE.to_vec());
}

#[test]
fn unreduced_public_input_is_refused_by_the_verifier() {
    // x + r for x = 1: the verifier must refuse it rather than treat it as 1.
    let keys = zkgate_tests::keys();
    let vk = zkgate_circuits::keys::ProgramVerifyingKey::from_ark(&keys.vk);
    let vk = zkgate::state::VerifyingKeyData {
        alpha_g1: vk.alpha_g1,
        beta_g2: vk.beta_g2,
        gamma_g2: vk.gamma_g2,
        delta_g2: vk.delta_g2,
        ic: [vk.ic[0], vk.ic[1]],
    };
    let mut input = zkgate::state::BN254_R_BE;
    input[31] += 1;
    let err = verify_proof(&vk, &[0u8; 256], &input).expect_err("unreduced input");
    assert_eq!(
        err,
        zkgate::errors::ZkgateError::PublicInputNotReduced.into()
    );
}
