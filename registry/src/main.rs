//! `zkgate-registry`: the registry service binary.
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use zkgate_db::seal::DataKey;
use zkgate_db::Database;
use zkgate_registry::config::Config;
use zkgate_registry::publish::{Publisher, RpcChain};
use zkgate_registry::registry::Registry;
use zkgate_registry::{serve, AppState, MIGRATIONS};

/// Reads the data key, or creates the file with a fresh key (owner-only permissions).
fn data_key(path: &std::path::Path) -> Result<DataKey, String> {
    let (key, created) = DataKey::load_or_create(path)?;
    if created {
        tracing::warn!(
            "created a new data key in {}: back it up, the credentials cannot be read without it",
            path.display()
        );
    }
    Ok(key)
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,zkgate_registry=info,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let config = Config::parse();
    tracing::info!(?config, "starting");
    if config.api_keys.is_empty() && !config.insecure_no_auth {
        tracing::error!(
            "refusing to start: no --api-key given (ROLE=SECRET; roles admin, read, \
             issuer:<id>, list:<id>); --insecure-no-auth serves without keys (development only)"
        );
        return ExitCode::FAILURE;
    }
    if config.insecure_no_auth {
        tracing::warn!("--insecure-no-auth: anyone may issue credentials and edit lists");
    }
    let key = match data_key(&config.data_key_file) {
        Ok(k) => k,
        Err(e) => {
            tracing::error!("refusing to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let db = match Database::connect(&config.database_url, MIGRATIONS).await {
        Ok(db) => db,
        Err(e) => {
            tracing::error!("refusing to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let registry = Registry::new(db, key, config.rpc_url.is_some());
    let publisher = match &config.rpc_url {
        Some(_) if config.authority_keypairs.is_empty() => {
            tracing::error!("refusing to start: --rpc-url needs --authority-keypair");
            return ExitCode::FAILURE;
        }
        Some(url) => {
            let mut keys = vec![];
            for path in &config.authority_keypairs {
                match solana_sdk::signature::read_keypair_file(path) {
                    Ok(k) => keys.push(k),
                    Err(e) => {
                        tracing::error!("refusing to start: keypair {}: {e}", path.display());
                        return ExitCode::FAILURE;
                    }
                }
            }
            Some(Publisher::new(
                registry.clone(),
                RpcChain::new(url.clone()),
                keys,
                config.publish_interval(),
            ))
        }
        None => {
            tracing::warn!("no --rpc-url: roots are not published; wallets get the current roots");
            None
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{}", config.listen);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let publishing = publisher.map(|p| {
        let mut rx = stop_rx.clone();
        tokio::spawn(p.run(Duration::from_secs(2), async move {
            let _ = rx.changed().await;
        }))
    });
    let mut state = AppState::new(registry, config.api_keys.clone());
    state.body_limit = config.body_limit;
    let result = serve(listener, state, async move {
        zkgate_service::shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    })
    .await;
    if let Some(task) = publishing {
        let _ = task.await;
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
