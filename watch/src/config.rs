//! The `zkgate-watch` binary's flags (each also an environment variable).
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// `zkgate-watch`: index zkgate's audit trail and alert on it (`report`: the daily report).
#[derive(Debug, Parser)]
#[command(name = "zkgate-watch", version)]
pub struct Cli {
    /// Serving flags (and the database, which `report` reads).
    #[command(flatten)]
    pub config: Config,
    /// Without a command: watch and serve.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands besides watching.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write one day's compliance report: `report-DAY.html` (self-contained, charts inline)
    /// and `transfers-DAY.csv`, `refusals-DAY.csv`, `alerts-DAY.csv`.
    Report {
        /// The day, `YYYY-MM-DD` (UTC).
        #[arg(long)]
        day: String,
        /// Output directory.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// The watcher's flags (each also an environment variable).
#[derive(Debug, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "ZKGATE_WATCH_LISTEN", default_value = "127.0.0.1:8789")]
    pub listen: SocketAddr,
    /// The cluster's JSON-RPC endpoint.
    #[arg(long, env = "ZKGATE_RPC_URL", default_value = "http://127.0.0.1:8899")]
    pub rpc_url: String,
    /// Wake on the node's `logsSubscribe` notifications (live alerts), besides polling every
    /// `--poll-ms` (which also covers any gap while the subscription is down).
    #[arg(long, env = "ZKGATE_WATCH_SUBSCRIBE", default_value_t = true, action = clap::ArgAction::Set)]
    pub subscribe: bool,
    /// The node's websocket endpoint (default: from `--rpc-url`, `http` → `ws`, port + 1).
    #[arg(long, env = "ZKGATE_WS_URL")]
    pub ws_url: Option<String>,
    /// The zkgate program (base58; default the built-in id).
    #[arg(long, env = "ZKGATE_PROGRAM_ID")]
    pub program_id: Option<String>,
    /// The database: `sqlite://…?mode=rwc` (the default, a file in the working directory) or
    /// `postgres://…`.
    #[arg(
        long,
        global = true,
        env = "ZKGATE_WATCH_DATABASE_URL",
        default_value = "sqlite://zkgate-watch.db?mode=rwc"
    )]
    pub database_url: String,
    /// The rules file (JSON; default: every rule on with the README's thresholds).
    #[arg(long, env = "ZKGATE_WATCH_RULES")]
    pub rules: Option<PathBuf>,
    /// Milliseconds between passes (100..=600000).
    #[arg(long, env = "ZKGATE_WATCH_POLL_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub poll_ms: u64,
    /// Write each UTC day's report (`report-DAY.html` and the CSV files) into this directory
    /// once the day is over and ingested; days missed while stopped are written on restart.
    #[arg(long, env = "ZKGATE_WATCH_REPORT_DIR")]
    pub report_dir: Option<PathBuf>,
    /// API keys for `/v1` (comma-separated; none: `/v1` is open).
    #[arg(long = "api-key", env = "ZKGATE_WATCH_API_KEYS", value_delimiter = ',')]
    pub api_keys: Vec<String>,
}
