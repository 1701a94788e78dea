//! Versioned quaternary Poseidon trees on the database, equal to `zkgate_circuits::merkle`'s.
//!
//! Every change is one transaction that writes the leaf, the changed path nodes and the new
//! root at the tree's next version; a node's value at version `v` is its newest row at or
//! below `v`, so paths can be served against any kept root. The program keeps the last
//! [`RING`] roots of a tree; [`TreeStore::prune`] drops node rows no kept version can read.
//! Values are 32-byte big-endian field elements (byte order = numeric order).
use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_to_be_bytes};
use zkgate_circuits::merkle::{effective_depth, MerklePath, ARITY};
use zkgate_circuits::poseidon::hash;
use zkgate_circuits::Fr;
use zkgate_db::{Backend, Database, DbError};

/// Roots the program keeps per issuer and sanctions list (its ring).
pub const RING: u64 = 16;

/// Why a tree operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No tree with this id.
    #[error("tree {0} does not exist")]
    NoSuchTree(i64),
    /// A tree with this id exists already.
    #[error("tree {0} exists already")]
    Exists(i64),
    /// The leaf index does not fit the tree.
    #[error("leaf index {index} out of range for a tree of depth {depth}")]
    IndexOutOfRange {
        /// Requested index.
        index: u64,
        /// The tree's depth (index bits).
        depth: usize,
    },
    /// Every index of the tree is used.
    #[error("tree {0} is full")]
    Full(i64),
    /// The version is not (or no longer) kept.
    #[error("version {version} of tree {tree} is not kept")]
    VersionNotKept {
        /// The tree.
        tree: i64,
        /// The version asked for.
        version: u64,
    },
    /// The value is not a listable subject id (`[1, 2^248 - 2]`).
    #[error("value out of range: subject ids are in [1, 2^248 - 2]")]
    ValueOutOfRange,
    /// The value is listed already.
    #[error("value is listed already")]
    AlreadyListed,
    /// The value is not listed.
    #[error("value is not listed")]
    NotListed,
    /// Non-membership asked for a listed value.
    #[error("value is listed: no non-membership witness exists")]
    Listed,
    /// A stored value is not a field element.
    #[error("tree {0}: a stored value is not a field element")]
    Corrupt(i64),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(DbError::Sql(e))
    }
}

/// The trees of one database.
#[derive(Clone, Debug)]
pub struct TreeStore {
    db: Database,
}

const NODE_AT: &str = "SELECT value FROM nodes WHERE tree_id = $1 AND level = $2 AND idx = $3 \
                       AND version <= $4 ORDER BY version DESC LIMIT 1";
const INSERT_NODE: &str =
    "INSERT INTO nodes (tree_id, level, idx, version, value) VALUES ($1, $2, $3, $4, $5)";

fn check_indices(changes: &[(u64, Fr)], depth: usize) -> Result<(), StoreError> {
    match changes.iter().find(|(index, _)| index >> depth != 0) {
        Some((index, _)) => Err(StoreError::IndexOutOfRange {
            index: *index,
            depth,
        }),
        None => Ok(()),
    }
}

