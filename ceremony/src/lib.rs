//! zkgate's trusted setup (issue 14): the circuits in circom's file formats and a Groth16
//! phase 2 that is byte-compatible with snarkjs, so a participant can contribute with either
//! tool and anyone can verify the transcript with tools we did not write.
#![deny(missing_docs)]

pub mod binfile;
pub mod phase2;
pub mod points;
pub mod ptau;
pub mod r1cs;
pub mod zkey;

/// Why a ceremony step failed.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// A file is not in the expected format.
    #[error("{0}")]
    Format(String),
    /// A check of the transcript failed.
    #[error("verification failed: {0}")]
    Invalid(String),
    /// The circuit could not be built.
    #[error("circuit: {0}")]
    Circuit(String),
}

use zkgate_circuits::keys::{constraint_matrices_for, CircuitKind};
use zkgate_circuits::Fr;

/// The `kind` circuit at `depth` as a `.r1cs` file (deterministic: the same build writes the
/// same bytes).
pub fn circuit_r1cs(kind: CircuitKind, depth: usize) -> Result<Vec<u8>, CeremonyError> {
    let m =
        constraint_matrices_for(kind, depth).map_err(|e| CeremonyError::Circuit(e.to_string()))?;
    Ok(r1cs::write_r1cs(&m))
}

/// A satisfying assignment of the `kind` circuit at `depth` (the test sample's witness: a
/// compliant transfer, or its recipient's pass), every wire in `.r1cs` order.
pub fn sample_witness(kind: CircuitKind, depth: usize) -> Result<Vec<Fr>, CeremonyError> {
    let m =
        constraint_matrices_for(kind, depth).map_err(|e| CeremonyError::Circuit(e.to_string()))?;
    let sample = zkgate_circuits::testing::SampleBuilder {
        depth,
        ..Default::default()
    }
    .build();
    let full = match kind {
        CircuitKind::Compliance => zkgate_circuits::proof::full_assignment(sample.circuit(), &m),
        CircuitKind::Pass => zkgate_circuits::proof::full_assignment(sample.pass_circuit(), &m),
    };
    full.map_err(|e| CeremonyError::Circuit(e.to_string()))
}
