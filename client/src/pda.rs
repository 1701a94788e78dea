//! Program-derived addresses, from the program's own seed constants.
use anchor_lang::prelude::Pubkey;
use zkgate::state::{SEED_CONFIG, SEED_ISSUER, SEED_RULE_SET, SEED_SANCTIONS, SEED_SUBJECT};

/// The global `Config` PDA.
pub fn config() -> Pubkey {
    Pubkey::find_program_address(&[SEED_CONFIG], &zkgate::ID).0
}

/// The `RuleSet` PDA of rule-set `id`.
pub fn rule_set(id: u64) -> Pubkey {
    Pubkey::find_program_address(&[SEED_RULE_SET, &id.to_le_bytes()], &zkgate::ID).0
}

/// The `Issuer` PDA of issuer `id`.
pub fn issuer(id: u64) -> Pubkey {
    Pubkey::find_program_address(&[SEED_ISSUER, &id.to_le_bytes()], &zkgate::ID).0
}

/// The `SanctionsList` PDA of list `id`.
pub fn sanctions_list(id: u64) -> Pubkey {
    Pubkey::find_program_address(&[SEED_SANCTIONS, &id.to_le_bytes()], &zkgate::ID).0
}

/// The `SubjectState` PDA of the subject with `subject_tag` under the rule-set account
/// `rule_set`.
pub fn subject_state(rule_set: &Pubkey, subject_tag: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[SEED_SUBJECT, rule_set.as_ref(), subject_tag], &zkgate::ID).0
}

/// zkgate's `ProgramData` account (upgradeable loader), whose upgrade authority initializes.
pub fn program_data() -> Pubkey {
    zkgate::instructions::PROGRAM_DATA_ADDRESS
}
