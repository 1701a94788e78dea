//! Setup, proving, encoding and key files, checked against `groth16-solana`'s own verifier.
use std::sync::OnceLock;

use zkgate_circuits::keys::{KeyError, KeySet, ProgramVerifyingKey};
use zkgate_circuits::proof::{prove, verify_with_groth16_solana, ProofOutput};
use zkgate_circuits::testing::SampleBuilder;
use zkgate_circuits::Fr;

const DEPTH: usize = 4;

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::generate(DEPTH, &mut rand::thread_rng()).expect("setup"))
}

fn proof() -> &'static ProofOutput {
    static PROOF: OnceLock<ProofOutput> = OnceLock::new();
    PROOF.get_or_init(|| {
        let sample = SampleBuilder {
            depth: DEPTH,
            ..SampleBuilder::default()
        }
        .build();
        prove(keys(), sample.circuit(), &mut rand::thread_rng()).expect("prove")
    })
}

#[test]
fn proof_verifies_with_groth16_solana() {
    let vk = keys().program_vk();
    assert_eq!(vk.to_bytes().len(), 576);
    let p = proof();
    verify_with_groth16_solana(&vk, &p.proof, &p.public_input).expect("verifies");
    // The public input is the statement hash.
    let sample = SampleBuilder {
        depth: DEPTH,
        ..SampleBuilder::default()
    }
    .build();
    assert_eq!(p.public_input, sample.statement.hash_bytes().unwrap());
}

#[test]
fn mutated_public_input_fails() {
    let vk = keys().program_vk();
    let p = proof();
    let mut input = p.public_input;
    input[31] ^= 1;
    assert!(verify_with_groth16_solana(&vk, &p.proof, &input).is_err());
}

#[test]
fn proof_with_a_not_negated_fails() {
    let vk = keys().program_vk();
    let p = proof();
    let mut bytes = zkgate_circuits::proof::encode_proof(&p.ark_proof);
    // Re-encode with A as is (not negated): the classic encoding mistake.
    let a = zkgate_circuits::proof::g1_to_be_bytes(&p.ark_proof.a);
    bytes[..64].copy_from_slice(&a);
    assert!(verify_with_groth16_solana(&vk, &bytes, &p.public_input).is_err());
}

#[test]
fn proof_for_another_key_fails() {
    let other = KeySet::generate(DEPTH, &mut rand::thread_rng()).expect("setup");
    let p = proof();
    assert!(verify_with_groth16_solana(&other.program_vk(), &p.proof, &p.public_input).is_err());
}

