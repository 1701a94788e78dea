//! `zkgate ceremony …`: the trusted setup's steps (docs/CEREMONY.md).
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use sha2::{Digest, Sha256};
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
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
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
    }
}
