//! Proving, and the one place proofs are encoded for `groth16-solana`: 256 bytes
//! `A || B || C`, uncompressed big-endian, A negated, G2 as `x.c1 || x.c0 || y.c1 || y.c0`.
use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ff::UniformRand;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{Groth16, Proof};
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use rand::{CryptoRng, RngCore};

use crate::compliance::{ComplianceCircuit, RuleViolation};
use crate::encoding::{fr_to_be_bytes, EncodingError};
use crate::engine;
use crate::keys::{CircuitKind, KeySet, ProgramVerifyingKey, QapReduction};
use crate::pass::PassCircuit;
use crate::qap::CircomReduction;
use crate::Fr;

/// Length of an encoded proof.
pub const PROOF_LEN: usize = 256;

/// Proving failed.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// A statement value is not encodable.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// The witness breaks a rule: no valid proof exists.
    #[error("transfer does not comply: {0}")]
    Violation(#[from] crate::compliance::RuleViolation),
    /// The prover failed (an unsatisfiable witness or a key/circuit mismatch).
    #[error("proving failed: {0}")]
    Synthesis(String),
    /// The proof did not verify against the keys' verifying key (never returned as a proof).
    #[error("the proof does not verify: {0}")]
    SelfCheck(String),
}

/// A circuit `prove` can prove: its kind (which keys fit), depth, public input and native twin.
pub trait Provable: ConstraintSynthesizer<Fr> {
    /// The circuit's kind; keys of another kind are refused.
    const KIND: CircuitKind;
    /// Tree depth.
    fn depth(&self) -> usize;
    /// The single public input (the statement hash).
    fn public_input(&self) -> Result<Fr, EncodingError>;
    /// Every rule, natively (the circuit is unsatisfiable exactly when this fails).
    fn check_native(&self) -> Result<(), RuleViolation>;
}

impl Provable for ComplianceCircuit {
    const KIND: CircuitKind = CircuitKind::Compliance;
    fn depth(&self) -> usize {
        self.depth
    }
    fn public_input(&self) -> Result<Fr, EncodingError> {
        ComplianceCircuit::public_input(self)
    }
    fn check_native(&self) -> Result<(), RuleViolation> {
        crate::compliance::check_native(
            &self.statement,
            &self.params,
            &self.witness,
            &self.disclosure,
        )
    }
}

impl Provable for PassCircuit {
    const KIND: CircuitKind = CircuitKind::Pass;
    fn depth(&self) -> usize {
        self.depth
    }
    fn public_input(&self) -> Result<Fr, EncodingError> {
        PassCircuit::public_input(self)
    }
    fn check_native(&self) -> Result<(), RuleViolation> {
        crate::pass::check_pass_native(&self.statement, &self.params, &self.witness)
    }
}

/// A proof ready for the program, with its public input.
#[derive(Clone, Debug)]
pub struct ProofOutput {
    /// The 256 bytes `transfer` takes.
    pub proof: [u8; PROOF_LEN],
    /// The statement hash, big-endian.
    pub public_input: [u8; 32],
    /// The arkworks proof (for JSON export and arkworks verification).
    pub ark_proof: Proof<Bn254>,
}

fn be32<F: PrimeField>(x: &F) -> [u8; 32] {
    let b = x.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    out
}

/// A G1 point as `x || y`, big-endian (identity: 64 zero bytes).
pub fn g1_to_be_bytes(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if !p.infinity {
        out[..32].copy_from_slice(&be32(&p.x));
        out[32..].copy_from_slice(&be32(&p.y));
    }
    out
}

/// A G2 point as `x.c1 || x.c0 || y.c1 || y.c0`, big-endian (the EIP-197 order).
pub fn g2_to_be_bytes(p: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if !p.infinity {
        out[..32].copy_from_slice(&be32(&p.x.c1));
        out[32..64].copy_from_slice(&be32(&p.x.c0));
        out[64..96].copy_from_slice(&be32(&p.y.c1));
        out[96..].copy_from_slice(&be32(&p.y.c0));
    }
    out
}

