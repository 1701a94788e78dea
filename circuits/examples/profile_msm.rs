use ark_bn254::{G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::PrimeField;
use std::time::Instant;
use zkgate_circuits::engine::msm::{msm, FixedBaseTable};
use zkgate_circuits::keys::KeySet;
use zkgate_circuits::merkle::DEFAULT_DEPTH;
use zkgate_circuits::proof::full_assignment;
use zkgate_circuits::testing::SampleBuilder;

fn main() {
    let sample = SampleBuilder::default().build();
    let keys = KeySet::generate(DEFAULT_DEPTH, &mut rand::thread_rng()).unwrap();
    let m = &keys.matrices;
    let full = full_assignment(sample.circuit(), m).unwrap();
    let w: Vec<_> = full.iter().map(|x| x.into_bigint()).collect();
    for c in [11usize, 12, 13, 14, 15] {
        let ta = FixedBaseTable::new(&keys.pk.a_query, c);
        let tb = FixedBaseTable::new(&keys.pk.b_g2_query, c);
        for _ in 0..2 {
            let t = Instant::now();
            let x = ta.msm(&w);
            let t1 = t.elapsed();
            let t = Instant::now();
            let y = G1Projective::msm_bigint(&keys.pk.a_query, &w);
            let t2 = t.elapsed();
            let t = Instant::now();
            let z = msm(&keys.pk.a_query, &w);
            let t3 = t.elapsed();
            let t = Instant::now();
            let x2 = tb.msm(&w);
            let t4 = t.elapsed();
            let t = Instant::now();
            let y2 = G2Projective::msm_bigint(&keys.pk.b_g2_query, &w);
            let t5 = t.elapsed();
            let t = Instant::now();
            let z2 = msm(&keys.pk.b_g2_query, &w);
            let t6 = t.elapsed();
            println!("c={c} G1 fixed {t1:?} stock {t2:?} var {t3:?} | G2 fixed {t4:?} stock {t5:?} var {t6:?} {}", x == y && y == z && x2 == y2 && z2 == y2);
        }
    }
}
