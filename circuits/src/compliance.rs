//! The compliance circuit and its native twin.
//!
//! One public input, the statement hash. Everything else is private: the statement's fields
//! (hashed in-circuit into the public input), the rule-set parameters (hashed in-circuit into
//! the statement's parameters hash, so none of them can be chosen freely), the credential with
//! its Merkle path and the sanctions non-membership witness. Enforced:
//! 1. the credential leaf, computed with the statement's **sender** as wallet, is in the issuer
//!    tree under the statement's credential root;
//! 2. the subject id is in `[1, 2^248)` and absent from the sanctions tree under the statement's
//!    sanctions root (low leaf membership, `low.value < subject < low.next_value`);
//! 3. the jurisdiction is non-zero, in the allow-list and not in the deny-list;
//! 4. the tier is one of 1..=4 (one-hot selection; tier 0 is blocked), the amount is at most the
//!    tier's per-transfer limit and `window_volume + amount` at most its window limit;
//! 5. `valid_until < expiry` (the program refuses the proof after `valid_until`, so the
//!    credential is never used after it expired);
//! 6. the subject tag is `H_3(TAG_SUBJECT, rule_set_id, subject_id)` (it keys the subject's
//!    volume state on chain, shared by all the subject's wallets);
//! 7. the ciphertext committed to in the statement's last input encrypts the sender's
//!    identity (subject id, issuer, leaf index, jurisdiction, tier, expiry) to the rule-set's
//!    auditor key, with a fresh non-zero `r` ([`crate::disclosure`]);
//! 8. every statement field is an input of the public statement hash.
use ark_ff::Field;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use serde::{Deserialize, Serialize};

use crate::cmp::{enforce_bits, enforce_le, enforce_lt};
use crate::credential::{Credential, SUBJECT_ID_BITS};
use crate::disclosure::{disclosure_gadget, AuditRecord, DisclosureWitness, RecordVars};
use crate::encoding::{
    fr_from_u64, fr_to_be_bytes, tag, EncodingError, TAG_CREDENTIAL, TAG_PARAMS, TAG_STATEMENT,
    TAG_SUBJECT,
};
use crate::indexed::NonMembershipWitness;
use crate::merkle::{root_gadget, MerklePath};
use crate::params::{RuleSetParams, NUM_TIERS};
use crate::poseidon::hash_gadget;
use crate::statement::Statement;
use crate::Fr;

/// Bit width of amounts, nonces and volumes.
pub const AMOUNT_BITS: usize = 64;
/// Bit width of timestamps and expiries (non-negative `i64`).
pub const TIME_BITS: usize = 63;
/// Bit width of jurisdiction codes.
pub const JURISDICTION_BITS: usize = 16;

/// The private witness: the credential, its path, and the sanctions non-membership witness.
/// `Debug` is redacted; the credential zeroizes itself on drop.
#[derive(Clone, Serialize, Deserialize)]
pub struct ComplianceWitness {
    /// The credential.
    pub credential: Credential,
    /// The credential leaf's path in the issuer tree.
    pub credential_path: MerklePath,
    /// Proof that the subject is not sanctioned.
    pub sanctions: NonMembershipWitness,
}

impl std::fmt::Debug for ComplianceWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ComplianceWitness { .. redacted }")
    }
}

