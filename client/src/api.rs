//! The prover service's request and response types, shared by the server and every Rust client,
//! so the two cannot disagree. Keys are base58 (Solana's notation); field elements and proof
//! bytes are hex (32-byte big-endian values, `0x` prefix optional).
//!
//! Witness types never print their contents (`Debug` is redacted) and wipe their buffers on
//! drop.
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeroize::{Zeroize, ZeroizeOnDrop};
use zkgate_circuits::compliance::ComplianceWitness;
use zkgate_circuits::credential::Credential;
use zkgate_circuits::disclosure::Disclosure;
use zkgate_circuits::encoding::fr_from_be_bytes_named;
use zkgate_circuits::indexed::NonMembershipWitness;
use zkgate_circuits::merkle::{MerklePath, MAX_DEPTH};
use zkgate_circuits::pass::PassStatement;
use zkgate_circuits::statement::Statement;

/// A request for a transfer proof.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version (the prover refuses a version it does not serve).
    pub rule_set_version: u32,
    /// The public transfer fields, exactly as the program will see them.
    pub transfer: TransferFields,
    /// The private witness.
    pub witness: WitnessInput,
}

/// The public fields of the transfer.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferFields {
    /// Sending wallet (base58).
    pub sender: String,
    /// Receiving wallet (base58): the owner of the destination token account.
    pub recipient: String,
    /// Token mint (base58).
    pub mint: String,
    /// The `Issuer` account of the credential (base58): the `transfer`'s issuer account. The
    /// proof discloses it to the auditor and the program binds it.
    pub issuer: String,
    /// Issuer credential-tree root (hex field element).
    pub credential_root: String,
    /// Sanctions-tree root (hex field element).
    pub sanctions_root: String,
    /// Amount in base units.
    pub amount: u64,
    /// The subject's current nonce under the rule-set (from its `SubjectState` account, at the
    /// PDA of the subject tag; 0 if none).
    pub nonce: u64,
    /// The subject's volume in the last window of cluster time (`SubjectState::volume_at`
    /// now; 0 if none). The program accepts any value at least its own count.
    pub window_volume: u64,
    /// Unix seconds until which the proof may land: at most the rule-set's
    /// `max_proof_age_secs` past the cluster clock, and before the credential's expiry.
    #[schema(minimum = 0)]
    pub valid_until: i64,
}

/// The private witness.
#[derive(Clone, Serialize, Deserialize, ToSchema, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct WitnessInput {
    /// The credential.
    pub credential: CredentialInput,
    /// The credential's Merkle path in the issuer tree.
    pub credential_path: PathInput,
    /// The sanctions non-membership witness.
    pub sanctions: SanctionsInput,
}

/// A credential as issued.
#[derive(Clone, Serialize, Deserialize, ToSchema, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct CredentialInput {
    /// Subject id (hex field element in `[1, 2^248 - 2]`).
    pub subject_id: String,
    /// Wallet the credential is bound to (base58).
    pub wallet: String,
    /// ISO 3166-1 numeric jurisdiction code.
    pub jurisdiction: u16,
    /// Tier (1..=4).
    pub tier: u8,
    /// Expiry, unix seconds.
    pub expiry: i64,
    /// Issuer salt (hex field element).
    pub salt: String,
}

/// A Merkle path.
#[derive(Clone, Serialize, Deserialize, ToSchema, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct PathInput {
    /// Leaf index (bits `2k, 2k+1`: the position at level `k`).
    pub index: u64,
    /// Siblings from the leaf level up, three per level of the quaternary tree in ascending
    /// position (hex field elements): 30 for the default depth 20.
    #[schema(min_items = 3, max_items = 48)]
    pub siblings: Vec<String>,
}

/// The sanctions non-membership witness: the low leaf and its path.
#[derive(Clone, Serialize, Deserialize, ToSchema, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct SanctionsInput {
    /// Low leaf value (hex).
    pub low_value: String,
    /// Low leaf next value (hex).
    pub low_next_value: String,
    /// Low leaf next index.
    pub low_next_index: u64,
    /// Low leaf path.
    pub path: PathInput,
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { .. redacted }"))
            }
        }
    )*};
}
redacted_debug!(WitnessInput, CredentialInput, PathInput, SanctionsInput);

