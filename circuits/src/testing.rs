//! Consistent example data (trees, credential, statement, witness) for tests, benchmarks and
//! the demo. Each field of [`SampleBuilder`] can be set to build a compliant or a deliberately
//! non-compliant transfer.
use crate::compliance::{ComplianceCircuit, ComplianceWitness};
use crate::credential::Credential;
use crate::disclosure::{Disclosure, DisclosureSecret, DisclosureWitness};
use crate::encoding::{fr_from_u64, fr_to_be_bytes};
use crate::indexed::IndexedMerkleTree;
use crate::merkle::{MerkleTree, DEFAULT_DEPTH};
use crate::params::RuleSetParams;
use crate::statement::Statement;

/// The default parameters of examples: allow US, DE, FR; deny KP, IR; four tiers.
pub fn default_params() -> RuleSetParams {
    RuleSetParams {
        allowed_jurisdictions: [840, 276, 250, 0, 0, 0, 0, 0],
        denied_jurisdictions: [408, 364, 0, 0, 0, 0, 0, 0],
        per_transfer_limit: [1_000, 10_000, 100_000, 1_000_000],
        per_window_limit: [5_000, 50_000, 500_000, 5_000_000],
        window_seconds: 86_400,
        auditor_key: crate::babyjub::point_to_bytes(&crate::babyjub::public_key(
            &sample_auditor_secret(),
        )),
    }
}

/// The auditor secret key of the examples (a fixed scalar: tests only).
pub fn sample_auditor_secret() -> crate::babyjub::Scalar {
    crate::babyjub::Scalar::from(0x5eed_a0d1_7000_0001u64)
}

/// A subject id from a small number.
pub fn subject_id(n: u64) -> [u8; 32] {
    fr_to_be_bytes(&fr_from_u64(n))
}

/// Builder of a consistent example.
#[derive(Clone, Debug)]
pub struct SampleBuilder {
    /// Tree depth.
    pub depth: usize,
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version.
    pub rule_set_version: u32,
    /// Parameters.
    pub params: RuleSetParams,
    /// Program id.
    pub program_id: [u8; 32],
    /// Sender wallet (the credential is bound to it unless `credential_wallet` is set).
    pub sender: [u8; 32],
    /// Wallet the credential is bound to (default: the sender).
    pub credential_wallet: Option<[u8; 32]>,
    /// Recipient wallet.
    pub recipient: [u8; 32],
    /// Mint.
    pub mint: [u8; 32],
    /// Amount.
    pub amount: u64,
    /// Nonce.
    pub nonce: u64,
    /// Window volume.
    pub window_volume: u64,
    /// Valid-until (unix seconds).
    pub valid_until: i64,
    /// Subject number (its id is this number).
    pub subject: u64,
    /// Jurisdiction.
    pub jurisdiction: u16,
    /// Tier.
    pub tier: u8,
    /// Expiry.
    pub expiry: i64,
    /// Put the subject on the sanctions list (after the witness was taken).
    pub sanctioned: bool,
    /// Leave the credential out of the issuer tree.
    pub not_in_tree: bool,
    /// The issuer account.
    pub issuer: [u8; 32],
    /// The disclosure secret `r`, little-endian (bits above 251 cleared).
    pub disclosure_secret: [u8; 32],
}

impl Default for SampleBuilder {
    fn default() -> Self {
        Self {
            depth: DEFAULT_DEPTH,
            rule_set_id: 1,
            rule_set_version: 1,
            params: default_params(),
            program_id: [7u8; 32],
            sender: [1u8; 32],
            credential_wallet: None,
            recipient: [2u8; 32],
            mint: [3u8; 32],
            amount: 500,
            nonce: 0,
            window_volume: 0,
            valid_until: 1_700_000_000,
            subject: 42,
            jurisdiction: 840,
            tier: 2,
            expiry: 1_800_000_000,
            sanctioned: false,
            not_in_tree: false,
            issuer: [4u8; 32],
            disclosure_secret: [0x35; 32],
        }
    }
}

/// A built example.
pub struct Sample {
    /// The statement.
    pub statement: Statement,
    /// The parameters.
    pub params: RuleSetParams,
    /// The witness.
    pub witness: ComplianceWitness,
    /// The issuer tree.
    pub credentials: MerkleTree,
    /// The sanctions tree.
    pub sanctions: IndexedMerkleTree,
    /// The disclosure's issuer and secret.
    pub disclosure: DisclosureWitness,
    /// What is posted with the transfer (when the parameters' auditor key is valid).
    pub posted: Option<Disclosure>,
}

