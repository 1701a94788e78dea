//! Groth16 verification with `groth16-solana` (alt_bn128 syscalls) and verifying-key screening.
use anchor_lang::prelude::*;
use groth16_solana::errors::Groth16Error;
use groth16_solana::groth16::{Groth16Verifier, Groth16Verifyingkey};
use solana_bn254::prelude::{alt_bn128_g1_addition_be, alt_bn128_pairing_be};

use crate::errors::ZkgateError;
use crate::state::VerifyingKeyData;

/// Proof length: `A (64) || B (128) || C (64)`, A negated, big-endian.
pub const PROOF_LEN: usize = 256;

/// The BN254 G2 generator in the `x.c1 || x.c0 || y.c1 || y.c0` big-endian layout (EIP-197).
pub const G2_GENERATOR_BE: [u8; 128] = [
    0x19, 0x8e, 0x93, 0x93, 0x92, 0x0d, 0x48, 0x3a, 0x72, 0x60, 0xbf, 0xb7, 0x31, 0xfb, 0x5d, 0x25,
    0xf1, 0xaa, 0x49, 0x33, 0x35, 0xa9, 0xe7, 0x12, 0x97, 0xe4, 0x85, 0xb7, 0xae, 0xf3, 0x12, 0xc2,
    0x18, 0x00, 0xde, 0xef, 0x12, 0x1f, 0x1e, 0x76, 0x42, 0x6a, 0x00, 0x66, 0x5e, 0x5c, 0x44, 0x79,
    0x67, 0x43, 0x22, 0xd4, 0xf7, 0x5e, 0xda, 0xdd, 0x46, 0xde, 0xbd, 0x5c, 0xd9, 0x92, 0xf6, 0xed,
    0x09, 0x06, 0x89, 0xd0, 0x58, 0x5f, 0xf0, 0x75, 0xec, 0x9e, 0x99, 0xad, 0x69, 0x0c, 0x33, 0x95,
    0xbc, 0x4b, 0x31, 0x33, 0x70, 0xb3, 0x8e, 0xf3, 0x55, 0xac, 0xda, 0xdc, 0xd1, 0x22, 0x97, 0x5b,
    0x12, 0xc8, 0x5e, 0xa5, 0xdb, 0x8c, 0x6d, 0xeb, 0x4a, 0xab, 0x71, 0x80, 0x8d, 0xcb, 0x40, 0x8f,
    0xe3, 0xd1, 0xe7, 0x69, 0x0c, 0x43, 0xd3, 0x7b, 0x4c, 0xe6, 0xcc, 0x01, 0x66, 0xfa, 0x7d, 0xaa,
];

fn g1_on_curve(point: &[u8; 64]) -> bool {
    let mut input = [0u8; 128];
    input[..64].copy_from_slice(point);
    alt_bn128_g1_addition_be(&input).is_ok()
}

/// Refuses verifying keys that are malformed or come from a forgeable setup: points off the
/// curve or outside the G2 subgroup, identity points, `gamma == delta` (no phase-2
/// contribution), `delta` or `gamma` equal to the G2 generator.
pub fn validate_verifying_key(vk: &VerifyingKeyData) -> Result<()> {
    let zero_g1 = [0u8; 64];
    let zero_g2 = [0u8; 128];
    require!(
        vk.alpha_g1 != zero_g1
            && vk.ic.iter().all(|p| *p != zero_g1)
            && vk.beta_g2 != zero_g2
            && vk.gamma_g2 != zero_g2
            && vk.delta_g2 != zero_g2,
        ZkgateError::DegenerateVerifyingKey
    );
    require!(
        g1_on_curve(&vk.alpha_g1) && vk.ic.iter().all(g1_on_curve),
        ZkgateError::InvalidVerifyingKeyPoint
    );
    // e(0, Q) = 1 for every valid Q; the syscall deserializes Q with the curve and subgroup
    // checks, so an invalid G2 point makes the call fail.
    let mut pairing_input = [0u8; 3 * 192];
    pairing_input[64..192].copy_from_slice(&vk.beta_g2);
    pairing_input[256..384].copy_from_slice(&vk.gamma_g2);
    pairing_input[448..576].copy_from_slice(&vk.delta_g2);
    let valid = alt_bn128_pairing_be(&pairing_input)
        .map(|r| r.last() == Some(&1))
        .unwrap_or(false);
    require!(valid, ZkgateError::InvalidVerifyingKeyPoint);
    require!(
        vk.gamma_g2 != vk.delta_g2
            && vk.delta_g2 != G2_GENERATOR_BE
            && vk.gamma_g2 != vk.beta_g2
            && vk.delta_g2 != vk.beta_g2,
        ZkgateError::DegenerateVerifyingKey
    );
    Ok(())
}

/// Verifies a 256-byte proof for one public input with `groth16-solana`'s checked `verify()`.
#[inline(never)]
pub fn verify_proof(
    vk: &VerifyingKeyData,
    proof: &[u8; PROOF_LEN],
    public_input: &[u8; 32],
) -> Result<()> {
    let proof_a: &[u8; 64] = proof[0..64].try_into().expect("64-byte slice");
    let proof_b: &[u8; 128] = proof[64..192].try_into().expect("128-byte slice");
    let proof_c: &[u8; 64] = proof[192..256].try_into().expect("64-byte slice");
    require!(
        g1_on_curve(proof_a) && g1_on_curve(proof_c),
        ZkgateError::MalformedProof
    );
    let key = Groth16Verifyingkey {
        nr_pubinputs: 1,
        vk_alpha_g1: vk.alpha_g1,
        vk_beta_g2: vk.beta_g2,
        vk_gamma_g2: vk.gamma_g2,
        vk_delta_g2: vk.delta_g2,
        vk_ic: &vk.ic,
        vk_commitment: None,
    };
    let inputs = [*public_input];
    let mut verifier = Groth16Verifier::<1>::new(proof_a, proof_b, proof_c, &inputs, &key)
        .map_err(|_| error!(ZkgateError::InvalidVerifyingKeyIcLength))?;
    verifier.verify().map_err(|e| match e {
        Groth16Error::PublicInputGreaterThanFieldSize => error!(ZkgateError::PublicInputNotReduced),
        _ => error!(ZkgateError::InvalidProof),
    })
}
