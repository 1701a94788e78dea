//! Field elements and curve points as snarkjs stores them in `.ptau` and `.zkey` files:
//! little-endian Montgomery form ("LEM": the integer `x·2^256 mod p`, which is exactly
//! arkworks' internal representation), G1 as `x, y`, G2 as `x.c0, x.c1, y.c0, y.c1`; the
//! point at infinity as all zeros.
use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};

use crate::binfile::Reader;
use crate::CeremonyError;

/// Bytes of a G1 point.
pub const G1_LEN: usize = 64;
/// Bytes of a G2 point.
pub const G2_LEN: usize = 128;

fn bigint_le(bytes: &[u8]) -> BigInt<4> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    }
    BigInt(limbs)
}

/// An `Fq` element in LEM form.
pub fn fq_lem(x: &Fq) -> [u8; 32] {
    x.0.to_bytes_le().try_into().expect("32 bytes")
}

/// Reads an `Fq` element in LEM form (the Montgomery integer must be below the modulus).
pub fn fq_from_lem(bytes: &[u8]) -> Option<Fq> {
    let b = bigint_le(bytes);
    (b < Fq::MODULUS).then(|| Fq::new_unchecked(b))
}

/// An `Fr` element in LEM form.
pub fn fr_lem(x: &Fr) -> [u8; 32] {
    x.0.to_bytes_le().try_into().expect("32 bytes")
}

/// Reads an `Fr` element in LEM form.
pub fn fr_from_lem(bytes: &[u8]) -> Option<Fr> {
    let b = bigint_le(bytes);
    (b < Fr::MODULUS).then(|| Fr::new_unchecked(b))
}

/// A G1 point, 64 bytes.
pub fn g1_bytes(p: &G1Affine, out: &mut Vec<u8>) {
    if p.is_zero() {
        out.extend_from_slice(&[0u8; G1_LEN]);
    } else {
        out.extend_from_slice(&fq_lem(&p.x));
        out.extend_from_slice(&fq_lem(&p.y));
    }
}

/// A G2 point, 128 bytes.
pub fn g2_bytes(p: &G2Affine, out: &mut Vec<u8>) {
    if p.is_zero() {
        out.extend_from_slice(&[0u8; G2_LEN]);
    } else {
        for c in [p.x.c0, p.x.c1, p.y.c0, p.y.c1] {
            out.extend_from_slice(&fq_lem(&c));
        }
    }
}

fn bad(what: &str) -> CeremonyError {
    CeremonyError::Format(format!("{what}: not a point of the curve"))
}

/// Reads a G1 point, checked to be on the curve (every G1 point is in the prime-order group).
pub fn read_g1(r: &mut Reader<'_>, what: &str) -> Result<G1Affine, CeremonyError> {
    let b = r.take(G1_LEN)?;
    if b.iter().all(|&x| x == 0) {
        return Ok(G1Affine::zero());
    }
    let x = fq_from_lem(&b[..32]).ok_or_else(|| bad(what))?;
    let y = fq_from_lem(&b[32..]).ok_or_else(|| bad(what))?;
    let p = G1Affine::new_unchecked(x, y);
    if p.is_on_curve() {
        Ok(p)
    } else {
        Err(bad(what))
    }
}

/// Reads a G2 point, checked to be on the curve and in the prime-order subgroup.
pub fn read_g2(r: &mut Reader<'_>, what: &str) -> Result<G2Affine, CeremonyError> {
    let b = r.take(G2_LEN)?;
    if b.iter().all(|&x| x == 0) {
        return Ok(G2Affine::zero());
    }
    let mut c = [Fq::zero(); 4];
    for (i, c) in c.iter_mut().enumerate() {
        *c = fq_from_lem(&b[32 * i..32 * i + 32]).ok_or_else(|| bad(what))?;
    }
    let p = G2Affine::new_unchecked(Fq2::new(c[0], c[1]), Fq2::new(c[2], c[3]));
    if p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve() {
        Ok(p)
    } else {
        Err(bad(what))
    }
}

/// Reads `n` points of `len` bytes each with `one`, on every core.
fn read_many<P: Send>(
    r: &mut Reader<'_>,
    n: usize,
    len: usize,
    what: &str,
    one: impl Fn(&mut Reader<'_>, &str) -> Result<P, CeremonyError> + Sync,
) -> Result<Vec<P>, CeremonyError> {
    use rayon::prelude::*;
    if r.remaining() < n.saturating_mul(len) {
        return Err(CeremonyError::Format(format!("{what}: section too short")));
    }
    let bytes = r.take(n * len)?;
    bytes
        .par_chunks(len)
        .map(|chunk| one(&mut Reader::over(chunk), what))
        .collect()
}

/// Reads `n` G1 points.
pub fn read_g1s(r: &mut Reader<'_>, n: usize, what: &str) -> Result<Vec<G1Affine>, CeremonyError> {
    read_many(r, n, G1_LEN, what, read_g1)
}

/// Reads `n` G2 points.
pub fn read_g2s(r: &mut Reader<'_>, n: usize, what: &str) -> Result<Vec<G2Affine>, CeremonyError> {
    read_many(r, n, G2_LEN, what, read_g2)
}