/// Why a transfer does not comply (the native check's verdict; the circuit is unsatisfiable in
/// exactly these cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleViolation {
    /// A value is not encodable (not a canonical field element, negative time, out of range);
    /// the payload names the field.
    #[error("invalid value: {0}")]
    InvalidValue(&'static str),
    /// The credential is bound to another wallet than the sender.
    #[error("the credential is bound to another wallet")]
    WalletMismatch,
    /// The credential is not in the issuer tree with the statement's root.
    #[error("the credential is not in the issuer tree with this root")]
    CredentialNotInTree,
    /// The subject is on the sanctions list (or the witness does not show otherwise).
    #[error("the subject is on the sanctions list")]
    Sanctioned,
    /// The jurisdiction is not in the allow-list.
    #[error("the jurisdiction is not allowed")]
    JurisdictionNotAllowed,
    /// The jurisdiction is in the deny-list.
    #[error("the jurisdiction is denied")]
    JurisdictionDenied,
    /// Tier 0 (or an unknown tier): blocked.
    #[error("the credential's tier is blocked")]
    TierBlocked,
    /// The amount is over the tier's per-transfer limit.
    #[error("the amount is over the tier's per-transfer limit")]
    AmountOverTierLimit,
    /// Window volume plus amount is over the tier's window limit.
    #[error("the window volume would exceed the tier's window limit")]
    WindowLimitExceeded,
    /// The credential expires at or before the proof's `valid_until`.
    #[error("the credential has expired (or expires before the proof's valid_until)")]
    CredentialExpired,
    /// The statement's parameters hash is not the hash of the parameters given.
    #[error("the statement's parameters hash does not match the parameters")]
    ParamsMismatch,
    /// The statement's subject tag is not the credential subject's tag under the rule-set.
    #[error("the statement's subject tag is not the credential subject's")]
    SubjectTagMismatch,
    /// The auditor key is not a point of the prime-order subgroup (or is the identity).
    #[error("the rule-set's auditor key is not a valid Baby Jubjub public key")]
    InvalidAuditorKey,
    /// The disclosure's secret `r` is zero.
    #[error("the disclosure secret is zero")]
    DisclosureSecretZero,
    /// The statement's disclosure commitment is not that of the sender's identity encrypted
    /// to the auditor key with the witness's secret.
    #[error("the statement's disclosure commitment does not match the encrypted identity")]
    DisclosureMismatch,
}

impl RuleViolation {
    /// A stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            RuleViolation::InvalidValue(_) => "invalid_value",
            RuleViolation::WalletMismatch => "wallet_mismatch",
            RuleViolation::CredentialNotInTree => "credential_not_in_tree",
            RuleViolation::Sanctioned => "sanctioned",
            RuleViolation::JurisdictionNotAllowed => "jurisdiction_not_allowed",
            RuleViolation::JurisdictionDenied => "jurisdiction_denied",
            RuleViolation::TierBlocked => "tier_blocked",
            RuleViolation::AmountOverTierLimit => "amount_over_tier_limit",
            RuleViolation::WindowLimitExceeded => "window_limit_exceeded",
            RuleViolation::CredentialExpired => "credential_expired",
            RuleViolation::ParamsMismatch => "params_mismatch",
            RuleViolation::SubjectTagMismatch => "subject_tag_mismatch",
            RuleViolation::InvalidAuditorKey => "invalid_auditor_key",
            RuleViolation::DisclosureSecretZero => "disclosure_secret_zero",
            RuleViolation::DisclosureMismatch => "disclosure_mismatch",
        }
    }
}

impl From<EncodingError> for RuleViolation {
    fn from(e: EncodingError) -> Self {
        match e {
            EncodingError::NotCanonical(f)
            | EncodingError::Negative(f)
            | EncodingError::OutOfRange(f) => RuleViolation::InvalidValue(f),
        }
    }
}

/// Evaluates every rule natively, with the circuit's semantics.
pub fn check_native(
    statement: &Statement,
    params: &RuleSetParams,
    witness: &ComplianceWitness,
    disclosure: &DisclosureWitness,
) -> Result<(), RuleViolation> {
    let c = &witness.credential;
    statement.elements()?;
    let subject = c.subject()?;
    if statement.params_hash != params.hash_bytes() {
        return Err(RuleViolation::ParamsMismatch);
    }
    if c.wallet != statement.sender {
        return Err(RuleViolation::WalletMismatch);
    }
    if statement.subject_tag != crate::statement::subject_tag_bytes(statement.rule_set_id, &subject)
    {
        return Err(RuleViolation::SubjectTagMismatch);
    }
    let tier = check_credential_native(
        witness,
        &statement.sender,
        &statement.credential_root,
        &statement.sanctions_root,
        params,
    )?;
    let t = usize::from(tier) - 1;
    if statement.amount > params.per_transfer_limit[t] {
        return Err(RuleViolation::AmountOverTierLimit);
    }
    let volume = u128::from(statement.window_volume) + u128::from(statement.amount);
    if volume > u128::from(params.per_window_limit[t]) {
        return Err(RuleViolation::WindowLimitExceeded);
    }
    if statement.valid_until >= c.expiry {
        return Err(RuleViolation::CredentialExpired);
    }
    let auditor = params
        .auditor()
        .map_err(|_| RuleViolation::InvalidAuditorKey)?;
    if disclosure.secret.is_zero() {
        return Err(RuleViolation::DisclosureSecretZero);
    }
    let posted = crate::disclosure::encrypt(
        &auditor,
        &disclosure.secret,
        &audit_record(witness, &disclosure.issuer)?,
        statement.rule_set_id,
        statement.nonce,
    )?;
    if posted.commitment_bytes(&disclosure.issuer)? != statement.disclosure_hash {
        return Err(RuleViolation::DisclosureMismatch);
    }
    Ok(())
}

