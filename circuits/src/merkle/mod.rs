//! Binary Poseidon Merkle trees (`node = H_2(left, right)`, empty leaf 0): a sparse native tree
//! and the membership gadget beside it.
mod gadget;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use gadget::root_gadget;

use crate::encoding::{fr_from_be_bytes_named, fr_to_be_bytes, EncodingError};
use crate::poseidon::hash;
use crate::Fr;

/// Default depth: 2^20, about a million credentials per issuer.
pub const DEFAULT_DEPTH: usize = 20;
/// Largest supported depth.
pub const MAX_DEPTH: usize = 32;

/// Tree errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// The index does not fit the tree.
    #[error("leaf index {index} out of range for depth {depth}")]
    IndexOutOfRange {
        /// Requested index.
        index: u64,
        /// Tree depth.
        depth: usize,
    },
    /// The tree is full.
    #[error("tree is full")]
    Full,
    /// The value cannot be inserted (zero, the sentinel or beyond it).
    #[error("value out of range for the indexed tree")]
    ValueOutOfRange,
    /// The value is already in the indexed tree.
    #[error("value already present")]
    Duplicate,
    /// Non-membership asked for a value that is present.
    #[error("value is a member")]
    IsMember,
    /// A path has the wrong number of siblings.
    #[error("path has {got} siblings, the tree has depth {depth}")]
    WrongPathLength {
        /// Siblings given.
        got: usize,
        /// Expected depth.
        depth: usize,
    },
    /// A path element is not a field element.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
}

/// A sparse binary Poseidon tree: only non-empty nodes are stored.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    depth: usize,
    /// `zeros[k]`: root of an empty subtree of height `k`.
    zeros: Vec<Fr>,
    /// `(level, index) -> node`, level 0 = leaves.
    nodes: HashMap<(usize, u64), Fr>,
    next_index: u64,
}

impl MerkleTree {
    /// An empty tree of `depth` levels (clamped to `1..=MAX_DEPTH`).
    pub fn new(depth: usize) -> Self {
        let depth = depth.clamp(1, MAX_DEPTH);
        let mut zeros = vec![Fr::from(0u64)];
        for k in 0..depth {
            zeros.push(hash(&[zeros[k], zeros[k]]));
        }
        Self {
            depth,
            zeros,
            nodes: HashMap::new(),
            next_index: 0,
        }
    }

    /// Depth (number of levels above the leaves).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Number of leaves appended with [`MerkleTree::push`] (the next free index).
    pub fn len(&self) -> u64 {
        self.next_index
    }

    /// Whether no leaf was pushed.
    pub fn is_empty(&self) -> bool {
        self.next_index == 0
    }

    fn capacity(&self) -> u64 {
        1u64 << self.depth
    }

    fn node(&self, level: usize, index: u64) -> Fr {
        self.nodes
            .get(&(level, index))
            .copied()
            .unwrap_or(self.zeros[level])
    }

    /// Sets leaf `index` and updates the path to the root.
    pub fn set(&mut self, index: u64, leaf: Fr) -> Result<(), TreeError> {
        if index >= self.capacity() {
            return Err(TreeError::IndexOutOfRange {
                index,
                depth: self.depth,
            });
        }
        self.nodes.insert((0, index), leaf);
        let mut idx = index;
        for level in 0..self.depth {
            let (l, r) = if idx.is_multiple_of(2) {
                (self.node(level, idx), self.node(level, idx + 1))
            } else {
                (self.node(level, idx - 1), self.node(level, idx))
            };
            idx /= 2;
            self.nodes.insert((level + 1, idx), hash(&[l, r]));
        }
        if index >= self.next_index {
            self.next_index = index + 1;
        }
        Ok(())
    }

    /// Appends a leaf at the next free index and returns that index.
    pub fn push(&mut self, leaf: Fr) -> Result<u64, TreeError> {
        let index = self.next_index;
        if index >= self.capacity() {
            return Err(TreeError::Full);
        }
        self.set(index, leaf)?;
        Ok(index)
    }

    /// The leaf at `index` (0 if empty).
    pub fn leaf(&self, index: u64) -> Fr {
        self.node(0, index)
    }

    /// The root.
    pub fn root(&self) -> Fr {
        self.node(self.depth, 0)
    }

