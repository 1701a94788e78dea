//! `cargo bench -p zkgate-circuits`: constraint count, witness generation (the assignment a
//! proof synthesizes), the one-time constraint matrices, proving and `groth16-solana`
//! verification of the compliance circuit at the default depth, and proving of the
//! recipient-pass circuit in the same process (its ratio to the transfer proof); then the
//! proving engine against stock `ark-groth16` on the same keys and assignment, multi- and
//! single-threaded, in criterion and in an interleaved run that prints the ratios.
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
    engine(c, &keys, &sample);
}

/// Stock `ark-groth16` (`create_proof_with_reduction_and_matrices`, what `Groth16::prove` runs
/// after synthesis) against zkgate's engine, over the same keys and full assignment.
fn engine(c: &mut Criterion, keys: &KeySet, sample: &zkgate_circuits::testing::Sample) {
    use ark_groth16::r1cs_to_qap::LibsnarkReduction;
    use ark_groth16::Groth16;
    use std::time::{Duration, Instant};
    use zkgate_circuits::engine::{create_proof, PreparedKey};
    use zkgate_circuits::proof::full_assignment;
    use zkgate_circuits::UniformRand;

    let m = &keys.matrices;
    let full = full_assignment(sample.circuit(), m).expect("assignment");
    let started = Instant::now();
    let prepared = PreparedKey::new(&keys.pk);
    println!(
        "fixed-base tables: {:.1} MiB, built in {:.2} s ({} threads)",
        prepared.heap_bytes() as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let stock = || {
        let mut rng = rand::thread_rng();
        Groth16::<ark_bn254::Bn254>::create_proof_with_reduction_and_matrices(
            &keys.pk,
            Fr::rand(&mut rng),
            Fr::rand(&mut rng),
            m,
            m.num_instance_variables,
            m.num_constraints,
            &full,
        )
        .expect("stock proof")
    };
    let engine = |tables: Option<&PreparedKey>| {
        let mut rng = rand::thread_rng();
        create_proof::<LibsnarkReduction>(
            &keys.pk,
            tables,
            Fr::rand(&mut rng),
            Fr::rand(&mut rng),
            m,
            &full,
        )
        .expect("engine proof")
    };
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");

    let mut group = c.benchmark_group("engine_depth_20");
    group.sample_size(10);
    group.bench_function("stock_ark_groth16", |b| b.iter(stock));
    group.bench_function("engine_fixed_base", |b| b.iter(|| engine(Some(&prepared))));
    group.bench_function("engine_variable_base", |b| b.iter(|| engine(None)));
    group.bench_function("stock_ark_groth16_1_thread", |b| {
        b.iter(|| single.install(stock))
    });
    group.bench_function("engine_fixed_base_1_thread", |b| {
        b.iter(|| single.install(|| engine(Some(&prepared))))
    });
    group.finish();

    // Interleaved: stock, engine, stock, engine, … so that drift on the machine hits both.
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let time = |f: &(dyn Fn() + Sync)| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    for (label, threads) in [("multi-threaded", None), ("single-threaded", Some(&single))] {
        let run = |f: &(dyn Fn() + Sync)| match threads {
            Some(pool) => pool.install(|| time(f)),
            None => time(f),
        };
        let (mut s, mut f, mut v) = (vec![], vec![], vec![]);
        for _ in 0..15 {
            s.push(run(&|| {
                stock();
            }));
            f.push(run(&|| {
                engine(Some(&prepared));
            }));
            v.push(run(&|| {
                engine(None);
            }));
        }
        let (s, f, v) = (median(s), median(f), median(v));
        println!(
            "interleaved, {label}, median of 15: stock {:.1} ms, engine fixed-base {:.1} ms \
             ({:.2}x), variable-base {:.1} ms ({:.2}x)",
            s.as_secs_f64() * 1e3,
            f.as_secs_f64() * 1e3,
            f.as_secs_f64() / s.as_secs_f64(),
            v.as_secs_f64() * 1e3,
            v.as_secs_f64() / s.as_secs_f64(),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
