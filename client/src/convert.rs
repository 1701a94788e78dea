//! Conversions between `zkgate-circuits` types and the program's account / instruction types.
use anchor_lang::prelude::Pubkey;
use zkgate::instructions::VerifyingKeyArgs;
use zkgate::state::RuleSetParams as ProgramParams;
use zkgate_circuits::keys::ProgramVerifyingKey;
use zkgate_circuits::params::RuleSetParams;
use zkgate_circuits::statement::Statement;

/// The program's argument form of a verifying key.
pub fn vk_args(vk: &ProgramVerifyingKey) -> VerifyingKeyArgs {
    VerifyingKeyArgs {
        alpha_g1: vk.alpha_g1,
        beta_g2: vk.beta_g2,
        gamma_g2: vk.gamma_g2,
        delta_g2: vk.delta_g2,
        ic: vk.ic.clone(),
    }
}

/// The program's form of rule-set parameters.
pub fn program_params(p: &RuleSetParams) -> ProgramParams {
    ProgramParams {
        allowed_jurisdictions: p.allowed_jurisdictions,
        denied_jurisdictions: p.denied_jurisdictions,
        per_transfer_limit: p.per_transfer_limit,
        per_window_limit: p.per_window_limit,
        window_seconds: p.window_seconds,
        auditor_key: p.auditor_key,
    }
}

/// The `RuleSetConfigArgs` witness for an auditor key: `Q` with `8·Q = key` (all zero when the
/// key is not a point, which the program refuses with `InvalidAuditorKey`).
pub fn auditor_key_witness(key: &[u8; 64]) -> [u8; 64] {
    zkgate_circuits::babyjub::point_from_bytes(key)
        .map(|p| {
            zkgate_circuits::babyjub::point_to_bytes(&zkgate_circuits::babyjub::cofactor_witness(
                &p,
            ))
        })
        .unwrap_or([0; 64])
}

/// The program's form of a posted disclosure.
pub fn disclosure(d: &zkgate_circuits::disclosure::Disclosure) -> zkgate::auditor::AuditDisclosure {
    zkgate::auditor::AuditDisclosure {
        ephemeral_key: d.ephemeral_key,
        ciphertext: d.ciphertext,
    }
}

/// The circuit's form of rule-set parameters.
pub fn circuit_params(p: &ProgramParams) -> RuleSetParams {
    RuleSetParams {
        allowed_jurisdictions: p.allowed_jurisdictions,
        denied_jurisdictions: p.denied_jurisdictions,
        per_transfer_limit: p.per_transfer_limit,
        per_window_limit: p.per_window_limit,
        window_seconds: p.window_seconds,
        auditor_key: p.auditor_key,
    }
}

/// The program's statement (hashed with the Poseidon syscall) for a circuit statement.
pub fn program_statement(s: &Statement) -> zkgate::statement::Statement {
    zkgate::statement::Statement {
        rule_set_id: s.rule_set_id,
        rule_set_version: s.rule_set_version,
        params_hash: s.params_hash,
        credential_root: s.credential_root,
        sanctions_root: s.sanctions_root,
        program_id: Pubkey::new_from_array(s.program_id),
        sender: Pubkey::new_from_array(s.sender),
        recipient: Pubkey::new_from_array(s.recipient),
        mint: Pubkey::new_from_array(s.mint),
        amount: s.amount,
        nonce: s.nonce,
        window_volume: s.window_volume,
        valid_until: s.valid_until,
        subject_tag: s.subject_tag,
        disclosure_hash: s.disclosure_hash,
    }
}

/// The window volume a transfer landing at cluster time `now` must commit to, given the
/// subject's on-chain state (`None` if the subject never transferred under this rule-set).
/// The volume can only fall as time passes, so a proof made with the volume at `now` stays
/// acceptable until its `valid_until`.
pub fn window_volume(
    state: Option<&zkgate::state::SubjectState>,
    now: i64,
    window_seconds: u64,
) -> u64 {
    state
        .and_then(|s| s.volume_at(now, window_seconds).ok())
        .unwrap_or(0)
}
