//! Circuit-specific Groth16 setup, the verifying key in the program's byte layout, and key files
//! (checked by hash on load).
use std::fs;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::compliance::ComplianceCircuit;
use crate::engine::PreparedKey;
use crate::pass::PassCircuit;
use crate::proof::{g1_to_be_bytes, g2_to_be_bytes, snarkjs_g1, snarkjs_g2};
use crate::Fr;

/// Name of the compliance (transfer) circuit.
pub const CIRCUIT_NAME: &str = "zkgate-compliance-v2";
/// Name of the recipient-pass circuit.
pub const PASS_CIRCUIT_NAME: &str = "zkgate-pass-v1";

/// Which circuit a key set is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CircuitKind {
    /// The transfer circuit ([`ComplianceCircuit`]).
    Compliance,
    /// The recipient-pass circuit ([`PassCircuit`]).
    Pass,
}

impl CircuitKind {
    /// The name `manifest.json` records.
    pub fn name(self) -> &'static str {
        match self {
            CircuitKind::Compliance => CIRCUIT_NAME,
            CircuitKind::Pass => PASS_CIRCUIT_NAME,
        }
    }

    /// The blank circuit's constraints at `depth`, into `cs`.
    fn synthesize_blank(
        self,
        depth: usize,
        cs: ark_relations::r1cs::ConstraintSystemRef<Fr>,
    ) -> Result<(), ark_relations::r1cs::SynthesisError> {
        match self {
            CircuitKind::Compliance => ComplianceCircuit::blank(depth).generate_constraints(cs),
            CircuitKind::Pass => PassCircuit::blank(depth).generate_constraints(cs),
        }
    }
}

/// Key handling errors.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The setup failed.
    #[error("setup failed: {0}")]
    Setup(String),
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A key file is malformed.
    #[error("{0}: malformed key file")]
    Malformed(String),
    /// The proving key's SHA-256 is not the expected one.
    #[error("proving key SHA-256 mismatch: expected {expected}, found {actual}")]
    ProvingKeyHashMismatch {
        /// Expected (hex).
        expected: String,
        /// Actual (hex).
        actual: String,
    },
    /// The key directory was made for another circuit (name or constraint matrices differ).
    #[error("keys are for another circuit: manifest says {expected}, this build has {actual}")]
    CircuitMismatch {
        /// What the manifest records.
        expected: String,
        /// What this build's circuit is.
        actual: String,
    },
    /// The verifying key does not match the manifest.
    #[error("verifying key hash mismatch: expected {expected}, found {actual}")]
    VerifyingKeyHashMismatch {
        /// Expected (hex).
        expected: String,
        /// Actual (hex).
        actual: String,
    },
}

/// A verifying key in the program's byte layout (what `RuleSet` stores).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramVerifyingKey {
    /// `alpha` in G1.
    pub alpha_g1: [u8; 64],
    /// `beta` in G2.
    pub beta_g2: [u8; 128],
    /// `gamma` in G2.
    pub gamma_g2: [u8; 128],
    /// `delta` in G2.
    pub delta_g2: [u8; 128],
    /// IC points.
    pub ic: Vec<[u8; 64]>,
}

impl ProgramVerifyingKey {
    /// Converts an arkworks verifying key.
    pub fn from_ark(vk: &VerifyingKey<Bn254>) -> Self {
        Self {
            alpha_g1: g1_to_be_bytes(&vk.alpha_g1),
            beta_g2: g2_to_be_bytes(&vk.beta_g2),
            gamma_g2: g2_to_be_bytes(&vk.gamma_g2),
            delta_g2: g2_to_be_bytes(&vk.delta_g2),
            ic: vk.gamma_abc_g1.iter().map(g1_to_be_bytes).collect(),
        }
    }

