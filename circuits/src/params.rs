//! Rule-set parameters the circuit enforces, and their hash (bound into every statement).
use serde::{Deserialize, Serialize};

use crate::encoding::{fr_from_u64, fr_to_be_bytes, tag, EncodingError, TAG_PARAMS};
use crate::poseidon::hash;
use crate::Fr;

/// Slots in each jurisdiction list.
pub const MAX_JURISDICTIONS: usize = 8;
/// Tiers with limits (1..=4); tier 0 is blocked.
pub const NUM_TIERS: usize = 4;

/// The parameters of a rule-set that the circuit enforces (mirrors the program's
/// `RuleSetParams`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetParams {
    /// Allowed jurisdiction codes (ISO 3166-1 numeric), zero slots empty and last.
    pub allowed_jurisdictions: [u16; MAX_JURISDICTIONS],
    /// Denied jurisdiction codes, zero slots empty and last.
    pub denied_jurisdictions: [u16; MAX_JURISDICTIONS],
    /// Per-transfer limit of tiers 1..=4.
    pub per_transfer_limit: [u64; NUM_TIERS],
    /// Per-window limit of tiers 1..=4.
    pub per_window_limit: [u64; NUM_TIERS],
    /// Window length in seconds.
    pub window_seconds: u64,
    /// The auditor's Baby Jubjub public key (circomlib form), `x || y`, each 32 bytes
    /// big-endian: every transfer proof encrypts the sender's identity to it.
    #[serde(with = "crate::encoding::hex64")]
    pub auditor_key: [u8; 64],
}

impl RuleSetParams {
    /// The field elements the hash is made of, in order: allowed (8), denied (8), per-transfer
    /// (4), per-window (4), window seconds (1), auditor key x and y (2). Coordinates that are
    /// not canonical field elements are reduced here; [`RuleSetParams::auditor`] refuses them.
    pub fn elements(&self) -> Vec<Fr> {
        let [x, y] = self.auditor_coordinates();
        self.allowed_jurisdictions
            .iter()
            .chain(self.denied_jurisdictions.iter())
            .map(|c| fr_from_u64(u64::from(*c)))
            .chain(
                self.per_transfer_limit
                    .iter()
                    .chain(self.per_window_limit.iter())
                    .map(|v| fr_from_u64(*v)),
            )
            .chain([fr_from_u64(self.window_seconds), x, y])
            .collect()
    }

    fn auditor_coordinates(&self) -> [Fr; 2] {
        use ark_ff::PrimeField;
        [
            Fr::from_be_bytes_mod_order(&self.auditor_key[..32]),
            Fr::from_be_bytes_mod_order(&self.auditor_key[32..]),
        ]
    }

    /// The auditor key as a point, checked: canonical coordinates, on the curve, in the
    /// prime-order subgroup, not the identity.
    pub fn auditor(&self) -> Result<crate::babyjub::Point, EncodingError> {
        crate::babyjub::public_key_from_bytes(&self.auditor_key)
            .ok_or(EncodingError::OutOfRange("params.auditor_key"))
    }

    /// `H_7(TAG_PARAMS, H_8(allowed), H_8(denied), H_8(limits), window_seconds, auditor.x,
    /// auditor.y)`.
    pub fn hash(&self) -> Fr {
        let e = self.elements();
        hash(&[
            tag(TAG_PARAMS),
            hash(&e[0..8]),
            hash(&e[8..16]),
            hash(&e[16..24]),
            e[24],
            e[25],
            e[26],
        ])
    }

    /// [`RuleSetParams::hash`] as 32 big-endian bytes.
    pub fn hash_bytes(&self) -> [u8; 32] {
        fr_to_be_bytes(&self.hash())
    }
}
