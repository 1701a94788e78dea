//! `zkgate-watch`: the watcher binary.
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use zkgate_watch::config::{Cli, Command};
use zkgate_watch::ingest::Watcher;
use zkgate_watch::metrics::Metrics;
use zkgate_watch::rpc::Rpc;
use zkgate_watch::rules::Rules;
use zkgate_watch::store::{Store, MIGRATIONS};
use zkgate_watch::{app, AppState};

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,zkgate_watch=info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let cli = Cli::parse();
    let config = cli.config;
    let program = match config.program_id.as_deref() {
        None => zkgate::ID,
        Some(p) => match anchor_lang::prelude::Pubkey::from_str(p) {
            Ok(k) => k,
            Err(_) => {
                tracing::error!("--program-id is not a base58 public key");
                return ExitCode::FAILURE;
            }
        },
    };
    let event_authority =
        anchor_lang::prelude::Pubkey::find_program_address(&[b"__event_authority"], &program).0;
    let rules = match &config.rules {
        None => Rules::default(),
        Some(path) => match Rules::load(path) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("refusing to start: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let db = match zkgate_db::Database::connect(&config.database_url, MIGRATIONS).await {
        Ok(db) => db,
        Err(e) => {
            tracing::error!("refusing to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let store = Store::new(db);
    if let Some(Command::Report { day, out }) = cli.command {
        let written = match zkgate_watch::report::load_day(&store, &day).await {
            Ok(d) => d.write(&out),
            Err(e) => Err(e),
        };
        return match written {
            Ok(paths) => {
                for p in paths {
                    println!("{}", p.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("zkgate-watch report: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let metrics = Arc::new(Metrics::default());
    let mut watcher = Watcher::new(
        Rpc::new(&config.rpc_url),
        store.clone(),
        rules,
        program.to_string(),
        event_authority.to_string(),
        metrics.clone(),
    );
    if let Some(dir) = &config.report_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::error!("--report-dir {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        watcher = watcher.with_reports(dir.clone());
    }
    let ws_url = match (config.subscribe, &config.ws_url) {
        (false, _) => None,
        (true, Some(url)) => Some(url.clone()),
        (true, None) => match zkgate_watch::subscribe::websocket_url(&config.rpc_url) {
            Some(url) => Some(url),
            None => {
                tracing::error!("no websocket URL follows from --rpc-url: pass --ws-url");
                return ExitCode::FAILURE;
            }
        },
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    if config.api_keys.is_empty() {
        tracing::warn!(
            "no --api-key: /v1 is open to whoever reaches {}",
            config.listen
        );
    }
    let poll = Duration::from_millis(config.poll_ms);
    let stale_after = (5 * poll.as_secs()).max(30) as i64;
    let state = AppState::new(store, metrics.clone(), config.api_keys.clone(), stale_after);
    tracing::info!(
        program = %program,
        database = %zkgate_db::redact_url(&config.database_url),
        "watching on http://{}",
        config.listen
    );
    let running = Arc::new(watcher.spawn(poll, ws_url));
    let signal = running.clone();
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            zkgate_service::shutdown_signal().await;
            // The watcher stops alongside the server draining, not after it.
            signal.signal();
        })
        .await;
    match Arc::try_unwrap(running) {
        Ok(running) => running.stop().await,
        Err(running) => running.signal(),
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server: {e}");
            ExitCode::FAILURE
        }
    }
}
