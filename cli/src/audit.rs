//! `zkgate audit`: the auditor's key and the decryption of transfers from chain data.
use std::path::{Path, PathBuf};

use clap::Subcommand;
use zkgate::events::TransferApproved;
use zkgate_client::audit::{
    combine, decode_transfer_event, open_event, partial_decrypt, AuditError, AuditorKeyFile,
    CommitteeShareFile, PartialDecryption,
};

/// Where the transfers to open come from (at least one).
#[derive(clap::Args, Debug)]
pub struct EventSource {
    /// A `TransferApproved` event CPI's data, base64 (repeatable).
    #[arg(long = "event")]
    events: Vec<String>,
    /// A file of events: one base64 event per line, or a JSON array of base64 strings.
    #[arg(long)]
    events_file: Option<PathBuf>,
    /// A transaction signature: its `TransferApproved` events are read over JSON-RPC.
    #[arg(long)]
    signature: Option<String>,
    /// The JSON-RPC endpoint for `--signature`.
    #[arg(long, default_value = "http://127.0.0.1:8899")]
    rpc: String,
}

impl EventSource {
    /// The events, decoded (the first malformed one is an error naming its source).
    fn load(&self) -> Result<Vec<Result<TransferApproved, AuditError>>, String> {
        let mut data: Vec<Vec<u8>> = vec![];
        for e in &self.events {
            data.push(decode_base64("--event", e)?);
        }
        if let Some(path) = &self.events_file {
            data.extend(read_events_file(path)?);
        }
        if let Some(sig) = &self.signature {
            data.extend(fetch_transaction_events(&self.rpc, sig)?);
        }
        if data.is_empty() {
            return Err("no events: pass --event, --events-file or --signature".into());
        }
        Ok(data.iter().map(|d| decode_transfer_event(d)).collect())
    }
}

/// The auditor's commands.
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Generate an auditor key pair: writes the key file (mode 0600; the secret never leaves
    /// it) and prints the public key and its subgroup witness for the rule-set configuration.
    /// With `--committee T/N`, deals a T-of-N committee key instead: `--out` is a directory
    /// that gets one share file per member (hand each to its member; nobody holds the key).
    Keygen {
        /// Key file to write (refused if it exists), or the directory for `--committee`.
        #[arg(long)]
        out: PathBuf,
        /// `T/N`: a committee of N members, any T of whom open a transfer.
        #[arg(long)]
        committee: Option<String>,
    },
    /// Decrypt transfers' disclosures: checks the ephemeral key, decrypts, checks the
    /// authentication tag and the issuer, recomputes the statement hash from the event, and
    /// prints one JSON object per transfer (`{"ok": …}` or `{"error": …}`). Exits non-zero if
    /// any transfer does not open.
    Decrypt {
        /// Auditor key file; repeat for rotated keys (each transfer names the key it used).
        #[arg(long = "key", required = true)]
        keys: Vec<PathBuf>,
        /// The transfers.
        #[command(flatten)]
        source: EventSource,
    },
    /// A committee member's partial decryption of transfers (one JSON line each, with a proof
    /// that it used its share); reveals nothing alone.
    Share {
        /// The member's share file.
        #[arg(long)]
        key: PathBuf,
        /// The transfers.
        #[command(flatten)]
        source: EventSource,
    },
    /// Combines members' partial decryptions (files of `audit share` output lines) and opens
    /// the transfers, like `decrypt`.
    Combine {
        /// Files of partial decryptions (repeatable).
        #[arg(long = "partials", required = true)]
        partials: Vec<PathBuf>,
        /// The transfers.
        #[command(flatten)]
        source: EventSource,
    },
}

/// Prints one JSON line per transfer; an error if any failed.
fn print_all<T: serde::Serialize>(
    results: Vec<Result<T, AuditError>>,
    what: &str,
) -> Result<(), String> {
    let total = results.len();
    let mut failed = 0;
    for r in results {
        let line = match r {
            Ok(v) => serde_json::json!({ "ok": v }),
            Err(e) => {
                failed += 1;
                serde_json::json!({ "error": e.to_string() })
            }
        };
        println!("{line}");
    }
    if failed > 0 {
        return Err(format!("{failed} of {total} transfers {what}"));
    }
    Ok(())
}