#[test]
fn unsatisfiable_witness_cannot_be_proven() {
    let sample = SampleBuilder {
        depth: DEPTH,
        amount: 10_001,
        ..SampleBuilder::default()
    }
    .build();
    match prove(keys(), sample.circuit(), &mut rand::thread_rng()) {
        Err(zkgate_circuits::proof::ProveError::Violation(v)) => {
            assert_eq!(
                v,
                zkgate_circuits::compliance::RuleViolation::AmountOverTierLimit
            )
        }
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[test]
fn key_directory_round_trip_and_hash_check() {
    let dir = std::env::temp_dir().join(format!("zkgate-keys-{}", std::process::id()));
    let k = keys();
    k.write_dir(&dir).expect("write");
    for f in [
        "proving_key.bin",
        "verifying_key.bin",
        "verification_key.json",
        "manifest.json",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let loaded = KeySet::load_dir(&dir, Some(k.pk_sha256)).expect("load");
    assert_eq!(loaded.vk_hash, k.vk_hash);
    assert_eq!(loaded.depth, DEPTH);
    assert!(loaded.insecure_single_party);
    let vk_file = std::fs::read(dir.join("verifying_key.bin")).unwrap();
    assert_eq!(
        ProgramVerifyingKey::from_bytes(&vk_file).unwrap(),
        k.program_vk()
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("verification_key.json")).unwrap()).unwrap();
    assert_eq!(json["protocol"], "groth16");
    assert_eq!(json["curve"], "bn128");
    assert_eq!(json["IC"].as_array().unwrap().len(), 2);

    // A different expected hash is refused.
    match KeySet::load_dir(&dir, Some([0u8; 32])) {
        Err(KeyError::ProvingKeyHashMismatch { .. }) => {}
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    // A manifest that names another depth than the key's is refused at load.
    let manifest_path = dir.join("manifest.json");
    let original = std::fs::read(&manifest_path).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&original).unwrap();
    manifest["depth"] = serde_json::json!(DEPTH + 1);
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    match KeySet::load_dir(&dir, None) {
        Err(KeyError::Malformed(msg)) => assert!(msg.contains("depth 5"), "{msg}"),
        other => panic!("expected a depth mismatch, got {other:?}"),
    }
    // Keys for another circuit (by name, or by constraint matrices with the same sizes) are
    // refused at load.
    for (field, value) in [
        ("circuit", serde_json::json!("zkgate-compliance-v1")),
        (
            "constraints_sha256",
            serde_json::json!(hex::encode([7u8; 32])),
        ),
    ] {
        let mut manifest: serde_json::Value = serde_json::from_slice(&original).unwrap();
        manifest[field] = value;
        std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
        match KeySet::load_dir(&dir, None) {
            Err(KeyError::CircuitMismatch { .. }) => {}
            other => panic!("{field}: expected a circuit mismatch, got {other:?}"),
        }
    }
    let manifest: serde_json::Value = serde_json::from_slice(&original).unwrap();
    assert_eq!(
        manifest["constraints_sha256"],
        serde_json::json!(hex::encode(zkgate_circuits::keys::matrices_digest(
            &k.matrices
        )))
    );
    std::fs::write(&manifest_path, original).unwrap();
    // A tampered proving key is refused.
    let mut pk = std::fs::read(dir.join("proving_key.bin")).unwrap();
    let last = pk.len() - 1;
    pk[last] ^= 1;
    std::fs::write(dir.join("proving_key.bin"), pk).unwrap();
    assert!(matches!(
        KeySet::load_dir(&dir, None),
        Err(KeyError::ProvingKeyHashMismatch { .. })
    ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_matrices_digest_sees_one_changed_coefficient() {
    let k = keys();
    let digest = zkgate_circuits::keys::matrices_digest(&k.matrices);
    let mut m = (*k.matrices).clone();
    let row = m.a.iter_mut().find(|r| !r.is_empty()).unwrap();
    row[0].0 += Fr::from(1u64);
    assert_ne!(zkgate_circuits::keys::matrices_digest(&m), digest);
    assert_eq!(
        (m.num_constraints, m.num_witness_variables),
        (k.matrices.num_constraints, k.matrices.num_witness_variables),
        "same sizes, different circuit"
    );
}

#[test]
fn cached_matrices_and_witness_only_synthesis_equal_a_full_synthesis() {
    use ark_relations::r1cs::{
        ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
    };
    use zkgate_circuits::Fr;
    let sample = SampleBuilder {
        depth: DEPTH,
        ..SampleBuilder::default()
    }
    .build();
    // What the stock arkworks prover does per proof: constraints and values together.
    let full = ConstraintSystem::<Fr>::new_ref();
    full.set_optimization_goal(OptimizationGoal::Constraints);
    sample.circuit().generate_constraints(full.clone()).unwrap();
    assert!(full.is_satisfied().unwrap());
    full.finalize();
    let from_witness = full.to_matrices().unwrap();
    // What the keys cache: the setup's matrices, built without values.
    let cached = &keys().matrices;
    assert_eq!(cached.num_constraints, from_witness.num_constraints);
    assert_eq!(
        cached.num_witness_variables,
        from_witness.num_witness_variables
    );
    assert_eq!(
        cached.num_instance_variables,
        from_witness.num_instance_variables
    );
    assert!(cached.a == from_witness.a && cached.b == from_witness.b);
    assert!(cached.c == from_witness.c);
    // What `prove` computes per proof: the assignment alone, which must be the same.
    let lean = ConstraintSystem::<Fr>::new_ref();
    lean.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
    });
    sample.circuit().generate_constraints(lean.clone()).unwrap();
    let (lean, full) = (lean.borrow().unwrap(), full.borrow().unwrap());
    assert_eq!(lean.instance_assignment, full.instance_assignment);
    let first_difference = lean
        .witness_assignment
        .iter()
        .zip(&full.witness_assignment)
        .position(|(a, b)| a != b);
    assert_eq!(
        (lean.witness_assignment.len(), first_difference),
        (full.witness_assignment.len(), None),
        "witness assignments differ"
    );
}

#[test]
fn keys_for_another_depth_are_refused() {
    let sample = SampleBuilder {
        depth: DEPTH + 1,
        ..SampleBuilder::default()
    }
    .build();
    match prove(keys(), sample.circuit(), &mut rand::thread_rng()) {
        Err(zkgate_circuits::proof::ProveError::Synthesis(msg)) => {
            assert!(msg.contains("depth"), "{msg}")
        }
        other => panic!("expected a depth mismatch, got {other:?}"),
    }
}

#[test]
fn encoded_proofs_decode_and_rerandomized_proofs_still_verify() {
    use zkgate_circuits::proof::{decode_proof, encode_proof, rerandomize};
    let p = proof();
    let decoded = decode_proof(&p.proof).expect("decodes");
    assert_eq!(decoded, p.ark_proof);
    assert_eq!(encode_proof(&decoded), p.proof);
    // Anyone can re-randomize: different bytes, same statement, still valid.
    let fresh = rerandomize(&keys().vk, &p.proof, &mut rand::thread_rng()).expect("valid proof");
    assert_ne!(fresh, p.proof);
    verify_with_groth16_solana(&keys().program_vk(), &fresh, &p.public_input)
        .expect("re-randomized proof verifies");
    // Off-curve or non-canonical bytes do not decode.
    let mut bad = p.proof;
    bad[63] ^= 1;
    assert!(decode_proof(&bad).is_none());
    let mut bad = p.proof;
    bad[..32].copy_from_slice(&[0xff; 32]);
    assert!(decode_proof(&bad).is_none());
}

/// Keys made for snarkjs' QAP reduction prove with it (and only with it): the manifest's
/// `qap` picks the reduction, the key directory round-trips it, and a proof made with the
/// wrong reduction for the keys does not verify.
#[test]
fn circom_reduction_keys_prove_and_round_trip() {
    use ark_groth16::Groth16;
    use ark_snark::SNARK;
    use zkgate_circuits::compliance::ComplianceCircuit;
    use zkgate_circuits::keys::{CircuitKind, QapReduction};
    use zkgate_circuits::qap::CircomReduction;

    let mut rng = rand::thread_rng();
    let (pk, _) = Groth16::<ark_bn254::Bn254, CircomReduction>::circuit_specific_setup(
        ComplianceCircuit::blank(DEPTH),
        &mut rng,
    )
    .unwrap();
    let mut circom = KeySet::from_parts(
        CircuitKind::Compliance,
        DEPTH,
        pk,
        QapReduction::Circom,
        None,
    )
    .unwrap();
    let sample = SampleBuilder {
        depth: DEPTH,
        ..SampleBuilder::default()
    }
    .build();
    let p = prove(&circom, sample.circuit(), &mut rng).expect("proves with the circom reduction");
    verify_with_groth16_solana(&circom.program_vk(), &p.proof, &p.public_input).unwrap();

    let dir = std::env::temp_dir().join(format!("zkgate-circom-keys-{}", rand::random::<u64>()));
    circom.write_dir(&dir).unwrap();
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains(r#""qap": "circom""#), "{manifest}");
    let loaded = KeySet::load_dir(&dir, None).unwrap();
    assert_eq!(loaded.qap, QapReduction::Circom);
    std::fs::remove_dir_all(&dir).unwrap();

    // The same keys driven with the other reduction: the self-check refuses the proof.
    circom.qap = QapReduction::Libsnark;
    let err = prove(&circom, sample.circuit(), &mut rng).unwrap_err();
    assert!(
        matches!(err, zkgate_circuits::proof::ProveError::SelfCheck(_)),
        "{err:?}"
    );
}

/// The proving engine makes exactly arkworks' proof: for the same `r`, `s` and witness, the
/// same three points, under both QAP reductions, with and without the fixed-base tables, and
/// for the degenerate `r = 0` / `s = 0` (arkworks' special case for B in G1).
#[test]
fn the_engine_makes_arkworks_proofs_for_the_same_randomness() {
    use ark_bn254::Bn254;
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use ark_groth16::Groth16;
    use ark_relations::r1cs::ConstraintMatrices;
    use zkgate_circuits::engine::{create_proof, PreparedKey};
    use zkgate_circuits::proof::full_assignment;
    use zkgate_circuits::qap::CircomReduction;
    use zkgate_circuits::UniformRand;

    fn both<Q: R1CSToQAP>(
        keys: &KeySet,
        prepared: &PreparedKey,
        m: &ConstraintMatrices<Fr>,
        full: &[Fr],
        r: Fr,
        s: Fr,
    ) {
        let stock = Groth16::<Bn254, Q>::create_proof_with_reduction_and_matrices(
            &keys.pk,
            r,
            s,
            m,
            m.num_instance_variables,
            m.num_constraints,
            full,
        )
        .unwrap();
        let plain = create_proof::<Q>(&keys.pk, None, r, s, m, full).unwrap();
        let fixed = create_proof::<Q>(&keys.pk, Some(prepared), r, s, m, full).unwrap();
        assert_eq!(plain, stock, "variable-base engine");
        assert_eq!(fixed, stock, "fixed-base engine");
    }

    let mut rng = rand::thread_rng();
    let keys = keys();
    let prepared = keys.prepare();
    assert!(prepared.heap_bytes() > 0);
    let m = &keys.matrices;
    for (i, amount) in [1u64, 500, 999].into_iter().enumerate() {
        let sample = SampleBuilder {
            depth: DEPTH,
            amount,
            nonce: i as u64,
            subject: 42 + i as u64,
            window_volume: 7 * i as u64,
            ..SampleBuilder::default()
        }
        .build();
        let full = full_assignment(sample.circuit(), m).unwrap();
        let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        both::<LibsnarkReduction>(keys, prepared, m, &full, r, s);
        // The key was made for the libsnark reduction; the engine must still agree with
        // arkworks point for point under snarkjs' reduction (the proof itself is not valid).
        both::<CircomReduction>(keys, prepared, m, &full, r, s);
        if i == 0 {
            both::<LibsnarkReduction>(keys, prepared, m, &full, Fr::from(0u64), s);
            both::<LibsnarkReduction>(keys, prepared, m, &full, r, Fr::from(0u64));
        }
    }
    // `prove` goes through the tables once they exist, and its proofs verify.
    let sample = SampleBuilder {
        depth: DEPTH,
        ..SampleBuilder::default()
    }
    .build();
    assert!(keys.prepared().is_some());
    let p = prove(keys, sample.circuit(), &mut rng).unwrap();
    verify_with_groth16_solana(&keys.program_vk(), &p.proof, &p.public_input).unwrap();
}

/// The engine's MSMs equal arkworks' on the cases a bucket meets: identity bases, equal bases
/// (doubling), opposite bases (cancellation), scalars 0, 1, −1 and powers of two, in G1 and
/// G2, for every window size the tables use.
#[test]
fn engine_msms_equal_arkworks_on_edge_cases() {
    use ark_ec::short_weierstrass::{Affine, Projective};
    use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
    use ark_ff::{BigInteger, Field, PrimeField};
    use zkgate_circuits::engine::msm::{msm, FixedBaseTable};
    use zkgate_circuits::UniformRand;

    macro_rules! check {
        ($P:ty, $rng:expr) => {{
            type P = $P;
            let rng = $rng;
            let g = Affine::<P>::generator();
            let mut bases: Vec<Affine<P>> = (0..180)
                .map(|_| (g * Fr::rand(rng)).into_affine())
                .collect();
            let mut scalars: Vec<Fr> = (0..180).map(|_| Fr::rand(rng)).collect();
            // Identity bases, equal and opposite pairs with equal scalars (same bucket, every
            // window), and the scalars a digit decomposition trips on.
            for i in 0..10 {
                bases[i] = Affine::identity();
                bases[20 + 2 * i + 1] = bases[20 + 2 * i];
                scalars[20 + 2 * i + 1] = scalars[20 + 2 * i];
                bases[60 + 2 * i + 1] = -bases[60 + 2 * i];
                scalars[60 + 2 * i + 1] = scalars[60 + 2 * i];
                scalars[100 + i] = Fr::from(0u64);
                scalars[110 + i] = Fr::from(1u64);
                scalars[120 + i] = -Fr::from(1u64 + i as u64);
                scalars[130 + i] = Fr::from(2u64).pow([(25 * i) as u64]);
            }
            let big: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
            assert!(big[120].num_bits() == 254);
            let expected = Projective::<P>::msm_bigint(&bases, &big);
            assert_eq!(msm(&bases, &big), expected, "variable base");
            for c in [2, 5, 8, 13] {
                let table = FixedBaseTable::new(&bases, c);
                assert_eq!(table.window(), c);
                assert_eq!(table.msm(&big), expected, "fixed base, window {c}");
                // Fewer scalars than bases: the first ones only, as arkworks does.
                assert_eq!(
                    table.msm(&big[..50]),
                    Projective::<P>::msm_bigint(&bases[..50], &big[..50]),
                    "fixed base, window {c}, short"
                );
            }
            // All zero scalars, and no bases at all.
            let zeros = vec![Fr::from(0u64).into_bigint(); bases.len()];
            assert_eq!(msm(&bases, &zeros), Projective::<P>::default());
            assert_eq!(
                FixedBaseTable::<P>::new(&[], 8).msm(&big),
                Projective::<P>::default()
            );
        }};
    }

    let mut rng = rand::thread_rng();
    check!(ark_bn254::g1::Config, &mut rng);
    check!(ark_bn254::g2::Config, &mut rng);
}
