//! Powers-of-Tau files in snarkjs' `.ptau` format (version 1), prepared for phase 2.
//!
//! Sections: 1 header (`n8`, `q`, `power`, `ceremonyPower`), 2 `τ^i·G1` (`2^(power+1) − 1`),
//! 3 `τ^i·G2`, 4 `α·τ^i·G1`, 5 `β·τ^i·G1` (`2^power` each), 6 `β·G2`, 7 the phase-1
//! contributions, and (once prepared) 12–15: for every `p` in `0..=power`, the Lagrange basis
//! of the `2^p` domain at `τ` — `L_i(τ)·G1`, `L_i(τ)·G2`, `α·L_i(τ)·G1`, `β·L_i(τ)·G1` — one
//! domain after the other (so the `2^p` domain starts at point `2^p − 1`).
//!
//! Production uses a public ceremony's file (brought in by the operator, pinned by hash);
//! [`throwaway`] makes one from a single random `τ, α, β` for tests and CI: whoever ran it
//! could forge proofs, and the keys made from it are marked insecure by what records it.
use ark_bn254::{Fq, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::scalar_mul::BatchMulPreprocessing;
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, Field, PrimeField};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rand::{CryptoRng, RngCore};

use crate::binfile::{File, Reader, Writer};
use crate::points::{g1_bytes, g2_bytes, read_g1s, read_g2s, G1_LEN, G2_LEN};
use crate::CeremonyError;

/// Section ids.
pub mod section {
    /// Header.
    pub const HEADER: u32 = 1;
    /// `τ^i·G1`.
    pub const TAU_G1: u32 = 2;
    /// `τ^i·G2`.
    pub const TAU_G2: u32 = 3;
    /// `α·τ^i·G1`.
    pub const ALPHA_TAU_G1: u32 = 4;
    /// `β·τ^i·G1`.
    pub const BETA_TAU_G1: u32 = 5;
    /// `β·G2`.
    pub const BETA_G2: u32 = 6;
    /// Phase-1 contributions.
    pub const CONTRIBUTIONS: u32 = 7;
    /// Lagrange `L_i(τ)·G1`.
    pub const LAGRANGE_G1: u32 = 12;
    /// Lagrange `L_i(τ)·G2`.
    pub const LAGRANGE_G2: u32 = 13;
    /// Lagrange `α·L_i(τ)·G1`.
    pub const LAGRANGE_ALPHA_G1: u32 = 14;
    /// Lagrange `β·L_i(τ)·G1`.
    pub const LAGRANGE_BETA_G1: u32 = 15;
}

/// A parsed, prepared `.ptau` file (points are read on demand).
#[derive(Debug)]
pub struct Ptau<'a> {
    file: File<'a>,
    /// Its largest domain is `2^power`.
    pub power: u32,
    /// Phase-1 contributions it records (0: a throwaway).
    pub contributions: u32,
}

fn fq_modulus_le() -> Vec<u8> {
    Fq::MODULUS.to_bytes_le()
}

impl<'a> Ptau<'a> {
    /// Parses `bytes` (BN254, prepared for phase 2).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, CeremonyError> {
        let file = File::parse(bytes, b"ptau", "ptau")?;
        let mut h = file.section(section::HEADER)?;
        if h.u32()? != 32 || h.take(32)? != fq_modulus_le().as_slice() {
            return Err(CeremonyError::Format("ptau: not a BN254 file".into()));
        }
        let power = h.u32()?;
        let _ceremony_power = h.u32()?;
        if !(1..=28).contains(&power) {
            return Err(CeremonyError::Format(format!(
                "ptau: power {power} out of range"
            )));
        }
        if !file.has(section::LAGRANGE_G1) {
            return Err(CeremonyError::Format(
                "ptau: not prepared for phase 2 (run `snarkjs powersoftau prepare phase2`)".into(),
            ));
        }
        let contributions = file.section(section::CONTRIBUTIONS)?.u32()?;
        Ok(Ptau {
            file,
            power,
            contributions,
        })
    }

    fn range(&self, id: u32, start: usize, len: usize) -> Result<Reader<'a>, CeremonyError> {
        let mut r = self.file.section(id)?;
        r.take(start)?;
        if r.remaining() < len {
            return Err(CeremonyError::Format(format!(
                "ptau: section {id} too short"
            )));
        }
        Ok(r)
    }

    /// `n` G1 points of section `id` from point `first`.
    pub fn g1s(&self, id: u32, first: usize, n: usize) -> Result<Vec<G1Affine>, CeremonyError> {
        let mut r = self.range(id, first * G1_LEN, n * G1_LEN)?;
        read_g1s(&mut r, n, "ptau")
    }

    /// `n` G2 points of section `id` from point `first`.
    pub fn g2s(&self, id: u32, first: usize, n: usize) -> Result<Vec<G2Affine>, CeremonyError> {
        let mut r = self.range(id, first * G2_LEN, n * G2_LEN)?;
        read_g2s(&mut r, n, "ptau")
    }
}

