//! A circuit in circom's `.r1cs` format and a witness in `.wtns` format, so tools we did not
//! write (`snarkjs r1cs info`, `snarkjs wtns check`, `snarkjs zkey new`) read our circuits.
//!
//! Wires are arkworks' variables in their own order: wire 0 is the constant one, then the
//! public inputs (circom's public inputs; no public outputs), then every witness variable
//! (internal signals; labels are the wire indices). Coefficients are 32-byte little-endian
//! integers in standard form. The matrices are the ones the Groth16 setup uses
//! ([`zkgate_circuits::keys::constraint_matrices_for`]), so the export is deterministic.
use ark_ff::{BigInteger, PrimeField};
use ark_relations::r1cs::ConstraintMatrices;
use zkgate_circuits::Fr;

use crate::binfile::{File, Writer};
use crate::CeremonyError;

/// The scalar field's modulus, 32 bytes little-endian.
pub fn fr_modulus_le() -> Vec<u8> {
    Fr::MODULUS.to_bytes_le()
}

/// `x` as 32 bytes little-endian (standard form).
pub fn fr_le(x: &Fr) -> [u8; 32] {
    x.into_bigint().to_bytes_le().try_into().expect("32 bytes")
}

/// Reads 32 bytes little-endian (standard form) below the modulus.
pub fn fr_from_le(bytes: &[u8]) -> Option<Fr> {
    let x = Fr::from_le_bytes_mod_order(bytes);
    (fr_le(&x) == bytes).then_some(x)
}

/// The circuit `m` as a `.r1cs` file (version 1).
pub fn write_r1cs(m: &ConstraintMatrices<Fr>) -> Vec<u8> {
    let wires = (m.num_instance_variables + m.num_witness_variables) as u32;
    let mut w = Writer::new(b"r1cs", 1);
    let h = w.section(1);
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&fr_modulus_le());
    h.extend_from_slice(&wires.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes()); // public outputs
    h.extend_from_slice(&((m.num_instance_variables - 1) as u32).to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes()); // private inputs: all are internal wires
    h.extend_from_slice(&(wires as u64).to_le_bytes()); // labels
    h.extend_from_slice(&(m.num_constraints as u32).to_le_bytes());
    let c = w.section(2);
    for i in 0..m.num_constraints {
        for matrix in [&m.a, &m.b, &m.c] {
            let row = &matrix[i];
            c.extend_from_slice(&(row.len() as u32).to_le_bytes());
            for (coeff, wire) in row {
                c.extend_from_slice(&(*wire as u32).to_le_bytes());
                c.extend_from_slice(&fr_le(coeff));
            }
        }
    }
    let l = w.section(3);
    for wire in 0..wires as u64 {
        l.extend_from_slice(&wire.to_le_bytes());
    }
    w.finish()
}

/// A `.r1cs` file read back: the sizes and the matrices (wire indices as in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct R1cs {
    /// Wires, the constant one included.
    pub wires: usize,
    /// Public inputs and outputs (wires 1..=public).
    pub public: usize,
    /// `A`, `B`, `C` rows: `(coefficient, wire)`.
    pub constraints: Vec<[Vec<(Fr, usize)>; 3]>,
}

/// Parses a `.r1cs` file over BN254's scalar field.
pub fn read_r1cs(bytes: &[u8]) -> Result<R1cs, CeremonyError> {
    let file = File::parse(bytes, b"r1cs", "r1cs")?;
    let bad = |m: &str| CeremonyError::Format(format!("r1cs: {m}"));
    let mut h = file.section(1)?;
    if h.u32()? != 32 || h.take(32)? != fr_modulus_le().as_slice() {
        return Err(bad("not over BN254's scalar field"));
    }
    let wires = h.u32()? as usize;
    let public = (h.u32()? + h.u32()?) as usize;
    let _private_inputs = h.u32()?;
    let _labels = h.u64()?;
    let n = h.u32()? as usize;
    h.end()?;
    if public >= wires {
        return Err(bad("more public wires than wires"));
    }
    let mut c = file.section(2)?;
    let mut constraints = Vec::with_capacity(n.min(1 << 24));
    for _ in 0..n {
        let mut lcs: [Vec<(Fr, usize)>; 3] = Default::default();
        for lc in lcs.iter_mut() {
            let terms = c.u32()? as usize;
            for _ in 0..terms {
                let wire = c.u32()? as usize;
                if wire >= wires {
                    return Err(bad("a constraint names a wire out of range"));
                }
                let coeff =
                    fr_from_le(c.take(32)?).ok_or_else(|| bad("coefficient not reduced"))?;
                lc.push((coeff, wire));
            }
        }
        constraints.push(lcs);
    }
    c.end()?;
    Ok(R1cs {
        wires,
        public,
        constraints,
    })
}

impl R1cs {
    /// Whether `witness` (every wire, the constant one first) satisfies every constraint; the
    /// first failing constraint's index otherwise.
    pub fn check(&self, witness: &[Fr]) -> Result<(), usize> {
        let eval = |lc: &[(Fr, usize)]| lc.iter().map(|(c, w)| *c * witness[*w]).sum::<Fr>();
        if witness.len() != self.wires || witness[0] != Fr::from(1u64) {
            return Err(0);
        }
        for (i, [a, b, c]) in self.constraints.iter().enumerate() {
            if eval(a) * eval(b) != eval(c) {
                return Err(i);
            }
        }
        Ok(())
    }
}

/// A full assignment (every wire, the constant one first) as a `.wtns` file (version 2).
pub fn write_wtns(witness: &[Fr]) -> Vec<u8> {
    let mut w = Writer::new(b"wtns", 2);
    let h = w.section(1);
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&fr_modulus_le());
    h.extend_from_slice(&(witness.len() as u32).to_le_bytes());
    let v = w.section(2);
    for x in witness {
        v.extend_from_slice(&fr_le(x));
    }
    w.finish()
}

/// Parses a `.wtns` file.
pub fn read_wtns(bytes: &[u8]) -> Result<Vec<Fr>, CeremonyError> {
    let file = File::parse(bytes, b"wtns", "wtns")?;
    let bad = |m: &str| CeremonyError::Format(format!("wtns: {m}"));
    let mut h = file.section(1)?;
    if h.u32()? != 32 || h.take(32)? != fr_modulus_le().as_slice() {
        return Err(bad("not over BN254's scalar field"));
    }
    let n = h.u32()? as usize;
    h.end()?;
    let mut v = file.section(2)?;
    let mut out = Vec::with_capacity(n.min(1 << 24));
    for _ in 0..n {
        out.push(fr_from_le(v.take(32)?).ok_or_else(|| bad("value not reduced"))?);
    }
    v.end()?;
    Ok(out)
}
