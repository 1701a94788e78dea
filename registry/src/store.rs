//! Versioned quaternary Poseidon trees on the database, equal to `zkgate_circuits::merkle`'s.
//!
//! Every change is one transaction that writes the leaf, the changed path nodes and the new
//! root at the tree's next version; a node's value at version `v` is its newest row at or
//! below `v`, so paths can be served against any kept root. The program keeps the last
//! [`RING`] roots of a tree; [`TreeStore::prune`] drops node rows no kept version can read.
//! Values are 32-byte big-endian field elements (byte order = numeric order).
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

/// The roots of empty subtrees, by level.
fn zeros(levels: usize) -> Vec<Fr> {
    let mut z = vec![Fr::from(0u64)];
    for k in 0..levels {
        z.push(hash(&[z[k]; ARITY]));
    }
    z
}

fn field(tree: i64, bytes: Vec<u8>) -> Result<Fr, StoreError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt(tree))?;
    fr_from_be_bytes(&array).map_err(|_| StoreError::Corrupt(tree))
}

struct TreeRow {
    depth: usize,
    version: u64,
    next_index: u64,
}

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
        let depth = effective_depth(depth);
        let mut tx = self.db.begin_write().await?;
        let exists = sqlx::query("SELECT 1 FROM trees WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Exists(id));
        }
        sqlx::query("INSERT INTO trees (id, depth, version, next_index) VALUES ($1, $2, 0, 0)")
            .bind(id)
            .bind(depth as i64)
            .execute(&mut *tx)
            .await?;
        let root = zeros(depth / 2)[depth / 2];
        sqlx::query("INSERT INTO roots (tree_id, version, root) VALUES ($1, 0, $2)")
            .bind(id)
            .bind(fr_to_be_bytes(&root).to_vec())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn tree_row<'e, E>(&self, id: i64, executor: E, lock: bool) -> Result<TreeRow, StoreError>
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
        Ok(TreeRow {
            depth: row.try_get::<i64, _>(0)? as usize,
            version: row.try_get::<i64, _>(1)? as u64,
            next_index: row.try_get::<i64, _>(2)? as u64,
        })
    }

    /// Sets leaf `index` of tree `id` to `leaf` (zero revokes) in one transaction; returns the
    /// new version.
    pub async fn set_leaf(&self, id: i64, index: u64, leaf: Fr) -> Result<u64, StoreError> {
        let mut tx = self.db.begin_write().await?;
        let tree = self.tree_row(id, &mut *tx, true).await?;
        if index >> tree.depth != 0 {
            return Err(StoreError::IndexOutOfRange {
                index,
                depth: tree.depth,
            });
        }
        let levels = tree.depth / 2;
        let zeros = zeros(levels);
        let version = tree.version + 1;
        let (v_old, v_new) = (tree.version as i64, version as i64);
        sqlx::query(INSERT_NODE)
            .bind(id)
            .bind(0i64)
            .bind(index as i64)
            .bind(v_new)
            .bind(fr_to_be_bytes(&leaf).to_vec())
            .execute(&mut *tx)
            .await?;
        let (mut cur, mut idx) = (leaf, index);
        for (level, zero) in zeros.iter().enumerate().take(levels) {
            let base = idx & !3;
            let mut children = [Fr::from(0u64); ARITY];
            for (j, child) in children.iter_mut().enumerate() {
                let at = base + j as u64;
                *child = if at == idx {
                    cur
                } else {
                    match sqlx::query(NODE_AT)
                        .bind(id)
                        .bind(level as i64)
                        .bind(at as i64)
                        .bind(v_old)
                        .fetch_optional(&mut *tx)
                        .await?
                    {
                        Some(row) => field(id, row.try_get(0)?)?,
                        None => *zero,
                    }
                };
            }
            cur = hash(&children);
            idx >>= 2;
            sqlx::query(INSERT_NODE)
                .bind(id)
                .bind(level as i64 + 1)
                .bind(idx as i64)
                .bind(v_new)
                .bind(fr_to_be_bytes(&cur).to_vec())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO roots (tree_id, version, root) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(v_new)
            .bind(fr_to_be_bytes(&cur).to_vec())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE trees SET version = $2, next_index = $3 WHERE id = $1")
            .bind(id)
            .bind(v_new)
            .bind(tree.next_index.max(index + 1) as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Appends `leaf` at the tree's next free index; returns (index, version).
    pub async fn push_leaf(&self, id: i64, leaf: Fr) -> Result<(u64, u64), StoreError> {
        // The next index is read again under the write lock by `set_leaf`'s transaction; a
        // concurrent push at the same index is caught there (the row for that index and
        // version exists: the insert fails) rather than silently overwriting.
        let tree = self.tree_row(id, self.db.pool(), false).await?;
        if tree.next_index >> tree.depth != 0 {
            return Err(StoreError::Full(id));
        }
        let version = self.set_leaf(id, tree.next_index, leaf).await?;
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
        let mut siblings = Vec::with_capacity(3 * levels);
        let mut idx = index;
        for (level, zero) in zeros.iter().enumerate().take(levels) {
            let base = idx & !3;
            for at in (base..base + ARITY as u64).filter(|at| *at != idx) {
                let value = self.node(id, level, at, version).await?.unwrap_or(*zero);
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