/// What the transfer proof discloses to the auditor about `witness`'s credential.
pub fn audit_record(
    witness: &ComplianceWitness,
    issuer: &[u8; 32],
) -> Result<AuditRecord, EncodingError> {
    let c = &witness.credential;
    let depth = witness.credential_path.depth().unwrap_or(64) as u32;
    let mask = 1u64.checked_shl(depth).map_or(u64::MAX, |m| m - 1);
    Ok(AuditRecord {
        subject_id: fr_to_be_bytes(&c.subject()?),
        issuer: *issuer,
        leaf_index: witness.credential_path.index & mask,
        jurisdiction: c.jurisdiction,
        tier: c.tier,
        expiry: c.expiry,
    })
}

/// The credential rules both circuits enforce, natively: the credential is bound to `wallet`
/// and in the issuer tree under `credential_root`, its subject is not in the sanctions tree
/// under `sanctions_root`, its jurisdiction is allowed and not denied, its tier is not blocked.
/// Returns the tier (1..=4).
pub(crate) fn check_credential_native(
    witness: &ComplianceWitness,
    wallet: &[u8; 32],
    credential_root: &[u8; 32],
    sanctions_root: &[u8; 32],
    params: &RuleSetParams,
) -> Result<u8, RuleViolation> {
    let c = &witness.credential;
    let subject = c.subject()?;
    let leaf = c.leaf()?;
    if c.wallet != *wallet {
        return Err(RuleViolation::WalletMismatch);
    }
    let credential_root =
        crate::encoding::fr_from_be_bytes_named(credential_root, "credential_root")?;
    let depth_ok = |p: &MerklePath| p.depth().is_some();
    if !depth_ok(&witness.credential_path)
        || witness.credential_path.root_from(leaf).ok() != Some(credential_root)
    {
        return Err(RuleViolation::CredentialNotInTree);
    }
    let sanctions_root = crate::encoding::fr_from_be_bytes_named(sanctions_root, "sanctions_root")?;
    if !depth_ok(&witness.sanctions.path)
        || !witness
            .sanctions
            .verifies(&subject, &sanctions_root)
            .unwrap_or(false)
    {
        return Err(RuleViolation::Sanctioned);
    }
    let j = c.jurisdiction;
    if j == 0 || !params.allowed_jurisdictions.contains(&j) {
        return Err(RuleViolation::JurisdictionNotAllowed);
    }
    if params.denied_jurisdictions.contains(&j) {
        return Err(RuleViolation::JurisdictionDenied);
    }
    if c.tier == 0 || usize::from(c.tier) > NUM_TIERS {
        return Err(RuleViolation::TierBlocked);
    }
    Ok(c.tier)
}

/// The compliance circuit for one transfer.
#[derive(Clone)]
pub struct ComplianceCircuit {
    /// The public statement (hashed into the single public input).
    pub statement: Statement,
    /// The rule-set parameters.
    pub params: RuleSetParams,
    /// The private witness.
    pub witness: ComplianceWitness,
    /// The disclosure's issuer and secret.
    pub disclosure: DisclosureWitness,
    /// Depth of both trees.
    pub depth: usize,
}

