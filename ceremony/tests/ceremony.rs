//! The ceremony on a tiny circuit (`x·x = y`, `y` public) and a throwaway ptau of power 3, so
//! every step and every refusal runs in a moment: the file formats round-trip, a transcript of
//! two contributions and a beacon verifies, its final key proves with snarkjs' QAP reduction,
//! and each kind of tampering is refused with its own error. The snarkjs side (byte-identical
//! `zkey new`, contributions by snarkjs, `snarkjs zkey verify` of ours) is
//! `scripts/ceremony-check.sh`.
use ark_bn254::{Bn254, Fr};
use ark_ff::One;
use ark_groth16::Groth16;
use ark_relations::r1cs::ConstraintMatrices;
use zkgate_ceremony::phase2::{beacon, contribute, new_zkey, verify};
use zkgate_ceremony::ptau::{throwaway, Ptau};
use zkgate_ceremony::r1cs::{read_r1cs, read_wtns, write_r1cs, write_wtns, R1cs};
use zkgate_ceremony::zkey::Zkey;
use zkgate_ceremony::CeremonyError;
use zkgate_circuits::qap::CircomReduction;

/// `x · x = y` and `y · 1 = y` (wires: 1, y, x).
fn square() -> ConstraintMatrices<Fr> {
    let one = Fr::one();
    ConstraintMatrices {
        num_instance_variables: 2,
        num_witness_variables: 1,
        num_constraints: 2,
        a_num_non_zero: 2,
        b_num_non_zero: 2,
        c_num_non_zero: 2,
        a: vec![vec![(one, 2)], vec![(one, 1)]],
        b: vec![vec![(one, 2)], vec![(one, 0)]],
        c: vec![vec![(one, 1)], vec![(one, 1)]],
    }
}

fn setup() -> (ConstraintMatrices<Fr>, R1cs, Vec<u8>) {
    let m = square();
    let r1cs = read_r1cs(&write_r1cs(&m)).expect("our r1cs parses");
    (m, r1cs, throwaway(3, &mut rand::rngs::OsRng))
}

fn transcript(r1cs: &R1cs, ptau: &[u8]) -> Zkey {
    let p = Ptau::parse(ptau).unwrap();
    let z0 = new_zkey(r1cs, &p).unwrap();
    let (z1, h1) = contribute(&z0, "alice", b"alice's passphrase");
    let (z2, h2) = contribute(&z1, "bob", b"");
    assert_ne!(h1, h2);
    let (z3, _) = beacon(&z2, "beacon", &[7u8; 32], 10).unwrap();
    z3
}

