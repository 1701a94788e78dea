//! Quaternary Poseidon Merkle trees (`node = H_4(c0, c1, c2, c3)`, empty leaf 0): a sparse
//! native tree and the membership gadget beside it.
//!
//! A tree's `depth` counts index bits (capacity `2^depth`, the same as a binary tree of that
//! depth); it is even, and each level consumes two bits: leaf `i`'s position among its
//! siblings at level `k` is `(i >> 2k) & 3`. A path holds three siblings per level (the other
//! children in ascending position). One `H_4` costs 300 constraints against 2 × 240 for the two
//! binary levels it replaces.
mod gadget;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use gadget::root_gadget;

use crate::encoding::{fr_from_be_bytes_named, fr_to_be_bytes, EncodingError};
use crate::poseidon::hash;
use crate::Fr;

/// Default depth (index bits): 2^20 leaves, about a million credentials per issuer.
pub const DEFAULT_DEPTH: usize = 20;
/// Largest supported depth (index bits).
pub const MAX_DEPTH: usize = 32;
/// Children per node.
pub const ARITY: usize = 4;

/// The depth actually used for a requested `depth`: clamped to `1..=MAX_DEPTH`, rounded up to
/// even (two index bits per level).
pub fn effective_depth(depth: usize) -> usize {
    depth.clamp(1, MAX_DEPTH).div_ceil(2) * 2
}

/// Levels of a tree of `depth` index bits.
pub fn levels(depth: usize) -> usize {
    effective_depth(depth) / 2
}

/// Siblings in a path of a tree of `depth` index bits (three per level).
pub fn path_len(depth: usize) -> usize {
    3 * levels(depth)
}

/// `children` with `node` inserted at `position` (0..4) among the three `siblings`.
fn children(node: Fr, position: usize, siblings: &[Fr]) -> [Fr; ARITY] {
    let mut out = [Fr::from(0u64); ARITY];
    let mut s = siblings.iter();
    for (j, o) in out.iter_mut().enumerate() {
        *o = if j == position {
            node
        } else {
            *s.next().expect("three siblings")
        };
    }
    out
}

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
    /// Removal asked for a value that is not in the indexed tree.
    #[error("value is not present")]
    NotPresent,
    /// A path has the wrong number of siblings (three per level).
    #[error(
        "path has {got} siblings: three per level of a tree of at most {depth} index bits expected"
    )]
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

/// A sparse quaternary Poseidon tree: only non-empty nodes are stored.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    depth: usize,
    /// `zeros[k]`: root of an empty subtree of `k` levels.
    zeros: Vec<Fr>,
    /// `(level, index) -> node`, level 0 = leaves.
    nodes: HashMap<(usize, u64), Fr>,
    next_index: u64,
}

impl MerkleTree {
    /// An empty tree of `depth` index bits ([`effective_depth`]: clamped to `1..=MAX_DEPTH`,
    /// rounded up to even).
    pub fn new(depth: usize) -> Self {
        let depth = effective_depth(depth);
        let mut zeros = vec![Fr::from(0u64)];
        for k in 0..depth / 2 {
            zeros.push(hash(&[zeros[k]; ARITY]));
        }
        Self {
            depth,
            zeros,
            nodes: HashMap::new(),
            next_index: 0,
        }
    }

    /// Depth in index bits (twice the number of levels above the leaves).
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
        for level in 0..self.depth / 2 {
            let base = idx & !3;
            let kids: Vec<Fr> = (0..ARITY as u64)
                .map(|j| self.node(level, base + j))
                .collect();
            idx >>= 2;
            self.nodes.insert((level + 1, idx), hash(&kids));
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
        self.node(self.depth / 2, 0)
    }

    /// The authentication path of leaf `index`.
    pub fn path(&self, index: u64) -> Result<MerklePath, TreeError> {
        if index >= self.capacity() {
            return Err(TreeError::IndexOutOfRange {
                index,
                depth: self.depth,
            });
        }
        let mut siblings = Vec::with_capacity(path_len(self.depth));
        let mut idx = index;
        for level in 0..self.depth / 2 {
            let base = idx & !3;
            for j in (0..ARITY as u64).filter(|j| base + j != idx) {
                siblings.push(fr_to_be_bytes(&self.node(level, base + j)));
            }
            idx >>= 2;
        }
        Ok(MerklePath { index, siblings })
    }
}

/// A leaf's authentication path: its index (bits `2k, 2k+1` = position at level `k`) and the
/// siblings from the leaf level up, three per level in ascending position, as 32-byte
/// big-endian field elements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerklePath {
    /// Leaf index.
    pub index: u64,
    /// Siblings, leaf level first, three per level.
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
        let n = self.siblings.len();
        let depth = 2 * (n / 3);
        if n == 0 || !n.is_multiple_of(3) || depth > MAX_DEPTH {
            return Err(TreeError::WrongPathLength { got: n, depth });
        }
        if self.index >> depth != 0 {
            return Err(TreeError::IndexOutOfRange {
                index: self.index,
                depth,
            });
        }
        let mut cur = leaf;
        for (k, level) in self.sibling_elements()?.chunks(3).enumerate() {
            let position = ((self.index >> (2 * k)) & 3) as usize;
            cur = hash(&children(cur, position, level));
        }
        Ok(cur)
    }

    /// The depth (index bits) of the tree this path is for, if its length is a whole number
    /// of levels within [`MAX_DEPTH`].
    pub fn depth(&self) -> Option<usize> {
        let n = self.siblings.len();
        (n > 0 && n.is_multiple_of(3) && 2 * (n / 3) <= MAX_DEPTH).then_some(2 * (n / 3))
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
        // Depth 3 is rounded up to 4: 16 leaves, two levels of H_4.
        let t = filled(3, 11);
        assert_eq!(t.depth(), 4);
        let mut level: Vec<Fr> = (0..16).map(|i| t.leaf(i)).collect();
        while level.len() > 1 {
            level = level.chunks(4).map(hash).collect();
        }
        assert_eq!(level[0], t.root());
        // A path: three siblings per level, the node's position from two index bits.
        let p = t.path(6).unwrap();
        assert_eq!(p.siblings.len(), 6);
        assert_eq!(p.depth(), Some(4));
        let mut bad = p.clone();
        bad.siblings.pop();
        assert!(matches!(
            bad.root_from(t.leaf(6)),
            Err(TreeError::WrongPathLength { got: 5, .. })
        ));
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
        let mut p = t.path(3).unwrap();
        p.index = 4;
        assert!(
            p.root_from(t.leaf(3)).is_err(),
            "index beyond the path's depth"
        );
    }

    fn gadget_root(path: &MerklePath, leaf: Fr, flip: Option<usize>) -> (Fr, bool) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let bits: Vec<Boolean<Fr>> = (0..path.depth().unwrap())
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
        // Every position in a level (0..4) and a deep index.
        for i in [4u64, 5, 6, 7, 8, 700_001] {
            let p = t.path(i).unwrap();
            let (root, ok) = gadget_root(&p, t.leaf(i), None);
            assert!(ok);
            assert_eq!(root, t.root(), "leaf {i}");
            assert_eq!(root, p.root_from(t.leaf(i)).unwrap());
        }
        let p = t.path(5).unwrap();
        for k in [0, 1, DEFAULT_DEPTH - 1] {
            let (root, ok) = gadget_root(&p, t.leaf(5), Some(k));
            assert!(
                ok,
                "a flipped bit is a different, still consistent, computation"
            );
            assert_ne!(root, t.root(), "bit {k}");
        }
    }
}
