use anchor_lang::prelude::*;

use crate::errors::ZkgateError;

/// Jurisdiction slots in each of the allow and deny lists.
pub const MAX_JURISDICTIONS: usize = 8;
/// Number of credential tiers with limits (tiers 1..=4; tier 0 is blocked).
pub const NUM_TIERS: usize = 4;
/// Maximum number of issuers a rule-set accepts.
pub const MAX_ISSUERS: usize = 8;
/// After the admin (not the authority) rotated a rule-set's authority, its verifying key cannot
/// change for this long: two days in which the `AuthorityChanged` event is public.
pub const ADMIN_ROTATION_KEY_LOCK_SECS: i64 = 2 * 86_400;
/// Longest volume window: 366 days.
pub const MAX_WINDOW_SECONDS: u64 = 366 * 86_400;
/// Number of IC points of a verifying key for one public input.
pub const VK_IC_LEN: usize = 2;
/// Previous auditor keys a rule-set keeps listed after rotations (older ones stay in the
/// `RuleSetChanged` events).
pub const MAX_PREVIOUS_AUDITOR_KEYS: usize = 4;

/// Lifecycle of a rule-set.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, Debug, PartialEq, Eq)]
pub enum RuleSetStatus {
    /// Transfers are accepted.
    Active,
    /// Transfers are refused until reactivated.
    Paused,
    /// Transfers are refused for good.
    Retired,
}

/// A Groth16 verifying key in the byte layout `groth16-solana` consumes (big-endian,
/// uncompressed; G2 as `x.c1 || x.c0 || y.c1 || y.c0`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, InitSpace, Debug, PartialEq, Eq)]
pub struct VerifyingKeyData {
    /// `alpha` in G1.
    pub alpha_g1: [u8; 64],
    /// `beta` in G2.
    pub beta_g2: [u8; 128],
    /// `gamma` in G2.
    pub gamma_g2: [u8; 128],
    /// `delta` in G2.
    pub delta_g2: [u8; 128],
    /// The IC points: `ic[0]` plus one per public input (exactly one: the statement hash).
    pub ic: [[u8; 64]; VK_IC_LEN],
}

impl VerifyingKeyData {
    /// SHA-256 of the 576-byte layout `alpha || beta || gamma || delta || ic[0] || ic[1]`.
    pub fn hash(&self) -> [u8; 32] {
        solana_sha256_hasher::hashv(&[
            &self.alpha_g1,
            &self.beta_g2,
            &self.gamma_g2,
            &self.delta_g2,
            &self.ic[0],
            &self.ic[1],
        ])
        .to_bytes()
    }
}

/// The rule-set parameters the circuit enforces; their Poseidon hash is bound into every proof.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, InitSpace, Debug, PartialEq, Eq)]
pub struct RuleSetParams {
    /// Allowed jurisdiction codes (ISO 3166-1 numeric); zero slots are empty and come last.
    pub allowed_jurisdictions: [u16; MAX_JURISDICTIONS],
    /// Denied jurisdiction codes; zero slots are empty and come last.
    pub denied_jurisdictions: [u16; MAX_JURISDICTIONS],
    /// Per-transfer limit for tiers 1..=4 (index = tier - 1), in token base units.
    pub per_transfer_limit: [u64; NUM_TIERS],
    /// Per-window limit for tiers 1..=4, in token base units.
    pub per_window_limit: [u64; NUM_TIERS],
    /// Length of the sliding volume window in seconds of cluster time (at most a year).
    pub window_seconds: u64,
    /// The auditor's Baby Jubjub public key (circomlib / EIP-2494 form), `x || y`, 32 bytes
    /// big-endian each: every transfer proof encrypts the sender's identity to it. Checked to
    /// be in the prime-order subgroup when set (`check_auditor_key`).
    pub auditor_key: [u8; 64],
}

impl RuleSetParams {
    /// Checks the parameters are canonical: allow-list non-empty, zero slots last, no
    /// duplicates, no code both allowed and denied, per-transfer <= per-window, window > 0.
    pub fn validate(&self) -> Result<()> {
        fn canonical(list: &[u16; MAX_JURISDICTIONS]) -> bool {
            let used = list.iter().take_while(|c| **c != 0).count();
            list[used..].iter().all(|c| *c == 0)
                && (0..used).all(|i| (i + 1..used).all(|j| list[i] != list[j]))
        }
        require!(
            self.allowed_jurisdictions[0] != 0
                && canonical(&self.allowed_jurisdictions)
                && canonical(&self.denied_jurisdictions)
                && !self
                    .allowed_jurisdictions
                    .iter()
                    .any(|a| *a != 0 && self.denied_jurisdictions.contains(a)),
            ZkgateError::InvalidJurisdictions
        );
        require!(
            self.per_transfer_limit
                .iter()
                .zip(self.per_window_limit.iter())
                .all(|(t, w)| t <= w),
            ZkgateError::InvalidTierLimits
        );
        require!(
            (1..=MAX_WINDOW_SECONDS).contains(&self.window_seconds),
            ZkgateError::InvalidWindow
        );
        Ok(())
    }
}

/// Time rules the program (not the circuit) enforces.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, Debug, PartialEq, Eq)]
pub struct TimeParams {
    /// The longest a proof lives: its `valid_until` may be at most this many seconds (plus
    /// the tolerance) past the cluster clock when it lands.
    pub max_proof_age_secs: u32,
    /// Skew allowed between the prover's and the cluster's clock: a proof lands until
    /// `valid_until + clock_tolerance_secs`.
    pub clock_tolerance_secs: u32,
    /// How long a superseded credential root stays acceptable.
    pub credential_root_grace_secs: u32,
    /// How long a superseded sanctions root stays acceptable (keep short: a newly listed
    /// subject can prove against the old root during this time).
    pub sanctions_root_grace_secs: u32,
    /// Two-sided compliance: when non-zero, `transfer` and `approve` require the recipient
    /// wallet to hold a valid pass (`issue_pass`), and a pass lives at most this long. Zero:
    /// recipients need no pass.
    pub pass_ttl_secs: u32,
}