impl Sample {
    /// Re-encrypts the disclosure for the current witness, parameters and statement and puts
    /// its commitment in the statement (after a test changed any of them).
    pub fn refresh_disclosure(&mut self) {
        self.posted = match (
            self.params.auditor(),
            crate::compliance::audit_record(&self.witness, &self.disclosure.issuer),
        ) {
            (Ok(auditor), Ok(record)) => crate::disclosure::encrypt(
                &auditor,
                &self.disclosure.secret,
                &record,
                self.statement.rule_set_id,
                self.statement.nonce,
            )
            .ok(),
            _ => None,
        };
        self.statement.disclosure_hash = self
            .posted
            .as_ref()
            .and_then(|d| d.commitment_bytes(&self.disclosure.issuer).ok())
            .unwrap_or_default();
    }

    /// The pass statement for the same credential, trees and rule-set: the pass is for the
    /// sender's wallet (the wallet the statement's sender names), valid until `valid_until`.
    pub fn pass_statement(&self) -> crate::pass::PassStatement {
        crate::pass::PassStatement {
            rule_set_id: self.statement.rule_set_id,
            rule_set_version: self.statement.rule_set_version,
            params_hash: self.statement.params_hash,
            credential_root: self.statement.credential_root,
            sanctions_root: self.statement.sanctions_root,
            program_id: self.statement.program_id,
            wallet: self.statement.sender,
            valid_until: self.statement.valid_until,
        }
    }

    /// The pass circuit for this example.
    pub fn pass_circuit(&self) -> crate::pass::PassCircuit {
        crate::pass::PassCircuit {
            statement: self.pass_statement(),
            params: self.params.clone(),
            witness: self.witness.clone(),
            depth: self.credentials.depth(),
        }
    }

    /// The circuit for this example.
    pub fn circuit(&self) -> ComplianceCircuit {
        ComplianceCircuit {
            statement: self.statement.clone(),
            params: self.params.clone(),
            witness: self.witness.clone(),
            disclosure: self.disclosure.clone(),
            depth: self.credentials.depth(),
        }
    }
}

impl SampleBuilder {
    /// Builds the trees, credential, witness and statement.
    pub fn build(&self) -> Sample {
        let credential = Credential {
            subject_id: subject_id(self.subject),
            wallet: self.credential_wallet.unwrap_or(self.sender),
            jurisdiction: self.jurisdiction,
            tier: self.tier,
            expiry: self.expiry,
            salt: subject_id(self.subject.wrapping_mul(7919).wrapping_add(13)),
        };
        let mut credentials = MerkleTree::new(self.depth);
        // Other credentials around ours, so paths are not trivial.
        for i in 0..3u64 {
            credentials
                .push(fr_from_u64(1_000 + i))
                .expect("small tree has room");
        }
        let index = credentials.len();
        if let Ok(leaf) = credential.leaf() {
            if !self.not_in_tree {
                credentials.set(index, leaf).expect("index fits");
            }
        }
        credentials
            .push(fr_from_u64(2_000))
            .expect("small tree has room");

        let mut sanctions = IndexedMerkleTree::new(self.depth);
        for v in [7u64, 1_000_003, 99_999_999] {
            if v != self.subject {
                sanctions.insert(fr_from_u64(v)).expect("distinct values");
            }
        }
        let subject = fr_from_u64(self.subject.max(1));
        let non_membership = sanctions
            .non_membership(&subject)
            .or_else(|_| sanctions.non_membership(&fr_from_u64(1)))
            .expect("1 is never listed");
        if self.sanctioned {
            let _ = sanctions.insert(subject);
        }
        let witness = ComplianceWitness {
            credential_path: credentials.path(index).expect("index fits"),
            sanctions: non_membership,
            credential,
        };
        let disclosure = DisclosureWitness {
            issuer: self.issuer,
            secret: DisclosureSecret::from_le_bytes(self.disclosure_secret),
        };
        let statement = Statement {
            rule_set_id: self.rule_set_id,
            rule_set_version: self.rule_set_version,
            params_hash: self.params.hash_bytes(),
            credential_root: fr_to_be_bytes(&credentials.root()),
            sanctions_root: fr_to_be_bytes(&sanctions.root()),
            program_id: self.program_id,
            sender: self.sender,
            recipient: self.recipient,
            mint: self.mint,
            amount: self.amount,
            nonce: self.nonce,
            window_volume: self.window_volume,
            valid_until: self.valid_until,
            subject_tag: crate::statement::subject_tag_bytes(
                self.rule_set_id,
                &witness.credential.subject().unwrap_or_default(),
            ),
            disclosure_hash: [0; 32],
        };
        let mut sample = Sample {
            statement,
            params: self.params.clone(),
            witness,
            credentials,
            sanctions,
            disclosure,
            posted: None,
        };
        sample.refresh_disclosure();
        sample
    }
}