    /// `alpha || beta || gamma || delta || ic...` (576 bytes for one public input).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(448 + 64 * self.ic.len());
        out.extend_from_slice(&self.alpha_g1);
        out.extend_from_slice(&self.beta_g2);
        out.extend_from_slice(&self.gamma_g2);
        out.extend_from_slice(&self.delta_g2);
        for p in &self.ic {
            out.extend_from_slice(p);
        }
        out
    }

    /// Parses [`ProgramVerifyingKey::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < 448 + 64 || !(bytes.len() - 448).is_multiple_of(64) {
            return None;
        }
        Some(Self {
            alpha_g1: bytes[..64].try_into().ok()?,
            beta_g2: bytes[64..192].try_into().ok()?,
            gamma_g2: bytes[192..320].try_into().ok()?,
            delta_g2: bytes[320..448].try_into().ok()?,
            ic: bytes[448..]
                .chunks(64)
                .map(|c| c.try_into().ok())
                .collect::<Option<Vec<_>>>()?,
        })
    }

    /// SHA-256 of [`ProgramVerifyingKey::to_bytes`] (the program's `vk_hash`).
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }

    /// The key as `groth16-solana` takes it.
    pub fn as_groth16_solana(&self) -> groth16_solana::groth16::Groth16Verifyingkey<'_> {
        groth16_solana::groth16::Groth16Verifyingkey {
            nr_pubinputs: self.ic.len().saturating_sub(1),
            vk_alpha_g1: self.alpha_g1,
            vk_beta_g2: self.beta_g2,
            vk_gamma_g2: self.gamma_g2,
            vk_delta_g2: self.delta_g2,
            vk_ic: &self.ic,
            vk_commitment: None,
        }
    }
}

/// `verification_key.json` in the snarkjs layout.
pub fn snarkjs_vk_json(vk: &VerifyingKey<Bn254>) -> serde_json::Value {
    serde_json::json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len() - 1,
        "vk_alpha_1": snarkjs_g1(&vk.alpha_g1),
        "vk_beta_2": snarkjs_g2(&vk.beta_g2),
        "vk_gamma_2": snarkjs_g2(&vk.gamma_g2),
        "vk_delta_2": snarkjs_g2(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(snarkjs_g1).collect::<Vec<_>>(),
    })
}

/// Runs the circuit-specific setup for the compliance circuit at `depth`.
pub fn setup<R: RngCore + CryptoRng>(
    depth: usize,
    rng: &mut R,
) -> Result<(ProvingKey<Bn254>, VerifyingKey<Bn254>), KeyError> {
    setup_for(CircuitKind::Compliance, depth, rng)
}

/// Runs the circuit-specific setup for the `kind` circuit at `depth`.
pub fn setup_for<R: RngCore + CryptoRng>(
    kind: CircuitKind,
    depth: usize,
    rng: &mut R,
) -> Result<(ProvingKey<Bn254>, VerifyingKey<Bn254>), KeyError> {
    match kind {
        CircuitKind::Compliance => {
            Groth16::<Bn254>::circuit_specific_setup(ComplianceCircuit::blank(depth), rng)
        }
        CircuitKind::Pass => {
            Groth16::<Bn254>::circuit_specific_setup(PassCircuit::blank(depth), rng)
        }
    }
    .map_err(|e| KeyError::Setup(e.to_string()))
}

/// The R1CS matrices of the compliance circuit at `depth`, exactly as the Groth16 setup builds
/// them (setup mode, constraints inlined). The prover reuses them for every proof and only
/// computes the witness assignment per proof, instead of rebuilding and inlining the whole
/// constraint system each time.
pub fn constraint_matrices(depth: usize) -> Result<ConstraintMatrices<Fr>, KeyError> {
    constraint_matrices_for(CircuitKind::Compliance, depth)
}

/// [`constraint_matrices`] of the `kind` circuit.
pub fn constraint_matrices_for(
    kind: CircuitKind,
    depth: usize,
) -> Result<ConstraintMatrices<Fr>, KeyError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    kind.synthesize_blank(depth, cs.clone())
        .map_err(|e| KeyError::Setup(e.to_string()))?;
    cs.finalize();
    cs.to_matrices()
        .ok_or_else(|| KeyError::Setup("constraint matrices unavailable".into()))
}

