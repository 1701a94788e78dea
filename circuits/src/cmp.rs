//! Range checks and comparisons on bounded bit widths.
//!
//! `enforce_bits(x, n)` decomposes `x` into `n` boolean witnesses whose weighted sum must equal
//! `x`, so it holds only for `0 <= x < 2^n`. For `a, b < 2^n` with `n <= 252`,
//! `a < b  <=>  b - a - 1 < 2^n`: when `a >= b` the difference wraps to `p - k` with
//! `k <= 2^n`, which is far above `2^n` because `2^(n+1) < p`. So there is no wrap-around.
use ark_ff::{AdditiveGroup, BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::SynthesisError;

use crate::Fr;

/// Largest bit width the comparisons support.
pub const MAX_BITS: usize = 252;

/// Enforces `0 <= x < 2^n` and returns the little-endian bits.
pub fn enforce_bits(x: &FpVar<Fr>, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    if n == 0 || n > MAX_BITS {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = x.cs();
    let value = x.value().ok().map(|v| v.into_bigint().to_bits_le());
    let bits = (0..n)
        .map(|i| {
            Boolean::new_witness(cs.clone(), || {
                value
                    .as_ref()
                    .map(|b| b.get(i).copied().unwrap_or(false))
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sum = FpVar::<Fr>::zero();
    let mut coeff = Fr::from(1u64);
    for b in &bits {
        sum += FpVar::from(b.clone()) * coeff;
        coeff.double_in_place();
    }
    sum.enforce_equal(x)?;
    Ok(bits)
}

/// Enforces `a < b` for values already known (range-checked) to be below `2^n`.
pub fn enforce_lt(a: &FpVar<Fr>, b: &FpVar<Fr>, n: usize) -> Result<(), SynthesisError> {
    enforce_bits(&(b - a - FpVar::one()), n).map(|_| ())
}

/// Enforces `a <= b` for values already known (range-checked) to be below `2^n`.
pub fn enforce_le(a: &FpVar<Fr>, b: &FpVar<Fr>, n: usize) -> Result<(), SynthesisError> {
    enforce_bits(&(b - a), n).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::Field;
    use ark_relations::r1cs::ConstraintSystem;

    fn check(f: impl FnOnce(&[FpVar<Fr>]) -> Result<(), SynthesisError>, vals: &[Fr]) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<FpVar<Fr>> = vals
            .iter()
            .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).unwrap())
            .collect();
        f(&vars).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn range_check_rejects_too_wide_and_negative() {
        let r = |v: Fr| check(|x| enforce_bits(&x[0], 8).map(|_| ()), &[v]);
        assert!(r(Fr::from(0u64)));
        assert!(r(Fr::from(255u64)));
        assert!(!r(Fr::from(256u64)));
        assert!(!r(-Fr::from(1u64)), "p - 1 is not a small value");
    }

    #[test]
    fn comparisons_have_no_wrap_around() {
        let lt = |a: u64, b: u64| {
            check(
                |x| enforce_lt(&x[0], &x[1], 64),
                &[Fr::from(a), Fr::from(b)],
            )
        };
        assert!(lt(1, 2));
        assert!(lt(0, u64::MAX));
        assert!(!lt(2, 2));
        assert!(!lt(3, 2));
        assert!(!lt(u64::MAX, 0));
        let le = |a: u64, b: u64| {
            check(
                |x| enforce_le(&x[0], &x[1], 64),
                &[Fr::from(a), Fr::from(b)],
            )
        };
        assert!(le(2, 2));
        assert!(!le(3, 2));
    }

    #[test]
    fn wide_comparisons_work_at_248_bits() {
        let max = (Fr::from(1u64) + Fr::from(1u64)).pow([248u64]) - Fr::from(1u64);
        assert!(check(
            |x| enforce_lt(&x[0], &x[1], 248),
            &[Fr::from(5u64), max]
        ));
        assert!(!check(
            |x| enforce_lt(&x[0], &x[1], 248),
            &[max, Fr::from(5u64)]
        ));
    }
}