/// Writes `changes` as version `v_new` of tree `id`: the leaves, every changed node once
/// (siblings read at `v_old`; none: an empty tree) and the root.
async fn write_version(
    tx: &mut WriteTx,
    id: i64,
    depth: usize,
    changes: &[(u64, Fr)],
    v_old: Option<u64>,
    v_new: u64,
) -> Result<(), StoreError> {
    let levels = depth / 2;
    let zeros = zeros(levels);
    let mut current: BTreeMap<u64, Fr> = changes.iter().copied().collect();
    for (index, leaf) in &current {
        insert_node(tx, id, 0, *index, v_new, leaf).await?;
    }
    for (level, zero) in zeros.iter().enumerate().take(levels) {
        let parents: BTreeSet<u64> = current.keys().map(|i| i >> 2).collect();
        let mut next = BTreeMap::new();
        for parent in parents {
            let mut children = [Fr::from(0u64); ARITY];
            for (j, child) in children.iter_mut().enumerate() {
                let at = parent * ARITY as u64 + j as u64;
                *child = match (current.get(&at), v_old) {
                    (Some(value), _) => *value,
                    (None, None) => *zero,
                    (None, Some(v_old)) => match sqlx::query(NODE_AT)
                        .bind(id)
                        .bind(level as i64)
                        .bind(at as i64)
                        .bind(v_old as i64)
                        .fetch_optional(&mut **tx)
                        .await?
                    {
                        Some(row) => field(id, row.try_get(0)?)?,
                        None => *zero,
                    },
                };
            }
            let node = hash(&children);
            insert_node(tx, id, level + 1, parent, v_new, &node).await?;
            next.insert(parent, node);
        }
        current = next;
    }
    let root = current.get(&0).copied().unwrap_or(zeros[levels]);
    sqlx::query("INSERT INTO roots (tree_id, version, root) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(v_new as i64)
        .bind(fr_to_be_bytes(&root).to_vec())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_node(
    tx: &mut WriteTx,
    id: i64,
    level: usize,
    index: u64,
    version: u64,
    value: &Fr,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_NODE)
        .bind(id)
        .bind(level as i64)
        .bind(index as i64)
        .bind(version as i64)
        .bind(fr_to_be_bytes(value).to_vec())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The roots of empty subtrees, by level (computed once for the deepest tree).
fn zeros(levels: usize) -> &'static [Fr] {
    static ZEROS: std::sync::OnceLock<Vec<Fr>> = std::sync::OnceLock::new();
    let all = ZEROS.get_or_init(|| {
        let mut z = vec![Fr::from(0u64)];
        for k in 0..zkgate_circuits::merkle::MAX_DEPTH / 2 {
            z.push(hash(&[z[k]; ARITY]));
        }
        z
    });
    &all[..=levels]
}

fn field(tree: i64, bytes: Vec<u8>) -> Result<Fr, StoreError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt(tree))?;
    fr_from_be_bytes(&array).map_err(|_| StoreError::Corrupt(tree))
}

/// A tree's shape and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeInfo {
    /// Index bits (even).
    pub depth: usize,
    /// Current version.
    pub version: u64,
    /// One past the highest index ever set (where `push_leaf` appends).
    pub next_index: u64,
}

/// A write transaction ([`Database::begin_write`]).
pub type WriteTx = sqlx::Transaction<'static, sqlx::Any>;

impl TreeStore {
    /// The trees of `db` (migrated with [`crate::MIGRATIONS`]).
    pub fn new(db: Database) -> Self {
        TreeStore { db }
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// Creates an empty tree of `depth` index bits (rounded up to even) at version 0.
    pub async fn create_tree(&self, id: i64, depth: usize) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        self.create_tree_in(&mut tx, id, depth, &[]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates tree `id` inside `tx` with `initial` leaves at version 0.
    pub async fn create_tree_in(
        &self,
        tx: &mut WriteTx,
        id: i64,
        depth: usize,
        initial: &[(u64, Fr)],
    ) -> Result<(), StoreError> {
        let depth = effective_depth(depth);
        let exists = sqlx::query("SELECT 1 FROM trees WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Exists(id));
        }
        check_indices(initial, depth)?;
        let next_index = initial.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
        sqlx::query("INSERT INTO trees (id, depth, version, next_index) VALUES ($1, $2, 0, $3)")
            .bind(id)
            .bind(depth as i64)
            .bind(next_index as i64)
            .execute(&mut **tx)
            .await?;
        write_version(tx, id, depth, initial, None, 0).await
    }

    async fn tree_row<'e, E>(
        &self,
        id: i64,
        executor: E,
        lock: bool,
    ) -> Result<TreeInfo, StoreError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let sql = match (lock, self.db.backend()) {
            (true, Backend::Postgres) => {
                "SELECT depth, version, next_index FROM trees WHERE id = $1 FOR UPDATE"
            }
            _ => "SELECT depth, version, next_index FROM trees WHERE id = $1",
        };
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(executor)
            .await?
            .ok_or(StoreError::NoSuchTree(id))?;
        Ok(TreeInfo {
            depth: row.try_get::<i64, _>(0)? as usize,
            version: row.try_get::<i64, _>(1)? as u64,
            next_index: row.try_get::<i64, _>(2)? as u64,
        })
    }