    /// The authentication path of leaf `index`.
    pub fn path(&self, index: u64) -> Result<MerklePath, TreeError> {
        if index >= self.capacity() {
            return Err(TreeError::IndexOutOfRange {
                index,
                depth: self.depth,
            });
        }
        let mut siblings = Vec::with_capacity(self.depth);
        let mut idx = index;
        for level in 0..self.depth {
            siblings.push(fr_to_be_bytes(&self.node(level, idx ^ 1)));
            idx /= 2;
        }
        Ok(MerklePath { index, siblings })
    }
}

/// A leaf's authentication path: its index (bit `k` = side at level `k`) and the siblings from
/// the leaf level up, as 32-byte big-endian field elements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerklePath {
    /// Leaf index.
    pub index: u64,
    /// Siblings, leaf level first.
    pub siblings: Vec<[u8; 32]>,
}

impl MerklePath {
    /// The siblings as field elements (refusing non-canonical encodings).
    pub fn sibling_elements(&self) -> Result<Vec<Fr>, TreeError> {
        self.siblings
            .iter()
            .map(|s| fr_from_be_bytes_named(s, "siblings").map_err(TreeError::from))
            .collect()
    }

    /// The root this path leads to from `leaf`.
    pub fn root_from(&self, leaf: Fr) -> Result<Fr, TreeError> {
        let depth = self.siblings.len();
        if depth == 0 || depth > MAX_DEPTH || (depth < 64 && self.index >> depth != 0) {
            return Err(TreeError::IndexOutOfRange {
                index: self.index,
                depth,
            });
        }
        let mut cur = leaf;
        for (k, sibling) in self.sibling_elements()?.into_iter().enumerate() {
            cur = if (self.index >> k) & 1 == 0 {
                hash(&[cur, sibling])
            } else {
                hash(&[sibling, cur])
            };
        }
        Ok(cur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::boolean::Boolean;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;

    fn filled(depth: usize, n: u64) -> MerkleTree {
        let mut t = MerkleTree::new(depth);
        for i in 0..n {
            t.push(Fr::from(i * 7 + 3)).unwrap();
        }
        t
    }

    #[test]
    fn paths_lead_to_the_root() {
        let t = filled(8, 13);
        for i in [0u64, 1, 6, 12, 200] {
            let p = t.path(i).unwrap();
            assert_eq!(p.root_from(t.leaf(i)).unwrap(), t.root());
            assert_ne!(p.root_from(Fr::from(999u64)).unwrap(), t.root());
        }
    }

    #[test]
    fn sparse_tree_equals_dense_computation() {
        let t = filled(3, 5);
        let mut level: Vec<Fr> = (0..8).map(|i| t.leaf(i)).collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|c| hash(&[c[0], c[1]])).collect();
        }
        assert_eq!(level[0], t.root());
    }

    #[test]
    fn out_of_range_is_an_error() {
        let mut t = MerkleTree::new(2);
        assert!(t.set(4, Fr::from(1u64)).is_err());
        for _ in 0..4 {
            t.push(Fr::from(1u64)).unwrap();
        }
        assert_eq!(t.push(Fr::from(1u64)), Err(TreeError::Full));
        assert!(t.path(4).is_err());
    }

    fn gadget_root(path: &MerklePath, leaf: Fr, flip: Option<usize>) -> (Fr, bool) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let bits: Vec<Boolean<Fr>> = (0..path.siblings.len())
            .map(|k| {
                let bit = ((path.index >> k) & 1 == 1) ^ (flip == Some(k));
                Boolean::new_witness(cs.clone(), || Ok(bit)).unwrap()
            })
            .collect();
        let sib: Vec<FpVar<Fr>> = path
            .sibling_elements()
            .unwrap()
            .into_iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(s)).unwrap())
            .collect();
        let root = root_gadget(&leaf, &bits, &sib).unwrap();
        (root.value().unwrap(), cs.is_satisfied().unwrap())
    }

    #[test]
    fn gadget_root_equals_native_and_flipped_bit_changes_it() {
        let t = filled(DEFAULT_DEPTH, 9);
        let p = t.path(5).unwrap();
        let (root, ok) = gadget_root(&p, t.leaf(5), None);
        assert!(ok);
        assert_eq!(root, t.root());
        let (root, ok) = gadget_root(&p, t.leaf(5), Some(0));
        assert!(
            ok,
            "a flipped bit is a different, still consistent, computation"
        );
        assert_ne!(root, t.root());
        let (root, _) = gadget_root(&p, t.leaf(5), Some(DEFAULT_DEPTH - 1));
        assert_ne!(root, t.root());
    }
}