/// Runs an audit command.
pub fn run(command: AuditCommand) -> Result<(), String> {
    match command {
        AuditCommand::Keygen { out, committee } => match committee {
            None => keygen(&out),
            Some(spec) => committee_keygen(&out, &spec),
        },
        AuditCommand::Decrypt { keys, source } => {
            let keys = keys
                .iter()
                .map(|p| read_key(p))
                .collect::<Result<Vec<_>, _>>()?;
            let results = source
                .load()?
                .into_iter()
                .map(|e| e.and_then(|e| open_with(&e, &keys)))
                .collect();
            print_all(results, "did not open")
        }
        AuditCommand::Share { key, source } => {
            let share: CommitteeShareFile = read_json_secret(&key)?;
            let results = source
                .load()?
                .into_iter()
                .map(|e| e.and_then(|e| partial_decrypt(&e, &share, &mut rand::rngs::OsRng)))
                .collect();
            print_all(results, "could not be partially decrypted")
        }
        AuditCommand::Combine { partials, source } => {
            let mut all: Vec<PartialDecryption> = vec![];
            for path in &partials {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                    let value: serde_json::Value = serde_json::from_str(line)
                        .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
                    // `audit share` prints {"ok": partial} or {"error": …}.
                    if let Some(ok) = value.get("ok") {
                        all.push(
                            serde_json::from_value(ok.clone())
                                .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?,
                        );
                    }
                }
            }
            let results = source
                .load()?
                .into_iter()
                .map(|e| e.and_then(|e| combine(&e, &all)))
                .collect();
            print_all(results, "did not open")
        }
    }
}

/// Opens `event` with the key it names among `keys`.
pub fn open_with(
    event: &TransferApproved,
    keys: &[AuditorKeyFile],
) -> Result<zkgate_client::audit::AuditReport, AuditError> {
    let key = keys
        .iter()
        .find(|k| k.public_key().ok() == Some(event.auditor_key))
        .ok_or_else(|| AuditError::OtherKey(hex::encode(event.auditor_key)))?;
    open_event(event, key)
}

fn keygen(out: &Path) -> Result<(), String> {
    let key = AuditorKeyFile::generate(&mut rand::rngs::OsRng);
    let json = zeroize::Zeroizing::new(serde_json::to_vec_pretty(&key).map_err(|e| e.to_string())?);
    write_secret_file(out, &json)?;
    println!(
        "{}",
        serde_json::json!({
            "key_file": out.display().to_string(),
            "auditor_key": key.public_key_hex,
            "auditor_key_witness": key.key_witness_hex,
        })
    );
    Ok(())
}

