//! Disclosure to the rule-set's auditor: every transfer proof also proves that the ciphertext
//! posted with the transfer encrypts the sender's identity to the auditor's Baby Jubjub key.
//!
//! Per transfer the prover draws `r` (251 random bits, not zero) and posts the ephemeral key
//! `R = r·Base8` with the ciphertext of a three-element message under the shared point
//! `S = r·PK` (Poseidon duplex cipher, [`crate::cipher`]); the auditor recomputes
//! `S = sk·R`. The cipher's nonce is `rule_set_id·2⁶⁴ + nonce` (the subject's nonce under the
//! rule-set), so a ciphertext belongs to one transfer. The message packs the six disclosed
//! values (docs/STATEMENT.md):
//! ```text
//! m0 = subject_id
//! m1 = issuer.hi
//! m2 = issuer.lo + 2^128·(expiry + 2^63·(tier + 2^8·(jurisdiction + 2^16·leaf_index)))
//! ```
//! and the statement's last input is the commitment
//! `H_8(issuer.hi, issuer.lo, R.x, R.y, c0, c1, c2, c3)`, which the program recomputes from the
//! posted bytes and its issuer account.
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::groups::CurveVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use serde::{Deserialize, Serialize};

use crate::babyjub::{self, Point, PointVar, Scalar, BASE8};
use crate::cipher;
use crate::encoding::{fr_from_be_bytes_named, fr_to_be_bytes, key_limbs, EncodingError};
use crate::poseidon::{hash, hash_gadget};
use crate::Fr;

/// Bits of the ephemeral secret `r` (below the subgroup order, so `r·Base8` is never the
/// identity for `r ≠ 0`).
pub const R_BITS: usize = 251;
/// Field elements of the message.
pub const MESSAGE_LEN: usize = 3;
/// Field elements of the ciphertext (`3·⌈3/3⌉ + 1`).
pub const CIPHERTEXT_LEN: usize = 4;
/// Bits of the leaf index in the packed message (trees are at most 32 levels deep).
pub const LEAF_INDEX_BITS: usize = 32;

const EXPIRY_SHIFT: u32 = 128;
const TIER_SHIFT: u32 = EXPIRY_SHIFT + 63;
const JURISDICTION_SHIFT: u32 = TIER_SHIFT + 8;
const LEAF_INDEX_SHIFT: u32 = JURISDICTION_SHIFT + 16;
const PACKED_BITS: u32 = LEAF_INDEX_SHIFT + LEAF_INDEX_BITS as u32;

/// What is posted with a transfer: the ephemeral key `R` and the ciphertext, as the program
/// takes them (32-byte big-endian field elements).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// `R = r·Base8`, `x || y`.
    #[serde(with = "crate::encoding::hex64")]
    pub ephemeral_key: [u8; 64],
    /// The ciphertext, four field elements.
    pub ciphertext: [[u8; 32]; CIPHERTEXT_LEN],
}

impl Disclosure {
    /// The commitment the statement carries:
    /// `H_8(issuer.hi, issuer.lo, R.x, R.y, c0, c1, c2, c3)`.
    pub fn commitment(&self, issuer: &[u8; 32]) -> Result<Fr, EncodingError> {
        let [hi, lo] = key_limbs(issuer);
        let r = self.ephemeral_elements()?;
        let mut inputs = vec![hi, lo, r[0], r[1]];
        for c in &self.ciphertext {
            inputs.push(fr_from_be_bytes_named(c, "disclosure.ciphertext")?);
        }
        Ok(hash(&inputs))
    }

    /// [`Disclosure::commitment`] as 32 big-endian bytes.
    pub fn commitment_bytes(&self, issuer: &[u8; 32]) -> Result<[u8; 32], EncodingError> {
        self.commitment(issuer).map(|h| fr_to_be_bytes(&h))
    }

    fn ephemeral_elements(&self) -> Result<[Fr; 2], EncodingError> {
        let k = &self.ephemeral_key;
        Ok([
            fr_from_be_bytes_named(
                k[..32].try_into().expect("32 bytes"),
                "disclosure.ephemeral_key",
            )?,
            fr_from_be_bytes_named(
                k[32..].try_into().expect("32 bytes"),
                "disclosure.ephemeral_key",
            )?,
        ])
    }

