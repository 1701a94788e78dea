//! Sanctions lists on the database: indexed Merkle trees (`docs/STATEMENT.md`, "Sanctions
//! tree") equal to `zkgate_circuits::indexed::IndexedMerkleTree`, versioned like
//! [`TreeStore`]'s trees so non-membership witnesses can be served against every kept root.
//!
//! Leaf contents live in `indexed_leaves` (one row per leaf and version it changed at); the
//! low leaf of `x` at version `v` is the largest live value below `x` among the newest rows at
//! or below `v`. An insertion or removal of a batch of values is one transaction and one new
//! version: the changed leaves (each low leaf once), their nodes and the root.
use std::collections::BTreeMap;

use sqlx::Row;
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_to_be_bytes};
use zkgate_circuits::indexed::{sentinel, IndexedLeaf, NonMembershipWitness};
use zkgate_circuits::Fr;

use crate::store::{StoreError, TreeStore, WriteTx};

/// The newest row of each leaf at or below `$3`, live, with value below `$2`: the top one is
/// the low leaf.
const LOW_LEAF: &str =
    "SELECT l.idx, l.value, l.next_value, l.next_index FROM indexed_leaves AS l \
     WHERE l.tree_id = $1 AND l.value < $2 AND l.version <= $3 AND l.removed = 0 \
     AND NOT EXISTS (SELECT 1 FROM indexed_leaves AS n WHERE n.tree_id = l.tree_id \
     AND n.idx = l.idx AND n.version > l.version AND n.version <= $3) \
     ORDER BY l.value DESC LIMIT 1";

const LEAF_AT: &str = "SELECT value, next_value, next_index, removed FROM indexed_leaves \
     WHERE tree_id = $1 AND idx = $2 AND version <= $3 ORDER BY version DESC LIMIT 1";

const INSERT_LEAF: &str = "INSERT INTO indexed_leaves \
     (tree_id, idx, version, value, next_value, next_index, removed) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The sanctions lists of one database.
#[derive(Clone, Debug)]
pub struct IndexedStore {
    trees: TreeStore,
}

/// Leaves changed by a batch not yet written: index -> (leaf, removed).
type Overlay = BTreeMap<u64, (IndexedLeaf, bool)>;

fn in_range(x: &Fr) -> Result<(), StoreError> {
    if *x == Fr::from(0u64) || *x >= sentinel() {
        return Err(StoreError::ValueOutOfRange);
    }
    Ok(())
}

fn leaf_from_row(tree: i64, row: &sqlx::any::AnyRow, at: usize) -> Result<IndexedLeaf, StoreError> {
    let bytes = |i: usize| -> Result<Fr, StoreError> {
        let raw: Vec<u8> = row.try_get(i)?;
        let array: [u8; 32] = raw.try_into().map_err(|_| StoreError::Corrupt(tree))?;
        fr_from_be_bytes(&array).map_err(|_| StoreError::Corrupt(tree))
    };
    Ok(IndexedLeaf {
        value: bytes(at)?,
        next_value: bytes(at + 1)?,
        next_index: row.try_get::<i64, _>(at + 2)? as u64,
    })
}

impl IndexedStore {
    /// The lists kept in `trees`' database.
    pub fn new(trees: TreeStore) -> Self {
        IndexedStore { trees }
    }

    /// The underlying trees.
    pub fn trees(&self) -> &TreeStore {
        &self.trees
    }

    /// Creates list tree `id` inside `tx`: version 0 holds leaf 0 = `(0, sentinel, 0)`.
    pub async fn create_in(
        &self,
        tx: &mut WriteTx,
        id: i64,
        depth: usize,
    ) -> Result<(), StoreError> {
        let first = IndexedLeaf {
            value: Fr::from(0u64),
            next_value: sentinel(),
            next_index: 0,
        };
        self.trees
            .create_tree_in(tx, id, depth, &[(0, first.hash())])
            .await?;
        write_leaf(tx, id, 0, 0, &first, false).await
    }

