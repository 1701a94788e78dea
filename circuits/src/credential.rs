//! KYC credentials: what an issuer attests about a subject, bound to one wallet.
use serde::{Deserialize, Serialize};

use crate::encoding::{
    fr_from_be_bytes_named, fr_from_i64, fr_from_u64, key_limbs, tag, EncodingError, TAG_CREDENTIAL,
};
use crate::indexed::sentinel;
use crate::poseidon::hash;
use crate::Fr;

/// Bit width of subject ids.
pub const SUBJECT_ID_BITS: usize = crate::indexed::VALUE_BITS;

/// A credential. Private: `Debug` prints nothing of it, and it is zeroized on drop.
#[derive(
    Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop,
)]
pub struct Credential {
    /// Issuer-assigned subject id, in `[1, 2^248 - 2]` (checked against the sanctions list).
    pub subject_id: [u8; 32],
    /// The wallet the credential is bound to.
    pub wallet: [u8; 32],
    /// ISO 3166-1 numeric jurisdiction code (non-zero).
    pub jurisdiction: u16,
    /// Risk tier 1..=4 (0: blocked).
    pub tier: u8,
    /// Expiry, unix seconds.
    pub expiry: i64,
    /// Issuer's random salt, hiding the leaf.
    pub salt: [u8; 32],
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential { .. redacted }")
    }
}

impl Credential {
    /// The subject id as a field element, checked to be in `[1, 2^248 - 2]`.
    pub fn subject(&self) -> Result<Fr, EncodingError> {
        let s = fr_from_be_bytes_named(&self.subject_id, "credential.subject_id")?;
        if s == Fr::from(0u64) || s >= sentinel() {
            return Err(EncodingError::OutOfRange("credential.subject_id"));
        }
        Ok(s)
    }

    /// The leaf's 8 inputs.
    pub fn leaf_elements(&self) -> Result<[Fr; 8], EncodingError> {
        let [w_hi, w_lo] = key_limbs(&self.wallet);
        Ok([
            tag(TAG_CREDENTIAL),
            self.subject()?,
            w_hi,
            w_lo,
            fr_from_u64(u64::from(self.jurisdiction)),
            fr_from_u64(u64::from(self.tier)),
            fr_from_i64(self.expiry, "credential.expiry")?,
            fr_from_be_bytes_named(&self.salt, "credential.salt")?,
        ])
    }

    /// `H_8(TAG_CREDENTIAL, subject_id, wallet.hi, wallet.lo, jurisdiction, tier, expiry, salt)`.
    pub fn leaf(&self) -> Result<Fr, EncodingError> {
        Ok(hash(&self.leaf_elements()?))
    }
}
