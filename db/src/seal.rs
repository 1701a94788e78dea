//! Encryption at rest for what a service must keep but nobody may read from its database or
//! backups: AES-256-GCM-SIV under a 32-byte data key from the service's configuration, with
//! associated data binding each sealed value to its row (a value copied to another row does
//! not open), and HMAC-SHA256 tags to find rows by a secret without storing it.
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes of the nonce stored in front of each sealed value.
pub const NONCE_LEN: usize = 12;

/// Why a data key or sealed value was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// The key is not 64 hex digits.
    #[error("data key must be 32 bytes as 64 hex digits")]
    BadKey,
    /// The value was altered, belongs to another row or was sealed under another key.
    #[error("sealed value does not open under this key and row")]
    Open,
}

/// A 32-byte data key. `Debug` prints nothing of it; zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(bytes)
    }

    /// A key from 64 hex digits (surrounding whitespace ignored, e.g. a key file's newline).
    pub fn from_hex(hex_str: &str) -> Result<Self, SealError> {
        let mut bytes = hex::decode(hex_str.trim()).map_err(|_| SealError::BadKey)?;
        let key = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| SealError::BadKey);
        bytes.zeroize();
        key.map(DataKey)
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        DataKey(bytes)
    }

    /// Reads the key file at `path`, or creates it with a fresh key (owner-only permissions,
    /// synced) if it does not exist. Returns the key and whether it was created.
    pub fn load_or_create(path: &std::path::Path) -> Result<(Self, bool), String> {
        match std::fs::read_to_string(path) {
            Ok(text) => DataKey::from_hex(&text)
                .map(|k| (k, false))
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = DataKey::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options
                    .open(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                std::io::Write::write_all(&mut file, format!("{}\n", key.to_hex()).as_bytes())
                    .and_then(|_| file.sync_all())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok((key, true))
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The key as hex (to write a key file; never log it).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Per-purpose subkey: HMAC-SHA256(key, label), so the cipher and the tags never share a
    /// key.
    fn subkey(&self, label: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(label);
        mac.finalize().into_bytes().into()
    }

    /// `nonce || ciphertext+tag` of `plaintext`, bound to `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut key = self.subkey(b"zkgate/seal/v1");
        let cipher = Aes256GcmSiv::new_from_slice(&key).expect("32-byte key");
        key.zeroize();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM-SIV encrypts any length a row holds");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        out
    }

    /// Opens what [`DataKey::seal`] made with the same `aad`.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SealError::Open);
        }
        let mut key = self.subkey(b"zkgate/seal/v1");
        let cipher = Aes256GcmSiv::new_from_slice(&key).expect("32-byte key");
        key.zeroize();
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| SealError::Open)
    }

    /// HMAC-SHA256 tag of `value` under `label` (e.g. a subject id's lookup tag).
    pub fn tag(&self, label: &[u8], value: &[u8]) -> [u8; 32] {
        let mut key = self.subkey(b"zkgate/tag/v1");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key length");
        key.zeroize();
        mac.update(label);
        mac.update(&[0]);
        mac.update(value);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_key_and_row() {
        let key = DataKey::generate();
        let sealed = key.seal(b"row 1", b"salt and attributes");
        assert_eq!(key.open(b"row 1", &sealed).unwrap(), b"salt and attributes");
        // Nonces are fresh: the same value seals differently.
        assert_ne!(key.seal(b"row 1", b"salt and attributes"), sealed);
        assert_eq!(key.open(b"row 2", &sealed), Err(SealError::Open));
        assert_eq!(
            DataKey::generate().open(b"row 1", &sealed),
            Err(SealError::Open)
        );
        let mut altered = sealed.clone();
        altered[NONCE_LEN] ^= 1;
        assert_eq!(key.open(b"row 1", &altered), Err(SealError::Open));
        assert_eq!(key.open(b"row 1", &sealed[..20]), Err(SealError::Open));
        // The plaintext does not appear in the sealed bytes.
        assert!(!sealed.windows(4).any(|w| w == b"salt"));
    }

    #[test]
    fn keys_parse_and_tags_are_keyed() {
        let key = DataKey::from_hex(&format!("{}\n", "11".repeat(32))).unwrap();
        assert_eq!(key.to_hex(), "11".repeat(32));
        assert_eq!(format!("{key:?}"), "DataKey(..)");
        assert_eq!(DataKey::from_hex("11").unwrap_err(), SealError::BadKey);
        assert_eq!(
            DataKey::from_hex(&"zz".repeat(32)).unwrap_err(),
            SealError::BadKey
        );
        let other = DataKey::from_bytes([2; 32]);
        assert_eq!(key.tag(b"subject", b"x"), key.tag(b"subject", b"x"));
        assert_ne!(key.tag(b"subject", b"x"), other.tag(b"subject", b"x"));
        assert_ne!(key.tag(b"subject", b"x"), key.tag(b"wallet", b"x"));
    }
}