/// Longest life of a recipient pass: 90 days.
pub const MAX_PASS_TTL_SECS: u32 = 90 * 86_400;

impl TimeParams {
    /// Max age and grace periods must be positive and at most a day; tolerance at most 5 min;
    /// a pass lives at most [`MAX_PASS_TTL_SECS`].
    pub fn validate(&self) -> Result<()> {
        const DAY: u32 = 86_400;
        require!(
            (1..=DAY).contains(&self.max_proof_age_secs)
                && self.clock_tolerance_secs <= 300
                && self.credential_root_grace_secs <= DAY
                && self.sanctions_root_grace_secs <= DAY
                && self.pass_ttl_secs <= MAX_PASS_TTL_SECS,
            ZkgateError::InvalidTimeParams
        );
        Ok(())
    }
}

/// An approved compliance rule-set: circuit verifying key, parameters, accepted issuers and
/// sanctions list.
#[account]
#[derive(InitSpace, Debug)]
pub struct RuleSet {
    /// Rule-set id (PDA seed).
    pub id: u64,
    /// Version, bumped by every update; bound into every proof.
    pub version: u32,
    /// Who may update, pause and retire this rule-set.
    pub authority: Pubkey,
    /// The proposed next authority (two-step hand-over), if any.
    pub pending_authority: Option<Pubkey>,
    /// Whether the pending hand-over was proposed by the admin (not by the authority itself).
    pub pending_authority_by_admin: bool,
    /// `set_verifying_key` is refused before this cluster time: set when the admin, not the
    /// authority, rotated the authority, so that a changed key can never follow an admin-driven
    /// rotation without the change being public for [`ADMIN_ROTATION_KEY_LOCK_SECS`].
    pub key_change_locked_until: i64,
    /// Set when the admin paused the rule-set: then only the admin may resume it.
    pub paused_by_admin: bool,
    /// Lifecycle status.
    pub status: RuleSetStatus,
    /// The Groth16 verifying key of the compliance circuit (all zero until the first
    /// `set_verifying_key`).
    pub vk: VerifyingKeyData,
    /// SHA-256 of the verifying key bytes; all zero while no key is set (`transfer` refuses).
    pub vk_hash: [u8; 32],
    /// The Groth16 verifying key of the recipient-pass circuit (all zero until the first
    /// `set_pass_verifying_key`).
    pub pass_vk: VerifyingKeyData,
    /// SHA-256 of the pass verifying key; all zero while none is set (`issue_pass` refuses).
    pub pass_vk_hash: [u8; 32],
    /// The parameters the circuit enforces.
    pub params: RuleSetParams,
    /// Poseidon hash of `params` (docs/STATEMENT.md), computed on chain at register/update.
    pub params_hash: [u8; 32],
    /// Time rules enforced by the program.
    pub time: TimeParams,
    /// If set, the only mint this rule-set gates.
    pub mint: Option<Pubkey>,
    /// Accepted `Issuer` accounts.
    #[max_len(MAX_ISSUERS)]
    pub issuers: Vec<Pubkey>,
    /// The `SanctionsList` account screened against.
    pub sanctions_list: Pubkey,
    /// Auditor keys replaced by rotations, newest last (at most
    /// `MAX_PREVIOUS_AUDITOR_KEYS`): transfers made under them stay decryptable by their
    /// holders, and each `TransferApproved` names the key it was encrypted to.
    #[max_len(MAX_PREVIOUS_AUDITOR_KEYS)]
    pub previous_auditor_keys: Vec<[u8; 64]>,
    /// Canonical PDA bump.
    pub bump: u8,
}

impl RuleSet {
    /// Lists the current auditor key as previous when `next` replaces it.
    pub fn rotate_auditor_key(&mut self, next: &[u8; 64]) {
        let current = self.params.auditor_key;
        if current == [0u8; 64] || current == *next {
            return;
        }
        if self.previous_auditor_keys.len() == MAX_PREVIOUS_AUDITOR_KEYS {
            self.previous_auditor_keys.remove(0);
        }
        self.previous_auditor_keys.push(current);
    }

    /// Bumps the version, so proofs made under the previous configuration or key stop
    /// verifying.
    pub fn bump_version(&mut self) -> Result<()> {
        self.version = self.version.checked_add(1).ok_or(ZkgateError::Overflow)?;
        Ok(())
    }

    /// Whether a verifying key has been set.
    pub fn has_vk(&self) -> bool {
        self.vk_hash != [0u8; 32]
    }

    /// Whether a pass verifying key has been set.
    pub fn has_pass_vk(&self) -> bool {
        self.pass_vk_hash != [0u8; 32]
    }

    /// Whether recipients must hold a pass (two-sided compliance).
    pub fn requires_recipient_pass(&self) -> bool {
        self.time.pass_ttl_secs > 0
    }

    /// Invariant checked after every mutation.
    pub fn invariant(&self) -> Result<()> {
        self.params.validate()?;
        self.time.validate()?;
        require!(
            self.issuers.len() <= MAX_ISSUERS
                && (0..self.issuers.len()).all(
                    |i| (i + 1..self.issuers.len()).all(|j| self.issuers[i] != self.issuers[j])
                ),
            ZkgateError::InvalidIssuerList
        );
        Ok(())
    }
}