    /// Opens the disclosure with the auditor's secret key: checks `R` (on the curve, in the
    /// prime-order subgroup, not the identity), decrypts with `S = sk·R` and the nonce of
    /// (`rule_set_id`, `nonce`), checks the cipher's authentication, unpacks the record.
    pub fn open(
        &self,
        sk: &Scalar,
        rule_set_id: u64,
        nonce: u64,
    ) -> Result<AuditRecord, DisclosureError> {
        let r = self.ephemeral_point()?;
        let shared = babyjub::mul_le_bytes(&r, &sk.into_bigint().to_bytes_le());
        self.open_with_shared(&shared, rule_set_id, nonce)
    }

    /// `R`, checked: canonical coordinates, on the curve, in the prime-order subgroup, not the
    /// identity.
    pub fn ephemeral_point(&self) -> Result<Point, DisclosureError> {
        let [x, y] = self
            .ephemeral_elements()
            .map_err(|_| DisclosureError::NotCanonical)?;
        if !babyjub::is_valid_public_key(x, y) {
            return Err(DisclosureError::EphemeralKey);
        }
        Ok(Point::new_unchecked(x, y))
    }

    /// Opens the disclosure with the shared point `S` (`sk·R`, or a committee's combination of
    /// partial decryptions): decrypts, checks the authentication element, unpacks.
    pub fn open_with_shared(
        &self,
        shared: &Point,
        rule_set_id: u64,
        nonce: u64,
    ) -> Result<AuditRecord, DisclosureError> {
        let mut ciphertext = Vec::with_capacity(CIPHERTEXT_LEN);
        for c in &self.ciphertext {
            ciphertext.push(
                crate::encoding::fr_from_be_bytes(c).map_err(|_| DisclosureError::NotCanonical)?,
            );
        }
        let message = cipher::decrypt(
            &ciphertext,
            &[shared.x, shared.y],
            cipher_nonce(rule_set_id, nonce),
            MESSAGE_LEN,
        )
        .map_err(|_| DisclosureError::Authentication)?;
        AuditRecord::unpack(&message)
    }
}

/// Why a disclosure does not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// A posted value is not a canonical field element.
    #[error("a disclosure value is not a canonical field element")]
    NotCanonical,
    /// `R` is not on the curve, not in the prime-order subgroup, or the identity.
    #[error("the ephemeral key is not a point of the prime-order subgroup")]
    EphemeralKey,
    /// The ciphertext does not authenticate: another auditor key, another transfer's nonce, or
    /// altered bytes.
    #[error("the ciphertext does not open with this key for this transfer")]
    Authentication,
    /// The decrypted message is not a packed record.
    #[error("the decrypted message is not a zkgate audit record")]
    Malformed,
}

/// The ephemeral secret `r` of one transfer: 251 bits, little-endian. Zeroized on drop,
/// redacted in `Debug`.
#[derive(
    Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop,
)]
pub struct DisclosureSecret {
    r: [u8; 32],
}

impl std::fmt::Debug for DisclosureSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DisclosureSecret { .. redacted }")
    }
}

impl DisclosureSecret {
    /// A fresh secret: 251 random bits, never zero.
    pub fn random<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> Self {
        loop {
            let mut r = [0u8; 32];
            rng.fill_bytes(&mut r);
            r[31] &= 0x07;
            if r.iter().any(|b| *b != 0) {
                return DisclosureSecret { r };
            }
        }
    }

    /// A secret from little-endian bytes; bits above 251 are cleared. Zero is representable
    /// (the circuit refuses it), for tests.
    pub fn from_le_bytes(mut r: [u8; 32]) -> Self {
        r[31] &= 0x07;
        DisclosureSecret { r }
    }

    /// Whether `r = 0` (refused).
    pub fn is_zero(&self) -> bool {
        self.r.iter().all(|b| *b == 0)
    }

    fn bits(&self) -> Vec<bool> {
        (0..R_BITS)
            .map(|i| (self.r[i / 8] >> (i % 8)) & 1 == 1)
            .collect()
    }

    /// `R = r·Base8`.
    pub fn ephemeral_key(&self) -> Point {
        babyjub::mul_le_bytes(&BASE8, &self.r)
    }
}