fn write_secret_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn committee_keygen(dir: &Path, spec: &str) -> Result<(), String> {
    let (t, n) = spec
        .split_once('/')
        .and_then(|(t, n)| Some((t.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
        .ok_or("--committee: expected T/N, e.g. 2/3")?;
    let keys = zkgate_client::audit::committee_keygen(t, n, &mut rand::rngs::OsRng)
        .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut members = vec![];
    for share in &keys.shares {
        let path = dir.join(format!("member-{}.json", share.index));
        let json =
            zeroize::Zeroizing::new(serde_json::to_vec_pretty(share).map_err(|e| e.to_string())?);
        write_secret_file(&path, &json)?;
        members.push(serde_json::json!({
            "index": share.index,
            "share_file": path.display().to_string(),
            "share_public": share.share_public_hex,
        }));
    }
    println!(
        "{}",
        serde_json::json!({
            "threshold": t,
            "members": members,
            "auditor_key": keys.public_key_hex,
            "auditor_key_witness": keys.key_witness_hex,
        })
    );
    Ok(())
}

fn read_json_secret<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads and checks an auditor key file.
pub fn read_key(path: &Path) -> Result<AuditorKeyFile, String> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    let key: AuditorKeyFile =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    key.secret()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

fn decode_base64(what: &str, s: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| format!("{what}: not base64: {e}"))
}

fn read_events_file(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let items: Vec<String> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    items
        .iter()
        .enumerate()
        .map(|(i, s)| decode_base64(&format!("{} line {}", path.display(), i + 1), s))
        .collect()
}

/// The data of zkgate's event CPIs in a `getTransaction` answer (`encoding: "json"`): inner
/// instructions whose program is zkgate, data base58-decoded.
pub fn events_from_get_transaction(answer: &serde_json::Value) -> Result<Vec<Vec<u8>>, String> {
    let result = answer
        .get("result")
        .filter(|r| !r.is_null())
        .ok_or_else(|| match answer.get("error") {
            Some(e) => format!("rpc error: {e}"),
            None => "transaction not found".to_string(),
        })?;
    let mut keys: Vec<String> = result["transaction"]["message"]["accountKeys"]
        .as_array()
        .ok_or("getTransaction: no accountKeys")?
        .iter()
        .filter_map(|k| k.as_str().map(String::from))
        .collect();
    for table in ["writable", "readonly"] {
        if let Some(loaded) = result["meta"]["loadedAddresses"][table].as_array() {
            keys.extend(loaded.iter().filter_map(|k| k.as_str().map(String::from)));
        }
    }
    let program = zkgate::ID.to_string();
    let mut out = vec![];
    for group in result["meta"]["innerInstructions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for ix in group["instructions"].as_array().into_iter().flatten() {
            let index = ix["programIdIndex"].as_u64().unwrap_or(u64::MAX) as usize;
            if keys.get(index) != Some(&program) {
                continue;
            }
            let data = ix["data"].as_str().unwrap_or_default();
            let bytes = bs58::decode(data)
                .into_vec()
                .map_err(|e| format!("inner instruction data: {e}"))?;
            if bytes.starts_with(anchor_lang::event::EVENT_IX_TAG_LE) {
                out.push(bytes);
            }
        }
    }
    Ok(out)
}

fn fetch_transaction_events(rpc: &str, signature: &str) -> Result<Vec<Vec<u8>>, String> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "getTransaction",
        "params": [signature, {
            "encoding": "json",
            "commitment": "confirmed",
            "maxSupportedTransactionVersion": 0
        }]
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let answer: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(rpc)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("{rpc}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("{rpc}: {e}"))
    })?;
    events_from_get_transaction(&answer)
}

#[cfg(test)]
mod tests {
    use super::events_from_get_transaction;
    use anchor_lang::prelude::Pubkey;

    /// `--signature` reads the events from a `getTransaction` answer: only zkgate's inner
    /// instructions carrying Anchor's event tag.
    #[test]
    fn events_are_read_from_a_get_transaction_answer() {
        let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
        data.extend_from_slice(&[9; 40]);
        let b58 = |d: &[u8]| bs58::encode(d).into_string();
        let answer = serde_json::json!({
            "jsonrpc": "2.0",
            "id": 1,
            "result": {
                "transaction": { "message": { "accountKeys": [
                    Pubkey::new_unique().to_string(),
                    zkgate::ID.to_string(),
                    Pubkey::new_unique().to_string()
                ] } },
                "meta": {
                    "loadedAddresses": { "writable": [], "readonly": [] },
                    "innerInstructions": [{ "index": 0, "instructions": [
                        { "programIdIndex": 2, "accounts": [], "data": b58(&data) },
                        { "programIdIndex": 1, "accounts": [], "data": b58(&[1, 2, 3]) },
                        { "programIdIndex": 1, "accounts": [], "data": b58(&data) }
                    ]}]
                }
            }
        });
        assert_eq!(events_from_get_transaction(&answer), Ok(vec![data]));
        let missing = serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": null});
        assert_eq!(
            events_from_get_transaction(&missing),
            Err("transaction not found".to_string())
        );
        let error = serde_json::json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602}});
        assert!(events_from_get_transaction(&error)
            .unwrap_err()
            .starts_with("rpc error"));
    }
}
