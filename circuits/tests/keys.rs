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
