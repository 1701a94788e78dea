//! `zkgate-prover`: the prover service binary.
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use zkgate_prover::config::Config;
use zkgate_prover::{dev_rule_set, rule_sets, serve, AppState};

#[tokio::main]
async fn main() -> ExitCode {
    // arkworks' gadgets carry `#[tracing::instrument(target = "r1cs")]` spans that format the
    // whole constraint system when enabled, turning a setup into minutes: always off.
    let filter = EnvFilter::try_from_default_env()
        .ok()
        .filter(|_| std::env::var("RUST_LOG").is_ok_and(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| EnvFilter::new("warn,zkgate_prover=info,tower_http=info"))
        .add_directive("r1cs=off".parse().expect("valid directive"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let config = Config::parse();
    let rule_sets = match &config.key_dir {
        Some(dir) => match rule_sets::load_key_dir(dir) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("refusing to start: {e}");
                return ExitCode::FAILURE;
            }
        },
        None if config.require_ceremony_keys => {
            tracing::error!(
                "refusing to start: --require-ceremony-keys is set and no --key-dir was given \
                 (development keys are single-party and insecure)"
            );
            return ExitCode::FAILURE;
        }
        None => {
            let program_id =
                match zkgate_client::api::decode_key("dev_program_id", &config.dev_program_id) {
                    Ok(k) => k,
                    Err(e) => {
                        tracing::error!("{e}");
                        return ExitCode::FAILURE;
                    }
                };
            tracing::warn!(
                "no --key-dir: generating INSECURE single-party development keys (depth {}); \
                 whoever runs this setup can forge proofs. Never use them in production.",
                config.dev_depth
            );
            match tokio::task::spawn_blocking(move || {
                dev_rule_set(program_id, 1, 1, config.dev_depth)
            })
            .await
            {
                Ok(Ok(r)) => vec![r],
                Ok(Err(e)) => {
                    tracing::error!("development setup failed: {e}");
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    tracing::error!("development setup failed: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    for r in &rule_sets {
        tracing::info!(
            rule_set = r.rule_set_id,
            version = r.version,
            vk_hash = %hex::encode(r.keys.vk_hash),
            pk_sha256 = %hex::encode(r.keys.pk_sha256),
            insecure = r.keys.insecure_single_party,
            "serving rule-set"
        );
    }
    for r in &rule_sets {
        let keys = std::iter::once(&r.keys).chain(r.pass_keys.as_ref());
        for k in keys {
            if k.ceremony
                .as_ref()
                .is_some_and(|c| c.ptau_contributions == 0)
            {
                tracing::warn!(
                    rule_set = r.rule_set_id,
                    circuit = k.kind.name(),
                    "ceremony keys on a throwaway Powers-of-Tau (no phase-1 contribution \
                     recorded): for tests only"
                );
            }
        }
    }
    if let Err(e) = rule_sets::check_key_policy(&rule_sets, config.require_ceremony_keys) {
        tracing::error!("refusing to start: {e}");
        return ExitCode::FAILURE;
    }
    if config.prepare_keys {
        // Keys are shared (`Arc`): the tables built here are the ones the workers prove with.
        let keys: Vec<_> = rule_sets
            .iter()
            .flat_map(|r| {
                std::iter::once(r.keys.clone())
                    .chain(r.pass_keys.clone())
                    .map(move |k| (r.rule_set_id, k))
            })
            .collect();
        let prepared = tokio::task::spawn_blocking(move || {
            for (rule_set, k) in keys {
                let p = k.prepare();
                tracing::info!(
                    rule_set,
                    circuit = k.kind.name(),
                    seconds = p.build_time().as_secs_f64(),
                    mib = p.heap_bytes() / (1 << 20),
                    "proving key expanded into fixed-base tables"
                );
            }
        })
        .await;
        if let Err(e) = prepared {
            tracing::error!("expanding the proving keys failed: {e}");
            return ExitCode::FAILURE;
        }
    }
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", config.listen);
    let key = match zkgate_db::seal::DataKey::load_or_create(&config.data_key_file) {
        Ok((key, created)) => {
            if created {
                tracing::warn!(
                    "created a new data key in {}: give every instance on this database the \
                     same file",
                    config.data_key_file.display()
                );
            }
            key
        }
        Err(e) => {
            tracing::error!("refusing to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let url = &config.database_url;
    let queue = match zkgate_db::Database::connect(url, zkgate_prover::queue::MIGRATIONS).await {
        Ok(db) => {
            tracing::info!(database = %zkgate_db::redact_url(url), "job queue");
            zkgate_prover::queue::JobQueue::new(db, key)
        }
        Err(e) => {
            tracing::error!("refusing to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state =
        AppState::new(rule_sets, config.settings()).with_queue(queue, config.queue_options());
    let draining = state.clone();
    let shutdown = async move {
        zkgate_service::shutdown_signal().await;
        // Claim nothing more and turn unready; running jobs finish and complete.
        draining.drain();
        tracing::info!("shutting down: finishing proofs in flight");
    };
    match serve(listener, state, shutdown, Duration::from_secs(120)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
