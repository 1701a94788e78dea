//! The R1CS-to-QAP reduction of circom / snarkjs keys ([`CircomReduction`]).
//!
//! arkworks' default ([`ark_groth16::r1cs_to_qap::LibsnarkReduction`]) computes the
//! coefficients of `H = (A·B − C) / Z` and proves against an `h_query` of `τ^i·Z(τ)/δ`. snarkjs
//! (and so every Powers-of-Tau ceremony key made with it) instead evaluates `A·B − C` on the
//! odd `2n`-th roots of unity (the coset `ω_{2n}·⟨ω_n⟩`, where `Z = −2` is constant) and its
//! `h_query` holds the matching Lagrange points, taken from the ptau's `2n`-domain. A prover
//! picks the reduction its keys were made for: the manifest of a key directory says which.
//!
//! The algorithm is the one of arkworks' own circom-compat (`ark-circom`'s `CircomReduction`,
//! MIT/Apache-2.0); that crate is not a dependency because it requires a WebAssembly runtime
//! (wasmer) for circom's witness generator, which zkgate does not use.
use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{evaluate_constraint, LibsnarkReduction, R1CSToQAP};
use ark_poly::EvaluationDomain;
use ark_relations::r1cs::{ConstraintMatrices, ConstraintSystemRef, SynthesisError};

/// snarkjs' witness map and `h_query` (see the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct CircomReduction;

impl R1CSToQAP for CircomReduction {
    #[allow(clippy::type_complexity)]
    fn instance_map_with_evaluation<F: PrimeField, D: EvaluationDomain<F>>(
        cs: ConstraintSystemRef<F>,
        t: &F,
    ) -> Result<(Vec<F>, Vec<F>, Vec<F>, F, usize, usize), SynthesisError> {
        LibsnarkReduction::instance_map_with_evaluation::<F, D>(cs, t)
    }

    fn witness_map_from_matrices<F: PrimeField, D: EvaluationDomain<F>>(
        matrices: &ConstraintMatrices<F>,
        num_inputs: usize,
        num_constraints: usize,
        full_assignment: &[F],
    ) -> Result<Vec<F>, SynthesisError> {
        let domain =
            D::new(num_constraints + num_inputs).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        let n = domain.size();
        let mut a = vec![F::zero(); n];
        let mut b = vec![F::zero(); n];
        for (i, (at, bt)) in matrices.a.iter().zip(&matrices.b).enumerate() {
            a[i] = evaluate_constraint(at, full_assignment);
            b[i] = evaluate_constraint(bt, full_assignment);
        }
        // The public inputs' own constraints (`input_i · 0 = 0`), as in snarkjs.
        a[num_constraints..num_constraints + num_inputs]
            .clone_from_slice(&full_assignment[..num_inputs]);
        let mut c = vec![F::zero(); n];
        for (c, (a, b)) in c.iter_mut().zip(a.iter().zip(&b)).take(num_constraints) {
            *c = *a * b;
        }
        // Evaluate A, B and C on the odd 2n-th roots of unity.
        let shift = D::new(2 * n)
            .ok_or(SynthesisError::PolynomialDegreeTooLarge)?
            .element(1);
        for v in [&mut a, &mut b, &mut c] {
            domain.ifft_in_place(v);
            D::distribute_powers_and_mul_by_const(v, shift, F::one());
            domain.fft_in_place(v);
        }
        let mut ab = domain.mul_polynomials_in_evaluation_domain(&a, &b);
        for (ab, c) in ab.iter_mut().zip(c) {
            *ab -= c;
        }
        Ok(ab)
    }

    fn h_query_scalars<F: PrimeField, D: EvaluationDomain<F>>(
        max_power: usize,
        t: F,
        _: F,
        delta_inverse: F,
    ) -> Result<Vec<F>, SynthesisError> {
        // `H·Z` has 2n − 1 coefficients: the Lagrange basis of the 2n-domain at τ, odd points.
        let mut scalars: Vec<F> = (0..2 * max_power + 1)
            .map(|i| delta_inverse * t.pow([i as u64]))
            .collect();
        let domain = D::new(scalars.len()).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        domain.ifft_in_place(&mut scalars);
        Ok(scalars.into_iter().skip(1).step_by(2).collect())
    }
}
