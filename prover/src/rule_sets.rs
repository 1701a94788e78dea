//! The rule-sets this instance proves for: keys, parameters, and the program they bind to.
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zkgate_circuits::keys::{CircuitKind, KeySet, CIRCUIT_NAME};
use zkgate_circuits::params::RuleSetParams;
use zkgate_client::api::RuleSetInfo;

/// One servable rule-set.
#[derive(Clone, Debug)]
pub struct RuleSetEntry {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Version.
    pub version: u32,
    /// Parameters (must hash to the on-chain `params_hash`).
    pub params: RuleSetParams,
    /// The zkgate program id statements are bound to.
    pub program_id: [u8; 32],
    /// Proving and verifying keys.
    pub keys: Arc<KeySet>,
    /// Keys of the recipient-pass circuit, if this instance proves passes for the rule-set
    /// (`POST /v1/passes`).
    pub pass_keys: Option<Arc<KeySet>>,
}

impl RuleSetEntry {
    /// The public description served by `GET /v1/rule-sets`.
    pub fn info(&self) -> RuleSetInfo {
        RuleSetInfo {
            rule_set_id: self.rule_set_id,
            version: self.version,
            circuit: CIRCUIT_NAME.to_string(),
            depth: self.keys.depth,
            program_id: anchor_key(&self.program_id),
            params_hash_hex: hex::encode(self.params.hash_bytes()),
            vk_hash_hex: hex::encode(self.keys.vk_hash),
            pk_sha256_hex: hex::encode(self.keys.pk_sha256),
            insecure_single_party: self.keys.insecure_single_party,
            pass_vk_hash_hex: self.pass_keys.as_ref().map(|k| hex::encode(k.vk_hash)),
            params: serde_json::to_value(&self.params).unwrap_or_default(),
        }
    }
}

fn anchor_key(k: &[u8; 32]) -> String {
    anchor_lang::prelude::Pubkey::new_from_array(*k).to_string()
}

/// `rule_set.json` in a key directory: which rule-set the keys serve.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleSetFile {
    /// Rule-set id.
    pub rule_set_id: u64,
    /// Version.
    pub version: u32,
    /// Program id (base58).
    pub program_id: String,
    /// Parameters.
    pub params: RuleSetParams,
    /// Expected SHA-256 of the proving key (hex); the key is refused if it differs.
    pub expected_pk_sha256: String,
    /// Expected SHA-256 of the pass circuit's proving key (hex), whose key directory is the
    /// `pass/` subdirectory; absent: no passes are proven for this rule-set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_pass_pk_sha256: Option<String>,
    /// `Q` with `8·Q = params.auditor_key` (hex), what `register_rule_set` / `update_rule_set`
    /// take to accept the key (written for the deploy script; the prover does not need it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auditor_key_witness: Option<String>,
}

/// Loads every rule-set under `dir` (one subdirectory each, or `dir` itself), refusing a proving
/// key whose SHA-256 differs from what its `rule_set.json` expects.
pub fn load_key_dir(dir: &Path) -> Result<Vec<RuleSetEntry>, String> {
    let mut dirs = vec![];
    if dir.join("rule_set.json").exists() {
        dirs.push(dir.to_path_buf());
    } else {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            if entry.path().join("rule_set.json").exists() {
                dirs.push(entry.path());
            }
        }
        dirs.sort();
    }
    if dirs.is_empty() {
        return Err(format!("{}: no rule_set.json found", dir.display()));
    }
    dirs.iter().map(|d| load_one(d)).collect()
}