    /// The tree's row, locked for the rest of `tx` (PostgreSQL `FOR UPDATE`; SQLite's
    /// `BEGIN IMMEDIATE` holds the database's write lock already): writers of one tree queue.
    pub async fn lock_tree(&self, tx: &mut WriteTx, id: i64) -> Result<TreeInfo, StoreError> {
        self.tree_row(id, &mut **tx, true).await
    }

    /// The tree's shape and position.
    pub async fn info(&self, id: i64) -> Result<TreeInfo, StoreError> {
        self.tree_row(id, self.db.pool(), false).await
    }

    /// Sets leaf `index` of tree `id` to `leaf` (zero revokes) in one transaction; returns the
    /// new version.
    pub async fn set_leaf(&self, id: i64, index: u64, leaf: Fr) -> Result<u64, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let version = self.set_leaves_in(&mut tx, id, &[(index, leaf)]).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Sets every `(index, leaf)` of `changes` (a later entry for the same index wins) as one
    /// new version of tree `id`, inside `tx`: the leaves, each changed node once and the new
    /// root. Returns the new version.
    pub async fn set_leaves_in(
        &self,
        tx: &mut WriteTx,
        id: i64,
        changes: &[(u64, Fr)],
    ) -> Result<u64, StoreError> {
        let tree = self.lock_tree(tx, id).await?;
        check_indices(changes, tree.depth)?;
        let version = tree.version + 1;
        write_version(tx, id, tree.depth, changes, Some(tree.version), version).await?;
        let next_index = changes
            .iter()
            .map(|(i, _)| i + 1)
            .fold(tree.next_index, u64::max);
        sqlx::query("UPDATE trees SET version = $2, next_index = $3 WHERE id = $1")
            .bind(id)
            .bind(version as i64)
            .bind(next_index as i64)
            .execute(&mut **tx)
            .await?;
        Ok(version)
    }

    /// Appends `leaf` at the tree's next free index; returns (index, version).
    pub async fn push_leaf(&self, id: i64, leaf: Fr) -> Result<(u64, u64), StoreError> {
        let mut tx = self.db.begin_write().await?;
        let (index, version) = self.push_leaf_in(&mut tx, id, leaf).await?;
        tx.commit().await?;
        Ok((index, version))
    }

    /// [`TreeStore::push_leaf`] inside `tx`.
    pub async fn push_leaf_in(
        &self,
        tx: &mut WriteTx,
        id: i64,
        leaf: Fr,
    ) -> Result<(u64, u64), StoreError> {
        let tree = self.lock_tree(tx, id).await?;
        if tree.next_index >> tree.depth != 0 {
            return Err(StoreError::Full(id));
        }
        let version = self
            .set_leaves_in(tx, id, &[(tree.next_index, leaf)])
            .await?;
        Ok((tree.next_index, version))
    }

    /// The tree's current version.
    pub async fn version(&self, id: i64) -> Result<u64, StoreError> {
        Ok(self.tree_row(id, self.db.pool(), false).await?.version)
    }

    /// The root at `version` (`None`: the current one).
    pub async fn root(&self, id: i64, version: Option<u64>) -> Result<Fr, StoreError> {
        let version = match version {
            Some(v) => v,
            None => self.version(id).await?,
        };
        let row = sqlx::query("SELECT root FROM roots WHERE tree_id = $1 AND version = $2")
            .bind(id)
            .bind(version as i64)
            .fetch_optional(self.db.pool())
            .await?
            .ok_or(StoreError::VersionNotKept { tree: id, version })?;
        field(id, row.try_get(0)?)
    }

    async fn node(
        &self,
        id: i64,
        level: usize,
        idx: u64,
        version: u64,
    ) -> Result<Option<Fr>, StoreError> {
        match sqlx::query(NODE_AT)
            .bind(id)
            .bind(level as i64)
            .bind(idx as i64)
            .bind(version as i64)
            .fetch_optional(self.db.pool())
            .await?
        {
            Some(row) => Ok(Some(field(id, row.try_get(0)?)?)),
            None => Ok(None),
        }
    }

