//! Groth16 proving keys in snarkjs' `.zkey` format (version 1), with the phase-2 transcript.
//!
//! Sections, in the order snarkjs writes them: 1 protocol (1 = Groth16); 2 the header (`n8q`,
//! `q`, `n8r`, `r`, `nVars`, `nPublic`, `domainSize`, then `α1, β1, β2, γ2, δ1, δ2`); 4 the
//! coefficients of `A` and `B` (matrix, constraint, signal, value·R² in standard form) with the
//! public inputs' extra `A` rows; 3 `IC`; 9 `H` (the odd points of the ptau's `2n`-domain
//! Lagrange basis, divided by δ); 8 `C` (the private wires' `(β·A + α·B + C)/δ`); 5 `A`;
//! 6 `B1`; 7 `B2`; 10 the transcript (`csHash`, then every contribution). Points are in LEM
//! form ([`crate::points`]).
use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{ProvingKey, VerifyingKey};

use crate::binfile::{File, Reader, Writer};
use crate::points::{g1_bytes, g2_bytes, read_g1, read_g1s, read_g2, read_g2s};
use crate::CeremonyError;

/// One `A` or `B` coefficient (section 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coef {
    /// 0 for `A`, 1 for `B`.
    pub matrix: u32,
    /// Constraint (row).
    pub constraint: u32,
    /// Signal (wire).
    pub signal: u32,
    /// The coefficient.
    pub value: Fr,
}

/// One phase-2 contribution (section 10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// `δ1` after this contribution.
    pub delta_after: G1Affine,
    /// The proof of knowledge: a random `s·G1` …
    pub g1_s: G1Affine,
    /// … `s·x·G1` …
    pub g1_sx: G1Affine,
    /// … and `x·hashToG2(transcript)`.
    pub g2_spx: G2Affine,
    /// BLAKE2b-512 of the circuit hash, the previous contributions and `g1_s, g1_sx`.
    pub transcript: [u8; 64],
    /// 0: a participant; 1: a random beacon.
    pub kind: u32,
    /// The participant's name (up to 64 bytes).
    pub name: Option<String>,
    /// Beacon: `2^iterations_exp` SHA-256 iterations of …
    pub beacon_iterations_exp: u8,
    /// … the beacon value.
    pub beacon_hash: Vec<u8>,
}

/// A whole `.zkey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zkey {
    /// Wires, the constant one included.
    pub n_vars: u32,
    /// Public inputs (wires 1..=n_public).
    pub n_public: u32,
    /// The QAP domain.
    pub domain_size: u32,
    /// `α·G1`.
    pub alpha1: G1Affine,
    /// `β·G1`.
    pub beta1: G1Affine,
    /// `β·G2`.
    pub beta2: G2Affine,
    /// `γ·G2` (the generator: snarkjs never changes γ).
    pub gamma2: G2Affine,
    /// `δ·G1`.
    pub delta1: G1Affine,
    /// `δ·G2`.
    pub delta2: G2Affine,
    /// Public wires' `β·A + α·B + C` (γ = 1).
    pub ic: Vec<G1Affine>,
    /// The `A` and `B` matrices.
    pub coefs: Vec<Coef>,
    /// `A(τ)` per wire.
    pub a: Vec<G1Affine>,
    /// `B(τ)·G1` per wire.
    pub b1: Vec<G1Affine>,
    /// `B(τ)·G2` per wire.
    pub b2: Vec<G2Affine>,
    /// Private wires' `(β·A + α·B + C)/δ`.
    pub c: Vec<G1Affine>,
    /// `H` points over δ.
    pub h: Vec<G1Affine>,
    /// The circuit hash (BLAKE2b-512 of the initial key's points).
    pub cs_hash: [u8; 64],
    /// The contributions, in order.
    pub contributions: Vec<Contribution>,
}

fn r2() -> Fr {
    // R = 2^256 mod r; coefficients are stored as value·R² (standard form).
    let r = Fr::from_bigint(Fr::R).expect("R < r");
    r * r
}

fn put_header(w: &mut Writer, z: &Zkey) {
    w.section(1).extend_from_slice(&1u32.to_le_bytes());
    let h = w.section(2);
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&ark_bn254::Fq::MODULUS.to_bytes_le());
    h.extend_from_slice(&32u32.to_le_bytes());
    h.extend_from_slice(&Fr::MODULUS.to_bytes_le());
    h.extend_from_slice(&z.n_vars.to_le_bytes());
    h.extend_from_slice(&z.n_public.to_le_bytes());
    h.extend_from_slice(&z.domain_size.to_le_bytes());
    g1_bytes(&z.alpha1, h);
    g1_bytes(&z.beta1, h);
    g2_bytes(&z.beta2, h);
    g2_bytes(&z.gamma2, h);
    g1_bytes(&z.delta1, h);
    g2_bytes(&z.delta2, h);
}