fn load_one(dir: &Path) -> Result<RuleSetEntry, String> {
    let raw =
        std::fs::read(dir.join("rule_set.json")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file: RuleSetFile = serde_json::from_slice(&raw)
        .map_err(|e| format!("{}/rule_set.json: {e}", dir.display()))?;
    let sha = |value: &str, field: &str| -> Result<[u8; 32], String> {
        hex::decode(value)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                format!(
                    "{}/rule_set.json: {field} must be 32 hex bytes",
                    dir.display()
                )
            })
    };
    let expected = sha(&file.expected_pk_sha256, "expected_pk_sha256")?;
    let pass_keys = match &file.expected_pass_pk_sha256 {
        None => None,
        Some(value) => {
            let expected = sha(value, "expected_pass_pk_sha256")?;
            let pass_dir = dir.join("pass");
            let keys = KeySet::load_dir_for(CircuitKind::Pass, &pass_dir, Some(expected))
                .map_err(|e| format!("{}: {e}", pass_dir.display()))?;
            Some(Arc::new(keys))
        }
    };
    let program_id = zkgate_client::api::decode_key("program_id", &file.program_id)
        .map_err(|e| format!("{}/rule_set.json: {e}", dir.display()))?;
    let _auditor = file.params.auditor().map_err(|_| {
        format!(
            "{}/rule_set.json: params.auditor_key is not a Baby Jubjub public key of the \
             prime-order subgroup",
            dir.display()
        )
    })?;
    let keys =
        KeySet::load_dir(dir, Some(expected)).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(RuleSetEntry {
        rule_set_id: file.rule_set_id,
        version: file.version,
        params: file.params,
        program_id,
        keys: Arc::new(keys),
        pass_keys,
    })
}

/// Writes `rule_set.json` beside keys written by `KeySet::write_dir`.
pub fn write_rule_set_file(dir: &Path, entry: &RuleSetEntry) -> Result<(), String> {
    let file = RuleSetFile {
        rule_set_id: entry.rule_set_id,
        version: entry.version,
        program_id: anchor_key(&entry.program_id),
        params: entry.params.clone(),
        expected_pk_sha256: hex::encode(entry.keys.pk_sha256),
        expected_pass_pk_sha256: entry.pass_keys.as_ref().map(|k| hex::encode(k.pk_sha256)),
        auditor_key_witness: entry.params.auditor().ok().map(|key| {
            hex::encode(zkgate_circuits::babyjub::point_to_bytes(
                &zkgate_circuits::babyjub::cofactor_witness(&key),
            ))
        }),
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("rule_set.json"), json).map_err(|e| format!("{}: {e}", dir.display()))
}

/// A development rule-set with freshly generated, single-party (insecure) keys for both
/// circuits and the default parameters of `zkgate_circuits::testing`.
pub fn dev_rule_set(
    program_id: [u8; 32],
    rule_set_id: u64,
    version: u32,
    depth: usize,
) -> Result<RuleSetEntry, String> {
    let keys = KeySet::generate(depth, &mut rand::rngs::OsRng).map_err(|e| e.to_string())?;
    let pass_keys = KeySet::generate_for(CircuitKind::Pass, depth, &mut rand::rngs::OsRng)
        .map_err(|e| e.to_string())?;
    Ok(RuleSetEntry {
        rule_set_id,
        version,
        params: zkgate_circuits::testing::default_params(),
        program_id,
        keys: Arc::new(keys),
        pass_keys: Some(Arc::new(pass_keys)),
    })
}

/// With `require_ceremony_keys`, refuses every rule-set whose keys come from a single-party
/// setup (whoever ran it can forge proofs) or carry no verified transcript record: the error
/// names the first such rule-set.
pub fn check_key_policy(
    rule_sets: &[RuleSetEntry],
    require_ceremony_keys: bool,
) -> Result<(), String> {
    if !require_ceremony_keys {
        return Ok(());
    }
    // Keys count as ceremony keys only with the transcript record `zkgate ceremony finalize`
    // writes after verifying it (a manifest merely claiming `insecure_single_party: false`
    // does not do).
    let single_party = |k: &KeySet| k.insecure_single_party || k.ceremony.is_none();
    let insecure = |r: &&RuleSetEntry| {
        single_party(&r.keys) || r.pass_keys.as_deref().is_some_and(single_party)
    };
    match rule_sets.iter().find(insecure) {
        Some(r) => Err(format!(
            "rule-set {} v{}: its keys come from a single-party setup (insecure) and \
             --require-ceremony-keys is set",
            r.rule_set_id, r.version
        )),
        None => Ok(()),
    }
}