/// What the auditor learns from a transfer. `Debug` is redacted (the subject id is personal
/// data); zeroized on drop.
#[derive(
    Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop,
)]
pub struct AuditRecord {
    /// The credential's subject id.
    pub subject_id: [u8; 32],
    /// The issuer account of the credential.
    pub issuer: [u8; 32],
    /// The credential's leaf index in the issuer's tree.
    pub leaf_index: u64,
    /// The credential's jurisdiction code.
    pub jurisdiction: u16,
    /// The credential's tier.
    pub tier: u8,
    /// The credential's expiry, unix seconds.
    pub expiry: i64,
}

impl std::fmt::Debug for AuditRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditRecord { .. redacted }")
    }
}

fn pow2(k: u32) -> Fr {
    use ark_ff::Field;
    Fr::from(2u64).pow([u64::from(k)])
}

impl AuditRecord {
    /// The three message elements (see the module documentation).
    pub fn pack(&self) -> Result<[Fr; MESSAGE_LEN], EncodingError> {
        let subject = fr_from_be_bytes_named(&self.subject_id, "credential.subject_id")?;
        let [hi, lo] = key_limbs(&self.issuer);
        if self.expiry < 0 {
            return Err(EncodingError::Negative("credential.expiry"));
        }
        if self.leaf_index >> LEAF_INDEX_BITS != 0 {
            return Err(EncodingError::OutOfRange("credential_path.index"));
        }
        let packed = lo
            + pow2(EXPIRY_SHIFT) * Fr::from(self.expiry as u64)
            + pow2(TIER_SHIFT) * Fr::from(u64::from(self.tier))
            + pow2(JURISDICTION_SHIFT) * Fr::from(u64::from(self.jurisdiction))
            + pow2(LEAF_INDEX_SHIFT) * Fr::from(self.leaf_index);
        Ok([subject, hi, packed])
    }

    fn unpack(message: &[Fr]) -> Result<Self, DisclosureError> {
        let [subject, hi, packed] = message else {
            return Err(DisclosureError::Malformed);
        };
        let hi_bytes = fr_to_be_bytes(hi);
        let bytes = fr_to_be_bytes(packed);
        let bits = packed.into_bigint();
        if bits.num_bits() > PACKED_BITS || hi_bytes[..16].iter().any(|b| *b != 0) {
            return Err(DisclosureError::Malformed);
        }
        // Big-endian bytes: bit k of the packed value is in byte 31 - k/8.
        let field = |shift: u32, width: u32| -> u64 {
            (0..width).fold(0u64, |acc, i| {
                let k = (shift + i) as usize;
                acc | (u64::from((bytes[31 - k / 8] >> (k % 8)) & 1) << i)
            })
        };
        let mut issuer = [0u8; 32];
        issuer[..16].copy_from_slice(&hi_bytes[16..]);
        issuer[16..].copy_from_slice(&bytes[16..]);
        Ok(AuditRecord {
            subject_id: fr_to_be_bytes(subject),
            issuer,
            leaf_index: field(LEAF_INDEX_SHIFT, LEAF_INDEX_BITS as u32),
            jurisdiction: field(JURISDICTION_SHIFT, 16) as u16,
            tier: field(TIER_SHIFT, 8) as u8,
            expiry: field(EXPIRY_SHIFT, 63) as i64,
        })
    }
}

/// The cipher nonce of a transfer: `rule_set_id·2⁶⁴ + nonce` (below 2¹²⁸).
pub fn cipher_nonce(rule_set_id: u64, nonce: u64) -> u128 {
    (u128::from(rule_set_id) << 64) | u128::from(nonce)
}

/// Encrypts `record` to `auditor` with the secret `r`, for the transfer with (`rule_set_id`,
/// `nonce`).
pub fn encrypt(
    auditor: &Point,
    secret: &DisclosureSecret,
    record: &AuditRecord,
    rule_set_id: u64,
    nonce: u64,
) -> Result<Disclosure, EncodingError> {
    let message = record.pack()?;
    let shared = babyjub::mul_le_bytes(auditor, &secret.r);
    let ciphertext = cipher::encrypt(
        &message,
        &[shared.x, shared.y],
        cipher_nonce(rule_set_id, nonce),
    );
    let mut out = [[0u8; 32]; CIPHERTEXT_LEN];
    for (o, c) in out.iter_mut().zip(ciphertext.iter()) {
        *o = fr_to_be_bytes(c);
    }
    Ok(Disclosure {
        ephemeral_key: babyjub::point_to_bytes(&secret.ephemeral_key()),
        ciphertext: out,
    })
}

