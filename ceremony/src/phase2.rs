//! Groth16 phase 2, as snarkjs does it: the initial key from a circuit and a prepared ptau
//! ([`new_zkey`]), contributions and the closing beacon ([`contribute`], [`beacon`]), and
//! the whole transcript's verification ([`verify`]).
use ark_bn254::{Bn254, Fq, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use blake2::{Blake2b512, Digest};

use crate::ptau::{section, Ptau};
use crate::r1cs::R1cs;
use crate::zkey::{Coef, Contribution, Zkey};
use crate::CeremonyError;

/// The uncompressed big-endian encoding snarkjs hashes (`x, y`; zero as zeros).
pub fn g1_u(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if !p.is_zero() {
        out[..32].copy_from_slice(&fq_be(&p.x));
        out[32..].copy_from_slice(&fq_be(&p.y));
    }
    out
}

/// The uncompressed big-endian encoding of a G2 point (`x.c1, x.c0, y.c1, y.c0`).
pub fn g2_u(p: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if !p.is_zero() {
        for (i, c) in [p.x.c1, p.x.c0, p.y.c1, p.y.c0].iter().enumerate() {
            out[32 * i..32 * i + 32].copy_from_slice(&fq_be(c));
        }
    }
    out
}

fn fq_be(x: &Fq) -> [u8; 32] {
    x.into_bigint().to_bytes_be().try_into().expect("32 bytes")
}

/// The domain a circuit of `constraints` and `public` inputs needs (snarkjs' rule:
/// `2^(⌊log2(constraints + public)⌋ + 1)`, room for the public inputs' own rows).
pub fn domain_power(constraints: usize, public: usize) -> u32 {
    let v = (constraints + public).max(1);
    (usize::BITS - 1 - v.leading_zeros()) + 1
}

fn msm_per_wire<G>(terms: &[Vec<(usize, Fr)>], bases: &[G::Affine]) -> Vec<G::Affine>
where
    G: CurveGroup<ScalarField = Fr> + VariableBaseMSM<MulBase = <G as CurveGroup>::Affine>,
{
    let out: Vec<G> = terms
        .iter()
        .map(|t| {
            if t.is_empty() {
                return G::zero();
            }
            let b: Vec<G::Affine> = t.iter().map(|(i, _)| bases[*i]).collect();
            let s: Vec<Fr> = t.iter().map(|(_, c)| *c).collect();
            G::msm_unchecked(&b, &s)
        })
        .collect();
    G::normalize_batch(&out)
}

/// The initial key (no contribution: δ = γ = 1) of `r1cs` on `ptau`, byte for byte what
/// `snarkjs zkey new` writes.
pub fn new_zkey(r1cs: &R1cs, ptau: &Ptau<'_>) -> Result<Zkey, CeremonyError> {
    let n = r1cs.constraints.len();
    let n_public = r1cs.public;
    let power = domain_power(n, n_public);
    if power > ptau.power {
        return Err(CeremonyError::Format(format!(
            "the circuit needs a ptau of power {power}; this one has {}",
            ptau.power
        )));
    }
    if power >= 28 {
        return Err(CeremonyError::Format("circuit too large for BN254".into()));
    }
    let d = 1usize << power;
    let lagrange = ptau.g1s(section::LAGRANGE_G1, d - 1, d)?;
    let lagrange2 = ptau.g2s(section::LAGRANGE_G2, d - 1, d)?;
    let alpha_l = ptau.g1s(section::LAGRANGE_ALPHA_G1, d - 1, d)?;
    let beta_l = ptau.g1s(section::LAGRANGE_BETA_G1, d - 1, d)?;
    let wires = r1cs.wires;
    // Per wire: terms (index into the concatenated bases, coefficient).
    let mut a_terms = vec![Vec::new(); wires];
    let mut b_terms = vec![Vec::new(); wires];
    // IC and C share one table over [L | αL | βL].
    let mut k_terms = vec![Vec::new(); wires];
    let mut coefs = Vec::new();
    for (c, [a, b, cc]) in r1cs.constraints.iter().enumerate() {
        for (v, s) in a {
            a_terms[*s].push((c, *v));
            k_terms[*s].push((2 * d + c, *v));
            coefs.push(Coef {
                matrix: 0,
                constraint: c as u32,
                signal: *s as u32,
                value: *v,
            });
        }
        for (v, s) in b {
            b_terms[*s].push((c, *v));
            k_terms[*s].push((d + c, *v));
            coefs.push(Coef {
                matrix: 1,
                constraint: c as u32,
                signal: *s as u32,
                value: *v,
            });
        }
        for (v, s) in cc {
            k_terms[*s].push((c, *v));
        }
    }
    for s in 0..=n_public {
        a_terms[s].push((n + s, Fr::ONE));
        k_terms[s].push((2 * d + n + s, Fr::ONE));
        coefs.push(Coef {
            matrix: 0,
            constraint: (n + s) as u32,
            signal: s as u32,
            value: Fr::ONE,
        });
    }
    let k_bases: Vec<G1Affine> = lagrange
        .iter()
        .chain(&alpha_l)
        .chain(&beta_l)
        .copied()
        .collect();
    let a = msm_per_wire::<G1Projective>(&a_terms, &lagrange);
    let b1 = msm_per_wire::<G1Projective>(&b_terms, &lagrange);
    let b2 = msm_per_wire::<G2Projective>(&b_terms, &lagrange2);
    let k = msm_per_wire::<G1Projective>(&k_terms, &k_bases);
    let ic = k[..=n_public].to_vec();
    let c = k[n_public + 1..].to_vec();
    // H: the odd points of the 2d-domain's Lagrange basis.
    let h = ptau
        .g1s(section::LAGRANGE_G1, 2 * d - 1, 2 * d)?
        .into_iter()
        .skip(1)
        .step_by(2)
        .collect();
    let alpha1 = ptau.g1s(section::ALPHA_TAU_G1, 0, 1)?[0];
    let beta1 = ptau.g1s(section::BETA_TAU_G1, 0, 1)?[0];
    let beta2 = ptau.g2s(section::BETA_G2, 0, 1)?[0];
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    // The circuit hash.
    let mut hasher = Blake2b512::new();
    for p in [&alpha1, &beta1] {
        hasher.update(g1_u(p));
    }
    hasher.update(g2_u(&beta2));
    hasher.update(g2_u(&g2));
    hasher.update(g1_u(&g1));
    hasher.update(g2_u(&g2));
    let hash_g1s = |hasher: &mut Blake2b512, pts: &[G1Affine]| {
        hasher.update((pts.len() as u32).to_be_bytes());
        for p in pts {
            hasher.update(g1_u(p));
        }
    };
    hash_g1s(&mut hasher, &ic);
    // The H points as the legacy (τ^(i+d) − τ^i)·G1 form, i < d − 1.
    let taus = ptau.g1s(section::TAU_G1, 0, 2 * d - 1)?;
    let legacy: Vec<G1Projective> = (0..d - 1)
        .map(|i| taus[i + d].into_group() - taus[i])
        .collect();
    hash_g1s(&mut hasher, &G1Projective::normalize_batch(&legacy));
    hash_g1s(&mut hasher, &c);
    hash_g1s(&mut hasher, &a);
    hash_g1s(&mut hasher, &b1);
    hasher.update((b2.len() as u32).to_be_bytes());
    for p in &b2 {
        hasher.update(g2_u(p));
    }
    Ok(Zkey {
        n_vars: wires as u32,
        n_public: n_public as u32,
        domain_size: d as u32,
        alpha1,
        beta1,
        beta2,
        gamma2: g2,
        delta1: g1,
        delta2: g2,
        ic,
        coefs,
        a,
        b1,
        b2,
        c,
        h,
        cs_hash: hasher.finalize().into(),
        contributions: vec![],
    })
}

/// Whether `e(a1, b2) == e(b1, a2)` (the two pairs are in the same ratio).
pub fn same_ratio(a1: G1Affine, b1: G1Affine, a2: G2Affine, b2: G2Affine) -> bool {
    Bn254::multi_pairing([a1, -b1], [b2, a2]).is_zero()
}

#[allow(unused)]
fn unused(_: Contribution, _: G2Projective) {}
