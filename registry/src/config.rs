//! Command-line and environment configuration, and the API keys' roles.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// What an API key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Registers issuers and lists; may do anything.
    Admin,
    /// Issues, revokes and looks up the credentials of one issuer.
    Issuer(u64),
    /// Lists, unlists and imports the entries of one sanctions list.
    List(u64),
    /// Reads non-membership witnesses and publication state (auditors, dApps).
    Read,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let id = |v: &str| {
            v.parse::<u64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| format!("role {s:?}: the id must be a positive integer"))
        };
        match s.split_once(':') {
            None if s == "admin" => Ok(Role::Admin),
            None if s == "read" => Ok(Role::Read),
            Some(("issuer", v)) => Ok(Role::Issuer(id(v)?)),
            Some(("list", v)) => Ok(Role::List(id(v)?)),
            _ => Err(format!(
                "unknown role {s:?}: admin, read, issuer:<id> or list:<id>"
            )),
        }
    }
}

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        match (self, needed) {
            (Role::Admin, _) => true,
            (Role::Read, Role::Read) => true,
            (Role::Issuer(a), Role::Issuer(b)) | (Role::List(a), Role::List(b)) => a == b,
            // Operators read what readers read.
            (Role::Issuer(_) | Role::List(_), Role::Read) => true,
            _ => false,
        }
    }
}

/// An API key and its role. `Debug` shows the role only.
#[derive(Clone)]
pub struct ApiKey {
    /// The role.
    pub role: Role,
    /// The secret (compared in constant time).
    pub secret: String,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({:?}, ..)", self.role)
    }
}

impl std::str::FromStr for ApiKey {
    type Err = String;

    /// `ROLE=SECRET`, e.g. `issuer:1=3f9c…` (secrets of at least 16 characters).
    fn from_str(s: &str) -> Result<Self, String> {
        let (role, secret) = s
            .split_once('=')
            .ok_or("an API key is ROLE=SECRET, e.g. issuer:1=<secret>")?;
        if secret.len() < 16 {
            return Err(format!(
                "the secret of role {role} must be at least 16 characters"
            ));
        }
        Ok(ApiKey {
            role: role.parse()?,
            secret: secret.to_string(),
        })
    }
}

/// zkgate registry service.
#[derive(Parser, Clone)]
#[command(name = "zkgate-registry", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "ZKGATE_REGISTRY_LISTEN", default_value = "127.0.0.1:8788")]
    pub listen: SocketAddr,
    /// Database: `sqlite://path?mode=rwc` (default: ./zkgate-registry.db) or `postgres://…`.
    #[arg(
        long,
        env = "ZKGATE_REGISTRY_DATABASE_URL",
        default_value = "sqlite://zkgate-registry.db?mode=rwc"
    )]
    pub database_url: String,
    /// File holding the 32-byte data key (64 hex digits) that seals credentials at rest;
    /// created with a fresh key (mode 0600) if missing. Losing it loses the credentials.
    #[arg(
        long,
        env = "ZKGATE_REGISTRY_DATA_KEY_FILE",
        default_value = "zkgate-registry.key"
    )]
    pub data_key_file: PathBuf,
    /// API keys as ROLE=SECRET (comma-separated in the env var); roles: admin, read,
    /// issuer:<id>, list:<id>.
    #[arg(
        long = "api-key",
        env = "ZKGATE_REGISTRY_API_KEYS",
        value_delimiter = ','
    )]
    pub api_keys: Vec<ApiKey>,
    /// Serve without API keys: anyone may issue and list. Development only.
    #[arg(long, env = "ZKGATE_REGISTRY_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
    /// Solana JSON-RPC endpoint to publish roots to (none: roots are not published and
    /// wallets are served the current roots).
    #[arg(long, env = "ZKGATE_REGISTRY_RPC_URL")]
    pub rpc_url: Option<String>,
    /// Keypair files (Solana CLI JSON) of the issuers' and lists' on-chain authorities; each
    /// root is signed by the key its account names (with --rpc-url; repeatable).
    #[arg(
        long = "authority-keypair",
        env = "ZKGATE_REGISTRY_AUTHORITY_KEYPAIRS",
        value_delimiter = ','
    )]
    pub authority_keypairs: Vec<PathBuf>,
    /// Publish at most one root per tree per this many seconds (changes in between are
    /// batched into the next root).
    #[arg(
        long,
        env = "ZKGATE_REGISTRY_PUBLISH_INTERVAL_SECS",
        default_value_t = 60
    )]
    pub publish_interval_secs: u64,
    /// Maximum request body, bytes (CSV imports included).
    #[arg(long, env = "ZKGATE_REGISTRY_BODY_LIMIT", default_value_t = 4 * 1024 * 1024)]
    pub body_limit: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &zkgate_db::redact_url(&self.database_url))
            .field("api_keys", &self.api_keys)
            .field("rpc_url", &self.rpc_url)
            .field("publish_interval_secs", &self.publish_interval_secs)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The publication interval.
    pub fn publish_interval(&self) -> Duration {
        Duration::from_secs(self.publish_interval_secs.max(1))
    }
}
