//! Load benchmark of the prover service over real HTTP on loopback:
//! `cargo bench -p zkgate-prover --bench load [-- REQUESTS_PER_LEVEL]`.
//!
//! For 1, 2 and 4 concurrent clients, each sending proof requests back to back, prints
//! throughput (proofs/s) and p50/p99 latency, next to the single-proof time and the goal
//! `cores / single-proof time`. Compliance circuit at the default depth (20).
use std::time::{Duration, Instant};

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
    let request = ProofRequest::from_parts(
        &SampleBuilder {
            program_id: program,
            ..SampleBuilder::default()
        }
        .build()
        .statement,
        &SampleBuilder {
            program_id: program,
            ..SampleBuilder::default()
        }
        .build()
        .witness,
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
    println!(
        "single proof over HTTP: p50 {:.0} ms; goal throughput {:.2} proofs/s ({cores} cores)",
        single_time.as_secs_f64() * 1e3,
        cores as f64 / single_time.as_secs_f64()
    );
    println!(
        "{:>8} {:>10} {:>12} {:>10} {:>10}",
        "clients", "requests", "proofs/s", "p50 ms", "p99 ms"
    );
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
        println!(
            "{:>8} {:>10} {:>12.2} {:>10.0} {:>10.0}",
            clients,
            all.len(),
            all.len() as f64 / wall.as_secs_f64(),
            percentile(&all, 0.5).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3
        );
    }
}
