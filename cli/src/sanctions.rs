//! `zkgate sanctions import`: a list operator's bulk import of a CSV of subject ids into the
//! registry, checked line by line before anything is sent, in chunks (one list version each),
//! with progress. Ids listed already are skipped, so a re-run after a failure resumes.
use std::path::PathBuf;

use clap::Subcommand;
use zkgate_registry::client::RegistryClient;
use zkgate_registry::registry::decode_subject;

/// The list operator's tools.
#[derive(Subcommand, Debug)]
pub enum SanctionsCommand {
    /// Import subject ids from a CSV file (first column; optional `subject_id` header; blank
    /// lines and `#` comments ignored) into a registry's sanctions list.
    Import {
        /// The registry's base URL.
        #[arg(
            long,
            env = "ZKGATE_REGISTRY_URL",
            default_value = "http://127.0.0.1:8788"
        )]
        registry: String,
        /// The list's id.
        #[arg(long)]
        list: u64,
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
        /// The list operator's API key (`list:<id>` role).
        #[arg(long, env = "ZKGATE_REGISTRY_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
        /// Ids per request (one list version and one transaction each).
        #[arg(long, default_value_t = 10_000)]
        chunk: usize,
    },
}

/// Reads and checks the ids of a CSV file; errors name the line.
pub fn read_ids(path: &PathBuf) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut ids = vec![];
    for (n, line) in text.lines().enumerate() {
        let cell = line.split(',').next().unwrap_or("").trim();
        if cell.is_empty() || cell.starts_with('#') || (n == 0 && cell == "subject_id") {
            continue;
        }
        decode_subject("subject_id", cell).map_err(|_| {
            format!(
                "{} line {}: not a subject id (64 hex digits in [1, 2^248 - 2])",
                path.display(),
                n + 1
            )
        })?;
        ids.push(cell.to_string());
    }
    if ids.is_empty() {
        return Err(format!("{}: no subject ids", path.display()));
    }
    Ok(ids)
}

/// Runs a sanctions command.
pub fn run(command: SanctionsCommand) -> Result<(), String> {
    let SanctionsCommand::Import {
        registry,
        list,
        csv,
        api_key,
        chunk,
    } = command;
    let ids = read_ids(&csv)?;
    let mut client = RegistryClient::new(registry);
    if let Some(key) = api_key {
        client = client.with_api_key(key);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let done = runtime
        .block_on(client.import_ids(list, &ids, chunk, |p| {
            println!(
                "imported {}/{} ({:.0}%): {} listed, {} already listed, list version {}",
                p.sent,
                p.total,
                100.0 * p.sent as f64 / p.total as f64,
                p.listed,
                p.already_listed,
                p.version
            );
        }))
        .map_err(|e| format!("import stopped (re-run to resume): {e}"))?;
    println!(
        "done in {:.1?}: {} listed, {} already listed; list {list} version {}, root {}",
        started.elapsed(),
        done.listed,
        done.already_listed,
        done.version,
        done.root
    );
    Ok(())
}
