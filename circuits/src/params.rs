//! Rule-set parameters the circuit enforces, and their hash (bound into every statement).
use serde::{Deserialize, Serialize};

use crate::encoding::{fr_from_u64, fr_to_be_bytes, tag, TAG_PARAMS};
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
}

impl RuleSetParams {
    /// The field elements the hash is made of, in order: allowed (8), denied (8), per-transfer
    /// (4), per-window (4), window seconds (1).
    pub fn elements(&self) -> Vec<Fr> {
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
            .chain(std::iter::once(fr_from_u64(self.window_seconds)))
            .collect()
    }

    /// `H_5(TAG_PARAMS, H_8(allowed), H_8(denied), H_8(limits), window_seconds)`.
    pub fn hash(&self) -> Fr {
        let e = self.elements();
        hash(&[
            tag(TAG_PARAMS),
            hash(&e[0..8]),
            hash(&e[8..16]),
            hash(&e[16..24]),
            e[24],
        ])
    }

    /// [`RuleSetParams::hash`] as 32 big-endian bytes.
    pub fn hash_bytes(&self) -> [u8; 32] {
        fr_to_be_bytes(&self.hash())
    }
}
