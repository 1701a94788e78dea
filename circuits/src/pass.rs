//! The recipient-pass circuit and its native twin.
//!
//! A pass lets a wallet receive under a two-sided rule-set. One public input, the pass
//! statement hash (docs/STATEMENT.md); private: the rule-set parameters (hashed in-circuit into
//! the statement's parameters hash), the credential with its Merkle path and the sanctions
//! non-membership witness. Enforced, with the compliance circuit's own gadgets:
//! 1. the credential leaf, computed with the statement's **wallet**, is in the issuer tree under
//!    the statement's credential root;
//! 2. the subject id is in `[1, 2^248)` and absent from the sanctions tree under the statement's
//!    sanctions root;
//! 3. the jurisdiction is non-zero, allowed and not denied;
//! 4. the tier is one of 1..=4 (tier 0, blocked, cannot receive either);
//! 5. `valid_until < expiry` (the program caps the pass at `valid_until`);
//! 6. every statement field is an input of the public statement hash.
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use serde::{Deserialize, Serialize};

use crate::cmp::enforce_lt;
use crate::compliance::{
    check_credential_native, credential_gadget, params_gadget, witness, witnesses, Checkpoints,
    ComplianceCircuit, ComplianceWitness, ConstraintReport, RuleViolation, TIME_BITS,
};
use crate::encoding::{
    fr_from_be_bytes_named, fr_from_i64, fr_from_u64, fr_to_be_bytes, key_limbs, tag,
    EncodingError, TAG_PASS,
};
use crate::params::RuleSetParams;
use crate::poseidon::{hash, hash_gadget};
use crate::Fr;

/// Every public value a pass proof commits to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassStatement {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Rule-set version (a pass is valid for this version only).
    pub rule_set_version: u32,
    /// The rule-set's parameters hash.
    pub params_hash: [u8; 32],
    /// The issuer's credential-tree root.
    pub credential_root: [u8; 32],
    /// The sanctions-tree root.
    pub sanctions_root: [u8; 32],
    /// The zkgate program id.
    pub program_id: [u8; 32],
    /// The receiving wallet the pass is for (the credential's wallet).
    pub wallet: [u8; 32],
    /// Unix seconds until which the pass may be used; the credential must expire after it.
    pub valid_until: i64,
}

impl PassStatement {
    /// The 12 inputs of the pass hash, in order.
    pub fn elements(&self) -> Result<[Fr; 12], EncodingError> {
        let [prog_hi, prog_lo] = key_limbs(&self.program_id);
        let [wallet_hi, wallet_lo] = key_limbs(&self.wallet);
        Ok([
            tag(TAG_PASS),
            fr_from_u64(self.rule_set_id),
            fr_from_u64(u64::from(self.rule_set_version)),
            fr_from_be_bytes_named(&self.params_hash, "params_hash")?,
            fr_from_be_bytes_named(&self.credential_root, "credential_root")?,
            fr_from_be_bytes_named(&self.sanctions_root, "sanctions_root")?,
            prog_hi,
            prog_lo,
            wallet_hi,
            wallet_lo,
            fr_from_i64(self.valid_until, "valid_until")?,
            Fr::from(0u64),
        ])
    }

    /// `H_12(TAG_PASS, rule_set_id, rule_set_version, params_hash, credential_root,
    /// sanctions_root, program.hi, program.lo, wallet.hi, wallet.lo, valid_until, 0)`.
    pub fn hash(&self) -> Result<Fr, EncodingError> {
        Ok(hash(&self.elements()?))
    }

    /// [`PassStatement::hash`] as 32 big-endian bytes.
    pub fn hash_bytes(&self) -> Result<[u8; 32], EncodingError> {
        self.hash().map(|h| fr_to_be_bytes(&h))
    }
}