/// Encodes an arkworks proof the way `groth16-solana` consumes it.
pub fn encode_proof(p: &Proof<Bn254>) -> [u8; PROOF_LEN] {
    let mut out = [0u8; PROOF_LEN];
    out[..64].copy_from_slice(&g1_to_be_bytes(&(-p.a)));
    out[64..192].copy_from_slice(&g2_to_be_bytes(&p.b));
    out[192..].copy_from_slice(&g1_to_be_bytes(&p.c));
    out
}

fn fq_from_be(bytes: &[u8]) -> Option<ark_bn254::Fq> {
    let x = ark_bn254::Fq::from_be_bytes_mod_order(bytes);
    // Canonical encodings only: the value must round-trip.
    (be32(&x) == bytes).then_some(x)
}

fn g1_from_be_bytes(bytes: &[u8]) -> Option<G1Affine> {
    if bytes.iter().all(|b| *b == 0) {
        return Some(G1Affine::identity());
    }
    let p = G1Affine::new_unchecked(fq_from_be(&bytes[..32])?, fq_from_be(&bytes[32..64])?);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

fn g2_from_be_bytes(bytes: &[u8]) -> Option<G2Affine> {
    if bytes.iter().all(|b| *b == 0) {
        return Some(G2Affine::identity());
    }
    let x = ark_bn254::Fq2::new(fq_from_be(&bytes[32..64])?, fq_from_be(&bytes[..32])?);
    let y = ark_bn254::Fq2::new(fq_from_be(&bytes[96..128])?, fq_from_be(&bytes[64..96])?);
    let p = G2Affine::new_unchecked(x, y);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// Decodes the 256 bytes `transfer` takes back into an arkworks proof (the inverse of
/// [`encode_proof`]); `None` for non-canonical coordinates or points off the curve or outside
/// the prime-order subgroup.
pub fn decode_proof(bytes: &[u8; PROOF_LEN]) -> Option<Proof<Bn254>> {
    let neg_a = g1_from_be_bytes(&bytes[..64])?;
    Some(Proof {
        a: (-neg_a),
        b: g2_from_be_bytes(&bytes[64..192])?,
        c: g1_from_be_bytes(&bytes[192..])?,
    })
}

/// A fresh proof of the same statement from an encoded proof (Groth16 proofs are malleable
/// this way: anyone can do it without the witness). Replay protection therefore never rests
/// on proof bytes; the statement's nonce provides it.
pub fn rerandomize<R: RngCore + CryptoRng>(
    vk: &ark_groth16::VerifyingKey<Bn254>,
    proof: &[u8; PROOF_LEN],
    rng: &mut R,
) -> Option<[u8; PROOF_LEN]> {
    let p = decode_proof(proof)?;
    Some(encode_proof(&Groth16::<Bn254>::rerandomize_proof(
        vk, &p, rng,
    )))
}

/// Proves `circuit` with `keys`. The rules are checked natively first (the native check and the
/// circuit are tested to agree), so a non-compliant witness is refused with the rule it breaks
/// instead of yielding a proof that cannot verify.
///
/// Only the witness assignment is synthesized per proof; the constraint matrices come from
/// `keys` (built once, as the setup built them), which saves the per-proof constraint building
/// and linear-combination inlining (about a fifth of the proving time). The proof is made by
/// zkgate's [`engine`] (arkworks' proof, faster MSMs), over the keys' fixed-base tables when
/// [`KeySet::prepare`] built them.
pub fn prove<C: Provable, R: RngCore + CryptoRng>(
    keys: &KeySet,
    circuit: C,
    rng: &mut R,
) -> Result<ProofOutput, ProveError> {
    circuit.check_native()?;
    if keys.kind != C::KIND {
        return Err(ProveError::Synthesis(format!(
            "the keys are for the {} circuit, not {}",
            keys.kind.name(),
            C::KIND.name()
        )));
    }
    if circuit.depth() != keys.depth {
        return Err(ProveError::Synthesis(format!(
            "the circuit has depth {} but the keys are for depth {}",
            circuit.depth(),
            keys.depth
        )));
    }
    let public_input = circuit.public_input()?;
    let m = &keys.matrices;
    let full_assignment = full_assignment(circuit, m)?;
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    let prepared = keys.prepared();
    let ark_proof = match keys.qap {
        QapReduction::Libsnark => {
            engine::create_proof::<LibsnarkReduction>(&keys.pk, prepared, r, s, m, &full_assignment)
        }
        QapReduction::Circom => {
            engine::create_proof::<CircomReduction>(&keys.pk, prepared, r, s, m, &full_assignment)
        }
    }
    .map_err(|e| ProveError::Synthesis(e.to_string()))?;
    let out = ProofOutput {
        proof: encode_proof(&ark_proof),
        public_input: fr_to_be_bytes(&public_input),
        ark_proof,
    };
    // Never hand out a proof that the program would refuse (2-3 ms against ~450 ms proving).
    verify_with_groth16_solana(&keys.program_vk(), &out.proof, &out.public_input)
        .map_err(|e| ProveError::SelfCheck(e.to_string()))?;
    Ok(out)
}

/// The circuit's full assignment (the constant one, the public inputs, then every witness
/// variable: the wire order of `m` and of the exported `.r1cs`), checked to fit `m`'s sizes.
pub fn full_assignment<C: Provable>(
    circuit: C,
    m: &ark_relations::r1cs::ConstraintMatrices<Fr>,
) -> Result<Vec<Fr>, ProveError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
    });
    circuit
        .generate_constraints(cs.clone())
        .map_err(|e| ProveError::Synthesis(e.to_string()))?;
    let cs = cs
        .borrow()
        .ok_or_else(|| ProveError::Synthesis("no constraint system".into()))?;
    if cs.num_instance_variables != m.num_instance_variables
        || cs.num_witness_variables != m.num_witness_variables
    {
        return Err(ProveError::Synthesis(
            "the witness does not match the keys' constraint system".into(),
        ));
    }
    let mut full = cs.instance_assignment.clone();
    full.extend_from_slice(&cs.witness_assignment);
    Ok(full)
}

