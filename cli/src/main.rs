//! The `zkgate` command line.
//!
//! - `zkgate keys --out DIR`: circuit-specific Groth16 setup from OS randomness; writes the
//!   proving key, the verifying key in the program's byte layout and in snarkjs JSON, and the
//!   manifest with both hashes. Single-party keys: marked insecure.
//! - `zkgate ceremony export-r1cs | throwaway-ptau | new | contribute | beacon | verify |
//!   finalize`: the multi-party trusted setup in snarkjs' formats (docs/CEREMONY.md).
//! - `zkgate prove --key-dir DIR --request FILE`: the prover service's `POST /v1/proofs`
//!   without the service: the same request JSON in, the same answer JSON out, proved on this
//!   machine (the recovery path when no prover service is reachable; the witness never leaves
//!   the machine).
//! - `zkgate audit keygen --out FILE`, `zkgate audit decrypt --key FILE (--event B64 |
//!   --events-file FILE | --signature SIG --rpc URL)`: the auditor's key pair and the opening
//!   of transfers' disclosures from chain data.
//! - `zkgate sanctions import --list ID --csv FILE`: a list operator's bulk import into the
//!   registry service, in chunks, with progress.
//! - `zkgate demo`: the whole system on this machine (prover over HTTP, the program in an
//!   in-process Solana runtime with the real SPL Token program), approvals and refusals.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod ceremony;
mod demo;
mod demo_registry;
mod sanctions;

/// zkgate: zero-knowledge compliance for Solana token transfers.
#[derive(Parser, Debug)]
#[command(name = "zkgate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The rule-set a key directory serves (written to its rule_set.json).
#[derive(clap::Args, Debug)]
pub(crate) struct RuleSetArgs {
    /// Rule-set id the keys serve.
    #[arg(long, default_value_t = 1)]
    pub(crate) rule_set_id: u64,
    /// Rule-set version the keys serve.
    #[arg(long, default_value_t = 1)]
    pub(crate) rule_set_version: u32,
    /// The rule-set's auditor public key (hex `x || y`, from `zkgate audit keygen`). Default:
    /// the built-in sample key, whose secret is public (development only).
    #[arg(long)]
    pub(crate) auditor_key: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate (single-party, insecure) Groth16 keys for the compliance circuit.
    Keys {
        /// Output directory.
        #[arg(long, default_value = "keys/ruleset-1")]
        out: PathBuf,
        /// Merkle tree depth of the credential and sanctions trees.
        #[arg(long, default_value_t = zkgate_circuits::merkle::DEFAULT_DEPTH)]
        depth: usize,
        #[command(flatten)]
        rule_set: RuleSetArgs,
    },
    /// Prove a transfer locally: the prover service's request JSON in, its answer JSON out.
    Prove {
        /// Key directory (one rule-set, or a directory of rule-set directories) as
        /// `zkgate keys` writes it.
        #[arg(long, default_value = "keys")]
        key_dir: PathBuf,
        /// The request (`POST /v1/proofs` body); `-` reads standard input.
        #[arg(long, default_value = "-")]
        request: PathBuf,
    },
    /// The auditor's tools: key generation, decryption of transfers from chain data.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The trusted-setup ceremony (docs/CEREMONY.md).
    #[command(subcommand)]
    Ceremony(ceremony::CeremonyCommand),
    /// The sanctions-list operator's tools (bulk import into the registry).
    #[command(subcommand)]
    Sanctions(sanctions::SanctionsCommand),
    /// Run the end-to-end demo.
    Demo {
        /// Merkle tree depth (20 = about a million credentials per issuer).
        #[arg(long, default_value_t = zkgate_circuits::merkle::DEFAULT_DEPTH)]
        depth: usize,
        /// Use this key directory (e.g. from `zkgate ceremony finalize`, with the pass keys in
        /// `pass/`) instead of generating single-party keys.
        #[arg(long)]
        key_dir: Option<PathBuf>,
        /// Refuse keys from a single-party setup (as the prover's flag).
        #[arg(long)]
        require_ceremony_keys: bool,
    },
}

