//! Quaternary Merkle membership in R1CS: one `H_4` per level (300 constraints) plus seven
//! constraints placing the node among its three siblings by its two index bits.
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::SynthesisError;

use crate::poseidon::hash_gadget;
use crate::Fr;

/// The root reached from `leaf` with the path `index_bits` (two per level, leaf level first,
/// low bit first) and `siblings` (three per level, ascending position).
pub fn root_gadget(
    leaf: &FpVar<Fr>,
    index_bits: &[Boolean<Fr>],
    siblings: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    if !index_bits.len().is_multiple_of(2) || 3 * index_bits.len() != 2 * siblings.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut cur = leaf.clone();
    for (bits, s) in index_bits.chunks(2).zip(siblings.chunks(3)) {
        let b0 = FpVar::from(bits[0].clone());
        let b1 = FpVar::from(bits[1].clone());
        // One-hot position: e0 = (1-b0)(1-b1), e1 = b0(1-b1), e2 = (1-b0)b1, e3 = b0·b1.
        let e3 = &b0 * &b1;
        let e0 = FpVar::one() - &b0 - &b1 + &e3;
        let e1 = &b0 - &e3;
        let e2 = &b1 - &e3;
        let not_b1 = FpVar::one() - &b1; // e0 + e1
        let c0 = &s[0] + e0.clone() * (&cur - &s[0]);
        let c1 = &s[1] + e0 * (&s[0] - &s[1]) + e1 * (&cur - &s[1]);
        let c2 = &s[2] + not_b1 * (&s[1] - &s[2]) + e2 * (&cur - &s[2]);
        let c3 = &s[2] + e3 * (&cur - &s[2]);
        cur = hash_gadget(&[c0, c1, c2, c3])?;
    }
    Ok(cur)
}
