//! Merkle membership in R1CS: one Poseidon per level plus one constraint for the left/right
//! selection (`left = cur + b * (sibling - cur)`, `right = cur + sibling - left`).
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::r1cs::SynthesisError;

use crate::poseidon::hash_gadget;
use crate::Fr;

/// The root reached from `leaf` with the path `index_bits` (leaf level first; `true` = the node
/// is the right child) and `siblings`.
pub fn root_gadget(
    leaf: &FpVar<Fr>,
    index_bits: &[Boolean<Fr>],
    siblings: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    if index_bits.len() != siblings.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut cur = leaf.clone();
    for (bit, sibling) in index_bits.iter().zip(siblings) {
        let b = FpVar::from(bit.clone());
        let left = &cur + b * (sibling - &cur);
        let right = &cur + sibling - &left;
        cur = hash_gadget(&[left, right])?;
    }
    Ok(cur)
}