    /// Creates list tree `id` in its own transaction.
    pub async fn create(&self, id: i64, depth: usize) -> Result<(), StoreError> {
        let mut tx = self.trees.db().begin_write().await?;
        self.create_in(&mut tx, id, depth).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn db_low<'e, E>(
        &self,
        executor: E,
        id: i64,
        x: &Fr,
        version: u64,
    ) -> Result<(u64, IndexedLeaf), StoreError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let row = sqlx::query(LOW_LEAF)
            .bind(id)
            .bind(fr_to_be_bytes(x).to_vec())
            .bind(version as i64)
            .fetch_optional(executor)
            .await?
            // Leaf 0 (value 0) is never removed: every valid value has a low leaf.
            .ok_or(StoreError::Corrupt(id))?;
        Ok((
            row.try_get::<i64, _>(0)? as u64,
            leaf_from_row(id, &row, 1)?,
        ))
    }

    async fn db_leaf(
        &self,
        tx: &mut WriteTx,
        id: i64,
        index: u64,
        version: u64,
    ) -> Result<(IndexedLeaf, bool), StoreError> {
        let row = sqlx::query(LEAF_AT)
            .bind(id)
            .bind(index as i64)
            .bind(version as i64)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::Corrupt(id))?;
        Ok((leaf_from_row(id, &row, 0)?, row.try_get::<i64, _>(3)? != 0))
    }

    /// The low leaf of `x` as the batch sees it: the database's (at `version`) unless the batch
    /// changed or removed it, or a value the batch added lies closer below `x`.
    async fn low(
        &self,
        tx: &mut WriteTx,
        id: i64,
        x: &Fr,
        version: u64,
        overlay: &Overlay,
        added: &BTreeMap<[u8; 32], u64>,
    ) -> Result<(u64, IndexedLeaf), StoreError> {
        let mut bound = *x;
        let from_db = loop {
            let (index, leaf) = self.db_low(&mut **tx, id, &bound, version).await?;
            match overlay.get(&index) {
                Some((_, true)) => bound = leaf.value,
                Some((changed, false)) => break (index, *changed),
                None => break (index, leaf),
            }
        };
        let from_batch = added
            .range(..fr_to_be_bytes(x))
            .next_back()
            .map(|(_, index)| (*index, overlay[index].0));
        Ok(match from_batch {
            Some(batch) if batch.1.value > from_db.1.value => batch,
            _ => from_db,
        })
    }

    /// Lists `values` (each in `[1, 2^248 - 2]`) as one new version inside `tx`; returns the
    /// leaf indices of the values listed and the version. A value listed already (or repeated)
    /// is refused with [`StoreError::AlreadyListed`], nothing written, unless `skip_listed`
    /// (imports): then it is skipped, and if nothing is new no version is made.
    pub async fn insert_in(
        &self,
        tx: &mut WriteTx,
        id: i64,
        values: &[Fr],
        skip_listed: bool,
    ) -> Result<(Vec<u64>, u64), StoreError> {
        let tree = self.trees.lock_tree(tx, id).await?;
        let mut overlay = Overlay::new();
        let mut added = BTreeMap::new();
        let mut next = tree.next_index;
        let mut indices = Vec::with_capacity(values.len());
        for x in values {
            in_range(x)?;
            let (low_index, low) = self.low(tx, id, x, tree.version, &overlay, &added).await?;
            if low.next_value == *x {
                if skip_listed {
                    continue;
                }
                return Err(StoreError::AlreadyListed);
            }
            if next >> tree.depth != 0 {
                return Err(StoreError::Full(id));
            }
            let new = IndexedLeaf {
                value: *x,
                next_value: low.next_value,
                next_index: low.next_index,
            };
            let low = IndexedLeaf {
                next_value: *x,
                next_index: next,
                ..low
            };
            overlay.insert(low_index, (low, false));
            overlay.insert(next, (new, false));
            added.insert(fr_to_be_bytes(x), next);
            indices.push(next);
            next += 1;
        }
        if overlay.is_empty() {
            return Ok((indices, tree.version));
        }
        let version = self.write(tx, id, &overlay).await?;
        Ok((indices, version))
    }

    /// Unlists `values` (each listed, no repeats) as one new version inside `tx`: each
    /// predecessor takes over the removed leaf's link and the leaf becomes empty.
    pub async fn remove_in(
        &self,
        tx: &mut WriteTx,
        id: i64,
        values: &[Fr],
    ) -> Result<u64, StoreError> {
        let tree = self.trees.lock_tree(tx, id).await?;
        let mut overlay = Overlay::new();
        let added = BTreeMap::new();
        for x in values {
            in_range(x)?;
            let (low_index, low) = self.low(tx, id, x, tree.version, &overlay, &added).await?;
            if low.next_value != *x {
                return Err(StoreError::NotListed);
            }
            let index = low.next_index;
            let (leaf, _) = match overlay.get(&index) {
                Some(entry) => *entry,
                None => self.db_leaf(tx, id, index, tree.version).await?,
            };
            let low = IndexedLeaf {
                next_value: leaf.next_value,
                next_index: leaf.next_index,
                ..low
            };
            overlay.insert(low_index, (low, false));
            overlay.insert(index, (leaf, true));
        }
        self.write(tx, id, &overlay).await
    }

    async fn write(&self, tx: &mut WriteTx, id: i64, overlay: &Overlay) -> Result<u64, StoreError> {
        let changes: Vec<(u64, Fr)> = overlay
            .iter()
            .map(|(index, (leaf, removed))| {
                (
                    *index,
                    if *removed {
                        Fr::from(0u64)
                    } else {
                        leaf.hash()
                    },
                )
            })
            .collect();
        let version = self.trees.set_leaves_in(tx, id, &changes).await?;
        for (index, (leaf, removed)) in overlay {
            write_leaf(tx, id, *index, version, leaf, *removed).await?;
        }
        Ok(version)
    }

    /// Lists `values` in their own transaction.
    pub async fn insert(&self, id: i64, values: &[Fr]) -> Result<(Vec<u64>, u64), StoreError> {
        let mut tx = self.trees.db().begin_write().await?;
        let out = self.insert_in(&mut tx, id, values, false).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Unlists `values` in their own transaction.
    pub async fn remove(&self, id: i64, values: &[Fr]) -> Result<u64, StoreError> {
        let mut tx = self.trees.db().begin_write().await?;
        let version = self.remove_in(&mut tx, id, values).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Whether `x` is listed at `version` (`None`: current).
    pub async fn contains(
        &self,
        id: i64,
        x: &Fr,
        version: Option<u64>,
    ) -> Result<bool, StoreError> {
        in_range(x)?;
        let version = self.version_or_current(id, version).await?;
        let (_, low) = self.db_low(self.trees.db().pool(), id, x, version).await?;
        Ok(low.next_value == *x)
    }

    async fn version_or_current(&self, id: i64, version: Option<u64>) -> Result<u64, StoreError> {
        let version = match version {
            Some(v) => v,
            None => self.trees.version(id).await?,
        };
        // Refuses versions whose root is gone.
        self.trees.root(id, Some(version)).await?;
        Ok(version)
    }

    /// A witness that `x` is not listed, against the root of `version` (`None`: current).
    pub async fn non_membership(
        &self,
        id: i64,
        x: &Fr,
        version: Option<u64>,
    ) -> Result<NonMembershipWitness, StoreError> {
        in_range(x)?;
        let version = self.version_or_current(id, version).await?;
        let (index, low) = self.db_low(self.trees.db().pool(), id, x, version).await?;
        if low.next_value == *x {
            return Err(StoreError::Listed);
        }
        Ok(NonMembershipWitness {
            low_value: fr_to_be_bytes(&low.value),
            low_next_value: fr_to_be_bytes(&low.next_value),
            low_next_index: low.next_index,
            path: self.trees.path(id, index, Some(version)).await?,
        })
    }

    /// Number of values listed now.
    pub async fn len(&self, id: i64) -> Result<u64, StoreError> {
        let version = self.trees.version(id).await?;
        let row = sqlx::query(
            "SELECT COUNT(*) FROM indexed_leaves AS l WHERE l.tree_id = $1 AND l.removed = 0 \
             AND l.idx > 0 AND NOT EXISTS (SELECT 1 FROM indexed_leaves AS n \
             WHERE n.tree_id = l.tree_id AND n.idx = l.idx AND n.version > l.version \
             AND n.version <= $2)",
        )
        .bind(id)
        .bind(version as i64)
        .fetch_one(self.trees.db().pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)? as u64)
    }

    /// Drops leaf rows no kept version (the last `keep`) reads, with the tree's nodes.
    pub async fn prune(&self, id: i64, keep: u64) -> Result<u64, StoreError> {
        let mut tx = self.trees.db().begin_write().await?;
        let tree = self.trees.lock_tree(&mut tx, id).await?;
        let oldest = (tree.version + 1).saturating_sub(keep.max(1)) as i64;
        let leaves = sqlx::query(
            "DELETE FROM indexed_leaves WHERE tree_id = $1 AND version < $2 AND EXISTS (\
             SELECT 1 FROM indexed_leaves AS newer WHERE newer.tree_id = indexed_leaves.tree_id \
             AND newer.idx = indexed_leaves.idx AND newer.version > indexed_leaves.version \
             AND newer.version <= $2)",
        )
        .bind(id)
        .bind(oldest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(leaves + self.trees.prune(id, keep).await?)
    }
}

async fn write_leaf(
    tx: &mut WriteTx,
    id: i64,
    index: u64,
    version: u64,
    leaf: &IndexedLeaf,
    removed: bool,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_LEAF)
        .bind(id)
        .bind(index as i64)
        .bind(version as i64)
        .bind(fr_to_be_bytes(&leaf.value).to_vec())
        .bind(fr_to_be_bytes(&leaf.next_value).to_vec())
        .bind(leaf.next_index as i64)
        .bind(removed as i64)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