/// The proof, ready for the `transfer` instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProofResponse {
    /// The 256-byte proof (program layout: A negated || B || C), base64.
    pub proof_base64: String,
    /// The same proof, hex.
    pub proof_hex: String,
    /// The proof's public input (= the statement hash), hex.
    pub public_input_hex: String,
    /// The statement hash the program will recompute, hex.
    pub statement_hash_hex: String,
    /// SHA-256 of the verifying key the proof is for (the rule-set's `vk_hash`), hex.
    pub vk_hash_hex: String,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// The subject tag the proof outputs (the `transfer` argument; keys the `SubjectState`),
    /// hex.
    pub subject_tag_hex: String,
    /// The sender's identity encrypted to the rule-set's auditor key (the `transfer`'s
    /// `disclosure` argument), proven by the same proof.
    pub disclosure: DisclosureOutput,
    /// Time spent proving, milliseconds.
    pub proving_ms: u64,
}

/// The auditor disclosure posted with a transfer, hex-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DisclosureOutput {
    /// `R = r·Base8`, `x || y` (128 hex digits).
    #[schema(pattern = "^[0-9a-f]{128}$")]
    pub ephemeral_key_hex: String,
    /// The ciphertext: four field elements, 64 hex digits each.
    #[schema(min_items = 4, max_items = 4)]
    pub ciphertext_hex: Vec<String>,
}

impl DisclosureOutput {
    /// Hex-encodes a disclosure.
    pub fn encode(d: &Disclosure) -> Self {
        DisclosureOutput {
            ephemeral_key_hex: hex::encode(d.ephemeral_key),
            ciphertext_hex: d.ciphertext.iter().map(hex::encode).collect(),
        }
    }

    /// Decodes it (errors name the field).
    pub fn decode(&self) -> Result<Disclosure, FieldError> {
        let key = hex::decode(&self.ephemeral_key_hex)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or_else(|| field_err("disclosure.ephemeral_key_hex", "expected 128 hex digits"))?;
        if self.ciphertext_hex.len() != zkgate_circuits::disclosure::CIPHERTEXT_LEN {
            return Err(field_err(
                "disclosure.ciphertext_hex",
                "expected 4 field elements",
            ));
        }
        let mut ciphertext = [[0u8; 32]; zkgate_circuits::disclosure::CIPHERTEXT_LEN];
        for (out, c) in ciphertext.iter_mut().zip(&self.ciphertext_hex) {
            *out = decode_field("disclosure.ciphertext_hex", c)?;
        }
        Ok(Disclosure {
            ephemeral_key: key,
            ciphertext,
        })
    }
}

impl ProofResponse {
    /// The statement this proof is for: `sent` (the statement of the request, whose
    /// disclosure commitment the prover fills) with the commitment of the disclosure in this
    /// answer, for the credential's `issuer` account. Its hash is `statement_hash_hex`.
    pub fn proven_statement(
        &self,
        sent: &Statement,
        issuer: &[u8; 32],
    ) -> Result<Statement, FieldError> {
        let mut statement = sent.clone();
        statement.disclosure_hash = self
            .disclosure
            .decode()?
            .commitment_bytes(issuer)
            .map_err(|e| field_err("disclosure", e.to_string()))?;
        Ok(statement)
    }

    /// The 256 proof bytes.
    pub fn proof_bytes(&self) -> Result<[u8; 256], String> {
        let bytes = hex::decode(&self.proof_hex).map_err(|e| e.to_string())?;
        bytes
            .try_into()
            .map_err(|_| "proof must be 256 bytes".to_string())
    }
}

/// An error answer: `{"error": {"code", "message", "field"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code (e.g. `credential_expired`, `invalid_field`).
    pub code: String,
    /// Human-readable explanation (never contains witness values).
    pub message: String,
    /// The request field at fault, as a dotted path, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}

/// State of an asynchronous proving job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Being proven.
    Running,
    /// Done; `result` holds the proof.
    Succeeded,
    /// Failed; `error` says why.
    Failed,
}

/// A job as reported by `POST /v1/jobs` and `GET /v1/jobs/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JobStatus {
    /// Job id.
    pub job_id: String,
    /// State.
    pub status: JobState,
    /// The proof, when succeeded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result: Option<ProofResponse>,
    /// The failure, when failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<ErrorDetail>,
}