impl std::fmt::Debug for ComplianceCircuit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComplianceCircuit")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl ComplianceCircuit {
    /// A circuit with placeholder values, for key generation at `depth`.
    pub fn blank(depth: usize) -> Self {
        let path = MerklePath {
            index: 0,
            siblings: vec![[0u8; 32]; crate::merkle::path_len(depth)],
        };
        let mut one = [0u8; 32];
        one[31] = 1;
        ComplianceCircuit {
            statement: Statement {
                rule_set_id: 0,
                rule_set_version: 0,
                params_hash: [0; 32],
                credential_root: [0; 32],
                sanctions_root: [0; 32],
                program_id: [0; 32],
                sender: [0; 32],
                recipient: [0; 32],
                mint: [0; 32],
                amount: 0,
                nonce: 0,
                window_volume: 0,
                valid_until: 0,
                subject_tag: [0; 32],
                disclosure_hash: [0; 32],
            },
            params: RuleSetParams {
                allowed_jurisdictions: [0; 8],
                denied_jurisdictions: [0; 8],
                per_transfer_limit: [0; 4],
                per_window_limit: [0; 4],
                window_seconds: 1,
                auditor_key: crate::babyjub::point_to_bytes(&crate::babyjub::BASE8),
            },
            witness: ComplianceWitness {
                credential: Credential {
                    subject_id: one,
                    wallet: [0; 32],
                    jurisdiction: 0,
                    tier: 0,
                    expiry: 0,
                    salt: [0; 32],
                },
                credential_path: path.clone(),
                sanctions: NonMembershipWitness {
                    low_value: [0; 32],
                    low_next_value: [0; 32],
                    low_next_index: 0,
                    path,
                },
            },
            disclosure: DisclosureWitness {
                issuer: [0; 32],
                secret: crate::disclosure::DisclosureSecret::from_le_bytes([1; 32]),
            },
            depth,
        }
    }

    /// The public input: the statement hash.
    pub fn public_input(&self) -> Result<Fr, EncodingError> {
        self.statement.hash()
    }
}

pub(crate) fn witness(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(v))
}

pub(crate) fn witnesses(
    cs: &ConstraintSystemRef<Fr>,
    vs: &[Fr],
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    vs.iter().map(|v| witness(cs, *v)).collect()
}

/// A path's index bits and siblings as variables.
type PathVars = (Vec<Boolean<Fr>>, Vec<FpVar<Fr>>);

fn path_vars(
    cs: &ConstraintSystemRef<Fr>,
    path: &MerklePath,
    depth: usize,
) -> Result<PathVars, SynthesisError> {
    let siblings = path
        .sibling_elements()
        .map_err(|_| SynthesisError::AssignmentMissing)?;
    if siblings.len() != crate::merkle::path_len(depth) {
        return Err(SynthesisError::Unsatisfiable);
    }
    let bits = (0..crate::merkle::effective_depth(depth))
        .map(|k| {
            let bit = k < 64 && (path.index >> k) & 1 == 1;
            Boolean::new_witness(cs.clone(), || Ok(bit))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Indices beyond the tree are not representable: the bits above `depth` are dropped, so a
    // path is always checked for the leaf the bits name.
    Ok((bits, witnesses(cs, &siblings)?))
}

fn not_in_list(x: &FpVar<Fr>, list: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
    // x * prod(x - d_i) != 0 : x is non-zero and differs from every listed code.
    let mut prod = x.clone();
    for d in list {
        prod *= x - d;
    }
    prod.enforce_not_equal(&FpVar::zero())
}

fn in_list(x: &FpVar<Fr>, list: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
    let mut prod = FpVar::one();
    for a in list {
        prod *= x - a;
    }
    prod.enforce_equal(&FpVar::zero())
}

/// Constraints per part of the compliance circuit, in synthesis order.
pub type ConstraintReport = Vec<(&'static str, usize)>;

impl ComplianceCircuit {
    /// The constraint count of each part of the circuit at `depth` (their sum is the total).
    pub fn constraint_report(depth: usize) -> Result<ConstraintReport, SynthesisError> {
        let cs = ark_relations::r1cs::ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::r1cs::SynthesisMode::Setup);
        let mut report = Some(vec![]);
        Self::blank(depth).synthesize(cs, &mut report)?;
        Ok(report.unwrap_or_default())
    }
}

/// Records the constraints added since the previous checkpoint under `part`.
pub(crate) struct Checkpoints<'a> {
    cs: ConstraintSystemRef<Fr>,
    last: usize,
    report: &'a mut Option<ConstraintReport>,
}

impl<'a> Checkpoints<'a> {
    /// Starts recording at the constraint system's current size.
    pub(crate) fn new(
        cs: &ConstraintSystemRef<Fr>,
        report: &'a mut Option<ConstraintReport>,
    ) -> Self {
        Checkpoints {
            cs: cs.clone(),
            last: cs.num_constraints(),
            report,
        }
    }

    pub(crate) fn mark(&mut self, part: &'static str) {
        let now = self.cs.num_constraints();
        if let Some(r) = self.report.as_mut() {
            r.push((part, now - self.last));
        }
        self.last = now;
    }
}

impl ConstraintSynthesizer<Fr> for ComplianceCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs, &mut None)
    }
}

