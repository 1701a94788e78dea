//! Load benchmark of the prover service over real HTTP on loopback:
//! `cargo bench -p zkgate-prover --bench load [-- REQUESTS_PER_LEVEL]`.
//!
//! Prints, for the compliance circuit at the default depth (20):
//! - the single-proof time over HTTP, and the CPU time of one proof (proved on one thread), which
//!   sets the ceiling `cores / CPU time per proof` (a single proof already runs on every core,
//!   so `cores / single-proof time` is not reachable on any machine);
//! - closed loop: 1, 2 and 4 concurrent clients sending requests back to back: throughput
//!   (proofs/s) and p50/p99 latency;
//! - open loop at 80% of the best measured throughput, with evenly paced and with Poisson
//!   (exponential inter-arrival) requests: p50/p99 latency against the single-proof time.
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

use zkgate_circuits::merkle::DEFAULT_DEPTH;
use zkgate_circuits::testing::SampleBuilder;
use zkgate_client::api::ProofRequest;
use zkgate_prover::client::ProverClient;
use zkgate_prover::{dev_rule_set, serve, AppState, Settings};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let per_level: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(12);
    let program = [7u8; 32];
    println!("setup (depth {DEFAULT_DEPTH}) ...");
    let entry = tokio::task::spawn_blocking(move || dev_rule_set(program, 1, 1, DEFAULT_DEPTH))
        .await
        .expect("join")
        .expect("keys");
    // As the binary does at start (`--prepare-keys`): the engine's fixed-base tables.
    let prepared = entry.keys.prepare();
    println!(
        "fixed-base tables: {} MiB in {:.2} s",
        prepared.heap_bytes() >> 20,
        prepared.build_time().as_secs_f64()
    );
    // CPU time of one proof: proved on a one-thread pool, nothing else running.
    let keys = entry.keys.clone();
    let cpu_per_proof = tokio::task::spawn_blocking(move || {
        let sample = SampleBuilder {
            program_id: program,
            ..SampleBuilder::default()
        }
        .build();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        pool.install(|| {
            let mut times = vec![];
            for _ in 0..3 {
                let t = Instant::now();
                zkgate_circuits::proof::prove(&keys, sample.circuit(), &mut rand::thread_rng())
                    .expect("prove");
                times.push(t.elapsed());
            }
            times.sort();
            times[1]
        })
    })
    .await
    .expect("join");
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(
        vec![entry],
        Settings {
            workers: cores,
            queue: 64,
            ..Settings::default()
        },
    );
    tokio::spawn(serve(
        listener,
        state,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    let sample = SampleBuilder {
        program_id: program,
        ..SampleBuilder::default()
    }
    .build();
    let request = ProofRequest::from_parts(
        &sample.statement,
        &sample.witness,
        &sample.disclosure.issuer,
    );
    let client = ProverClient::new(&base);
    // Warm up, then the single-proof time (one client, sequential).
    client.prove(&request).await.expect("warm-up proof");
    let mut single = vec![];
    for _ in 0..5 {
        let t = Instant::now();
        client.prove(&request).await.expect("proof");
        single.push(t.elapsed());
    }
    single.sort();
    let single_time = percentile(&single, 0.5);
    let ceiling = cores as f64 / cpu_per_proof.as_secs_f64();
    println!(
        "single proof over HTTP: p50 {:.0} ms; CPU time per proof (one thread) {:.0} ms; \
         ceiling {ceiling:.2} proofs/s on {cores} cores",
        single_time.as_secs_f64() * 1e3,
        cpu_per_proof.as_secs_f64() * 1e3,
    );
    println!(
        "{:>8} {:>10} {:>12} {:>10} {:>10}",
        "clients", "requests", "proofs/s", "p50 ms", "p99 ms"
    );
    let mut best = 0f64;
    for clients in [1usize, 2, 4] {
        let started = Instant::now();
        let mut tasks = vec![];
        for c in 0..clients {
            let (client, request) = (client.clone(), request.clone());
            let n = per_level / clients + usize::from(c < per_level % clients);
            tasks.push(tokio::spawn(async move {
                let mut lat = vec![];
                for _ in 0..n {
                    let t = Instant::now();
                    client.prove(&request).await.expect("proof");
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all = vec![];
        for t in tasks {
            all.extend(t.await.expect("client task"));
        }
        let wall = started.elapsed();
        all.sort();
        let throughput = all.len() as f64 / wall.as_secs_f64();
        best = best.max(throughput);
        println!(
            "{:>8} {:>10} {:>12.2} {:>10.0} {:>10.0}   {:.0}% of ceiling",
            clients,
            all.len(),
            throughput,
            percentile(&all, 0.5).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3,
            100.0 * throughput / ceiling
        );
    }

    // Open loop at 80% of the best throughput: requests arrive on their own schedule.
    let rate = 0.8 * best;
    let requests = per_level * 2;
    println!("open loop at {rate:.2} requests/s (80% of {best:.2}), {requests} requests:");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for (name, poisson) in [("paced", false), ("poisson", true)] {
        let started = Instant::now();
        let mut at = Duration::ZERO;
        let mut tasks = vec![];
        for _ in 0..requests {
            tokio::time::sleep_until(tokio::time::Instant::from_std(started + at)).await;
            let (client, request) = (client.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                let t = Instant::now();
                client.prove(&request).await.expect("proof");
                t.elapsed()
            }));
            let gap = if poisson {
                -(1.0 - rng.gen::<f64>()).ln() / rate
            } else {
                1.0 / rate
            };
            at += Duration::from_secs_f64(gap);
        }
        let mut all = vec![];
        for t in tasks {
            all.push(t.await.expect("request task"));
        }
        all.sort();
        let p99 = percentile(&all, 0.99);
        println!(
            "{name:>8}: p50 {:.0} ms, p99 {:.0} ms = {:.2} x the single-proof time",
            percentile(&all, 0.5).as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            p99.as_secs_f64() / single_time.as_secs_f64()
        );
    }
}