/// A rule-set this prover instance can prove.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleSetInfo {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Version.
    pub version: u32,
    /// Circuit name.
    pub circuit: String,
    /// Tree depth.
    pub depth: usize,
    /// Program id the statements are bound to (base58).
    pub program_id: String,
    /// Parameters hash (hex).
    pub params_hash_hex: String,
    /// Verifying-key hash (hex), as stored on chain.
    pub vk_hash_hex: String,
    /// SHA-256 of the proving key (hex).
    pub pk_sha256_hex: String,
    /// Whether the keys come from an (insecure) single-party setup.
    pub insecure_single_party: bool,
    /// The pass circuit's verifying-key hash (hex) when this instance also proves recipient
    /// passes for the rule-set (`POST /v1/passes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_vk_hash_hex: Option<String>,
    /// The parameters, as JSON.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
}

/// A request field that could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Dotted path of the field.
    pub field: String,
    /// What is wrong (never the value itself).
    pub message: String,
}

fn field_err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Decodes a base58 Solana address.
pub fn decode_key(field: &str, value: &str) -> Result<[u8; 32], FieldError> {
    Pubkey::from_str(value)
        .map(|k| k.to_bytes())
        .map_err(|_| field_err(field, "must be a base58 32-byte address"))
}

/// Decodes a 32-byte big-endian hex field element, refusing values `>= r`.
pub fn decode_field(field: &str, value: &str) -> Result<[u8; 32], FieldError> {
    let hex_str = value.strip_prefix("0x").unwrap_or(value);
    let bytes = hex::decode(hex_str).map_err(|_| field_err(field, "must be hex"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| field_err(field, "must be exactly 32 bytes (64 hex digits)"))?;
    // Leak no static names: the field name travels separately.
    fr_from_be_bytes_named(&bytes, "value")
        .map_err(|_| field_err(field, "must be below the BN254 scalar field modulus"))?;
    Ok(bytes)
}

impl PathInput {
    fn decode(&self, field: &str) -> Result<MerklePath, FieldError> {
        let most = zkgate_circuits::merkle::path_len(MAX_DEPTH);
        if self.siblings.is_empty()
            || self.siblings.len() > most
            || !self.siblings.len().is_multiple_of(3)
        {
            return Err(field_err(
                &format!("{field}.siblings"),
                format!("must hold three siblings per tree level: 3..={most}, a multiple of 3"),
            ));
        }
        let siblings = self
            .siblings
            .iter()
            .enumerate()
            .map(|(i, s)| decode_field(&format!("{field}.siblings[{i}]"), s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MerklePath {
            index: self.index,
            siblings,
        })
    }

    /// Encodes a path.
    pub fn encode(path: &MerklePath) -> Self {
        PathInput {
            index: path.index,
            siblings: path.siblings.iter().map(hex::encode).collect(),
        }
    }
}

impl ProofRequest {
    /// Decodes the request into the statement (given the rule-set's parameters hash and the
    /// program id it is bound to; its disclosure commitment is left zero for the prover to
    /// seal), the witness and the issuer account.
    pub fn decode(
        &self,
        params_hash: [u8; 32],
        program_id: [u8; 32],
    ) -> Result<(Statement, ComplianceWitness, [u8; 32]), FieldError> {
        let t = &self.transfer;
        let mut statement = Statement {
            rule_set_id: self.rule_set_id,
            rule_set_version: self.rule_set_version,
            params_hash,
            credential_root: decode_field("transfer.credential_root", &t.credential_root)?,
            sanctions_root: decode_field("transfer.sanctions_root", &t.sanctions_root)?,
            program_id,
            sender: decode_key("transfer.sender", &t.sender)?,
            recipient: decode_key("transfer.recipient", &t.recipient)?,
            mint: decode_key("transfer.mint", &t.mint)?,
            amount: t.amount,
            nonce: t.nonce,
            window_volume: t.window_volume,
            valid_until: t.valid_until,
            subject_tag: [0; 32],
            disclosure_hash: [0; 32],
        };
        let issuer = decode_key("transfer.issuer", &t.issuer)?;
        if t.valid_until < 0 {
            return Err(field_err("transfer.valid_until", "must not be negative"));
        }
        let witness = self.witness.decode()?;
        // The subject tag is derived, never sent: it is whatever the credential's subject is.
        let subject = witness
            .credential
            .subject()
            .map_err(|e| field_err("witness.credential.subject_id", e.to_string()))?;
        statement.subject_tag =
            zkgate_circuits::statement::subject_tag_bytes(self.rule_set_id, &subject);
        Ok((statement, witness, issuer))
    }

    /// Builds a request from a statement, witness and the credential's issuer account (what a
    /// wallet or dApp holds).
    pub fn from_parts(
        statement: &Statement,
        witness: &ComplianceWitness,
        issuer: &[u8; 32],
    ) -> Self {
        let key = |k: &[u8; 32]| Pubkey::new_from_array(*k).to_string();
        ProofRequest {
            rule_set_id: statement.rule_set_id,
            rule_set_version: statement.rule_set_version,
            transfer: TransferFields {
                sender: key(&statement.sender),
                recipient: key(&statement.recipient),
                mint: key(&statement.mint),
                issuer: key(issuer),
                credential_root: hex::encode(statement.credential_root),
                sanctions_root: hex::encode(statement.sanctions_root),
                amount: statement.amount,
                nonce: statement.nonce,
                window_volume: statement.window_volume,
                valid_until: statement.valid_until,
            },
            witness: WitnessInput::encode(witness),
        }
    }
}

impl WitnessInput {
    /// Decodes the witness (errors name the field).
    pub fn decode(&self) -> Result<ComplianceWitness, FieldError> {
        let w = self;
        let c = &w.credential;
        if c.expiry < 0 {
            return Err(field_err(
                "witness.credential.expiry",
                "must not be negative",
            ));
        }
        let credential = Credential {
            subject_id: decode_field("witness.credential.subject_id", &c.subject_id)?,
            wallet: decode_key("witness.credential.wallet", &c.wallet)?,
            jurisdiction: c.jurisdiction,
            tier: c.tier,
            expiry: c.expiry,
            salt: decode_field("witness.credential.salt", &c.salt)?,
        };
        let sanctions = NonMembershipWitness {
            low_value: decode_field("witness.sanctions.low_value", &w.sanctions.low_value)?,
            low_next_value: decode_field(
                "witness.sanctions.low_next_value",
                &w.sanctions.low_next_value,
            )?,
            low_next_index: w.sanctions.low_next_index,
            path: w.sanctions.path.decode("witness.sanctions.path")?,
        };
        Ok(ComplianceWitness {
            credential,
            credential_path: w.credential_path.decode("witness.credential_path")?,
            sanctions,
        })
    }

    /// Encodes a witness.
    pub fn encode(witness: &ComplianceWitness) -> Self {
        let key = |k: &[u8; 32]| Pubkey::new_from_array(*k).to_string();
        let c = &witness.credential;
        WitnessInput {
            credential: CredentialInput {
                subject_id: hex::encode(c.subject_id),
                wallet: key(&c.wallet),
                jurisdiction: c.jurisdiction,
                tier: c.tier,
                expiry: c.expiry,
                salt: hex::encode(c.salt),
            },
            credential_path: PathInput::encode(&witness.credential_path),
            sanctions: SanctionsInput {
                low_value: hex::encode(witness.sanctions.low_value),
                low_next_value: hex::encode(witness.sanctions.low_next_value),
                low_next_index: witness.sanctions.low_next_index,
                path: PathInput::encode(&witness.sanctions.path),
            },
        }
    }
}

/// A request for a recipient-pass proof (two-sided rule-sets): the wallet proves it may
/// receive.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassRequest {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version (the prover refuses a version it does not serve).
    pub rule_set_version: u32,
    /// The public pass fields, exactly as `issue_pass` will see them.
    pub pass: PassFields,
    /// The private witness (the wallet's credential, as for a transfer).
    pub witness: WitnessInput,
}

/// The public fields of a pass.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassFields {
    /// The wallet that will receive (base58): the credential must be bound to it.
    pub wallet: String,
    /// Issuer credential-tree root (hex field element).
    pub credential_root: String,
    /// Sanctions-tree root (hex field element).
    pub sanctions_root: String,
    /// Unix seconds until which the pass is asked for: in the future, before the credential's
    /// expiry (the program also caps it at the rule-set's `pass_ttl_secs`).
    #[schema(minimum = 0)]
    pub valid_until: i64,
}

