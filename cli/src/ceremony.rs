//! `zkgate ceremony …`: the trusted setup's steps (docs/CEREMONY.md).
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use sha2::{Digest, Sha256};
use zkgate_ceremony::phase2::format_hash;
use zkgate_ceremony::zkey::Zkey;
use zkgate_circuits::keys::CircuitKind;

/// Which circuit.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Circuit {
    /// The transfer (compliance) circuit.
    Compliance,
    /// The recipient-pass circuit.
    Pass,
}

impl From<Circuit> for CircuitKind {
    fn from(c: Circuit) -> Self {
        match c {
            Circuit::Compliance => CircuitKind::Compliance,
            Circuit::Pass => CircuitKind::Pass,
        }
    }
}

/// A transcript and what it is checked against.
#[derive(Args, Debug)]
pub struct Transcript {
    /// The circuit (`export-r1cs`).
    #[arg(long)]
    r1cs: PathBuf,
    /// The prepared Powers-of-Tau file.
    #[arg(long)]
    ptau: PathBuf,
    /// The transcript (`.zkey`).
    #[arg(long)]
    zkey: PathBuf,
}

/// The ceremony's steps.
#[derive(Subcommand, Debug)]
pub enum CeremonyCommand {
    /// Write a circuit in circom's `.r1cs` format (deterministic) and print its SHA-256;
    /// optionally a satisfying witness (the test sample) in `.wtns` format.
    ExportR1cs {
        /// Which circuit.
        #[arg(long, value_enum, default_value = "compliance")]
        circuit: Circuit,
        /// Merkle tree depth.
        #[arg(long, default_value_t = zkgate_circuits::merkle::DEFAULT_DEPTH)]
        depth: usize,
        /// Output `.r1cs` file.
        #[arg(long)]
        out: PathBuf,
        /// Also write the sample witness here (`.wtns`), for `snarkjs wtns check`.
        #[arg(long)]
        wtns: Option<PathBuf>,
    },
    /// Write a THROWAWAY prepared Powers-of-Tau file (one party's randomness: for tests and
    /// rehearsals only; production uses a public ceremony's file).
    ThrowawayPtau {
        /// Power (the largest domain is 2^power; the compliance circuit at depth 4 needs 14).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
        power: u32,
        /// Output `.ptau`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Phase 2 start: the initial key of a circuit on a prepared ptau (as `snarkjs zkey new`).
    New {
        /// The circuit (`export-r1cs`).
        #[arg(long)]
        r1cs: PathBuf,
        /// The prepared Powers-of-Tau file.
        #[arg(long)]
        ptau: PathBuf,
        /// Output `.zkey`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add a contribution (OS randomness mixed with optional entropy); prints its hash, which
    /// the participant publishes.
    Contribute {
        /// The previous `.zkey`.
        #[arg(long = "in")]
        input: PathBuf,
        /// Output `.zkey`.
        #[arg(long)]
        out: PathBuf,
        /// The participant's name (recorded in the transcript, up to 64 bytes).
        #[arg(long)]
        name: String,
        /// Extra entropy (a passphrase), read from this environment variable if set.
        #[arg(long, default_value = "ZKGATE_CEREMONY_ENTROPY")]
        entropy_env: String,
    },
    /// Close the transcript with a random beacon (a public value fixed after the last
    /// contribution, e.g. a future slot hash).
    Beacon {
        /// The previous `.zkey`.
        #[arg(long = "in")]
        input: PathBuf,
        /// Output `.zkey`.
        #[arg(long)]
        out: PathBuf,
        /// Name recorded for the beacon.
        #[arg(long, default_value = "final beacon")]
        name: String,
        /// The beacon value (hex, 1 to 255 bytes).
        #[arg(long)]
        hash: String,
        /// 2^N SHA-256 iterations of the value (10 to 63).
        #[arg(long, default_value_t = 10)]
        iterations_exp: u8,
    },
    /// Verify a whole transcript: the circuit, the ptau, every contribution and the beacon.
    Verify {
        #[command(flatten)]
        files: Transcript,
    },
    /// Verify the transcript and write the key directory (proving key, program vk, snarkjs
    /// verification_key.json, manifest with the transcript record, the final .zkey); for the
    /// compliance circuit also rule_set.json (with the pass keys of `OUT/pass` if finalized
    /// there first).
    Finalize {
        /// Which circuit.
        #[arg(long, value_enum, default_value = "compliance")]
        circuit: Circuit,
        /// Merkle tree depth.
        #[arg(long, default_value_t = zkgate_circuits::merkle::DEFAULT_DEPTH)]
        depth: usize,
        #[command(flatten)]
        files: Transcript,
        /// Output key directory.
        #[arg(long)]
        out: PathBuf,
        /// The rule-set (compliance circuit).
        #[command(flatten)]
        rule_set: crate::RuleSetArgs,
    },
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn zkey(path: &PathBuf) -> Result<Zkey, String> {
    Zkey::parse(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

fn print_contribution(label: &str, hash: &[u8; 64]) {
    println!("{label}:\n{}", indent(&format_hash(hash)));
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs one step.
pub fn run(command: CeremonyCommand) -> Result<(), String> {
    match command {
        CeremonyCommand::ExportR1cs {
            circuit,
            depth,
            out,
            wtns,
        } => {
            let kind = CircuitKind::from(circuit);
            let bytes = zkgate_ceremony::circuit_r1cs(kind, depth).map_err(|e| e.to_string())?;
            write(&out, &bytes)?;
            println!(
                "{}  {} ({} depth {depth})",
                hex::encode(Sha256::digest(&bytes)),
                out.display(),
                kind.name()
            );
            if let Some(path) = wtns {
                let witness =
                    zkgate_ceremony::sample_witness(kind, depth).map_err(|e| e.to_string())?;
                write(&path, &zkgate_ceremony::r1cs::write_wtns(&witness))?;
                println!(
                    "sample witness: {} ({} wires)",
                    path.display(),
                    witness.len()
                );
            }
            Ok(())
        }
        CeremonyCommand::ThrowawayPtau { power, out } => {
            let bytes = zkgate_ceremony::ptau::throwaway(power, &mut rand::rngs::OsRng);
            write(&out, &bytes)?;
            println!(
                "{}  {} (power {power}; INSECURE: one party's randomness, for tests only)",
                hex::encode(Sha256::digest(&bytes)),
                out.display()
            );
            Ok(())
        }
        CeremonyCommand::New { r1cs, ptau, out } => {
            let r1cs_bytes = read(&r1cs)?;
            let r = zkgate_ceremony::r1cs::read_r1cs(&r1cs_bytes).map_err(|e| e.to_string())?;
            let ptau_bytes = read(&ptau)?;
            let p = zkgate_ceremony::ptau::Ptau::parse(&ptau_bytes).map_err(|e| e.to_string())?;
            let z = zkgate_ceremony::phase2::new_zkey(&r, &p).map_err(|e| e.to_string())?;
            write(&out, &z.to_bytes())?;
            print_contribution("circuit hash", &z.cs_hash);
            Ok(())
        }
        CeremonyCommand::Contribute {
            input,
            out,
            name,
            entropy_env,
        } => {
            let z = zkey(&input)?;
            let entropy = zeroize::Zeroizing::new(std::env::var(&entropy_env).unwrap_or_default());
            let (next, hash) = zkgate_ceremony::phase2::contribute(&z, &name, entropy.as_bytes());
            write(&out, &next.to_bytes())?;
            print_contribution(
                &format!("contribution {} ({name}) hash", next.contributions.len()),
                &hash,
            );
            Ok(())
        }
        CeremonyCommand::Beacon {
            input,
            out,
            name,
            hash,
            iterations_exp,
        } => {
            let z = zkey(&input)?;
            let value = hex::decode(&hash).map_err(|_| "--hash: expected hex".to_string())?;
            let (next, h) = zkgate_ceremony::phase2::beacon(&z, &name, &value, iterations_exp)
                .map_err(|e| e.to_string())?;
            write(&out, &next.to_bytes())?;
            print_contribution("beacon contribution hash", &h);
            Ok(())
        }
        CeremonyCommand::Verify {
            files:
                Transcript {
                    r1cs,
                    ptau,
                    zkey: path,
                },
        } => {
            let r = zkgate_ceremony::r1cs::read_r1cs(&read(&r1cs)?).map_err(|e| e.to_string())?;
            let ptau_bytes = read(&ptau)?;
            let p = zkgate_ceremony::ptau::Ptau::parse(&ptau_bytes).map_err(|e| e.to_string())?;
            let z = zkey(&path)?;
            let v = zkgate_ceremony::phase2::verify(&r, &p, &z).map_err(|e| e.to_string())?;
            print_contribution("circuit hash", &z.cs_hash);
            for (i, (name, hash, beacon)) in v.contributions.iter().enumerate() {
                let kind = if *beacon { "beacon" } else { "contribution" };
                print_contribution(&format!("{kind} {} ({name})", i + 1), hash);
            }
            println!("transcript OK: {} contribution(s)", v.contributions.len());
            Ok(())
        }
        CeremonyCommand::Finalize {
            circuit,
            depth,
            files:
                Transcript {
                    r1cs,
                    ptau,
                    zkey: path,
                },
            out,
            rule_set,
        } => {
            let kind = CircuitKind::from(circuit);
            let zkey_bytes = read(&path)?;
            let (keys, verified) =
                zkgate_ceremony::finalize(kind, depth, &read(&r1cs)?, &read(&ptau)?, &zkey_bytes)
                    .map_err(|e| e.to_string())?;
            keys.write_dir(&out).map_err(|e| e.to_string())?;
            write(&out.join("final.zkey"), &zkey_bytes)?;
            crate::write_sample_proof(&out, &keys)?;
            if kind == CircuitKind::Compliance {
                let pass_dir = out.join("pass");
                let pass_keys = if pass_dir.join("manifest.json").exists() {
                    Some(std::sync::Arc::new(
                        zkgate_circuits::keys::KeySet::load_dir_for(
                            CircuitKind::Pass,
                            &pass_dir,
                            None,
                        )
                        .map_err(|e| format!("{}: {e}", pass_dir.display()))?,
                    ))
                } else {
                    None
                };
                let mut params = zkgate_circuits::testing::default_params();
                params.auditor_key = crate::auditor_key_or_sample(rule_set.auditor_key.as_deref())?;
                let entry = zkgate_prover::RuleSetEntry {
                    rule_set_id: rule_set.rule_set_id,
                    version: rule_set.rule_set_version,
                    params,
                    program_id: zkgate::ID.to_bytes(),
                    keys: std::sync::Arc::new(keys.clone()),
                    pass_keys,
                };
                zkgate_prover::rule_sets::write_rule_set_file(&out, &entry)?;
            }
            println!(
                "wrote {} ({} depth {depth}) from a transcript of {} contribution(s)",
                out.display(),
                kind.name(),
                verified.contributions.len()
            );
            println!("  proving key sha256  {}", hex::encode(keys.pk_sha256));
            println!("  verifying key hash  {}", hex::encode(keys.vk_hash));
            if keys
                .ceremony
                .as_ref()
                .is_some_and(|c| c.ptau_contributions == 0)
            {
                println!(
                    "  WARNING: the ptau records no phase-1 contribution (a throwaway): these \
                     keys are for tests only"
                );
            }
            Ok(())
        }
    }
}