/// The matrices of the circuit at `depth`, checked to fit `pk` (the same numbers of variables):
/// a manifest naming another depth than the key was made for is refused here, at load, not
/// discovered as proofs that fail to verify.
fn matrices_for(
    kind: CircuitKind,
    pk: &ProvingKey<Bn254>,
    depth: usize,
) -> Result<Arc<ConstraintMatrices<Fr>>, KeyError> {
    let m = constraint_matrices_for(kind, depth)?;
    let witnesses = m.num_witness_variables;
    if pk.l_query.len() != witnesses || pk.a_query.len() != m.num_instance_variables + witnesses {
        return Err(KeyError::Malformed(format!(
            "manifest.json (depth {depth} does not match the proving key)"
        )));
    }
    Ok(Arc::new(m))
}

/// SHA-256 of the constraint matrices: the variable and constraint counts, then every
/// non-zero entry of A, B and C row by row (column as u64 LE, coefficient as 32 bytes BE).
/// Two circuits with the same sizes but any different constraint have different digests.
pub fn matrices_digest(m: &ConstraintMatrices<Fr>) -> [u8; 32] {
    let mut h = Sha256::new();
    for n in [
        m.num_instance_variables,
        m.num_witness_variables,
        m.num_constraints,
    ] {
        h.update((n as u64).to_le_bytes());
    }
    for matrix in [&m.a, &m.b, &m.c] {
        for row in matrix {
            h.update((row.len() as u64).to_le_bytes());
            for (coeff, col) in row {
                h.update((*col as u64).to_le_bytes());
                h.update(crate::encoding::fr_to_be_bytes(coeff));
            }
        }
    }
    h.finalize().into()
}

/// The R1CS-to-QAP reduction a proving key was made for (its `h_query`'s basis).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum QapReduction {
    /// arkworks' default (`zkgate keys`' single-party setup).
    #[default]
    Libsnark,
    /// snarkjs' ([`crate::qap::CircomReduction`]): keys from a Powers-of-Tau ceremony.
    Circom,
}

/// What a key directory's ceremony transcript was (recorded by `zkgate ceremony finalize`
/// after verifying it).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CeremonyRecord {
    /// SHA-256 of the circuit's `.r1cs` file (as `zkgate ceremony export-r1cs` writes it).
    pub r1cs_sha256: String,
    /// SHA-256 of the Powers-of-Tau file the transcript started from.
    pub ptau_sha256: String,
    /// The ptau's power (its largest domain is 2^power).
    pub ptau_power: u32,
    /// Phase-1 contributions the ptau records (0: a throwaway made by one party, for tests
    /// only; a public ceremony's file records its participants).
    #[serde(default)]
    pub ptau_contributions: u32,
    /// SHA-256 of the final `.zkey` (the whole transcript), kept beside the keys.
    pub zkey_sha256: String,
    /// Every phase-2 contribution in order: its name and snarkjs contribution hash (hex).
    pub contributions: Vec<ContributionRecord>,
}

/// One phase-2 contribution.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContributionRecord {
    /// The participant's name (as given when contributing).
    pub name: String,
    /// The contribution hash (blake2b-512, hex) the participant printed.
    pub hash: String,
    /// Whether this is the closing random beacon.
    pub beacon: bool,
}

/// What `manifest.json` records about a key directory.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Circuit name.
    pub circuit: String,
    /// Tree depth.
    pub depth: usize,
    /// [`matrices_digest`] of the circuit the keys were made for (hex).
    pub constraints_sha256: String,
    /// SHA-256 of `proving_key.bin` (hex).
    pub pk_sha256: String,
    /// SHA-256 of `verifying_key.bin` (hex): the program's `vk_hash`.
    pub vk_hash: String,
    /// Single-party setup: whoever ran it can forge proofs.
    pub insecure_single_party: bool,
    /// The reduction the proving key was made for (absent: libsnark).
    #[serde(default)]
    pub qap: QapReduction,
    /// The verified multi-party transcript the keys come from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceremony: Option<CeremonyRecord>,
}