/// A recipient-pass proof, ready for `issue_pass`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PassResponse {
    /// The 256-byte proof (program layout), base64.
    pub proof_base64: String,
    /// The same proof, hex.
    pub proof_hex: String,
    /// The pass statement hash the program will recompute (the public input), hex.
    pub statement_hash_hex: String,
    /// SHA-256 of the pass verifying key (the rule-set's `pass_vk_hash`), hex.
    pub vk_hash_hex: String,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// Time spent proving, milliseconds.
    pub proving_ms: u64,
}

impl PassResponse {
    /// The 256 proof bytes.
    pub fn proof_bytes(&self) -> Result<[u8; 256], String> {
        let bytes = hex::decode(&self.proof_hex).map_err(|e| e.to_string())?;
        bytes
            .try_into()
            .map_err(|_| "proof must be 256 bytes".to_string())
    }

    /// The `issue_pass` arguments for this proof of `request`.
    pub fn issue_pass_args(
        &self,
        request: &PassRequest,
    ) -> Result<zkgate::instructions::IssuePassArgs, FieldError> {
        Ok(zkgate::instructions::IssuePassArgs {
            valid_until: request.pass.valid_until,
            credential_root: decode_field("pass.credential_root", &request.pass.credential_root)?,
            sanctions_root: decode_field("pass.sanctions_root", &request.pass.sanctions_root)?,
            proof: self
                .proof_bytes()
                .map_err(|message| field_err("proof_hex", message))?,
        })
    }
}

