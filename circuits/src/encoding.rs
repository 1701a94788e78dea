//! How values enter the field: integers as themselves, 32-byte keys as two 128-bit limbs, tags
//! as short ASCII strings, all as 32-byte big-endian on the wire (docs/STATEMENT.md).
use ark_ff::{BigInteger, PrimeField};

use crate::Fr;

/// Tag of the statement hash.
pub const TAG_STATEMENT: &str = "zkgate/statement/v3";
/// Tag of the per-rule-set subject tag.
pub const TAG_SUBJECT: &str = "zkgate/subject/v1";
/// Tag of the rule-set parameters hash.
pub const TAG_PARAMS: &str = "zkgate/params/v2";
/// Tag of a credential leaf.
pub const TAG_CREDENTIAL: &str = "zkgate/credential/v1";
/// Tag of the recipient-pass statement hash.
pub const TAG_PASS: &str = "zkgate/pass/v1";

/// A value could not be read as a field element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    /// The 32-byte value is not below the BN254 scalar modulus.
    #[error("{0}: value is not a canonical field element (must be < r)")]
    NotCanonical(&'static str),
    /// A timestamp or expiry is negative.
    #[error("{0}: must not be negative")]
    Negative(&'static str),
    /// A value is outside its allowed range.
    #[error("{0}: out of range")]
    OutOfRange(&'static str),
}

/// An integer as a field element.
pub fn fr_from_u64(v: u64) -> Fr {
    Fr::from(v)
}

/// `(hi, lo)`: `bytes[0..16]` and `bytes[16..32]`, each a big-endian 128-bit integer.
pub fn key_limbs(key: &[u8; 32]) -> [Fr; 2] {
    [
        Fr::from_be_bytes_mod_order(&key[..16]),
        Fr::from_be_bytes_mod_order(&key[16..]),
    ]
}

/// A field element as 32 big-endian bytes.
pub fn fr_to_be_bytes(x: &Fr) -> [u8; 32] {
    let bytes = x.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// 32 big-endian bytes as a field element; values `>= r` are refused (no silent reduction).
pub fn fr_from_be_bytes(b: &[u8; 32]) -> Result<Fr, EncodingError> {
    fr_from_be_bytes_named(b, "value")
}

/// Like [`fr_from_be_bytes`], naming the field in the error.
pub fn fr_from_be_bytes_named(b: &[u8; 32], field: &'static str) -> Result<Fr, EncodingError> {
    let x = Fr::from_be_bytes_mod_order(b);
    if &fr_to_be_bytes(&x) == b {
        Ok(x)
    } else {
        Err(EncodingError::NotCanonical(field))
    }
}

/// A domain tag: the ASCII bytes of `s` (at most 31) read as a big-endian integer.
pub fn tag(s: &str) -> Fr {
    Fr::from_be_bytes_mod_order(s.as_bytes())
}

/// A non-negative `i64` (timestamps, expiries) as a field element.
pub fn fr_from_i64(v: i64, field: &'static str) -> Result<Fr, EncodingError> {
    u64::try_from(v)
        .map(Fr::from)
        .map_err(|_| EncodingError::Negative(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_round_trip_and_modulus_refused() {
        let x = Fr::from(123456789u64);
        assert_eq!(fr_from_be_bytes(&fr_to_be_bytes(&x)).unwrap(), x);
        let r = fr_to_be_bytes(&(Fr::from(0u64) - Fr::from(1u64)));
        // r - 1 is canonical, r is not.
        assert!(fr_from_be_bytes(&r).is_ok());
        let mut modulus = r;
        modulus[31] += 1;
        assert_eq!(
            fr_from_be_bytes(&modulus),
            Err(EncodingError::NotCanonical("value"))
        );
        assert!(fr_from_be_bytes(&[0xff; 32]).is_err());
    }

    #[test]
    fn limbs_split_high_and_low_halves() {
        let mut key = [0u8; 32];
        key[15] = 1;
        key[31] = 2;
        assert_eq!(key_limbs(&key), [Fr::from(1u64), Fr::from(2u64)]);
    }

    #[test]
    fn tag_is_big_endian_ascii() {
        assert_eq!(tag("a"), Fr::from(0x61u64));
        assert_eq!(tag("ab"), Fr::from(0x6162u64));
    }
}

/// Serde for 64-byte values (a Baby Jubjub point `x || y`) as 128 lowercase hex digits.
pub mod hex64 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the bytes as hex.
    pub fn serialize<S: Serializer>(bytes: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    /// Reads 128 hex digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = hex::decode(text.trim_start_matches("0x")).map_err(serde::de::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("expected 64 bytes (128 hex digits)"))
    }
}