/// The disclosure's private side in the circuit: the issuer account (public on chain, bound
/// through the commitment) and the secret `r`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureWitness {
    /// The credential's issuer account.
    pub issuer: [u8; 32],
    /// The ephemeral secret.
    pub secret: DisclosureSecret,
}

/// The disclosure in the circuit: allocates `r`'s bits (not all zero), computes `R` (fixed
/// base), checks the auditor key is on the curve and not of small order, computes `S = r·PK`,
/// encrypts `message` under `S` with `nonce`, and returns the commitment
/// `H_8(issuer.hi, issuer.lo, R.x, R.y, c0..c3)`.
pub(crate) fn disclosure_gadget(
    cs: &ConstraintSystemRef<Fr>,
    w: &DisclosureWitness,
    auditor: [&FpVar<Fr>; 2],
    record: &RecordVars,
    nonce: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    let [hi, lo] = key_limbs(&w.issuer);
    let issuer = [
        FpVar::new_witness(cs.clone(), || Ok(hi))?,
        FpVar::new_witness(cs.clone(), || Ok(lo))?,
    ];
    let bits = w
        .secret
        .bits()
        .into_iter()
        .map(|b| Boolean::new_witness(cs.clone(), || Ok(b)))
        .collect::<Result<Vec<_>, _>>()?;
    // r ≠ 0 (r < 2^251 < order, so R is then not the identity).
    Boolean::le_bits_to_fp(&bits)?.enforce_not_equal(&FpVar::zero())?;
    let ephemeral = babyjub::mul_base8_gadget(&bits)?;

    // The auditor key: on the curve, 8·PK not the identity (x = 0 only for the identity and
    // the point of order 2). The registry checks the prime-order subgroup.
    let (x, y) = (auditor[0].clone(), auditor[1].clone());
    let x2 = x.square()?;
    let y2 = y.square()?;
    let a = FpVar::constant(
        <babyjub::CircomBabyJubjub as ark_ec::twisted_edwards::TECurveConfig>::COEFF_A,
    );
    let d = FpVar::constant(
        <babyjub::CircomBabyJubjub as ark_ec::twisted_edwards::TECurveConfig>::COEFF_D,
    );
    (&a * &x2 + &y2).enforce_equal(&(FpVar::one() + d * x2 * y2))?;
    let key = PointVar::new(x, y);
    key.double()?
        .double()?
        .double()?
        .x
        .enforce_not_equal(&FpVar::zero())?;
    let shared = babyjub::mul_gadget(&key, &bits)?;

    // The message (values range-checked by the caller; `issuer.lo < 2^128` because the
    // program hashes its own limbs into the commitment).
    let packed = &issuer[1]
        + record.expiry * pow2(EXPIRY_SHIFT)
        + record.tier * pow2(TIER_SHIFT)
        + record.jurisdiction * pow2(JURISDICTION_SHIFT)
        + record.leaf_index * pow2(LEAF_INDEX_SHIFT);
    let message = [record.subject.clone(), issuer[0].clone(), packed];
    let ciphertext = cipher::encrypt_gadget(&message, &[shared.x, shared.y], nonce)?;
    let [hi, lo] = issuer;
    let mut inputs = vec![hi, lo, ephemeral.x, ephemeral.y];
    inputs.extend(ciphertext);
    hash_gadget(&inputs)
}

/// The disclosed values in the circuit (each range-checked where it is allocated).
pub(crate) struct RecordVars<'a> {
    /// The subject id.
    pub(crate) subject: &'a FpVar<Fr>,
    /// The credential's expiry (63 bits).
    pub(crate) expiry: &'a FpVar<Fr>,
    /// The tier (1..=4).
    pub(crate) tier: &'a FpVar<Fr>,
    /// The jurisdiction (16 bits).
    pub(crate) jurisdiction: &'a FpVar<Fr>,
    /// The leaf index (the credential path's bits, at most 32).
    pub(crate) leaf_index: &'a FpVar<Fr>,
}
