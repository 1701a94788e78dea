//! PDA seeds of the hook. All derive from account keys only, so any client derives them without
//! reading state.

/// `Approval`: `[SEED_APPROVAL, mint, source token account]`.
pub const SEED_APPROVAL: &[u8] = b"approval";
/// The transfer-hook interface's extra-account-metas list: `[SEED_EXTRA_ACCOUNT_METAS, mint]`
/// (the address Token-2022 and every wallet derive).
pub const SEED_EXTRA_ACCOUNT_METAS: &[u8] = b"extra-account-metas";
