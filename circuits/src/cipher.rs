//! The Poseidon duplex cipher (Dmitry Khovratovich's construction, as circomlib's
//! `poseidon-encryption` branch and `@zk-kit/poseidon-cipher` implement it), natively.
//!
//! State `[0, k₀, k₁, nonce + len·2¹²⁸]` with the width-4 circom Poseidon permutation; the
//! message is padded with zeros to a multiple of 3, absorbed three elements at a time (each
//! ciphertext triple is the state after absorption), and a last permutation releases an
//! authentication element. The key is a shared Baby Jubjub point `(x, y)`; the nonce is below
//! 2¹²⁸. The committed vectors (`tests/vectors/babyjub_cipher.json`) come from
//! `@zk-kit/poseidon-cipher`.
use std::sync::OnceLock;

use ark_ff::{Field, Zero};
use light_poseidon::parameters::bn254_x5::get_poseidon_parameters;
use light_poseidon::PoseidonParameters;

use crate::Fr;

/// The cipher's state width (capacity 1, rate 3).
pub const WIDTH: usize = 4;

/// Why a ciphertext does not decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// The nonce is not below 2¹²⁸.
    #[error("the nonce must be below 2^128")]
    NonceTooLarge,
    /// The ciphertext's length does not fit the message length.
    #[error("the ciphertext length does not match the message length")]
    Length,
    /// The padding or the authentication element does not match: wrong key, nonce or length,
    /// or an altered ciphertext.
    #[error("the ciphertext does not authenticate under this key and nonce")]
    Authentication,
}

fn params() -> &'static PoseidonParameters<Fr> {
    static P: OnceLock<PoseidonParameters<Fr>> = OnceLock::new();
    P.get_or_init(|| get_poseidon_parameters::<Fr>(WIDTH as u8).expect("circom width-4 parameters"))
}

/// The width-4 circom Poseidon permutation (all four outputs).
pub fn permute(state: &mut [Fr; WIDTH]) {
    let p = params();
    let half = p.full_rounds / 2;
    let sbox = |x: Fr| {
        let x2 = x.square();
        x2.square() * x
    };
    for round in 0..p.full_rounds + p.partial_rounds {
        for (i, s) in state.iter_mut().enumerate() {
            *s += p.ark[round * WIDTH + i];
        }
        if round < half || round >= half + p.partial_rounds {
            state.iter_mut().for_each(|s| *s = sbox(*s));
        } else {
            state[0] = sbox(state[0]);
        }
        let mixed: Vec<Fr> = p
            .mds
            .iter()
            .map(|row| row.iter().zip(state.iter()).map(|(m, s)| *m * s).sum())
            .collect();
        state.copy_from_slice(&mixed);
    }
}

fn two_128() -> Fr {
    Fr::from(2u64).pow([128])
}

fn initial_state(key: &[Fr; 2], nonce: u128, len: usize) -> [Fr; WIDTH] {
    [
        Fr::zero(),
        key[0],
        key[1],
        Fr::from(nonce) + Fr::from(len as u64) * two_128(),
    ]
}

/// Encrypts `message` under `key` with `nonce`: `3·⌈len/3⌉ + 1` elements.
pub fn encrypt(message: &[Fr], key: &[Fr; 2], nonce: u128) -> Vec<Fr> {
    let mut state = initial_state(key, nonce, message.len());
    let mut padded = message.to_vec();
    padded.resize(message.len().div_ceil(3) * 3, Fr::zero());
    let mut out = Vec::with_capacity(padded.len() + 1);
    for chunk in padded.chunks(3) {
        permute(&mut state);
        for (j, m) in chunk.iter().enumerate() {
            state[j + 1] += m;
            out.push(state[j + 1]);
        }
    }
    permute(&mut state);
    out.push(state[1]);
    out
}

/// Decrypts a ciphertext of a `len`-element message, checking the padding and the
/// authentication element.
pub fn decrypt(
    ciphertext: &[Fr],
    key: &[Fr; 2],
    nonce: u128,
    len: usize,
) -> Result<Vec<Fr>, CipherError> {
    if ciphertext.len() != len.div_ceil(3) * 3 + 1 {
        return Err(CipherError::Length);
    }
    let mut state = initial_state(key, nonce, len);
    let mut message = Vec::with_capacity(ciphertext.len() - 1);
    for chunk in ciphertext[..ciphertext.len() - 1].chunks(3) {
        permute(&mut state);
        for (j, c) in chunk.iter().enumerate() {
            message.push(*c - state[j + 1]);
            state[j + 1] = *c;
        }
    }
    permute(&mut state);
    let padding_ok = message[len..].iter().all(Zero::is_zero);
    if !padding_ok || ciphertext[ciphertext.len() - 1] != state[1] {
        return Err(CipherError::Authentication);
    }
    message.truncate(len);
    Ok(message)
}

/// [`encrypt`] with the nonce checked to be below 2¹²⁸ when given as a field element.
pub fn nonce_from_fr(nonce: &Fr) -> Result<u128, CipherError> {
    use ark_ff::{BigInteger, PrimeField};
    let bytes = nonce.into_bigint().to_bytes_le();
    if bytes[16..].iter().any(|b| *b != 0) {
        return Err(CipherError::NonceTooLarge);
    }
    let mut low = [0u8; 16];
    low.copy_from_slice(&bytes[..16]);
    Ok(u128::from_le_bytes(low))
}

/// [`encrypt`] in the circuit: the ciphertext of `message` under `key` with `nonce` (the nonce
/// must already be known to be below 2¹²⁸; range-check it where it is allocated).
pub fn encrypt_gadget(
    message: &[ark_r1cs_std::fields::fp::FpVar<Fr>],
    key: &[ark_r1cs_std::fields::fp::FpVar<Fr>; 2],
    nonce: &ark_r1cs_std::fields::fp::FpVar<Fr>,
) -> Result<Vec<ark_r1cs_std::fields::fp::FpVar<Fr>>, ark_relations::r1cs::SynthesisError> {
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::fields::FieldVar;
    let len = Fr::from(message.len() as u64) * two_128();
    let mut state = vec![
        FpVar::zero(),
        key[0].clone(),
        key[1].clone(),
        nonce + FpVar::constant(len),
    ];
    let mut padded = message.to_vec();
    padded.resize(message.len().div_ceil(3) * 3, FpVar::zero());
    let mut out = Vec::with_capacity(padded.len() + 1);
    for chunk in padded.chunks(3) {
        state = crate::poseidon::permutation_gadget(&state)?;
        for (j, m) in chunk.iter().enumerate() {
            state[j + 1] += m;
            out.push(state[j + 1].clone());
        }
    }
    state = crate::poseidon::permutation_gadget(&state)?;
    out.push(state[1].clone());
    Ok(out)
}
