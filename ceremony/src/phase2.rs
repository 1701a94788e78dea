//! Groth16 phase 2, as snarkjs does it: the initial key from a circuit and a prepared ptau
//! ([`new_zkey`]), contributions and the closing beacon ([`contribute`], [`beacon`]), and
//! the whole transcript's verification ([`verify`]).
use ark_bn254::{Bn254, Fq, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
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

/// `Σ coefficient·base` per wire, on every core: short sums term by term (a coefficient of
/// one is an addition), long ones as an MSM.
fn msm_per_wire<G>(terms: &[Vec<(usize, Fr)>], bases: &[G::Affine]) -> Vec<G::Affine>
where
    G: CurveGroup<ScalarField = Fr> + VariableBaseMSM<MulBase = <G as CurveGroup>::Affine>,
{
    use rayon::prelude::*;
    let out: Vec<G> = terms
        .par_iter()
        .map(|t| {
            if t.len() <= 8 {
                let mut acc = G::zero();
                for (i, c) in t {
                    if c.is_one() {
                        acc += bases[*i];
                    } else if *c == -Fr::ONE {
                        acc -= bases[*i];
                    } else {
                        acc += bases[*i] * c;
                    }
                }
                return acc;
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
    for (c, [a, b, cc]) in r1cs.constraints.iter().enumerate() {
        for (v, s) in a {
            a_terms[*s].push((c, *v));
            k_terms[*s].push((2 * d + c, *v));
        }
        for (v, s) in b {
            b_terms[*s].push((c, *v));
            k_terms[*s].push((d + c, *v));
        }
        for (v, s) in cc {
            k_terms[*s].push((c, *v));
        }
    }
    for s in 0..=n_public {
        a_terms[s].push((n + s, Fr::ONE));
        k_terms[s].push((2 * d + n + s, Fr::ONE));
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
    // The H points as the legacy (τ^(i+d) − τ^i)·G1 form, i < d − 1, prefixed with d − 1 —
    // but snarkjs hashes them in chunks of 2^14 whole chunks, so from d = 2^15 on it hashes d
    // points, the last needing τ^(2d−1) (beyond a ptau of exactly this power: refused, as
    // snarkjs would read past the section).
    const CHUNK: usize = 1 << 14;
    let hashed = if d - 1 <= CHUNK {
        d - 1
    } else {
        (d - 1).div_ceil(CHUNK) * CHUNK
    };
    if hashed + d > (2usize << ptau.power) - 1 {
        return Err(CeremonyError::Format(format!(
            "a circuit of domain 2^{power} needs a ptau of power {} or more",
            power + 1
        )));
    }
    let taus = ptau.g1s(section::TAU_G1, 0, hashed + d)?;
    let legacy: Vec<G1Projective> = (0..hashed)
        .map(|i| taus[i + d].into_group() - taus[i])
        .collect();
    hasher.update(((d - 1) as u32).to_be_bytes());
    for p in G1Projective::normalize_batch(&legacy) {
        hasher.update(g1_u(&p));
    }
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
        coefs: coefficients(r1cs),
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

fn hash_pub_key(h: &mut Blake2b512, c: &Contribution) {
    h.update(g1_u(&c.delta_after));
    h.update(g1_u(&c.g1_s));
    h.update(g1_u(&c.g1_sx));
    h.update(g2_u(&c.g2_spx));
    h.update(c.transcript);
}

/// A contribution's hash (what the participant publishes and `snarkjs zkey verify` prints).
pub fn contribution_hash(c: &Contribution) -> [u8; 64] {
    let mut h = Blake2b512::new();
    hash_pub_key(&mut h, c);
    h.finalize().into()
}

/// A 64-byte hash as snarkjs prints it: four lines of four 8-digit words.
pub fn format_hash(hash: &[u8; 64]) -> String {
    hash.chunks(16)
        .map(|line| {
            line.chunks(4)
                .map(hex::encode)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The transcript hash after `contributions` (each one's public key).
fn transcript_hasher(cs_hash: &[u8; 64], contributions: &[Contribution]) -> Blake2b512 {
    let mut h = Blake2b512::new();
    h.update(cs_hash);
    for c in contributions {
        hash_pub_key(&mut h, c);
    }
    h
}

fn scale_g1(points: &[G1Affine], by: Fr) -> Vec<G1Affine> {
    use rayon::prelude::*;
    let scaled: Vec<G1Projective> = points.par_iter().map(|p| *p * by).collect();
    G1Projective::normalize_batch(&scaled)
}

/// Applies one contribution drawn from `rng` (ffjavascript's ChaCha: a participant's seeded
/// from OS randomness and their entropy, a beacon's from its hash) to `zkey`: `δ ← δ·x`, the
/// `C` and `H` points over `x`, and the proof of knowledge of `x`. Returns the new key and the
/// contribution hash. `x` is dropped (zeroized) before returning.
fn apply(
    zkey: &Zkey,
    rng: &mut rand_chacha::ChaCha20Rng,
    name: Option<&str>,
    beacon: Option<(&[u8], u8)>,
) -> (Zkey, [u8; 64]) {
    let mut hasher = transcript_hasher(&zkey.cs_hash, &zkey.contributions);
    let mut x = zeroize::Zeroizing::new(crate::rng::fr_from_rng(rng));
    if x.is_zero() {
        *x = Fr::ONE; // probability 2^-254; keeps the key invertible
    }
    let g1_s = crate::rng::g1_from_rng(rng);
    let g1_sx = (g1_s * *x).into_affine();
    hasher.update(g1_u(&g1_s));
    hasher.update(g1_u(&g1_sx));
    let transcript: [u8; 64] = hasher.finalize().into();
    let g2_sp = crate::rng::hash_to_g2(&transcript);
    let g2_spx = (g2_sp * *x).into_affine();
    let mut next = zkey.clone();
    next.delta1 = (zkey.delta1 * *x).into_affine();
    next.delta2 = (zkey.delta2 * *x).into_affine();
    let inv = zeroize::Zeroizing::new(x.inverse().expect("non-zero"));
    next.c = scale_g1(&zkey.c, *inv);
    next.h = scale_g1(&zkey.h, *inv);
    let c = Contribution {
        delta_after: next.delta1,
        g1_s,
        g1_sx,
        g2_spx,
        transcript,
        kind: u32::from(beacon.is_some()),
        name: name.map(str::to_string),
        beacon_iterations_exp: beacon.map_or(0, |b| b.1),
        beacon_hash: beacon.map_or(vec![], |b| b.0.to_vec()),
    };
    let hash = contribution_hash(&c);
    next.contributions.push(c);
    (next, hash)
}

/// A participant's contribution: fresh randomness from the OS mixed with `entropy` (an
/// optional passphrase), exactly as `snarkjs zkey contribute` derives it.
pub fn contribute(zkey: &Zkey, name: &str, entropy: &[u8]) -> (Zkey, [u8; 64]) {
    let mut seed = zeroize::Zeroizing::new([0u8; 64]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed[..]);
    let mut h = Blake2b512::new();
    h.update(&seed[..]);
    h.update(entropy);
    let digest = zeroize::Zeroizing::new(<[u8; 64]>::from(h.finalize()));
    let mut rng = crate::rng::chacha_from_hash(&digest[..]);
    apply(zkey, &mut rng, Some(name), None)
}

/// The ChaCha a beacon's contribution is drawn from: `2^iterations_exp` SHA-256 iterations of
/// `beacon_hash` (snarkjs' `rngFromBeaconParams`).
pub fn beacon_rng(beacon_hash: &[u8], iterations_exp: u8) -> rand_chacha::ChaCha20Rng {
    use sha2::{Digest as _, Sha256};
    let mut cur = beacon_hash.to_vec();
    for _ in 0..(1u64 << iterations_exp) {
        cur = Sha256::digest(&cur).to_vec();
    }
    crate::rng::chacha_from_hash(&cur)
}

/// The closing random beacon (a public value nobody could know in advance, e.g. a future
/// slot hash): a deterministic contribution anyone can recompute. `iterations_exp` in 10..=63
/// (snarkjs' bounds), the hash 1..=255 bytes.
pub fn beacon(
    zkey: &Zkey,
    name: &str,
    beacon_hash: &[u8],
    iterations_exp: u8,
) -> Result<(Zkey, [u8; 64]), CeremonyError> {
    if beacon_hash.is_empty() || beacon_hash.len() > 255 {
        return Err(CeremonyError::Format("beacon hash: 1 to 255 bytes".into()));
    }
    if !(10..=63).contains(&iterations_exp) {
        return Err(CeremonyError::Format(
            "beacon iterations exponent: 10 to 63".into(),
        ));
    }
    let mut rng = beacon_rng(beacon_hash, iterations_exp);
    Ok(apply(
        zkey,
        &mut rng,
        Some(name),
        Some((beacon_hash, iterations_exp)),
    ))
}

/// What a verified transcript holds: each contribution's name, hash and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Contributions in order: name (empty if none), hash, whether a beacon.
    pub contributions: Vec<(String, [u8; 64], bool)>,
}

fn invalid(m: impl Into<String>) -> CeremonyError {
    CeremonyError::Invalid(m.into())
}

/// Verifies `zkey` as the transcript of `r1cs` on `ptau`: the key is the initial key of this
/// circuit and ptau except for δ, `C` and `H`; every contribution's transcript hash, proof of
/// knowledge and δ update; a beacon's key recomputed from its public value; the final δ in both
/// groups; and `C`, `H` divided by exactly the final δ (random linear combinations).
pub fn verify(r1cs: &R1cs, ptau: &Ptau<'_>, zkey: &Zkey) -> Result<Verified, CeremonyError> {
    // Cheap checks first (a wrong ptau, circuit or contribution is named in a second), then
    // the initial key recomputed in full.
    let power = domain_power(r1cs.constraints.len(), r1cs.public);
    if (
        zkey.n_vars as usize,
        zkey.n_public as usize,
        zkey.domain_size as usize,
    ) != (r1cs.wires, r1cs.public, 1usize << power)
    {
        return Err(invalid("the key's sizes are not the circuit's"));
    }
    if zkey.alpha1 != ptau.g1s(section::ALPHA_TAU_G1, 0, 1)?[0]
        || zkey.beta1 != ptau.g1s(section::BETA_TAU_G1, 0, 1)?[0]
        || zkey.beta2 != ptau.g2s(section::BETA_G2, 0, 1)?[0]
        || zkey.gamma2 != G2Affine::generator()
    {
        return Err(invalid("the header is not this ptau's (α, β) or γ moved"));
    }
    if zkey.coefs != coefficients(r1cs) {
        return Err(invalid("the coefficients section is not this circuit's"));
    }
    let verified = verify_contributions(zkey)?;
    let init = new_zkey(r1cs, ptau)?;
    if zkey.cs_hash != init.cs_hash {
        return Err(invalid(
            "the circuit hash differs: another circuit or another ptau",
        ));
    }
    for (what, same) in [
        ("IC", zkey.ic == init.ic),
        ("A", zkey.a == init.a),
        ("B1", zkey.b1 == init.b1),
        ("B2", zkey.b2 == init.b2),
    ] {
        if !same {
            return Err(invalid(format!(
                "the {what} section differs from the circuit's"
            )));
        }
    }
    let g2 = G2Affine::generator();
    // C and H: final = initial / δ, checked on a random linear combination of each section.
    for (what, initial, final_) in [("C", &init.c, &zkey.c), ("H", &init.h, &zkey.h)] {
        let r: Vec<Fr> = (0..initial.len())
            .map(|_| ark_ff::UniformRand::rand(&mut rand::rngs::OsRng))
            .collect();
        let a = G1Projective::msm_unchecked(initial, &r).into_affine();
        let b = G1Projective::msm_unchecked(final_, &r).into_affine();
        if !same_ratio(a, b, zkey.delta2, g2) {
            return Err(invalid(format!(
                "the {what} section is not the circuit's divided by δ"
            )));
        }
    }
    Ok(verified)
}

/// The `A`/`B` coefficients section of `r1cs`'s key (with the public inputs' rows).
fn coefficients(r1cs: &R1cs) -> Vec<Coef> {
    let n = r1cs.constraints.len();
    let mut coefs = Vec::new();
    for (c, [a, b, _]) in r1cs.constraints.iter().enumerate() {
        for (matrix, lc) in [(0, a), (1, b)] {
            for (v, s) in lc {
                coefs.push(Coef {
                    matrix,
                    constraint: c as u32,
                    signal: *s as u32,
                    value: *v,
                });
            }
        }
    }
    for s in 0..=r1cs.public {
        coefs.push(Coef {
            matrix: 0,
            constraint: (n + s) as u32,
            signal: s as u32,
            value: Fr::ONE,
        });
    }
    coefs
}

/// The contributions' chain: transcripts, proofs of knowledge, δ updates, beacons, final δ.
fn verify_contributions(zkey: &Zkey) -> Result<Verified, CeremonyError> {
    let mut verified = Verified {
        contributions: vec![],
    };
    let mut delta = G1Affine::generator();
    for (i, c) in zkey.contributions.iter().enumerate() {
        let n = i + 1;
        let mut h = transcript_hasher(&zkey.cs_hash, &zkey.contributions[..i]);
        h.update(g1_u(&c.g1_s));
        h.update(g1_u(&c.g1_sx));
        if <[u8; 64]>::from(h.finalize()) != c.transcript {
            return Err(invalid(format!(
                "contribution {n}: inconsistent transcript"
            )));
        }
        if c.g1_s.is_zero() || c.g1_sx.is_zero() {
            return Err(invalid(format!("contribution {n}: degenerate key")));
        }
        let g2_sp = crate::rng::hash_to_g2(&c.transcript);
        if !same_ratio(c.g1_s, c.g1_sx, g2_sp, c.g2_spx) {
            return Err(invalid(format!(
                "contribution {n}: the proof of knowledge does not hold"
            )));
        }
        if !same_ratio(delta, c.delta_after, g2_sp, c.g2_spx) {
            return Err(invalid(format!(
                "contribution {n}: δ does not follow its key"
            )));
        }
        if c.kind == 1 {
            let mut rng = beacon_rng(&c.beacon_hash, c.beacon_iterations_exp);
            let x = crate::rng::fr_from_rng(&mut rng);
            let g1_s = crate::rng::g1_from_rng(&mut rng);
            if g1_s != c.g1_s || (g1_s * x).into_affine() != c.g1_sx {
                return Err(invalid(format!(
                    "contribution {n}: the beacon's key does not come from its value"
                )));
            }
        }
        verified.contributions.push((
            c.name.clone().unwrap_or_default(),
            contribution_hash(c),
            c.kind == 1,
        ));
        delta = c.delta_after;
    }
    if zkey.delta1 != delta {
        return Err(invalid("δ1 is not the last contribution's"));
    }
    if !same_ratio(
        G1Affine::generator(),
        zkey.delta1,
        G2Affine::generator(),
        zkey.delta2,
    ) {
        return Err(invalid("δ1 and δ2 differ"));
    }
    Ok(verified)
}
