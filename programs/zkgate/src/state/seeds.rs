//! PDA seeds, all in one place. Every seed starts with a distinct tag, so accounts of different
//! kinds can never collide.

/// `Config`: `[SEED_CONFIG]`.
pub const SEED_CONFIG: &[u8] = b"config";
/// `RuleSet`: `[SEED_RULE_SET, id.to_le_bytes()]`.
pub const SEED_RULE_SET: &[u8] = b"rule_set";
/// `Issuer`: `[SEED_ISSUER, id.to_le_bytes()]`.
pub const SEED_ISSUER: &[u8] = b"issuer";
/// `SanctionsList`: `[SEED_SANCTIONS, id.to_le_bytes()]`.
pub const SEED_SANCTIONS: &[u8] = b"sanctions";
/// `SubjectState`: `[SEED_SUBJECT, rule_set.key(), subject_tag]`.
pub const SEED_SUBJECT: &[u8] = b"subject";
/// `Pass`: `[SEED_PASS, rule_set.key(), wallet]`.
pub const SEED_PASS: &[u8] = b"pass";