/// Evaluates every pass rule natively, with the circuit's semantics.
pub fn check_pass_native(
    statement: &PassStatement,
    params: &RuleSetParams,
    witness: &ComplianceWitness,
) -> Result<(), RuleViolation> {
    statement.elements()?;
    witness.credential.subject()?;
    if statement.params_hash != params.hash_bytes() {
        return Err(RuleViolation::ParamsMismatch);
    }
    check_credential_native(
        witness,
        &statement.wallet,
        &statement.credential_root,
        &statement.sanctions_root,
        params,
    )?;
    if statement.valid_until >= witness.credential.expiry {
        return Err(RuleViolation::CredentialExpired);
    }
    Ok(())
}

/// The pass circuit for one wallet.
#[derive(Clone)]
pub struct PassCircuit {
    /// The public statement (hashed into the single public input).
    pub statement: PassStatement,
    /// The rule-set parameters.
    pub params: RuleSetParams,
    /// The private witness (the same as a transfer's).
    pub witness: ComplianceWitness,
    /// Depth of both trees.
    pub depth: usize,
}

impl std::fmt::Debug for PassCircuit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassCircuit")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl PassCircuit {
    /// A circuit with placeholder values, for key generation at `depth`.
    pub fn blank(depth: usize) -> Self {
        let blank = ComplianceCircuit::blank(depth);
        PassCircuit {
            statement: PassStatement {
                rule_set_id: 0,
                rule_set_version: 0,
                params_hash: [0; 32],
                credential_root: [0; 32],
                sanctions_root: [0; 32],
                program_id: [0; 32],
                wallet: [0; 32],
                valid_until: 0,
            },
            params: blank.params,
            witness: blank.witness,
            depth,
        }
    }

    /// The public input: the pass statement hash.
    pub fn public_input(&self) -> Result<Fr, EncodingError> {
        self.statement.hash()
    }

    /// The constraint count of each part of the circuit at `depth` (their sum is the total).
    pub fn constraint_report(depth: usize) -> Result<ConstraintReport, SynthesisError> {
        let cs = ark_relations::r1cs::ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::r1cs::SynthesisMode::Setup);
        let mut report = Some(vec![]);
        Self::blank(depth).synthesize(cs, &mut report)?;
        Ok(report.unwrap_or_default())
    }

    fn synthesize(
        self,
        cs: ConstraintSystemRef<Fr>,
        report: &mut Option<ConstraintReport>,
    ) -> Result<(), SynthesisError> {
        let mut parts = Checkpoints::new(&cs, report);
        let enc = |_: EncodingError| SynthesisError::AssignmentMissing;
        let e = self.statement.elements().map_err(enc)?;

        let p = params_gadget(&cs, &self.params)?;
        parts.mark("rule-set parameters hash");

        let rule_set_id = witness(&cs, e[1])?;
        let rule_set_version = witness(&cs, e[2])?;
        let credential_root = witness(&cs, e[4])?;
        let sanctions_root = witness(&cs, e[5])?;
        let program = witnesses(&cs, &e[6..8])?;
        let wallet = witnesses(&cs, &e[8..10])?;
        let valid_until = witness(&cs, e[10])?;
        // valid_until: the program's non-negative i64 through the public input (no range check).
        let statement_hash = hash_gadget(&[
            FpVar::constant(tag(TAG_PASS)),
            rule_set_id,
            rule_set_version,
            p.hash.clone(),
            credential_root.clone(),
            sanctions_root.clone(),
            program[0].clone(),
            program[1].clone(),
            wallet[0].clone(),
            wallet[1].clone(),
            valid_until.clone(),
            FpVar::zero(),
        ])?;
        let public = FpVar::new_input(cs.clone(), || self.public_input().map_err(enc))?;
        statement_hash.enforce_equal(&public)?;
        parts.mark("pass statement hash (public input)");

        let subject = witness(&cs, self.witness.credential.subject().unwrap_or_default())?;
        let cred = credential_gadget(
            &cs,
            &self.witness,
            &subject,
            &wallet,
            &credential_root,
            &sanctions_root,
            &p,
            self.depth,
            &mut parts,
        )?;
        parts.mark("tier not blocked");
        enforce_lt(&valid_until, &cred.expiry, TIME_BITS)?;
        parts.mark("expiry");
        Ok(())
    }
}

impl ConstraintSynthesizer<Fr> for PassCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs, &mut None)
    }
}
