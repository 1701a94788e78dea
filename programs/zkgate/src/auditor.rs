//! The auditor's side of a transfer: the disclosure posted with every proof, and the check
//! that a rule-set's auditor key is a Baby Jubjub public key (circomlib form) of the
//! prime-order subgroup.
use anchor_lang::prelude::*;
use ark_bn254::Fr;
use ark_ff::{Field, PrimeField, Zero};

use crate::errors::ZkgateError;
use crate::state::is_canonical_field_element;

/// Field elements of the disclosure ciphertext.
pub const CIPHERTEXT_LEN: usize = 4;

/// What a transfer posts for the auditor: the ephemeral key `R = r·Base8` and the Poseidon
/// cipher's ciphertext of the sender's identity under `S = r·auditor_key`. The proof shows
/// both are what the statement's disclosure commitment was made of (`docs/STATEMENT.md`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct AuditDisclosure {
    /// `R`, `x || y`, each 32 bytes big-endian.
    pub ephemeral_key: [u8; 64],
    /// The ciphertext: four field elements, 32 bytes big-endian each.
    pub ciphertext: [[u8; 32]; CIPHERTEXT_LEN],
}

/// Baby Jubjub (EIP-2494) `a`.
const COEFF_A: u64 = 168_700;
/// Baby Jubjub (EIP-2494) `d`.
const COEFF_D: u64 = 168_696;

fn coordinates(point: &[u8; 64]) -> Option<(Fr, Fr)> {
    let x: &[u8; 32] = point[..32].try_into().ok()?;
    let y: &[u8; 32] = point[32..].try_into().ok()?;
    (is_canonical_field_element(x) && is_canonical_field_element(y)).then(|| {
        (
            Fr::from_be_bytes_mod_order(x),
            Fr::from_be_bytes_mod_order(y),
        )
    })
}

fn on_curve(x: Fr, y: Fr) -> bool {
    let (x2, y2) = (x.square(), y.square());
    Fr::from(COEFF_A) * x2 + y2 == Fr::from(1u64) + Fr::from(COEFF_D) * x2 * y2
}

/// Refuses an auditor key that is not a point of the prime-order subgroup, or is the
/// identity. `eighth` is a point `Q` with `8·Q = key` (the key times the inverse of 8 modulo
/// the subgroup order): the curve's group is `Z/8 × Z/l`, so the multiples of 8 are exactly
/// the subgroup, and three doublings (~30 field multiplications) replace a 251-bit scalar
/// multiplication that would not fit a transaction's compute budget.
pub fn check_auditor_key(key: &[u8; 64], eighth: &[u8; 64]) -> Result<()> {
    let valid = || -> Option<bool> {
        let (px, py) = coordinates(key)?;
        let (qx, qy) = coordinates(eighth)?;
        if !on_curve(qx, qy) || (px.is_zero() && py == Fr::from(1u64)) {
            return Some(false);
        }
        // Projective doubling (dbl-2008-bbjlp), three times.
        let (mut x, mut y, mut z) = (qx, qy, Fr::from(1u64));
        for _ in 0..3 {
            let b = (x + y).square();
            let c = x.square();
            let d = y.square();
            let e = Fr::from(COEFF_A) * c;
            let f = e + d;
            let h = z.square();
            let j = f - (h + h);
            x = (b - c - d) * j;
            y = f * (e - d);
            z = f * j;
        }
        Some(!z.is_zero() && x == px * z && y == py * z)
    };
    require!(valid() == Some(true), ZkgateError::InvalidAuditorKey);
    Ok(())
}
