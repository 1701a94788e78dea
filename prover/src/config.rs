//! Command-line and environment configuration.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::Settings;

/// zkgate prover service.
#[derive(Parser, Clone)]
#[command(name = "zkgate-prover", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "ZKGATE_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Directory of rule-set key directories (each with rule_set.json and the key files).
    #[arg(long, env = "ZKGATE_KEY_DIR")]
    pub key_dir: Option<PathBuf>,
    /// Without --key-dir: generate INSECURE development keys for rule-set 1 bound to this
    /// program id.
    #[arg(
        long,
        env = "ZKGATE_DEV_PROGRAM_ID",
        default_value = "ZKGate1111111111111111111111111111111111111"
    )]
    pub dev_program_id: String,
    /// Tree depth of development keys.
    #[arg(long, env = "ZKGATE_DEV_DEPTH", default_value_t = zkgate_circuits::merkle::DEFAULT_DEPTH)]
    pub dev_depth: usize,
    /// Refuse single-party (development) keys: no generated dev keys, and no key directory
    /// whose manifest marks its setup insecure. Set this wherever proofs move real value.
    #[arg(long, env = "ZKGATE_REQUIRE_CEREMONY_KEYS")]
    pub require_ceremony_keys: bool,
    /// Expand every proving key into the engine's fixed-base tables before listening (about
    /// 3 s and 137 MB for the compliance circuit, 8.5 KiB per constraint): proofs are then
    /// about a tenth faster. `false` proves over the keys as loaded (less memory, quicker start).
    #[arg(long, env = "ZKGATE_PREPARE_KEYS", default_value_t = true, action = clap::ArgAction::Set)]
    pub prepare_keys: bool,
    /// The job queue: `sqlite://…?mode=rwc` (one machine; the default, a file in the working
    /// directory) or `postgres://…` (several provers on one PostgreSQL share it). An async job
    /// is committed there before its 202 (its request sealed, erased when it ends), claimed
    /// with a lease by any instance and answered by any instance; finished jobs survive
    /// restarts and a killed instance's jobs are taken over.
    #[arg(
        long,
        env = "ZKGATE_DATABASE_URL",
        default_value = "sqlite://zkgate-prover-jobs.db?mode=rwc"
    )]
    pub database_url: String,
    /// File holding the 32-byte key (64 hex digits) that seals queued requests at rest; every
    /// instance on one database needs the same file. Created (0600) if missing.
    #[arg(
        long,
        env = "ZKGATE_DATA_KEY_FILE",
        default_value = "zkgate-prover.key"
    )]
    pub data_key_file: PathBuf,
    /// How long a claimed job stays leased without a heartbeat (seconds); a dead instance's
    /// jobs are taken over after this.
    #[arg(long, env = "ZKGATE_LEASE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub lease_secs: u64,
    /// How often idle workers look for jobs nobody announced and for expired leases
    /// (milliseconds). On PostgreSQL new jobs are announced (LISTEN/NOTIFY) and wake workers
    /// at once; polling covers a lost announcement and SQLite neighbours.
    #[arg(long, env = "ZKGATE_POLL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_ms: u64,
    /// Concurrent proofs (default: the number of cores).
    #[arg(long, env = "ZKGATE_WORKERS")]
    pub workers: Option<usize>,
    /// Proof requests that may wait for a worker before 503s start.
    #[arg(long, env = "ZKGATE_QUEUE", default_value_t = 64)]
    pub queue: usize,
    /// Maximum request body, bytes.
    #[arg(long, env = "ZKGATE_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub body_limit: usize,
    /// Deadline of a synchronous proof, seconds.
    #[arg(long, env = "ZKGATE_TIMEOUT_SECS", default_value_t = 60)]
    pub timeout_secs: u64,
    /// API keys accepted as `Authorization: Bearer <key>` (comma-separated in the env var).
    /// None: no authentication.
    #[arg(long = "api-key", env = "ZKGATE_API_KEYS", value_delimiter = ',')]
    pub api_keys: Vec<String>,
    /// Allowed CORS origins (`*` for any); none: CORS off.
    #[arg(
        long = "cors-origin",
        env = "ZKGATE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("key_dir", &self.key_dir)
            .field("require_ceremony_keys", &self.require_ceremony_keys)
            .field("database_url", &zkgate_db::redact_url(&self.database_url))
            .field("lease_secs", &self.lease_secs)
            .field("poll_ms", &self.poll_ms)
            .field("workers", &self.workers)
            .field("queue", &self.queue)
            .field(
                "api_keys",
                &format_args!("{} configured", self.api_keys.len()),
            )
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The service settings.
    pub fn settings(&self) -> Settings {
        let defaults = Settings::default();
        Settings {
            workers: self.workers.unwrap_or(defaults.workers),
            queue: self.queue,
            api_keys: self
                .api_keys
                .iter()
                .filter(|k| !k.is_empty())
                .cloned()
                .collect(),
            request_timeout: Duration::from_secs(self.timeout_secs),
            body_limit: self.body_limit,
            cors_origins: self.cors_origins.clone(),
        }
    }

    /// How this instance works the job queue.
    pub fn queue_options(&self) -> crate::workers::QueueOptions {
        crate::workers::QueueOptions {
            workers: self.settings().workers,
            lease: Duration::from_secs(self.lease_secs),
            poll: Duration::from_millis(self.poll_ms),
        }
    }
}
