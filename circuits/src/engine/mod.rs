//! zkgate's Groth16 proving engine: the same proof arkworks' `Groth16::prove` makes (identical
//! for identical `r`, `s`), with faster multi-scalar multiplications ([`msm`]).
//!
//! arkworks stays the source of truth: keys, the R1CS-to-QAP witness map (either reduction)
//! and the proof type are arkworks'; only the five MSMs (A, B in G1 and G2, the L and H
//! queries) are computed here. A [`PreparedKey`] expands a proving key's bases once, at key
//! load, into fixed-base tables; without one the engine runs variable-base MSMs over the key
//! as it is (still batch-affine), which is what a key used for a handful of proofs wants.
pub mod msm;

use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, Zero};
use ark_groth16::r1cs_to_qap::R1CSToQAP;
use ark_groth16::{Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::r1cs::{ConstraintMatrices, SynthesisError};
use rayon::prelude::*;

use msm::{best_window, Digits, FixedBaseTable};

type G1Config = ark_bn254::g1::Config;
type G2Config = ark_bn254::g2::Config;

const BITS: usize = Fr::MODULUS_BIT_SIZE as usize;

/// A proving key's bases expanded into fixed-base tables (built once per key load).
pub struct PreparedKey {
    c: usize,
    a: FixedBaseTable<G1Config>,
    b_g1: FixedBaseTable<G1Config>,
    b_g2: FixedBaseTable<G2Config>,
    l: FixedBaseTable<G1Config>,
    h: FixedBaseTable<G1Config>,
    build_time: Duration,
}

impl std::fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedKey")
            .field("window", &self.c)
            .field("heap_bytes", &self.heap_bytes())
            .field("build_time", &self.build_time)
            .finish()
    }
}

impl PreparedKey {
    /// Expands `pk`'s queries (A, B in G1 and G2, L, H) on the current thread pool. The
    /// assignment's tables share one window size so the scalars' digits are made once per proof.
    pub fn new(pk: &ProvingKey<Bn254>) -> Self {
        let started = Instant::now();
        let threads = rayon::current_num_threads();
        let c = best_window(pk.a_query.len(), BITS, threads, true);
        let h_c = best_window(pk.h_query.len(), BITS, threads, true);
        Self {
            c,
            a: FixedBaseTable::new(&pk.a_query, c),
            b_g1: FixedBaseTable::new(&pk.b_g1_query, c),
            b_g2: FixedBaseTable::new(&pk.b_g2_query, c),
            l: FixedBaseTable::new(&pk.l_query, c),
            h: FixedBaseTable::new(&pk.h_query, h_c),
            build_time: started.elapsed(),
        }
    }

    /// Memory the tables hold, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.a.heap_bytes()
            + self.b_g1.heap_bytes()
            + self.b_g2.heap_bytes()
            + self.l.heap_bytes()
            + self.h.heap_bytes()
    }

    /// How long building the tables took.
    pub fn build_time(&self) -> Duration {
        self.build_time
    }

    /// Whether the tables were built from a key with `pk`'s query sizes.
    fn fits(&self, pk: &ProvingKey<Bn254>) -> bool {
        self.a.len() == pk.a_query.len()
            && self.b_g1.len() == pk.b_g1_query.len()
            && self.b_g2.len() == pk.b_g2_query.len()
            && self.l.len() == pk.l_query.len()
            && self.h.len() == pk.h_query.len()
    }
}

/// The five MSMs of a proof.
struct Sums {
    a: G1Projective,
    b_g1: G1Projective,
    b_g2: G2Projective,
    l: G1Projective,
    h: G1Projective,
}

/// A Groth16 proof of `full_assignment` (the constant one, the public inputs, the witness)
/// with randomness `r`, `s`: the proof `Groth16::<Bn254, QAP>::create_proof_with_reduction_and_matrices`
/// returns for the same arguments, computed with this module's MSMs (over `prepared`'s tables
/// when given; they must have been built from `pk`).
pub fn create_proof<QAP: R1CSToQAP>(
    pk: &ProvingKey<Bn254>,
    prepared: Option<&PreparedKey>,
    r: Fr,
    s: Fr,
    matrices: &ConstraintMatrices<Fr>,
    full_assignment: &[Fr],
) -> Result<Proof<Bn254>, SynthesisError> {
    let num_inputs = matrices.num_instance_variables;
    if full_assignment.len() < num_inputs {
        return Err(SynthesisError::AssignmentMissing);
    }
    let prepared = prepared.filter(|p| p.fits(pk));
    let w: Vec<_> = full_assignment
        .par_iter()
        .map(|x| x.into_bigint())
        .collect();
    // H needs the witness map (FFTs, which use two cores poorly at these sizes); A, B and L
    // do not: both sides run at once and the pool balances them.
    let h_sum = || -> Result<G1Projective, SynthesisError> {
        let h = QAP::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            matrices,
            num_inputs,
            matrices.num_constraints,
            full_assignment,
        )?;
        let h: Vec<_> = h.par_iter().map(|x| x.into_bigint()).collect();
        Ok(match prepared {
            Some(p) => {
                let digits = Digits::new(&h, p.h.window(), BITS);
                p.h.msm_with_digits(&digits, 0, 1)
            }
            None => msm::msm(&pk.h_query, &h),
        })
    };
    let assignment_sums = || match prepared {
        Some(p) => {
            let digits = Digits::new(&w, p.c, BITS);
            // One task per G1 MSM, two for the G2 one (about twice the work): every split costs
            // a bucket reduction, and the pool balances whole MSMs well enough.
            let ((a, b_g1), (b_g2, l)) = rayon::join(
                || {
                    rayon::join(
                        || p.a.msm_with_digits(&digits, 0, 1),
                        || p.b_g1.msm_with_digits(&digits, 0, 1),
                    )
                },
                || {
                    rayon::join(
                        || p.b_g2.msm_with_digits(&digits, 0, 2),
                        || p.l.msm_with_digits(&digits, num_inputs, 1),
                    )
                },
            );
            (a, b_g1, b_g2, l)
        }
        None => {
            let c = best_window(w.len(), BITS, rayon::current_num_threads(), false);
            let digits = Digits::new(&w, c, BITS);
            let ((a, b_g1), (b_g2, l)) = rayon::join(
                || {
                    rayon::join(
                        || msm::msm_with_digits(&pk.a_query, &digits, 0),
                        || msm::msm_with_digits(&pk.b_g1_query, &digits, 0),
                    )
                },
                || {
                    rayon::join(
                        || msm::msm_with_digits(&pk.b_g2_query, &digits, 0),
                        || msm::msm_with_digits(&pk.l_query, &digits, num_inputs),
                    )
                },
            );
            (a, b_g1, b_g2, l)
        }
    };
    let (h, (a, b_g1, b_g2, l)) = rayon::join(h_sum, assignment_sums);
    let sums = Sums {
        a,
        b_g1,
        b_g2,
        l,
        h: h?,
    };

    // The combination of arkworks' `create_proof_with_assignment`, term for term (the A and B
    // sums include the constant one's base, which arkworks adds separately).
    let r_s_delta_g1 = pk.delta_g1 * (r * s);
    let g_a = pk.delta_g1 * r + pk.vk.alpha_g1 + sums.a;
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        pk.delta_g1 * s + pk.beta_g1 + sums.b_g1
    };
    let g2_b = pk.vk.delta_g2 * s + pk.vk.beta_g2 + sums.b_g2;
    let g_c = g_a * s + g1_b * r - r_s_delta_g1 + sums.l + sums.h;
    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}
