//! zkgate's trusted setup (issue 14): the circuits in circom's file formats and a Groth16
//! phase 2 that is byte-compatible with snarkjs, so a participant can contribute with either
//! tool and anyone can verify the transcript with tools we did not write.
#![deny(missing_docs)]

pub mod binfile;
pub mod phase2;
pub mod points;
pub mod ptau;
pub mod r1cs;
pub mod rng;
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

/// Verifies the transcript `zkey` of the `kind` circuit at `depth` (whose `.r1cs` must be
/// exactly what this build exports) on `ptau`, and turns its final key into a key set for
/// snarkjs' QAP reduction, recording the transcript (marked secure: several parties).
pub fn finalize(
    kind: CircuitKind,
    depth: usize,
    r1cs_bytes: &[u8],
    ptau_bytes: &[u8],
    zkey_bytes: &[u8],
) -> Result<(zkgate_circuits::keys::KeySet, phase2::Verified), CeremonyError> {
    use sha2::{Digest, Sha256};
    use zkgate_circuits::keys::{CeremonyRecord, ContributionRecord, KeySet, QapReduction};
    let ours = circuit_r1cs(kind, depth)?;
    if ours != r1cs_bytes {
        return Err(CeremonyError::Invalid(format!(
            "the .r1cs is not this build's {} circuit at depth {depth} (a circuit change \
             invalidates the ceremony)",
            kind.name()
        )));
    }
    let r1cs = r1cs::read_r1cs(r1cs_bytes)?;
    let ptau = ptau::Ptau::parse(ptau_bytes)?;
    let zkey = zkey::Zkey::parse(zkey_bytes)?;
    let verified = phase2::verify(&r1cs, &ptau, &zkey)?;
    if verified.contributions.is_empty() {
        return Err(CeremonyError::Invalid(
            "no contribution: the initial key is public".into(),
        ));
    }
    let record = CeremonyRecord {
        r1cs_sha256: hex::encode(Sha256::digest(r1cs_bytes)),
        ptau_sha256: hex::encode(Sha256::digest(ptau_bytes)),
        ptau_power: ptau.power,
        ptau_contributions: ptau.contributions,
        zkey_sha256: hex::encode(Sha256::digest(zkey_bytes)),
        contributions: verified
            .contributions
            .iter()
            .map(|(name, hash, beacon)| ContributionRecord {
                name: name.clone(),
                hash: hex::encode(hash),
                beacon: *beacon,
            })
            .collect(),
    };
    let keys = KeySet::from_parts(
        kind,
        depth,
        zkey.proving_key(),
        QapReduction::Circom,
        Some(record),
    )
    .map_err(|e| CeremonyError::Circuit(e.to_string()))?;
    Ok((keys, verified))
}