fn keys(out: PathBuf, depth: usize, rule_set: RuleSetArgs) -> Result<(), String> {
    let started = std::time::Instant::now();
    // Circuit-specific setup from OS randomness (single party: marked insecure).
    let mut entry = zkgate_prover::dev_rule_set(
        zkgate::ID.to_bytes(),
        rule_set.rule_set_id,
        rule_set.rule_set_version,
        depth,
    )?;
    entry.params.auditor_key = auditor_key_or_sample(rule_set.auditor_key.as_deref())?;
    let keys = &entry.keys;
    keys.write_dir(&out).map_err(|e| e.to_string())?;
    zkgate_prover::rule_sets::write_rule_set_file(&out, &entry)?;
    // A sample proof in snarkjs's JSON layout, so the keys can be checked with tools we did not
    // write: `snarkjs groth16 verify verification_key.json public.json proof.json`.
    let sample = zkgate_circuits::testing::SampleBuilder {
        depth,
        ..Default::default()
    }
    .build();
    let proof = zkgate_circuits::proof::prove(keys, sample.circuit(), &mut rand::rngs::OsRng)
        .map_err(|e| e.to_string())?;
    let public = sample.statement.hash().map_err(|e| e.to_string())?;
    let write_json = |name: &str, value: serde_json::Value| {
        let bytes = serde_json::to_vec_pretty(&value).map_err(|e| e.to_string())?;
        std::fs::write(out.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    write_json(
        "proof.json",
        zkgate_circuits::proof::snarkjs_proof_json(&proof.ark_proof),
    )?;
    write_json(
        "public.json",
        zkgate_circuits::proof::snarkjs_public_json(&[public]),
    )?;
    // The recipient-pass circuit's keys (two-sided rule-sets) in `pass/`, with a sample proof.
    let pass_dir = out.join("pass");
    let pass_keys = entry
        .pass_keys
        .as_ref()
        .ok_or("dev rule-sets carry pass keys")?;
    pass_keys.write_dir(&pass_dir).map_err(|e| e.to_string())?;
    let pass_proof =
        zkgate_circuits::proof::prove(pass_keys, sample.pass_circuit(), &mut rand::rngs::OsRng)
            .map_err(|e| e.to_string())?;
    let pass_public = sample.pass_statement().hash().map_err(|e| e.to_string())?;
    write_json(
        "pass/proof.json",
        zkgate_circuits::proof::snarkjs_proof_json(&pass_proof.ark_proof),
    )?;
    write_json(
        "pass/public.json",
        zkgate_circuits::proof::snarkjs_public_json(&[pass_public]),
    )?;
    println!("wrote {} in {:.1?}", out.display(), started.elapsed());
    println!("  circuit depth       {depth}");
    println!("  proving key sha256  {}", hex::encode(keys.pk_sha256));
    println!("  verifying key hash  {}", hex::encode(keys.vk_hash));
    println!(
        "  pass circuit        pass/ (verifying key hash {})",
        hex::encode(pass_keys.vk_hash)
    );
    println!("  WARNING: single-party setup: whoever ran it can forge proofs. Use a multi-party");
    println!("           ceremony for production keys.");
    Ok(())
}

/// Writes a sample proof made with `keys` (and its public input) in snarkjs' JSON layout into
/// `dir`, so the keys can be checked with a verifier we did not write:
/// `snarkjs groth16 verify verification_key.json public.json proof.json`.
pub(crate) fn write_sample_proof(
    dir: &std::path::Path,
    keys: &zkgate_circuits::keys::KeySet,
) -> Result<(), String> {
    use zkgate_circuits::keys::CircuitKind;
    let sample = zkgate_circuits::testing::SampleBuilder {
        depth: keys.depth,
        ..Default::default()
    }
    .build();
    let mut rng = rand::rngs::OsRng;
    let (proof, public) = match keys.kind {
        CircuitKind::Compliance => (
            zkgate_circuits::proof::prove(keys, sample.circuit(), &mut rng),
            sample.statement.hash(),
        ),
        CircuitKind::Pass => (
            zkgate_circuits::proof::prove(keys, sample.pass_circuit(), &mut rng),
            sample.pass_statement().hash(),
        ),
    };
    let proof = proof.map_err(|e| e.to_string())?;
    let public = public.map_err(|e| e.to_string())?;
    for (name, value) in [
        (
            "proof.json",
            zkgate_circuits::proof::snarkjs_proof_json(&proof.ark_proof),
        ),
        (
            "public.json",
            zkgate_circuits::proof::snarkjs_public_json(&[public]),
        ),
    ] {
        let bytes = serde_json::to_vec_pretty(&value).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// The rule-set's auditor key from `--auditor-key` (hex `x || y`, checked to be a Baby Jubjub
/// point of the prime-order subgroup), or the built-in sample key (with a warning).
pub(crate) fn auditor_key_or_sample(hex_key: Option<&str>) -> Result<[u8; 64], String> {
    match hex_key {
        Some(hex_key) => {
            let key: [u8; 64] = hex::decode(hex_key)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or("--auditor-key: expected 128 hex digits (x || y)")?;
            if zkgate_circuits::babyjub::public_key_from_bytes(&key).is_none() {
                return Err(
                    "--auditor-key: not a Baby Jubjub public key of the prime-order subgroup"
                        .into(),
                );
            }
            Ok(key)
        }
        None => {
            println!(
                "WARNING: auditor key: the built-in sample key, whose secret is public; pass \
                 --auditor-key from `zkgate audit keygen`"
            );
            Ok(zkgate_circuits::testing::default_params().auditor_key)
        }
    }
}

/// `zkgate prove`: prints the answer JSON, or the service's error JSON on standard error.
fn prove(key_dir: PathBuf, request: PathBuf) -> Result<(), String> {
    use std::io::Read;
    use zkgate_prover::error::ApiError;
    let mut body = vec![];
    let read = if request.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut body).map(|_| ())
    } else {
        std::fs::read(&request).map(|b| body = b)
    };
    read.map_err(|e| format!("{}: {e}", request.display()))?;
    let rule_sets = zkgate_prover::rule_sets::load_key_dir(&key_dir)?;
    let answer = (move || -> Result<_, ApiError> {
        let req = zkgate_prover::extract::parse_json(&body);
        zeroize::Zeroize::zeroize(&mut body);
        let req: zkgate_client::api::ProofRequest = req?;
        let prepared = zkgate_prover::proving::prepare_with(&rule_sets, &req)?;
        drop(req);
        Ok(zkgate_prover::proving::prove_now(prepared)?.0)
    })();
    match answer {
        Ok(response) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&response).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Err(e) => {
            let body = zkgate_client::api::ErrorBody { error: e.detail() };
            Err(serde_json::to_string(&body).map_err(|e| e.to_string())?)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keys {
            out,
            depth,
            rule_set,
        } => keys(out, depth, rule_set),
        Command::Prove { key_dir, request } => prove(key_dir, request),
        Command::Audit(command) => audit::run(command),
        Command::Ceremony(command) => ceremony::run(command),
        Command::Sanctions(command) => sanctions::run(command),
        Command::Demo {
            depth,
            key_dir,
            require_ceremony_keys,
        } => demo::run(depth, key_dir, require_ceremony_keys),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
