use anchor_lang::prelude::*;

/// A recipient pass: the wallet proved (with the rule-set's pass circuit) that it holds a valid,
/// unsanctioned credential of an allowed jurisdiction from an accepted issuer. Under a two-sided
/// rule-set, `transfer` and `approve` credit only wallets whose pass is valid. No personal data:
/// wallet, rule-set, version, expiry, roots and the statement hash.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pass {
    /// The `RuleSet` account.
    pub rule_set: Pubkey,
    /// The wallet that may receive.
    pub wallet: Pubkey,
    /// The rule-set version the pass was proven under (a rule-set change voids it).
    pub rule_set_version: u32,
    /// Cluster time after which the pass is void: the proof's `valid_until` (before the
    /// credential's expiry), capped at issuance + the rule-set's `pass_ttl_secs`.
    pub expires_at: i64,
    /// The issuer whose tree the credential is in.
    pub issuer: Pubkey,
    /// The credential root the proof used.
    pub credential_root: [u8; 32],
    /// The sanctions root the proof used: the pass is honoured only while the sanctions list
    /// still accepts this root (current, or superseded within the grace period).
    pub sanctions_root: [u8; 32],
    /// The pass statement hash (the proof's public input).
    pub statement_hash: [u8; 32],
    /// Cluster time of issuance.
    pub issued_at: i64,
    /// Canonical PDA bump.
    pub bump: u8,
}
