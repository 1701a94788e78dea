//! The native hash: `light-poseidon`'s circom-compatible Poseidon.
use light_poseidon::{Poseidon, PoseidonHasher};

use crate::Fr;

/// Largest supported arity (width 13), as `sol_poseidon` and `light-poseidon`.
pub const MAX_INPUTS: usize = 12;

pub use light_poseidon::PoseidonError;

/// Poseidon of `1..=12` field elements.
pub fn try_hash(inputs: &[Fr]) -> Result<Fr, PoseidonError> {
    Poseidon::<Fr>::new_circom(inputs.len())?.hash(inputs)
}

/// Poseidon of `1..=12` field elements, for call sites whose arity is fixed in code.
///
/// # Panics
/// If `inputs.len()` is 0 or more than 12: a programming error, never user input (every call
/// site in this crate has a constant arity).
pub fn hash(inputs: &[Fr]) -> Fr {
    try_hash(inputs).expect("Poseidon arity is 1..=12 at every call site")
}