/// A proving/verifying key pair with its hashes.
#[derive(Clone)]
pub struct KeySet {
    /// The circuit the keys are for.
    pub kind: CircuitKind,
    /// Proving key.
    pub pk: ProvingKey<Bn254>,
    /// Verifying key.
    pub vk: VerifyingKey<Bn254>,
    /// Tree depth of the circuit.
    pub depth: usize,
    /// SHA-256 of the serialized proving key.
    pub pk_sha256: [u8; 32],
    /// SHA-256 of the program-layout verifying key.
    pub vk_hash: [u8; 32],
    /// Whether the keys come from a single-party setup.
    pub insecure_single_party: bool,
    /// The R1CS-to-QAP reduction the proving key was made for.
    pub qap: QapReduction,
    /// The ceremony transcript the keys come from, if any.
    pub ceremony: Option<CeremonyRecord>,
    /// The circuit's constraint matrices at `depth` (derived from the circuit, not stored in
    /// the key directory), shared by every proof made with these keys.
    pub matrices: Arc<ConstraintMatrices<Fr>>,
    /// The proving key's fixed-base tables, once [`KeySet::prepare`] built them (shared by
    /// clones).
    prepared: Arc<OnceLock<PreparedKey>>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("kind", &self.kind)
            .field("depth", &self.depth)
            .field("pk_sha256", &hex::encode(self.pk_sha256))
            .field("vk_hash", &hex::encode(self.vk_hash))
            .field("insecure_single_party", &self.insecure_single_party)
            .field("qap", &self.qap)
            .field("ceremony", &self.ceremony.is_some())
            .finish()
    }
}

