//! The sanctions tree: an indexed Merkle tree. Leaves are `H_3(value, next_value, next_index)`
//! forming a sorted linked list from 0 to the sentinel `2^248 - 1`; `x` is absent iff some leaf
//! has `value < x < next_value`. That leaf's membership plus the two comparisons is the
//! non-membership proof.
use std::collections::BTreeMap;

use ark_ff::Field;
use serde::{Deserialize, Serialize};

use crate::encoding::{fr_from_be_bytes_named, fr_to_be_bytes};
use crate::merkle::{MerklePath, MerkleTree, TreeError};
use crate::poseidon::hash;
use crate::Fr;

/// Bit width of listed values and subject ids.
pub const VALUE_BITS: usize = 248;

/// The sentinel `2^248 - 1`: the `next_value` of the largest leaf.
pub fn sentinel() -> Fr {
    Fr::from(2u64).pow([VALUE_BITS as u64]) - Fr::from(1u64)
}

/// A leaf of the indexed tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexedLeaf {
    /// The listed value.
    pub value: Fr,
    /// The next larger listed value (or the sentinel).
    pub next_value: Fr,
    /// The index of the leaf holding `next_value`.
    pub next_index: u64,
}

impl IndexedLeaf {
    /// `H_3(value, next_value, next_index)`.
    pub fn hash(&self) -> Fr {
        hash(&[self.value, self.next_value, Fr::from(self.next_index)])
    }
}

/// An indexed Merkle tree of sanctioned subject ids.
#[derive(Clone, Debug)]
pub struct IndexedMerkleTree {
    tree: MerkleTree,
    leaves: Vec<IndexedLeaf>,
    /// value -> leaf index, for finding low leaves.
    sorted: BTreeMap<Fr, u64>,
}

impl IndexedMerkleTree {
    /// An empty list: leaf 0 is `(0, sentinel, 0)`.
    pub fn new(depth: usize) -> Self {
        let mut tree = MerkleTree::new(depth);
        let first = IndexedLeaf {
            value: Fr::from(0u64),
            next_value: sentinel(),
            next_index: 0,
        };
        tree.set(0, first.hash()).expect("index 0 fits every depth");
        let mut sorted = BTreeMap::new();
        sorted.insert(first.value, 0);
        Self {
            tree,
            leaves: vec![first],
            sorted,
        }
    }

    /// The root.
    pub fn root(&self) -> Fr {
        self.tree.root()
    }

    /// Depth.
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// Number of listed values.
    pub fn len(&self) -> usize {
        self.sorted.len() - 1
    }

    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `v` is listed.
    pub fn contains(&self, v: &Fr) -> bool {
        *v != Fr::from(0u64) && self.sorted.contains_key(v)
    }

    fn low_leaf(&self, x: &Fr) -> u64 {
        *self
            .sorted
            .range(..*x)
            .next_back()
            .map(|(_, i)| i)
            .expect("0 is always present and below every valid value")
    }

    /// Lists `value` (in `[1, 2^248 - 2]`) and returns its leaf index.
    pub fn insert(&mut self, value: Fr) -> Result<u64, TreeError> {
        if value == Fr::from(0u64) || value >= sentinel() {
            return Err(TreeError::ValueOutOfRange);
        }
        if self.sorted.contains_key(&value) {
            return Err(TreeError::Duplicate);
        }
        let index = self.leaves.len() as u64;
        if index >= (1u64 << self.tree.depth()) {
            return Err(TreeError::Full);
        }
        let low_index = self.low_leaf(&value);
        let low = self.leaves[low_index as usize];
        let new = IndexedLeaf {
            value,
            next_value: low.next_value,
            next_index: low.next_index,
        };
        let updated_low = IndexedLeaf {
            next_value: value,
            next_index: index,
            ..low
        };
        self.leaves[low_index as usize] = updated_low;
        self.tree.set(low_index, updated_low.hash())?;
        self.leaves.push(new);
        self.tree.set(index, new.hash())?;
        self.sorted.insert(value, index);
        Ok(index)
    }

    /// Unlists `value`: its predecessor takes over its `next_value` / `next_index` and its leaf
    /// becomes empty (0); the index is not reused (new values are appended). Returns the
    /// emptied leaf's index.
    pub fn remove(&mut self, value: &Fr) -> Result<u64, TreeError> {
        if *value == Fr::from(0u64) {
            return Err(TreeError::ValueOutOfRange);
        }
        let index = self.sorted.remove(value).ok_or(TreeError::NotPresent)?;
        let removed = self.leaves[index as usize];
        let low_index = self.low_leaf(value);
        let low = &mut self.leaves[low_index as usize];
        low.next_value = removed.next_value;
        low.next_index = removed.next_index;
        let low_hash = low.hash();
        self.tree.set(low_index, low_hash)?;
        self.tree.set(index, Fr::from(0u64))?;
        Ok(index)
    }

    /// The leaf at `index` with its path under the current root, whatever value it is asked
    /// about: an auditor's (or a test's) view of one list entry. `non_membership` is the only
    /// way to get a witness that verifies.
    pub fn leaf_witness(&self, index: u64) -> Result<NonMembershipWitness, TreeError> {
        let leaf = self
            .leaves
            .get(index as usize)
            .copied()
            .ok_or(TreeError::IndexOutOfRange {
                index,
                depth: self.tree.depth(),
            })?;
        Ok(NonMembershipWitness {
            low_value: fr_to_be_bytes(&leaf.value),
            low_next_value: fr_to_be_bytes(&leaf.next_value),
            low_next_index: leaf.next_index,
            path: self.tree.path(index)?,
        })
    }