impl Zkey {
    /// The file, byte for byte as snarkjs writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"zkey", 1);
        put_header(&mut w, self);
        let r2 = r2();
        let s = w.section(4);
        s.extend_from_slice(&(self.coefs.len() as u32).to_le_bytes());
        for c in &self.coefs {
            s.extend_from_slice(&c.matrix.to_le_bytes());
            s.extend_from_slice(&c.constraint.to_le_bytes());
            s.extend_from_slice(&c.signal.to_le_bytes());
            s.extend_from_slice(&(c.value * r2).into_bigint().to_bytes_le());
        }
        for (id, points) in [
            (3, &self.ic),
            (9, &self.h),
            (8, &self.c),
            (5, &self.a),
            (6, &self.b1),
        ] {
            let s = w.section(id);
            for p in points {
                g1_bytes(p, s);
            }
        }
        let s = w.section(7);
        for p in &self.b2 {
            g2_bytes(p, s);
        }
        let s = w.section(10);
        s.extend_from_slice(&self.cs_hash);
        s.extend_from_slice(&(self.contributions.len() as u32).to_le_bytes());
        for c in &self.contributions {
            g1_bytes(&c.delta_after, s);
            g1_bytes(&c.g1_s, s);
            g1_bytes(&c.g1_sx, s);
            g2_bytes(&c.g2_spx, s);
            s.extend_from_slice(&c.transcript);
            s.extend_from_slice(&c.kind.to_le_bytes());
            let mut params = Vec::new();
            if let Some(name) = &c.name {
                let bytes = truncate_utf8(name, 64);
                params.push(1u8);
                params.push(bytes.len() as u8);
                params.extend_from_slice(bytes);
            }
            if c.kind == 1 {
                params.push(2);
                params.push(c.beacon_iterations_exp);
                params.push(3);
                params.push(c.beacon_hash.len() as u8);
                params.extend_from_slice(&c.beacon_hash);
            }
            s.extend_from_slice(&(params.len() as u32).to_le_bytes());
            s.extend_from_slice(&params);
        }
        w.finish()
    }

    /// Parses a `.zkey` (BN254 Groth16), checking every point.
    pub fn parse(bytes: &[u8]) -> Result<Self, CeremonyError> {
        let file = File::parse(bytes, b"zkey", "zkey")?;
        let bad = |m: &str| CeremonyError::Format(format!("zkey: {m}"));
        let mut s = file.section(1)?;
        if s.u32()? != 1 {
            return Err(bad("not a Groth16 key"));
        }
        s.end()?;
        let mut h = file.section(2)?;
        if h.u32()? != 32
            || h.take(32)? != ark_bn254::Fq::MODULUS.to_bytes_le().as_slice()
            || h.u32()? != 32
            || h.take(32)? != Fr::MODULUS.to_bytes_le().as_slice()
        {
            return Err(bad("not over BN254"));
        }
        let n_vars = h.u32()?;
        let n_public = h.u32()?;
        let domain_size = h.u32()?;
        if n_public >= n_vars || !domain_size.is_power_of_two() {
            return Err(bad("inconsistent sizes"));
        }
        let alpha1 = read_g1(&mut h, "zkey alpha1")?;
        let beta1 = read_g1(&mut h, "zkey beta1")?;
        let beta2 = read_g2(&mut h, "zkey beta2")?;
        let gamma2 = read_g2(&mut h, "zkey gamma2")?;
        let delta1 = read_g1(&mut h, "zkey delta1")?;
        let delta2 = read_g2(&mut h, "zkey delta2")?;
        h.end()?;
        let r2_inv = ark_ff::Field::inverse(&r2()).expect("R² is invertible");
        let mut s = file.section(4)?;
        let n = s.u32()? as usize;
        let mut coefs = Vec::with_capacity(n.min(s.remaining() / 44));
        for _ in 0..n {
            let matrix = s.u32()?;
            let constraint = s.u32()?;
            let signal = s.u32()?;
            let raw = s.take(32)?;
            let v = Fr::from_le_bytes_mod_order(raw);
            if v.into_bigint().to_bytes_le() != raw || matrix > 1 || signal >= n_vars {
                return Err(bad("malformed coefficient"));
            }
            coefs.push(Coef {
                matrix,
                constraint,
                signal,
                value: v * r2_inv,
            });
        }
        s.end()?;
        let g1s = |id: u32, n: usize, what: &str| -> Result<Vec<G1Affine>, CeremonyError> {
            let mut s = file.section(id)?;
            let v = read_g1s(&mut s, n, what)?;
            s.end()?;
            Ok(v)
        };
        let private = (n_vars - n_public - 1) as usize;
        let ic = g1s(3, n_public as usize + 1, "zkey IC")?;
        let h_points = g1s(9, domain_size as usize, "zkey H")?;
        let c = g1s(8, private, "zkey C")?;
        let a = g1s(5, n_vars as usize, "zkey A")?;
        let b1 = g1s(6, n_vars as usize, "zkey B1")?;
        let mut s = file.section(7)?;
        let b2 = read_g2s(&mut s, n_vars as usize, "zkey B2")?;
        s.end()?;
        let mut s = file.section(10)?;
        let cs_hash: [u8; 64] = s.take(64)?.try_into().expect("64 bytes");
        let n = s.u32()? as usize;
        let mut contributions = Vec::new();
        for _ in 0..n {
            contributions.push(read_contribution(&mut s)?);
        }
        s.end()?;
        Ok(Zkey {
            n_vars,
            n_public,
            domain_size,
            alpha1,
            beta1,
            beta2,
            gamma2,
            delta1,
            delta2,
            ic,
            coefs,
            a,
            b1,
            b2,
            c,
            h: h_points,
            cs_hash,
            contributions,
        })
    }

    /// The arkworks proving key (for [`zkgate_circuits::qap::CircomReduction`]).
    pub fn proving_key(&self) -> ProvingKey<Bn254> {
        ProvingKey {
            vk: VerifyingKey {
                alpha_g1: self.alpha1,
                beta_g2: self.beta2,
                gamma_g2: self.gamma2,
                delta_g2: self.delta2,
                gamma_abc_g1: self.ic.clone(),
            },
            beta_g1: self.beta1,
            delta_g1: self.delta1,
            a_query: self.a.clone(),
            b_g1_query: self.b1.clone(),
            b_g2_query: self.b2.clone(),
            h_query: self.h.clone(),
            l_query: self.c.clone(),
        }
    }
}