impl PassRequest {
    /// Decodes the request into the pass statement (given the rule-set's parameters hash and
    /// the program id) and the witness.
    pub fn decode(
        &self,
        params_hash: [u8; 32],
        program_id: [u8; 32],
    ) -> Result<(PassStatement, ComplianceWitness), FieldError> {
        let p = &self.pass;
        if p.valid_until < 0 {
            return Err(field_err("pass.valid_until", "must not be negative"));
        }
        let statement = PassStatement {
            rule_set_id: self.rule_set_id,
            rule_set_version: self.rule_set_version,
            params_hash,
            credential_root: decode_field("pass.credential_root", &p.credential_root)?,
            sanctions_root: decode_field("pass.sanctions_root", &p.sanctions_root)?,
            program_id,
            wallet: decode_key("pass.wallet", &p.wallet)?,
            valid_until: p.valid_until,
        };
        Ok((statement, self.witness.decode()?))
    }

    /// Builds a request from a pass statement and witness.
    pub fn from_parts(statement: &PassStatement, witness: &ComplianceWitness) -> Self {
        PassRequest {
            rule_set_id: statement.rule_set_id,
            rule_set_version: statement.rule_set_version,
            pass: PassFields {
                wallet: Pubkey::new_from_array(statement.wallet).to_string(),
                credential_root: hex::encode(statement.credential_root),
                sanctions_root: hex::encode(statement.sanctions_root),
                valid_until: statement.valid_until,
            },
            witness: WitnessInput::encode(witness),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkgate_circuits::testing::SampleBuilder;

    #[test]
    fn request_round_trips_through_json_and_decoding() {
        let s = SampleBuilder {
            depth: 4,
            sender: Pubkey::new_unique().to_bytes(),
            ..SampleBuilder::default()
        }
        .build();
        let req = ProofRequest::from_parts(&s.statement, &s.witness, &s.disclosure.issuer);
        let json = serde_json::to_string(&req).unwrap();
        let back: ProofRequest = serde_json::from_str(&json).unwrap();
        let (statement, witness, issuer) = back
            .decode(s.statement.params_hash, s.statement.program_id)
            .unwrap();
        // Everything but the disclosure commitment, which the prover seals.
        let mut expected = s.statement.clone();
        expected.disclosure_hash = [0; 32];
        assert_eq!(statement, expected);
        assert_eq!(issuer, s.disclosure.issuer);
        assert_eq!(witness.credential, s.witness.credential);
        assert_eq!(witness.credential_path, s.witness.credential_path);
        assert_eq!(witness.sanctions, s.witness.sanctions);
    }

    #[test]
    fn witness_debug_is_redacted() {
        let s = SampleBuilder {
            depth: 4,
            ..SampleBuilder::default()
        }
        .build();
        let req = ProofRequest::from_parts(&s.statement, &s.witness, &s.disclosure.issuer);
        let dbg = format!("{req:?}");
        assert!(dbg.contains("redacted"));
        assert!(!dbg.contains(&req.witness.credential.salt));
        assert!(!dbg.contains(&req.witness.credential.subject_id));
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(decode_field("f", "zz").unwrap_err().field, "f");
        assert!(decode_field("f", &"00".repeat(31))
            .unwrap_err()
            .message
            .contains("32 bytes"));
        assert!(decode_field("f", &"ff".repeat(32))
            .unwrap_err()
            .message
            .contains("modulus"));
        assert!(decode_key("k", "not-base58!").is_err());
    }
}