    /// The leaf at `index` as of `version` (`None`: current).
    pub async fn leaf(&self, id: i64, index: u64, version: Option<u64>) -> Result<Fr, StoreError> {
        let version = self.kept(id, version).await?;
        Ok(self.node(id, 0, index, version).await?.unwrap_or_default())
    }

    /// `version` (or the current one) if its root is kept.
    async fn kept(&self, id: i64, version: Option<u64>) -> Result<u64, StoreError> {
        let version = match version {
            Some(v) => v,
            None => self.version(id).await?,
        };
        self.root(id, Some(version)).await?;
        Ok(version)
    }

    /// The authentication path of leaf `index` against the root of `version` (`None`: current).
    pub async fn path(
        &self,
        id: i64,
        index: u64,
        version: Option<u64>,
    ) -> Result<MerklePath, StoreError> {
        let tree = self.tree_row(id, self.db.pool(), false).await?;
        if index >> tree.depth != 0 {
            return Err(StoreError::IndexOutOfRange {
                index,
                depth: tree.depth,
            });
        }
        let version = self.kept(id, version).await?;
        let levels = tree.depth / 2;
        let zeros = zeros(levels);
        // One round trip for the whole path: per sibling, the newest row at or below
        // `version` (an index seek each), joined with UNION ALL.
        let mut wanted = Vec::with_capacity(3 * levels);
        let mut idx = index;
        for level in 0..levels {
            let base = idx & !3;
            wanted.extend(
                (base..base + ARITY as u64)
                    .filter(|at| *at != idx)
                    .map(|at| (level, at)),
            );
            idx >>= 2;
        }
        let mut sql = String::with_capacity(wanted.len() * 200);
        for (k, _) in wanted.iter().enumerate() {
            if k > 0 {
                sql.push_str(" UNION ALL ");
            }
            let p = 3 + 2 * k;
            sql.push_str(&format!(
                "SELECT * FROM (SELECT level, idx, value FROM nodes WHERE tree_id = $1 \
                 AND level = ${p} AND idx = ${} AND version <= $2 \
                 ORDER BY version DESC LIMIT 1) AS s{k}",
                p + 1
            ));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(version as i64);
        for (level, at) in &wanted {
            query = query.bind(*level as i64).bind(*at as i64);
        }
        let mut found = std::collections::HashMap::new();
        for row in query.fetch_all(self.db.pool()).await? {
            let level = row.try_get::<i64, _>(0)? as usize;
            let at = row.try_get::<i64, _>(1)? as u64;
            found.insert((level, at), field(id, row.try_get(2)?)?);
        }
        let mut siblings = Vec::with_capacity(3 * levels);
        let mut idx = index;
        for (level, zero) in zeros.iter().enumerate().take(levels) {
            let base = idx & !3;
            for at in (base..base + ARITY as u64).filter(|at| *at != idx) {
                let value = found.get(&(level, at)).copied().unwrap_or(*zero);
                siblings.push(fr_to_be_bytes(&value));
            }
            idx >>= 2;
        }
        Ok(MerklePath { index, siblings })
    }

    /// Keeps the last `keep` versions readable and deletes every node row and root no kept
    /// version needs; returns the rows deleted.
    pub async fn prune(&self, id: i64, keep: u64) -> Result<u64, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let tree = self.tree_row(id, &mut *tx, true).await?;
        let oldest = (tree.version + 1).saturating_sub(keep.max(1)) as i64;
        let nodes = sqlx::query(
            "DELETE FROM nodes WHERE tree_id = $1 AND version < $2 AND EXISTS (\
             SELECT 1 FROM nodes AS newer WHERE newer.tree_id = nodes.tree_id \
             AND newer.level = nodes.level AND newer.idx = nodes.idx \
             AND newer.version > nodes.version AND newer.version <= $2)",
        )
        .bind(id)
        .bind(oldest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let roots = sqlx::query("DELETE FROM roots WHERE tree_id = $1 AND version < $2")
            .bind(id)
            .bind(oldest)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(nodes + roots)
    }
}
