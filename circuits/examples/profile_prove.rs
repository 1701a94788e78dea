use ark_bn254::Bn254;
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::Groth16;
use std::time::Instant;
use zkgate_circuits::engine::{create_proof, PreparedKey};
use zkgate_circuits::keys::KeySet;
use zkgate_circuits::merkle::DEFAULT_DEPTH;
use zkgate_circuits::proof::full_assignment;
use zkgate_circuits::testing::SampleBuilder;
use zkgate_circuits::{Fr, UniformRand};

fn main() {
    let sample = SampleBuilder::default().build();
    let keys = KeySet::generate(DEFAULT_DEPTH, &mut rand::thread_rng()).unwrap();
    let m = &keys.matrices;
    let t = Instant::now();
    let prep = PreparedKey::new(&keys.pk);
    println!("prepare {:?} {:?}", t.elapsed(), prep);
    let full = full_assignment(sample.circuit(), m).unwrap();
    for _ in 0..4 {
        let r = Fr::rand(&mut rand::thread_rng());
        let s = Fr::rand(&mut rand::thread_rng());
        let t = Instant::now();
        let stock = Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
            &keys.pk,
            r,
            s,
            m,
            m.num_instance_variables,
            m.num_constraints,
            &full,
        )
        .unwrap();
        let t_s = t.elapsed();
        let t = Instant::now();
        let var = create_proof::<LibsnarkReduction>(&keys.pk, None, r, s, m, &full).unwrap();
        let t_v = t.elapsed();
        let t = Instant::now();
        let fixed =
            create_proof::<LibsnarkReduction>(&keys.pk, Some(&prep), r, s, m, &full).unwrap();
        let t_f = t.elapsed();
        println!(
            "stock {t_s:?} variable {t_v:?} ({}) fixed {t_f:?} ({})",
            stock == var,
            stock == fixed
        );
    }
}
