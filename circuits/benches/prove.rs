//! `cargo bench -p zkgate-circuits`: constraint count, witness generation (the assignment a
//! proof synthesizes), the one-time constraint matrices, proving and `groth16-solana`
//! verification of the compliance circuit at the default depth, and proving of the
//! recipient-pass circuit in the same process (its ratio to the transfer proof).
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use criterion::{criterion_group, criterion_main, Criterion};
use zkgate_circuits::keys::{constraint_matrices, CircuitKind, KeySet};
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
    for (part, n) in
        zkgate_circuits::compliance::ComplianceCircuit::constraint_report(DEFAULT_DEPTH)
            .expect("report")
    {
        println!("  {part:<36} {n:>6}");
    }
    let keys = KeySet::generate(DEFAULT_DEPTH, &mut rand::thread_rng()).expect("setup");
    let vk = keys.program_vk();
    let mut group = c.benchmark_group("compliance_depth_20");
    group.sample_size(10);
    // What a proof synthesizes: the witness assignment only (the matrices are cached).
    group.bench_function("witness_generation", |b| {
        b.iter(|| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            cs.set_mode(SynthesisMode::Prove {
                construct_matrices: false,
            });
            sample
                .circuit()
                .generate_constraints(cs)
                .expect("synthesis");
        })
    });
    // Once per key load: the constraint matrices the prover reuses.
    group.bench_function("constraint_matrices", |b| {
        b.iter(|| constraint_matrices(DEFAULT_DEPTH).expect("matrices"))
    });
    group.bench_function("prove", |b| {
        b.iter(|| prove(&keys, sample.circuit(), &mut rand::thread_rng()).expect("prove"))
    });
    // The recipient pass: the same trees, no amounts (13,854 constraints against 14,920).
    let pass_keys = KeySet::generate_for(CircuitKind::Pass, DEFAULT_DEPTH, &mut rand::thread_rng())
        .expect("pass setup");
    group.bench_function("prove_pass", |b| {
        b.iter(|| {
            prove(&pass_keys, sample.pass_circuit(), &mut rand::thread_rng()).expect("prove pass")
        })
    });
    let out = prove(&keys, sample.circuit(), &mut rand::thread_rng()).expect("prove");
    group.bench_function("verify_groth16_solana", |b| {
        b.iter(|| verify_with_groth16_solana(&vk, &out.proof, &out.public_input).expect("verify"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
