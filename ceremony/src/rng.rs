//! snarkjs' (ffjavascript's) deterministic randomness, reproduced exactly: a verifier
//! recomputes a contribution's `hashToG2(transcript)` point and a beacon's whole key from it.
//!
//! - ChaCha20 keyed by eight 32-bit words (read big-endian from a hash), counter from zero,
//!   words taken in order ([`rand_chacha::ChaCha20Rng`] with the words as its little-endian
//!   key bytes yields the same stream);
//! - a field element from four `u64`s (each the next two words, high word first; the first
//!   `u64` least significant), masked to 254 bits, rejected if not below the modulus, and taken
//!   as the element's *Montgomery* representation;
//! - a point from an `x` (and a sign bit: the next word's low bit) for which `x³ + b` is a
//!   square, `y` its root whose "negativity" (greater than `(p−1)/2`, on `c1` unless zero for
//!   G2) equals the sign bit; a G2 point is then multiplied by the cofactor.
use ark_bn254::{g2, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, Field, PrimeField, Zero};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// ffjavascript's ChaCha over `seed` words.
pub fn chacha(seed: [u32; 8]) -> ChaCha20Rng {
    let mut key = [0u8; 32];
    for (i, w) in seed.iter().enumerate() {
        key[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    ChaCha20Rng::from_seed(key)
}

/// The ChaCha of the first 32 bytes of `hash`, read as big-endian words.
pub fn chacha_from_hash(hash: &[u8]) -> ChaCha20Rng {
    let mut seed = [0u32; 8];
    for (i, w) in seed.iter_mut().enumerate() {
        *w = u32::from_be_bytes(hash[4 * i..4 * i + 4].try_into().expect("4 bytes"));
    }
    chacha(seed)
}

fn next_u64(rng: &mut ChaCha20Rng) -> u64 {
    let hi = rng.next_u32() as u64;
    let lo = rng.next_u32() as u64;
    (hi << 32) | lo
}

fn montgomery_from_rng<F: PrimeField<BigInt = BigInt<4>>>(rng: &mut ChaCha20Rng) -> BigInt<4> {
    let bits = F::MODULUS.num_bits();
    loop {
        let mut v = BigInt([next_u64(rng), next_u64(rng), next_u64(rng), next_u64(rng)]);
        for bit in bits..256 {
            let (limb, at) = (bit as usize / 64, bit % 64);
            v.0[limb] &= !(1u64 << at);
        }
        if v < F::MODULUS {
            return v;
        }
    }
}

/// `Fr.fromRng`.
pub fn fr_from_rng(rng: &mut ChaCha20Rng) -> Fr {
    Fr::new_unchecked(montgomery_from_rng::<Fr>(rng))
}

/// `Fq.fromRng`.
pub fn fq_from_rng(rng: &mut ChaCha20Rng) -> Fq {
    Fq::new_unchecked(montgomery_from_rng::<Fq>(rng))
}

fn fq_negative(x: &Fq) -> bool {
    let half = {
        let mut m = Fq::MODULUS;
        m.div2();
        m
    };
    x.into_bigint() > half
}

fn fq2_negative(x: &Fq2) -> bool {
    if x.c1.is_zero() {
        fq_negative(&x.c0)
    } else {
        fq_negative(&x.c1)
    }
}

/// `G1.fromRng`.
pub fn g1_from_rng(rng: &mut ChaCha20Rng) -> G1Affine {
    loop {
        let x = fq_from_rng(rng);
        let greatest = rng.next_u32() & 1 == 1;
        let x3b = x.square() * x + ark_bn254::g1::Config::COEFF_B;
        if let Some(mut y) = x3b.sqrt() {
            if greatest ^ fq_negative(&y) {
                y = -y;
            }
            return G1Affine::new_unchecked(x, y);
        }
    }
}

/// `G2.fromRng` (cofactor cleared by multiplication).
pub fn g2_from_rng(rng: &mut ChaCha20Rng) -> G2Affine {
    loop {
        let x = Fq2::new(fq_from_rng(rng), fq_from_rng(rng));
        let greatest = rng.next_u32() & 1 == 1;
        let x3b = x.square() * x + g2::Config::COEFF_B;
        if let Some(mut y) = x3b.sqrt() {
            if greatest ^ fq2_negative(&y) {
                y = -y;
            }
            let p = G2Affine::new_unchecked(x, y);
            return p
                .mul_bigint(<g2::Config as ark_ec::CurveConfig>::COFACTOR)
                .into_affine();
        }
    }
}

/// snarkjs' `hashToG2`: the G2 point a contribution's key is proven against.
pub fn hash_to_g2(transcript: &[u8; 64]) -> G2Affine {
    g2_from_rng(&mut chacha_from_hash(transcript))
}