/// Verifies an encoded proof with `groth16-solana`'s own (checked) verifier, natively.
pub fn verify_with_groth16_solana(
    vk: &ProgramVerifyingKey,
    proof: &[u8; PROOF_LEN],
    public_input: &[u8; 32],
) -> Result<(), groth16_solana::errors::Groth16Error> {
    use groth16_solana::errors::Groth16Error;
    let a: &[u8; 64] = proof[..64]
        .try_into()
        .map_err(|_| Groth16Error::ProofVerificationFailed)?;
    let b: &[u8; 128] = proof[64..192]
        .try_into()
        .map_err(|_| Groth16Error::ProofVerificationFailed)?;
    let c: &[u8; 64] = proof[192..]
        .try_into()
        .map_err(|_| Groth16Error::ProofVerificationFailed)?;
    let key = vk.as_groth16_solana();
    let inputs = [*public_input];
    groth16_solana::groth16::Groth16Verifier::<1>::new(a, b, c, &inputs, &key)?.verify()
}

fn dec<F: PrimeField>(x: &F) -> String {
    x.into_bigint().to_string()
}

/// A G1 point in snarkjs JSON: `[x, y, "1"]`.
pub fn snarkjs_g1(p: &G1Affine) -> serde_json::Value {
    serde_json::json!([dec(&p.x), dec(&p.y), "1"])
}

/// A G2 point in snarkjs JSON: `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`.
pub fn snarkjs_g2(p: &G2Affine) -> serde_json::Value {
    serde_json::json!([
        [dec(&p.x.c0), dec(&p.x.c1)],
        [dec(&p.y.c0), dec(&p.y.c1)],
        ["1", "0"]
    ])
}

/// `proof.json` as snarkjs writes it.
pub fn snarkjs_proof_json(p: &Proof<Bn254>) -> serde_json::Value {
    serde_json::json!({
        "pi_a": snarkjs_g1(&p.a),
        "pi_b": snarkjs_g2(&p.b),
        "pi_c": snarkjs_g1(&p.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// `public.json` as snarkjs writes it (decimal strings).
pub fn snarkjs_public_json(inputs: &[Fr]) -> serde_json::Value {
    serde_json::Value::Array(
        inputs
            .iter()
            .map(|x| serde_json::Value::String(dec(x)))
            .collect(),
    )
}