/// A throwaway prepared `.ptau` of `power` (one party's random `τ, α, β`: INSECURE).
pub fn throwaway<R: RngCore + CryptoRng>(power: u32, rng: &mut R) -> Vec<u8> {
    let tau: Fr = ark_ff::UniformRand::rand(rng);
    let alpha: Fr = ark_ff::UniformRand::rand(rng);
    let beta: Fr = ark_ff::UniformRand::rand(rng);
    let n = 1usize << power;
    let powers = |count: usize, times: Fr| {
        let mut out = Vec::with_capacity(count);
        let mut x = times;
        for _ in 0..count {
            out.push(x);
            x *= tau;
        }
        out
    };
    let g1 = G1Projective::generator();
    let g2 = G2Projective::generator();
    let t1 = BatchMulPreprocessing::new(g1, 4 * n);
    let t2 = BatchMulPreprocessing::new(g2, n);
    let g1s = |scalars: &[Fr]| t1.batch_mul(scalars);
    let g2s = |scalars: &[Fr]| t2.batch_mul(scalars);
    let mut w = Writer::new(b"ptau", 1);
    let h = w.section(section::HEADER);
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&fq_modulus_le());
    h.extend_from_slice(&power.to_le_bytes());
    h.extend_from_slice(&power.to_le_bytes());
    let put1 = |w: &mut Writer, id: u32, pts: Vec<G1Affine>| {
        let out = w.section(id);
        for p in &pts {
            g1_bytes(p, out);
        }
    };
    let put2 = |w: &mut Writer, id: u32, pts: Vec<G2Affine>| {
        let out = w.section(id);
        for p in &pts {
            g2_bytes(p, out);
        }
    };
    put1(&mut w, section::TAU_G1, g1s(&powers(2 * n - 1, Fr::ONE)));
    put2(&mut w, section::TAU_G2, g2s(&powers(n, Fr::ONE)));
    put1(&mut w, section::ALPHA_TAU_G1, g1s(&powers(n, alpha)));
    put1(&mut w, section::BETA_TAU_G1, g1s(&powers(n, beta)));
    put2(&mut w, section::BETA_G2, vec![(g2 * beta).into_affine()]);
    w.section(section::CONTRIBUTIONS)
        .extend_from_slice(&0u32.to_le_bytes());
    // Lagrange bases at τ for every domain 2^0 .. 2^power.
    let mut lagrange = Vec::with_capacity(2 * n);
    for p in 0..=power {
        let domain = Radix2EvaluationDomain::<Fr>::new(1 << p).expect("2-adic domain");
        lagrange.extend(domain.evaluate_all_lagrange_coefficients(tau));
    }
    let times = |k: Fr| lagrange.iter().map(|l| *l * k).collect::<Vec<_>>();
    // Section 12 also holds the 2^(power+1) domain, as snarkjs computes it from the only
    // τ powers there are: the inverse FFT of τ^0 .. τ^(2n−2) and a zero.
    let mut top = powers(2 * n - 1, Fr::ONE);
    top.push(<Fr as ark_ff::AdditiveGroup>::ZERO);
    Radix2EvaluationDomain::<Fr>::new(2 * n)
        .expect("2-adic domain")
        .ifft_in_place(&mut top);
    let mut section12 = lagrange.clone();
    section12.extend(top);
    put1(&mut w, section::LAGRANGE_G1, g1s(&section12));
    put2(&mut w, section::LAGRANGE_G2, g2s(&lagrange));
    put1(&mut w, section::LAGRANGE_ALPHA_G1, g1s(&times(alpha)));
    put1(&mut w, section::LAGRANGE_BETA_G1, g1s(&times(beta)));
    w.finish()
}
