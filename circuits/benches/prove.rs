//! `cargo bench -p zkgate-circuits`: constraint count, witness generation (synthesis),
//! proving and `groth16-solana` verification of the compliance circuit at the default depth.
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem};
use criterion::{criterion_group, criterion_main, Criterion};
use zkgate_circuits::keys::KeySet;
use zkgate_circuits::merkle::DEFAULT_DEPTH;
use zkgate_circuits::proof::{prove, verify_with_groth16_solana};
use zkgate_circuits::testing::SampleBuilder;
use zkgate_circuits::Fr;

fn bench(c: &mut Criterion) {
    let sample = SampleBuilder::default().build();
    let cs = ConstraintSystem::<Fr>::new_ref();
    sample
        .circuit()
        .generate_constraints(cs.clone())
        .expect("synthesis");
    println!(
        "compliance circuit, depth {DEFAULT_DEPTH}: {} constraints, {} witness variables, {} public input",
        cs.num_constraints(),
        cs.num_witness_variables(),
        cs.num_instance_variables() - 1
    );
    let keys = KeySet::generate(DEFAULT_DEPTH, &mut rand::thread_rng()).expect("setup");
    let vk = keys.program_vk();
    let mut group = c.benchmark_group("compliance_depth_20");
    group.sample_size(10);
    group.bench_function("witness_generation", |b| {
        b.iter(|| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            sample
                .circuit()
                .generate_constraints(cs)
                .expect("synthesis");
        })
    });
    group.bench_function("prove", |b| {
        b.iter(|| prove(&keys.pk, sample.circuit(), &mut rand::thread_rng()).expect("prove"))
    });
    let out = prove(&keys.pk, sample.circuit(), &mut rand::thread_rng()).expect("prove");
    group.bench_function("verify_groth16_solana", |b| {
        b.iter(|| verify_with_groth16_solana(&vk, &out.proof, &out.public_input).expect("verify"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