impl ComplianceCircuit {
    fn synthesize(
        self,
        cs: ConstraintSystemRef<Fr>,
        report: &mut Option<ConstraintReport>,
    ) -> Result<(), SynthesisError> {
        let mut parts = Checkpoints::new(&cs, report);
        let enc = |_: EncodingError| SynthesisError::AssignmentMissing;
        let s = &self.statement;
        let e = s.elements().map_err(enc)?;
        let c = &self.witness.credential;

        // --- Rule-set parameters, hashed in-circuit (binds every parameter used below).
        let p = params_gadget(&cs, &self.params)?;
        parts.mark("rule-set parameters hash");

        // --- Statement fields.
        let rule_set_id = witness(&cs, e.ctx[1])?;
        let rule_set_version = witness(&cs, e.ctx[2])?;
        let credential_root = witness(&cs, e.ctx[4])?;
        let sanctions_root = witness(&cs, e.ctx[5])?;
        let program = witnesses(&cs, &e.ctx[6..8])?;
        let sender = witnesses(&cs, &e.ctx[8..10])?;
        let recipient = witnesses(&cs, &e.ctx[10..12])?;
        let mint = witnesses(&cs, &e.transfer[0..2])?;
        let amount = witness(&cs, e.transfer[2])?;
        let nonce = witness(&cs, e.transfer[3])?;
        let window_volume = witness(&cs, e.transfer[4])?;
        let valid_until = witness(&cs, e.transfer[5])?;
        // No range checks on these: the public input is the program's hash of its own u64 /
        // non-negative i64 values (docs/STATEMENT.md, "Range checks"), so amount and window
        // volume are below 2^64 and valid_until below 2^63 whenever the proof verifies.

        // 6. The subject tag, from the credential's subject id.
        let subject = witness(&cs, c.subject().unwrap_or_default())?;
        let subject_tag = hash_gadget(&[
            FpVar::constant(tag(TAG_SUBJECT)),
            rule_set_id.clone(),
            subject.clone(),
        ])?;
        parts.mark("subject tag");

        // 1.-4. The credential (bound to the sender), not sanctioned, jurisdiction, tier.
        let cred = credential_gadget(
            &cs,
            &self.witness,
            &subject,
            &sender,
            &credential_root,
            &sanctions_root,
            &p,
            self.depth,
            &mut parts,
        )?;

        // 4. Tier limits of the credential's tier (u64 parameters: the program hashes them as
        // such into the parameters hash).
        enforce_le(&amount, &cred.tx_limit, AMOUNT_BITS)?;
        enforce_le(
            &(&window_volume + &amount),
            &cred.win_limit,
            AMOUNT_BITS + 1,
        )?;
        parts.mark("tier limits");

        // 5. Not expired.
        enforce_lt(&valid_until, &cred.expiry, TIME_BITS)?;
        parts.mark("expiry");

        // 7. The sender's identity, encrypted to the auditor.
        let cipher_nonce = &rule_set_id * Fr::from(2u64).pow([64]) + &nonce;
        let disclosure = disclosure_gadget(
            &cs,
            &self.disclosure,
            [&p.auditor[0], &p.auditor[1]],
            &RecordVars {
                subject: &subject,
                expiry: &cred.expiry,
                tier: &cred.tier,
                jurisdiction: &cred.jurisdiction,
                leaf_index: &cred.leaf_index,
            },
            &cipher_nonce,
        )?;
        parts.mark("auditor disclosure");

        // 8. The statement hash is the public input.
        let h_ctx = hash_gadget(&[
            FpVar::constant(tag(TAG_STATEMENT)),
            rule_set_id,
            rule_set_version,
            p.hash.clone(),
            credential_root.clone(),
            sanctions_root.clone(),
            program[0].clone(),
            program[1].clone(),
            sender[0].clone(),
            sender[1].clone(),
            recipient[0].clone(),
            recipient[1].clone(),
        ])?;
        let statement_hash = hash_gadget(&[
            h_ctx,
            mint[0].clone(),
            mint[1].clone(),
            amount.clone(),
            nonce,
            window_volume.clone(),
            valid_until.clone(),
            subject_tag,
            disclosure,
        ])?;
        let public = FpVar::new_input(cs.clone(), || self.public_input().map_err(enc))?;
        statement_hash.enforce_equal(&public)?;
        parts.mark("statement hash (public input)");

        Ok(())
    }
}