fn truncate_utf8(s: &str, max: usize) -> &[u8] {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s.as_bytes()[..end]
}

fn read_contribution(s: &mut Reader<'_>) -> Result<Contribution, CeremonyError> {
    let bad = |m: &str| CeremonyError::Format(format!("zkey contribution: {m}"));
    let delta_after = read_g1(s, "contribution delta")?;
    let g1_s = read_g1(s, "contribution g1_s")?;
    let g1_sx = read_g1(s, "contribution g1_sx")?;
    let g2_spx = read_g2(s, "contribution g2_spx")?;
    let transcript: [u8; 64] = s.take(64)?.try_into().expect("64 bytes");
    let kind = s.u32()?;
    let len = s.u32()? as usize;
    let params = s.take(len)?;
    let mut c = Contribution {
        delta_after,
        g1_s,
        g1_sx,
        g2_spx,
        transcript,
        kind,
        name: None,
        beacon_iterations_exp: 0,
        beacon_hash: vec![],
    };
    let mut at = 0;
    let mut last = 0u8;
    let byte = |at: &mut usize| -> Result<u8, CeremonyError> {
        let b = *params.get(*at).ok_or_else(|| bad("truncated parameters"))?;
        *at += 1;
        Ok(b)
    };
    while at < params.len() {
        let t = byte(&mut at)?;
        if t <= last {
            return Err(bad("parameters not sorted"));
        }
        last = t;
        match t {
            1 => {
                let n = byte(&mut at)? as usize;
                let raw = params
                    .get(at..at + n)
                    .ok_or_else(|| bad("truncated name"))?;
                c.name = Some(String::from_utf8_lossy(raw).into_owned());
                at += n;
            }
            2 => c.beacon_iterations_exp = byte(&mut at)?,
            3 => {
                let n = byte(&mut at)? as usize;
                c.beacon_hash = params
                    .get(at..at + n)
                    .ok_or_else(|| bad("truncated beacon hash"))?
                    .to_vec();
                at += n;
            }
            _ => return Err(bad("unknown parameter")),
        }
    }
    if kind > 1 || (kind == 1 && c.beacon_hash.is_empty()) {
        return Err(bad("unknown kind"));
    }
    Ok(c)
}