fn pk_bytes(pk: &ProvingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    pk.serialize_uncompressed(&mut out)
        .expect("serializing into a Vec cannot fail");
    out
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl KeySet {
    /// Single-party setup of the compliance circuit at `depth` (marked insecure).
    pub fn generate<R: RngCore + CryptoRng>(depth: usize, rng: &mut R) -> Result<Self, KeyError> {
        Self::generate_for(CircuitKind::Compliance, depth, rng)
    }

    /// Single-party setup of the `kind` circuit at `depth` (marked insecure).
    pub fn generate_for<R: RngCore + CryptoRng>(
        kind: CircuitKind,
        depth: usize,
        rng: &mut R,
    ) -> Result<Self, KeyError> {
        let (pk, _) = setup_for(kind, depth, rng)?;
        Self::from_parts(kind, depth, pk, QapReduction::Libsnark, None)
    }

    /// Keys of the `kind` circuit at `depth` from proving key `pk` made for `qap`, checked to
    /// fit the circuit; with a `ceremony` record (a verified multi-party transcript) they are
    /// secure, without one they are single-party (insecure).
    pub fn from_parts(
        kind: CircuitKind,
        depth: usize,
        pk: ProvingKey<Bn254>,
        qap: QapReduction,
        ceremony: Option<CeremonyRecord>,
    ) -> Result<Self, KeyError> {
        let matrices = matrices_for(kind, &pk, depth)?;
        let vk = pk.vk.clone();
        Ok(Self {
            kind,
            pk_sha256: Sha256::digest(pk_bytes(&pk)).into(),
            vk_hash: ProgramVerifyingKey::from_ark(&vk).hash(),
            pk,
            vk,
            depth,
            insecure_single_party: ceremony.is_none(),
            qap,
            ceremony,
            matrices,
            prepared: Arc::default(),
        })
    }

    /// Builds the proving engine's fixed-base tables for these keys (once; later calls and
    /// clones share them): what a service proving many times with one key does at load. The
    /// tables take about 8.5 KiB per constraint (137 MB for the compliance circuit) and a few
    /// seconds; proofs are then about a tenth faster than without them.
    pub fn prepare(&self) -> &PreparedKey {
        self.prepared.get_or_init(|| PreparedKey::new(&self.pk))
    }

    /// The fixed-base tables, if [`KeySet::prepare`] built them.
    pub fn prepared(&self) -> Option<&PreparedKey> {
        self.prepared.get()
    }

    /// The verifying key in the program's layout.
    pub fn program_vk(&self) -> ProgramVerifyingKey {
        ProgramVerifyingKey::from_ark(&self.vk)
    }

    /// The manifest describing these keys.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            circuit: self.kind.name().into(),
            depth: self.depth,
            constraints_sha256: hex::encode(matrices_digest(&self.matrices)),
            pk_sha256: hex::encode(self.pk_sha256),
            vk_hash: hex::encode(self.vk_hash),
            insecure_single_party: self.insecure_single_party,
            qap: self.qap,
            ceremony: self.ceremony.clone(),
        }
    }

    /// Writes `proving_key.bin`, `verifying_key.bin` (program layout), `verifying_key.ark`,
    /// `verification_key.json` (snarkjs) and `manifest.json` into `dir`.
    pub fn write_dir(&self, dir: &Path) -> Result<(), KeyError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            fs::write(&path, bytes).map_err(io(&path))
        };
        write("proving_key.bin", &pk_bytes(&self.pk))?;
        write("verifying_key.bin", &self.program_vk().to_bytes())?;
        let mut vk = Vec::new();
        self.vk
            .serialize_uncompressed(&mut vk)
            .expect("serializing into a Vec cannot fail");
        write("verifying_key.ark", &vk)?;
        let json = |v: &serde_json::Value| {
            serde_json::to_vec_pretty(v).expect("JSON values always serialize")
        };
        write("verification_key.json", &json(&snarkjs_vk_json(&self.vk)))?;
        write(
            "manifest.json",
            &json(&serde_json::to_value(self.manifest()).expect("manifest serializes")),
        )
    }

    /// Loads a compliance-circuit key directory, checking the proving key's SHA-256 against the
    /// manifest and, if given, against `expected_pk_sha256`.
    pub fn load_dir(dir: &Path, expected_pk_sha256: Option<[u8; 32]>) -> Result<Self, KeyError> {
        Self::load_dir_for(CircuitKind::Compliance, dir, expected_pk_sha256)
    }

    /// [`KeySet::load_dir`] for a key directory of the `kind` circuit (its manifest must name it).
    pub fn load_dir_for(
        kind: CircuitKind,
        dir: &Path,
        expected_pk_sha256: Option<[u8; 32]>,
    ) -> Result<Self, KeyError> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read(&path).map_err(io(&path))
        };
        let manifest: Manifest = serde_json::from_slice(&read("manifest.json")?)
            .map_err(|_| KeyError::Malformed("manifest.json".into()))?;
        if manifest.circuit != kind.name() {
            return Err(KeyError::CircuitMismatch {
                expected: manifest.circuit,
                actual: kind.name().into(),
            });
        }
        let pk_raw = read("proving_key.bin")?;
        let actual: [u8; 32] = Sha256::digest(&pk_raw).into();
        let mismatch = |expected: String| KeyError::ProvingKeyHashMismatch {
            expected,
            actual: hex::encode(actual),
        };
        if manifest.pk_sha256 != hex::encode(actual) {
            return Err(mismatch(manifest.pk_sha256));
        }
        if let Some(expected) = expected_pk_sha256 {
            if expected != actual {
                return Err(mismatch(hex::encode(expected)));
            }
        }
        // The hash matched, so the bytes are the ones the setup wrote: skip the (slow)
        // subgroup checks.
        let pk = ProvingKey::<Bn254>::deserialize_uncompressed_unchecked(pk_raw.as_slice())
            .map_err(|_| KeyError::Malformed("proving_key.bin".into()))?;
        let vk = pk.vk.clone();
        let vk_hash = ProgramVerifyingKey::from_ark(&vk).hash();
        if hex::encode(vk_hash) != manifest.vk_hash {
            return Err(KeyError::VerifyingKeyHashMismatch {
                expected: manifest.vk_hash,
                actual: hex::encode(vk_hash),
            });
        }
        let matrices = matrices_for(kind, &pk, manifest.depth)?;
        let digest = hex::encode(matrices_digest(&matrices));
        if digest != manifest.constraints_sha256 {
            return Err(KeyError::CircuitMismatch {
                expected: format!("constraints {}", manifest.constraints_sha256),
                actual: format!("constraints {digest}"),
            });
        }
        Ok(Self {
            kind,
            pk,
            vk,
            depth: manifest.depth,
            pk_sha256: actual,
            vk_hash,
            insecure_single_party: manifest.insecure_single_party,
            qap: manifest.qap,
            ceremony: manifest.ceremony,
            matrices,
            prepared: Arc::default(),
        })
    }
}
