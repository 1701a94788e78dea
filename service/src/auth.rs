//! Bearer API keys: the key a request presents, and a comparison that reveals neither where a
//! key differs nor its length (both sides hashed, then compared in constant time).
use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The key in `Authorization: Bearer <key>` (empty if there is none).
pub fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

/// Whether `presented` is `key`, in time independent of both (an empty `presented` never is).
pub fn matches(presented: &str, key: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(key.as_bytes());
    bool::from(a.ct_eq(&b)) && !presented.is_empty()
}

/// Whether `presented` is one of `keys`: every key compared, no early exit on a match.
pub fn matches_any<'a>(presented: &str, keys: impl IntoIterator<Item = &'a str>) -> bool {
    keys.into_iter()
        .fold(false, |found, key| matches(presented, key) | found)
}