/// The rule-set parameters as variables, with their in-circuit hash.
pub(crate) struct ParamVars {
    /// Allowed jurisdictions (8).
    allowed: Vec<FpVar<Fr>>,
    /// Denied jurisdictions (8).
    denied: Vec<FpVar<Fr>>,
    /// Per-transfer limits (4).
    per_tx: Vec<FpVar<Fr>>,
    /// Per-window limits (4).
    per_win: Vec<FpVar<Fr>>,
    /// The auditor key's coordinates.
    pub(crate) auditor: [FpVar<Fr>; 2],
    /// `H_7(TAG_PARAMS, H_8(allowed), H_8(denied), H_8(limits), window_seconds, auditor.x,
    /// auditor.y)`.
    pub(crate) hash: FpVar<Fr>,
}

/// Allocates the parameters and hashes them (binds every parameter a rule uses to the
/// statement's parameters hash).
pub(crate) fn params_gadget(
    cs: &ConstraintSystemRef<Fr>,
    params: &RuleSetParams,
) -> Result<ParamVars, SynthesisError> {
    let p = witnesses(cs, &params.elements())?;
    let h_allow = hash_gadget(&p[0..8])?;
    let h_deny = hash_gadget(&p[8..16])?;
    let h_tiers = hash_gadget(&p[16..24])?;
    let hash = hash_gadget(&[
        FpVar::constant(tag(TAG_PARAMS)),
        h_allow,
        h_deny,
        h_tiers,
        p[24].clone(),
        p[25].clone(),
        p[26].clone(),
    ])?;
    Ok(ParamVars {
        allowed: p[0..8].to_vec(),
        denied: p[8..16].to_vec(),
        per_tx: p[16..20].to_vec(),
        per_win: p[20..24].to_vec(),
        auditor: [p[25].clone(), p[26].clone()],
        hash,
    })
}

/// What the credential rules leave for the rules that follow.
pub(crate) struct CredentialVars {
    /// The credential's expiry.
    pub(crate) expiry: FpVar<Fr>,
    /// The per-transfer limit of the credential's tier.
    pub(crate) tx_limit: FpVar<Fr>,
    /// The per-window limit of the credential's tier.
    pub(crate) win_limit: FpVar<Fr>,
    /// The credential's tier (1..=4).
    pub(crate) tier: FpVar<Fr>,
    /// The credential's jurisdiction.
    pub(crate) jurisdiction: FpVar<Fr>,
    /// The credential's leaf index (its path bits).
    pub(crate) leaf_index: FpVar<Fr>,
}