fn invalid(r: Result<impl std::fmt::Debug, CeremonyError>) -> String {
    match r {
        Err(CeremonyError::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn files_round_trip_and_a_witness_is_checked() {
    let (m, r1cs, ptau) = setup();
    assert_eq!((r1cs.wires, r1cs.public, r1cs.constraints.len()), (3, 1, 2));
    let x = Fr::from(7u64);
    let good = vec![Fr::one(), x * x, x];
    assert_eq!(read_wtns(&write_wtns(&good)).unwrap(), good);
    assert_eq!(r1cs.check(&good), Ok(()));
    assert_eq!(r1cs.check(&[Fr::one(), x * x + Fr::one(), x]), Err(0));
    let z = transcript(&r1cs, &ptau);
    let bytes = z.to_bytes();
    assert_eq!(Zkey::parse(&bytes).unwrap(), z, "zkey round trip");
    // Malformed files get errors, not panics.
    for bad in [&bytes[..100], &b"zkez"[..], &[]] {
        assert!(matches!(Zkey::parse(bad), Err(CeremonyError::Format(_))));
    }
    assert!(matches!(
        read_r1cs(&write_r1cs(&m)[..50]),
        Err(CeremonyError::Format(_))
    ));
    let mut unprepared = ptau.clone();
    unprepared.truncate(200);
    assert!(Ptau::parse(&unprepared).is_err());
}

#[test]
fn a_transcript_verifies_and_its_key_proves_with_the_circom_reduction() {
    let (m, r1cs, ptau) = setup();
    let z = transcript(&r1cs, &ptau);
    let v = verify(&r1cs, &Ptau::parse(&ptau).unwrap(), &z).expect("verifies");
    let names: Vec<_> = v
        .contributions
        .iter()
        .map(|c| (c.0.as_str(), c.2))
        .collect();
    assert_eq!(names, [("alice", false), ("bob", false), ("beacon", true)]);
    // The final key proves x·x = y for y = 49 (and not for y = 50).
    let pk = z.proving_key();
    let x = Fr::from(7u64);
    let full = [Fr::one(), x * x, x];
    let mut rng = rand::rngs::OsRng;
    let proof = Groth16::<Bn254, CircomReduction>::create_proof_with_reduction_and_matrices(
        &pk,
        ark_ff::UniformRand::rand(&mut rng),
        ark_ff::UniformRand::rand(&mut rng),
        &m,
        2,
        2,
        &full,
    )
    .unwrap();
    let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
    assert!(Groth16::<Bn254, CircomReduction>::verify_proof(&pvk, &proof, &[x * x]).unwrap());
    assert!(
        !Groth16::<Bn254, CircomReduction>::verify_proof(&pvk, &proof, &[Fr::from(50u64)]).unwrap()
    );
    // The beacon is deterministic: the same value gives the same contribution.
    let p = Ptau::parse(&ptau).unwrap();
    let z0 = new_zkey(&r1cs, &p).unwrap();
    let (a, ha) = beacon(&z0, "b", &[1u8; 4], 10).unwrap();
    let (b, hb) = beacon(&z0, "b", &[1u8; 4], 10).unwrap();
    assert_eq!((a.delta1, ha), (b.delta1, hb));
    assert!(matches!(
        beacon(&z0, "b", &[], 10),
        Err(CeremonyError::Format(_))
    ));
    assert!(matches!(
        beacon(&z0, "b", &[1], 9),
        Err(CeremonyError::Format(_))
    ));
}

#[test]
fn tampering_is_refused_by_what_it_breaks() {
    let (_, r1cs, ptau) = setup();
    let p = Ptau::parse(&ptau).unwrap();
    let z = transcript(&r1cs, &ptau);

    let mut t = z.clone();
    t.contributions[1].transcript[5] ^= 1;
    assert_eq!(
        invalid(verify(&r1cs, &p, &t)),
        "contribution 2: inconsistent transcript"
    );
    let mut t = z.clone();
    t.contributions[0].g1_sx = t.contributions[1].g1_sx;
    let m = invalid(verify(&r1cs, &p, &t));
    assert!(m.starts_with("contribution 1:"), "{m}");
    let mut t = z.clone();
    t.contributions[2].beacon_hash = vec![8u8; 32];
    assert_eq!(
        invalid(verify(&r1cs, &p, &t)),
        "contribution 3: the beacon's key does not come from its value"
    );
    let mut t = z.clone();
    t.delta1 = t.contributions[0].delta_after;
    assert_eq!(
        invalid(verify(&r1cs, &p, &t)),
        "δ1 is not the last contribution's"
    );
    let mut t = z.clone();
    t.c[0] = ark_ec::CurveGroup::into_affine(t.c[0] + t.c[0]);
    assert_eq!(
        invalid(verify(&r1cs, &p, &t)),
        "the C section is not the circuit's divided by δ"
    );
    let mut t = z.clone();
    t.h.swap(0, 1);
    assert_eq!(
        invalid(verify(&r1cs, &p, &t)),
        "the H section is not the circuit's divided by δ"
    );
    // Another circuit: x·x = y only.
    let mut other = r1cs.clone();
    other.constraints[1][0][0].0 = Fr::from(2u64);
    assert_eq!(
        invalid(verify(&other, &p, &z)),
        "the coefficients section is not this circuit's"
    );
    // Another ptau.
    let other_ptau = throwaway(3, &mut rand::rngs::OsRng);
    assert_eq!(
        invalid(verify(&r1cs, &Ptau::parse(&other_ptau).unwrap(), &z)),
        "the header is not this ptau's (α, β) or γ moved"
    );
}
