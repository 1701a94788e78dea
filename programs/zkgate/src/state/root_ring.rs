use anchor_lang::prelude::*;

use crate::errors::ZkgateError;

/// How many recent roots an issuer or sanctions list keeps.
pub const ROOT_HISTORY: usize = 16;

/// BN254 scalar field modulus `r`, big-endian.
pub const BN254_R_BE: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// Whether a 32-byte big-endian value is a canonical field element (`< r`).
pub fn is_canonical_field_element(value: &[u8; 32]) -> bool {
    value < &BN254_R_BE
}

/// A ring of the most recent Merkle roots with their publication times.
///
/// The newest root is always accepted. An older root is accepted only while the root that
/// superseded it is younger than a grace period, so a proof made just before a publication still
/// verifies, but a subject removed from a credential tree (or added to a sanctions tree) cannot
/// keep proving against an old root.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, InitSpace, Debug, PartialEq, Eq)]
pub struct RootRing {
    /// The roots, big-endian field elements; slot `head` is the newest.
    pub roots: [[u8; 32]; ROOT_HISTORY],
    /// Unix time each root was published.
    pub published_at: [i64; ROOT_HISTORY],
    /// Index of the newest root.
    pub head: u8,
    /// Number of roots published so far, capped at `ROOT_HISTORY`.
    pub len: u8,
}

impl Default for RootRing {
    fn default() -> Self {
        Self {
            roots: [[0u8; 32]; ROOT_HISTORY],
            published_at: [0; ROOT_HISTORY],
            head: 0,
            len: 0,
        }
    }
}

impl RootRing {
    /// Publishes `root` at time `now` as the newest root.
    pub fn push(&mut self, root: [u8; 32], now: i64) -> Result<()> {
        require!(
            is_canonical_field_element(&root) && root != [0u8; 32],
            ZkgateError::RootNotInField
        );
        let next = if self.len == 0 {
            0
        } else {
            (self.head as usize + 1) % ROOT_HISTORY
        };
        self.roots[next] = root;
        self.published_at[next] = now;
        self.head = next as u8;
        self.len = (self.len as usize + 1).min(ROOT_HISTORY) as u8;
        Ok(())
    }

    /// The newest root, if any.
    pub fn latest(&self) -> Option<[u8; 32]> {
        (self.len > 0).then(|| self.roots[self.head as usize])
    }

    /// Whether `root` is acceptable at time `now`: the newest root, or an older root whose
    /// successor was published at most `grace_secs` ago.
    pub fn accepts(&self, root: &[u8; 32], now: i64, grace_secs: u32) -> bool {
        let len = self.len as usize;
        // Walk from newest to oldest; `successor_time` is when the next newer root appeared.
        let mut successor_time: Option<i64> = None;
        for age in 0..len {
            let slot = (self.head as usize + ROOT_HISTORY - age) % ROOT_HISTORY;
            if &self.roots[slot] == root {
                return match successor_time {
                    None => true,
                    Some(t) => now.saturating_sub(t) <= i64::from(grace_secs),
                };
            }
            successor_time = Some(self.published_at[slot]);
        }
        false
    }

    /// Ring invariant: bounded length and head, and publication times non-decreasing.
    pub fn invariant(&self) -> Result<()> {
        require!(
            (self.len as usize) <= ROOT_HISTORY && (self.head as usize) < ROOT_HISTORY,
            ZkgateError::RootNotInField
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(n: u8) -> [u8; 32] {
        let mut r = [0u8; 32];
        r[31] = n;
        r
    }

    #[test]
    fn newest_root_is_always_accepted_and_unknown_never() {
        let mut ring = RootRing::default();
        assert!(!ring.accepts(&root(1), 0, 1_000));
        ring.push(root(1), 100).unwrap();
        assert!(ring.accepts(&root(1), 1_000_000, 0));
        assert!(!ring.accepts(&root(2), 100, 1_000));
        assert_eq!(ring.latest(), Some(root(1)));
    }

    #[test]
    fn superseded_root_expires_after_grace() {
        let mut ring = RootRing::default();
        ring.push(root(1), 100).unwrap();
        ring.push(root(2), 200).unwrap();
        // Superseded at t=200: accepted until 200 + grace.
        assert!(ring.accepts(&root(1), 250, 50));
        assert!(!ring.accepts(&root(1), 251, 50));
        assert!(ring.accepts(&root(2), 10_000, 0));
    }

    #[test]
    fn ring_forgets_roots_older_than_its_capacity() {
        let mut ring = RootRing::default();
        for i in 1..=(ROOT_HISTORY as u8 + 1) {
            ring.push(root(i), i64::from(i)).unwrap();
        }
        assert_eq!(ring.len as usize, ROOT_HISTORY);
        assert!(
            !ring.accepts(&root(1), 0, u32::MAX),
            "overwritten root is gone"
        );
        assert!(ring.accepts(&root(2), 0, u32::MAX));
        assert_eq!(ring.latest(), Some(root(ROOT_HISTORY as u8 + 1)));
        ring.invariant().unwrap();
    }

    #[test]
    fn non_canonical_roots_are_refused() {
        let mut ring = RootRing::default();
        assert!(ring.push(BN254_R_BE, 0).is_err());
        assert!(ring.push([0u8; 32], 0).is_err());
        let mut below = BN254_R_BE;
        below[31] -= 1;
        assert!(ring.push(below, 0).is_ok());
    }
}