/// The credential rules both circuits enforce (rules 1-4 without the amounts): the credential
/// leaf, computed with `wallet` as its wallet, is in the issuer tree under `credential_root`;
/// `subject` is in `[1, 2^248)` and not in the sanctions tree under `sanctions_root`; the
/// jurisdiction is allowed and not denied; the tier is one of 1..=4 (its limits are selected).
#[allow(clippy::too_many_arguments)]
pub(crate) fn credential_gadget(
    cs: &ConstraintSystemRef<Fr>,
    w: &ComplianceWitness,
    subject: &FpVar<Fr>,
    wallet: &[FpVar<Fr>],
    credential_root: &FpVar<Fr>,
    sanctions_root: &FpVar<Fr>,
    p: &ParamVars,
    depth: usize,
    parts: &mut Checkpoints,
) -> Result<CredentialVars, SynthesisError> {
    let enc = |_: EncodingError| SynthesisError::AssignmentMissing;
    let c = &w.credential;
    let jurisdiction = witness(cs, fr_from_u64(u64::from(c.jurisdiction)))?;
    let tier = witness(cs, fr_from_u64(u64::from(c.tier)))?;
    let expiry = witness(
        cs,
        crate::encoding::fr_from_i64(c.expiry.max(0), "expiry").map_err(enc)?,
    )?;
    let salt = witness(cs, crate::encoding::fr_from_be_bytes(&c.salt).map_err(enc)?)?;
    enforce_bits(subject, SUBJECT_ID_BITS)?;
    enforce_bits(&jurisdiction, JURISDICTION_BITS)?;
    enforce_bits(&expiry, TIME_BITS)?;

    // 1. Leaf bound to the wallet, member of the issuer tree.
    let leaf = hash_gadget(&[
        FpVar::constant(tag(TAG_CREDENTIAL)),
        subject.clone(),
        wallet[0].clone(),
        wallet[1].clone(),
        jurisdiction.clone(),
        tier.clone(),
        expiry.clone(),
        salt,
    ])?;
    parts.mark("credential leaf and range checks");
    let (bits, siblings) = path_vars(cs, &w.credential_path, depth)?;
    root_gadget(&leaf, &bits, &siblings)?.enforce_equal(credential_root)?;
    let leaf_index = Boolean::le_bits_to_fp(&bits)?;
    parts.mark("credential membership");

    // 2. Not sanctioned.
    let low = w
        .sanctions
        .low_leaf()
        .map_err(|_| SynthesisError::AssignmentMissing)?;
    let low_value = witness(cs, low.value)?;
    let low_next_value = witness(cs, low.next_value)?;
    let low_next_index = witness(cs, Fr::from(low.next_index))?;
    // The low leaf's values are the list operator's (below 2^248 by the sentinel convention;
    // membership under the root binds them), the subject is range-checked above: then
    // `low < subject < next` by 248-bit differences holds exactly for the integers.
    subject.enforce_not_equal(&FpVar::zero())?;
    enforce_lt(&low_value, subject, SUBJECT_ID_BITS)?;
    enforce_lt(subject, &low_next_value, SUBJECT_ID_BITS)?;
    let low_leaf = hash_gadget(&[low_value, low_next_value, low_next_index])?;
    let (bits, siblings) = path_vars(cs, &w.sanctions.path, depth)?;
    root_gadget(&low_leaf, &bits, &siblings)?.enforce_equal(sanctions_root)?;
    parts.mark("sanctions non-membership");

    // 3. Jurisdiction allowed and not denied (and non-zero: zero pads the lists).
    in_list(&jurisdiction, &p.allowed)?;
    not_in_list(&jurisdiction, &p.denied)?;
    parts.mark("jurisdiction lists");

    // 4. One-hot tier selection: tier 0 matches nothing and is unsatisfiable.
    let mut one_hot = FpVar::<Fr>::zero();
    let mut tx_limit = FpVar::<Fr>::zero();
    let mut win_limit = FpVar::<Fr>::zero();
    for t in 0..NUM_TIERS {
        let is_t = FpVar::from(tier.is_eq(&FpVar::constant(Fr::from(t as u64 + 1)))?);
        tx_limit += &is_t * &p.per_tx[t];
        win_limit += &is_t * &p.per_win[t];
        one_hot += is_t;
    }
    one_hot.enforce_equal(&FpVar::one())?;
    Ok(CredentialVars {
        expiry,
        tx_limit,
        win_limit,
        tier,
        jurisdiction,
        leaf_index,
    })
}

/// Encrypts the sender's identity to the parameters' auditor key with a fresh secret, puts the
/// commitment in `statement` and returns what is posted with the transfer and the circuit's
/// disclosure witness. Refuses an unusable auditor key or a witness it cannot encode.
pub fn seal_disclosure<R: rand::RngCore + rand::CryptoRng>(
    statement: &mut Statement,
    params: &RuleSetParams,
    witness: &ComplianceWitness,
    issuer: &[u8; 32],
    rng: &mut R,
) -> Result<(crate::disclosure::Disclosure, DisclosureWitness), RuleViolation> {
    let auditor = params
        .auditor()
        .map_err(|_| RuleViolation::InvalidAuditorKey)?;
    let secret = crate::disclosure::DisclosureSecret::random(rng);
    let posted = crate::disclosure::encrypt(
        &auditor,
        &secret,
        &audit_record(witness, issuer)?,
        statement.rule_set_id,
        statement.nonce,
    )?;
    statement.disclosure_hash = posted.commitment_bytes(issuer)?;
    Ok((
        posted,
        DisclosureWitness {
            issuer: *issuer,
            secret,
        },
    ))
}
