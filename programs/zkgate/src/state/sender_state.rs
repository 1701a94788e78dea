use anchor_lang::prelude::*;

/// Per (rule-set, sender) replay and volume state.
#[account]
#[derive(InitSpace, Debug)]
pub struct SenderState {
    /// The rule-set this state belongs to.
    pub rule_set: Pubkey,
    /// The sender wallet.
    pub sender: Pubkey,
    /// Number of transfers made; the next proof must commit to this value.
    pub nonce: u64,
    /// Index (`timestamp / window_seconds`) of the window `window_volume` counts.
    pub window_index: u64,
    /// Volume sent in window `window_index`.
    pub window_volume: u64,
    /// Canonical PDA bump.
    pub bump: u8,
}

impl SenderState {
    /// The volume already sent in `window_index` (0 for a newer window).
    pub fn volume_in(&self, window_index: u64) -> u64 {
        if window_index == self.window_index {
            self.window_volume
        } else {
            0
        }
    }
}
