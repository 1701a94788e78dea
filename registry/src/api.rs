//! The registry's JSON types (requests, responses), shared by the service, its OpenAPI
//! document and [`crate::client::RegistryClient`]. Field elements are 64 hex digits
//! (big-endian), addresses base58; errors use the prover's `ErrorBody` shape.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zkgate_client::api::{CredentialInput, PathInput, SanctionsInput, WitnessInput};

/// Pattern of a hex field element.
pub const HEX32: &str = "^(0x)?[0-9a-fA-F]{64}$";

/// Registers an issuer (admin).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssuer {
    /// The issuer's on-chain id (`add_issuer`).
    #[schema(minimum = 1)]
    pub id: u64,
    /// Display name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Tree depth in index bits (even; default 20: 2^20 credentials).
    #[serde(default)]
    #[schema(minimum = 2, maximum = 32)]
    pub depth: Option<usize>,
}

/// Registers a sanctions list (admin).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewList {
    /// The list's on-chain id (`create_sanctions_list`).
    #[schema(minimum = 1)]
    pub id: u64,
    /// Display name.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Tree depth in index bits (even; default 20).
    #[serde(default)]
    #[schema(minimum = 2, maximum = 32)]
    pub depth: Option<usize>,
}

/// Where a tree's root stands on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Publication {
    /// The tree version published.
    pub version: u64,
    /// Its root (hex).
    pub root: String,
    /// `created`, `sent` or `confirmed`.
    pub state: String,
    /// The transaction signature once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// An issuer or sanctions list and its tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TreeSummary {
    /// On-chain id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Depth in index bits.
    pub depth: usize,
    /// Current version (every change adds one).
    pub version: u64,
    /// Current root (hex).
    pub root: String,
    /// Credentials issued (issuers) or values listed (lists), revoked / removed excluded.
    pub entries: u64,
    /// The newest root published on chain, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Publication>,
}

/// A credential to issue: the subject's attributes (the service draws the salt).
#[derive(Clone, Serialize, Deserialize, ToSchema, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Subject id: 64 hex digits, a field element in `[1, 2^248 - 2]` (the issuer's
    /// pseudonymous id of the person; the sanctions list lists the same ids).
    #[schema(pattern = "^(0x)?[0-9a-fA-F]{64}$")]
    pub subject_id: String,
    /// The wallet the credential is bound to (base58).
    #[schema(min_length = 32, max_length = 44)]
    pub wallet: String,
    /// ISO 3166-1 numeric jurisdiction code.
    #[schema(minimum = 1, maximum = 999)]
    pub jurisdiction: u16,
    /// Tier.
    #[schema(minimum = 1, maximum = 4)]
    pub tier: u8,
    /// Expiry, unix seconds, in the future.
    #[schema(minimum = 0)]
    pub expiry: i64,
}

impl std::fmt::Debug for IssueRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssueRequest { .. redacted }")
    }
}

/// Several credentials issued as one tree version.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBatch {
    /// The credentials (at most [`crate::registry::MAX_BATCH`]).
    #[schema(min_items = 1, max_items = 1000)]
    pub credentials: Vec<IssueRequest>,
}

/// A credential as stored.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CredentialRecord {
    /// The issuer's on-chain id.
    pub issuer_id: u64,
    /// Leaf index in the issuer's tree.
    pub leaf_index: u64,
    /// The credential (with its salt): what the wallet proves with.
    pub credential: CredentialInput,
    /// Tree version that added it.
    pub issued_version: u64,
    /// Tree version that revoked it, if revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_version: Option<u64>,
}

/// The result of a change to a tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TreeChange {
    /// The new version.
    pub version: u64,
    /// The new root (hex).
    pub root: String,
    /// Leaf indices written (issued credentials, listed values), in request order.
    #[serde(default)]
    pub indices: Vec<u64>,
}

/// Subject ids to list or unlist.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEntries {
    /// Subject ids (64 hex digits each, in `[1, 2^248 - 2]`), at most
    /// [`crate::registry::MAX_BATCH`].
    #[schema(min_items = 1, max_items = 1000)]
    pub subject_ids: Vec<String>,
}

/// Result of a CSV import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportSummary {
    /// Ids listed by this import.
    pub listed: u64,
    /// Ids skipped because they were listed already.
    pub already_listed: u64,
    /// The list's version after the import.
    pub version: u64,
    /// Its root (hex).
    pub root: String,
}

/// A non-membership witness with the root it is against.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NonMembership {
    /// The list's on-chain id.
    pub list_id: u64,
    /// The list version the witness is against.
    pub version: u64,
    /// That version's root (the statement's `sanctions_root`).
    pub root: String,
    /// The witness (the prover's `witness.sanctions`).
    pub witness: SanctionsInput,
}

/// A challenge for a wallet to sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Challenge {
    /// The exact message to sign with the wallet's key (UTF-8).
    pub message: String,
    /// Its nonce (hex), sent back with the signature.
    pub nonce: String,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
}

/// A wallet's request for its proof inputs, signed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WitnessRequest {
    /// The challenge's nonce (hex).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub nonce: String,
    /// Ed25519 signature of the challenge message by the wallet (base58 or 128 hex digits).
    pub signature: String,
    /// The issuer whose credential to use.
    pub issuer_id: u64,
    /// The sanctions list to prove absence from.
    pub list_id: u64,
}

/// Everything a wallet's proof request needs from the registry: the roots (the statement's
/// `credential_root` / `sanctions_root`) and the private witness.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct WalletWitness {
    /// The issuer's on-chain id.
    pub issuer_id: u64,
    /// Issuer tree version served.
    pub credential_version: u64,
    /// Its root (hex).
    pub credential_root: String,
    /// The list's on-chain id.
    pub list_id: u64,
    /// List version served.
    pub sanctions_version: u64,
    /// Its root (hex).
    pub sanctions_root: String,
    /// The witness, as the prover takes it.
    pub witness: WitnessInput,
}

impl std::fmt::Debug for WalletWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletWitness")
            .field("issuer_id", &self.issuer_id)
            .field("credential_version", &self.credential_version)
            .field("list_id", &self.list_id)
            .field("sanctions_version", &self.sanctions_version)
            .finish_non_exhaustive()
    }
}

/// A path served to an issuer operator (auditing a leaf).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PathAt {
    /// The version.
    pub version: u64,
    /// Its root (hex).
    pub root: String,
    /// The path.
    pub path: PathInput,
}