    /// A witness that `x` is not listed.
    pub fn non_membership(&self, x: &Fr) -> Result<NonMembershipWitness, TreeError> {
        if *x == Fr::from(0u64) || *x >= sentinel() {
            return Err(TreeError::ValueOutOfRange);
        }
        if self.sorted.contains_key(x) {
            return Err(TreeError::IsMember);
        }
        let low_index = self.low_leaf(x);
        let low = self.leaves[low_index as usize];
        Ok(NonMembershipWitness {
            low_value: fr_to_be_bytes(&low.value),
            low_next_value: fr_to_be_bytes(&low.next_value),
            low_next_index: low.next_index,
            path: self.tree.path(low_index)?,
        })
    }
}

/// Proof material that a subject is not in the sanctions tree: the low leaf and its path.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::Zeroize)]
pub struct NonMembershipWitness {
    /// The low leaf's value (< subject).
    pub low_value: [u8; 32],
    /// The low leaf's next value (> subject).
    pub low_next_value: [u8; 32],
    /// The low leaf's next index.
    pub low_next_index: u64,
    /// The low leaf's Merkle path.
    #[zeroize(skip)]
    pub path: MerklePath,
}

impl std::fmt::Debug for NonMembershipWitness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonMembershipWitness { .. redacted }")
    }
}

impl NonMembershipWitness {
    /// The low leaf as field elements.
    pub fn low_leaf(&self) -> Result<IndexedLeaf, TreeError> {
        Ok(IndexedLeaf {
            value: fr_from_be_bytes_named(&self.low_value, "sanctions.low_value")?,
            next_value: fr_from_be_bytes_named(&self.low_next_value, "sanctions.low_next_value")?,
            next_index: self.low_next_index,
        })
    }

    /// Whether this witness shows `x` absent from the tree with `root`.
    pub fn verifies(&self, x: &Fr, root: &Fr) -> Result<bool, TreeError> {
        let low = self.low_leaf()?;
        Ok(low.value < *x
            && *x < low.next_value
            && low.next_value <= sentinel()
            && self.path.root_from(low.hash())? == *root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_and_prove_absence() {
        let mut t = IndexedMerkleTree::new(8);
        for v in [50u64, 10, 30, 70] {
            t.insert(Fr::from(v)).unwrap();
        }
        assert_eq!(t.len(), 4);
        for absent in [1u64, 11, 29, 31, 69, 71, 1_000_000] {
            let x = Fr::from(absent);
            let w = t.non_membership(&x).unwrap();
            assert!(w.verifies(&x, &t.root()).unwrap(), "{absent}");
            // The witness does not work for another root or a listed value.
            assert!(!w.verifies(&x, &Fr::from(1u64)).unwrap());
        }
        for listed in [10u64, 30, 50, 70] {
            assert_eq!(
                t.non_membership(&Fr::from(listed)),
                Err(TreeError::IsMember)
            );
            assert!(t.contains(&Fr::from(listed)));
        }
        // A witness for 31 (low leaf 30) does not prove 30 or 50 absent.
        let w = t.non_membership(&Fr::from(31u64)).unwrap();
        assert!(!w.verifies(&Fr::from(30u64), &t.root()).unwrap());
        assert!(!w.verifies(&Fr::from(50u64), &t.root()).unwrap());
    }

    #[test]
    fn removal_relinks_the_list() {
        let mut t = IndexedMerkleTree::new(8);
        for v in [50u64, 10, 30, 70] {
            t.insert(Fr::from(v)).unwrap();
        }
        assert_eq!(t.remove(&Fr::from(30u64)), Ok(3));
        assert!(!t.contains(&Fr::from(30u64)));
        assert_eq!(t.len(), 3);
        // 30 is absent again, with 10 (now linked to 50) as its low leaf.
        let x = Fr::from(30u64);
        let w = t.non_membership(&x).unwrap();
        assert_eq!(w.low_leaf().unwrap().value, Fr::from(10u64));
        assert_eq!(w.low_leaf().unwrap().next_value, Fr::from(50u64));
        assert!(w.verifies(&x, &t.root()).unwrap());
        assert_eq!(t.remove(&x), Err(TreeError::NotPresent));
        assert_eq!(t.remove(&Fr::from(0u64)), Err(TreeError::ValueOutOfRange));
        // Re-listing appends at a new index.
        assert_eq!(t.insert(x), Ok(5));
        assert_eq!(t.non_membership(&x), Err(TreeError::IsMember));
    }

    #[test]
    fn invalid_inserts_are_refused() {
        let mut t = IndexedMerkleTree::new(2);
        assert_eq!(t.insert(Fr::from(0u64)), Err(TreeError::ValueOutOfRange));
        assert_eq!(t.insert(sentinel()), Err(TreeError::ValueOutOfRange));
        t.insert(Fr::from(5u64)).unwrap();
        assert_eq!(t.insert(Fr::from(5u64)), Err(TreeError::Duplicate));
        t.insert(Fr::from(6u64)).unwrap();
        t.insert(Fr::from(7u64)).unwrap();
        assert_eq!(t.insert(Fr::from(8u64)), Err(TreeError::Full));
    }
}
