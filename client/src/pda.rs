//! Program-derived addresses, from the program's own seed constants.
use anchor_lang::prelude::Pubkey;
use zkgate::state::{
    SEED_CONFIG, SEED_ISSUER, SEED_PASS, SEED_RULE_SET, SEED_SANCTIONS, SEED_SUBJECT,
};

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

/// The `Pass` PDA of `wallet` under the rule-set account `rule_set`.
pub fn pass(rule_set: &Pubkey, wallet: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[SEED_PASS, rule_set.as_ref(), wallet.as_ref()],
        &zkgate::ID,
    )
    .0
}

/// zkgate's `ProgramData` account (upgradeable loader), whose upgrade authority initializes.
pub fn program_data() -> Pubkey {
    zkgate::instructions::PROGRAM_DATA_ADDRESS
}

/// zkgate-hook's accounts: all derive from account keys only.
pub mod hook {
    use anchor_lang::prelude::Pubkey;
    use zkgate_hook::state::{SEED_APPROVAL, SEED_EXTRA_ACCOUNT_METAS};

    /// The `Approval` of transfers of `mint` from the token account `source`.
    pub fn approval(mint: &Pubkey, source: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(
            &[SEED_APPROVAL, mint.as_ref(), source.as_ref()],
            &zkgate_hook::ID,
        )
        .0
    }

    /// The transfer-hook interface's extra-account-metas list of `mint` (it also holds the
    /// hook's `MintConfig`).
    pub fn extra_account_metas(mint: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(&[SEED_EXTRA_ACCOUNT_METAS, mint.as_ref()], &zkgate_hook::ID).0
    }

    /// The hook's event authority (its event CPI).
    pub fn event_authority() -> Pubkey {
        zkgate_hook::EVENT_AUTHORITY_AND_BUMP.0
    }
}
