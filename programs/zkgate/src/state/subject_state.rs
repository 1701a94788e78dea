use anchor_lang::prelude::*;

use crate::errors::ZkgateError;

/// How many recent transfers a subject's volume state remembers exactly.
pub const SPEND_HISTORY: usize = 16;

/// One recorded transfer: when it landed (cluster clock) and how much it moved.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, InitSpace, Debug, Default, PartialEq, Eq,
)]
pub struct Spend {
    /// Cluster unix time of the transfer (or of the newest transfer merged into this entry).
    pub at: i64,
    /// Amount in base units (0: empty slot).
    pub amount: u64,
}

/// Per (rule-set, subject) replay and volume state.
///
/// It is keyed by the proof's subject tag (`H(TAG_SUBJECT, rule_set_id, subject_id)`), not by
/// the wallet: every wallet of one subject shares one nonce and one volume window.
///
/// The window is a sliding window of cluster time: the volume a transfer is charged with is
/// the sum of the recorded transfers that landed less than `window_seconds` before the cluster
/// clock. Entries carry their own landing time, so a change of `window_seconds` takes effect
/// at once and never locks anyone out. When more than [`SPEND_HISTORY`] transfers fall into one
/// window the two oldest live entries are merged under the newer time, which can only
/// over-count (never under-count) the volume.
#[account]
#[derive(InitSpace, Debug)]
pub struct SubjectState {
    /// The rule-set this state belongs to.
    pub rule_set: Pubkey,
    /// The subject tag (public output of the proof) this state is keyed by.
    pub subject_tag: [u8; 32],
    /// Number of transfers made; the next proof must commit to this value.
    pub nonce: u64,
    /// Recent transfers, unordered; empty slots have `amount == 0`.
    pub spends: [Spend; SPEND_HISTORY],
    /// Canonical PDA bump.
    pub bump: u8,
}

impl SubjectState {
    /// Whether `spend` still counts at cluster time `now` for a window of `window_seconds`.
    fn live(spend: &Spend, now: i64, window_seconds: u64) -> bool {
        let window = i64::try_from(window_seconds).unwrap_or(i64::MAX);
        spend.amount > 0 && now.saturating_sub(spend.at) < window
    }

    /// The volume moved in the `window_seconds` before cluster time `now`.
    pub fn volume_at(&self, now: i64, window_seconds: u64) -> Result<u64> {
        self.spends
            .iter()
            .filter(|s| Self::live(s, now, window_seconds))
            .try_fold(0u64, |acc, s| acc.checked_add(s.amount))
            .ok_or_else(|| error!(ZkgateError::Overflow))
    }

    /// Records a transfer of `amount` at `now`: into an empty slot, else over the oldest
    /// expired entry (history is kept as long as possible, so a later longer window still
    /// sees it), else by merging the two oldest live entries when every slot is live.
    pub fn record(&mut self, now: i64, amount: u64, window_seconds: u64) -> Result<()> {
        let free = self
            .spends
            .iter()
            .enumerate()
            .filter(|(_, s)| !Self::live(s, now, window_seconds))
            .min_by_key(|(_, s)| (s.amount != 0, s.at))
            .map(|(i, _)| i);
        let slot = match free {
            Some(free) => free,
            None => {
                let mut order: [usize; SPEND_HISTORY] = core::array::from_fn(|i| i);
                order.sort_unstable_by_key(|&i| self.spends[i].at);
                let (oldest, next) = (order[0], order[1]);
                self.spends[next].amount = self.spends[next]
                    .amount
                    .checked_add(self.spends[oldest].amount)
                    .ok_or(ZkgateError::Overflow)?;
                oldest
            }
        };
        self.spends[slot] = Spend { at: now, amount };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SubjectState {
        SubjectState {
            rule_set: Pubkey::default(),
            subject_tag: [0; 32],
            nonce: 0,
            spends: [Spend::default(); SPEND_HISTORY],
            bump: 0,
        }
    }

    #[test]
    fn volume_counts_only_the_last_window_of_cluster_time() {
        let mut s = state();
        s.record(1_000, 300, 60).unwrap();
        s.record(1_030, 200, 60).unwrap();
        assert_eq!(s.volume_at(1_030, 60).unwrap(), 500);
        assert_eq!(s.volume_at(1_059, 60).unwrap(), 500);
        assert_eq!(
            s.volume_at(1_060, 60).unwrap(),
            200,
            "the first left the window"
        );
        assert_eq!(s.volume_at(1_090, 60).unwrap(), 0);
        // A longer window sees both again: no reset, no lock-out.
        assert_eq!(s.volume_at(1_090, 3_600).unwrap(), 500);
    }

    #[test]
    fn a_full_history_merges_and_never_under_counts() {
        let mut s = state();
        for i in 0..(SPEND_HISTORY as i64 + 4) {
            s.record(100 + i, 10, 1_000).unwrap();
        }
        assert_eq!(
            s.volume_at(200, 1_000).unwrap(),
            10 * (SPEND_HISTORY as u64 + 4)
        );
        // The merged entry carries the newer time, so it stays counted at least as long.
        assert!(s.volume_at(1_100, 1_000).unwrap() >= 10 * 4);
    }

    #[test]
    fn empty_slots_are_used_before_expired_history() {
        let mut s = state();
        s.record(0, 7, 10).unwrap();
        s.record(100, 1, 10).unwrap();
        // The entry at 0 expired under a 10 s window but is kept while slots are free.
        assert_eq!(s.volume_at(100, 1_000).unwrap(), 8);
    }

    #[test]
    fn expired_slots_are_reused() {
        let mut s = state();
        for i in 0..(3 * SPEND_HISTORY as i64) {
            s.record(i * 100, 1, 50).unwrap();
            assert_eq!(s.volume_at(i * 100, 50).unwrap(), 1);
        }
    }
}
