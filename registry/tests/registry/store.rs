use rand::{Rng, SeedableRng};
use zkgate_circuits::merkle::MerkleTree;
use zkgate_circuits::Fr;
use zkgate_db::{testing, Backend, Database};
use zkgate_registry::store::{StoreError, TreeStore, RING};
use zkgate_registry::MIGRATIONS;

async fn store(backend: Backend) -> TreeStore {
    let url = testing::url(backend).await;
    TreeStore::new(Database::connect(&url, MIGRATIONS).await.expect("connect"))
}

async fn random_operations_match_the_in_memory_tree(backend: Backend, seed: u64) {
    let store = store(backend).await;
    const DEPTH: usize = 8;
    store.create_tree(7, DEPTH).await.unwrap();
    // Another tree in the same tables stays independent.
    store.create_tree(8, DEPTH).await.unwrap();
    store.push_leaf(8, Fr::from(99u64)).await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut mem = MerkleTree::new(DEPTH);
    let mut snapshots = vec![mem.clone()];
    assert_eq!(store.root(7, None).await.unwrap(), mem.root());
    for step in 0..40u64 {
        let roll: f64 = rng.gen();
        let version = if roll < 0.6 || mem.is_empty() {
            let leaf = Fr::from(rng.gen::<u64>());
            let (index, version) = store.push_leaf(7, leaf).await.unwrap();
            assert_eq!(mem.push(leaf).unwrap(), index);
            version
        } else if roll < 0.9 {
            let index = rng.gen_range(0..64u64);
            let leaf = Fr::from(rng.gen::<u64>());
            mem.set(index, leaf).unwrap();
            store.set_leaf(7, index, leaf).await.unwrap()
        } else {
            // Revocation: the leaf zeroed.
            let index = rng.gen_range(0..mem.len());
            mem.set(index, Fr::from(0u64)).unwrap();
            store.set_leaf(7, index, Fr::from(0u64)).await.unwrap()
        };
        assert_eq!(version, step + 1);
        snapshots.push(mem.clone());
        assert_eq!(
            store.root(7, None).await.unwrap(),
            mem.root(),
            "step {step}"
        );
    }
    // Paths against every version, for leaves set and empty.
    let current = store.version(7).await.unwrap();
    for version in [0, 1, current / 2, current - RING + 1, current] {
        let snap = &snapshots[version as usize];
        for index in [0u64, 1, 5, 17, 255] {
            let path = store.path(7, index, Some(version)).await.unwrap();
            assert_eq!(path, snap.path(index).unwrap(), "v{version} leaf {index}");
            assert_eq!(
                store.leaf(7, index, Some(version)).await.unwrap(),
                snap.leaf(index)
            );
        }
    }
    // Pruned to the ring: the last RING versions still serve the same paths, older ones are
    // refused by name.
    let deleted = store.prune(7, RING).await.unwrap();
    assert!(deleted > 0);
    for version in current - RING + 1..=current {
        let snap = &snapshots[version as usize];
        for index in [0u64, 3, 200] {
            assert_eq!(
                store.path(7, index, Some(version)).await.unwrap(),
                snap.path(index).unwrap()
            );
        }
    }
    let old = current - RING;
    assert!(matches!(
        store.path(7, 0, Some(old)).await,
        Err(StoreError::VersionNotKept { tree: 7, version }) if version == old
    ));
    // Writes after pruning build on the kept state.
    let leaf = Fr::from(5u64);
    let (index, _) = store.push_leaf(7, leaf).await.unwrap();
    mem.push(leaf).unwrap();
    assert_eq!(store.root(7, None).await.unwrap(), mem.root());
    assert_eq!(
        store.path(7, index, None).await.unwrap(),
        mem.path(index).unwrap()
    );
    // The other tree was not touched.
    let mut other = MerkleTree::new(DEPTH);
    other.push(Fr::from(99u64)).unwrap();
    assert_eq!(store.root(8, None).await.unwrap(), other.root());
}

async fn refusals(backend: Backend) {
    let store = store(backend).await;
    store.create_tree(1, 4).await.unwrap();
    assert!(matches!(
        store.create_tree(1, 4).await,
        Err(StoreError::Exists(1))
    ));
    assert!(matches!(
        store.set_leaf(2, 0, Fr::from(1u64)).await,
        Err(StoreError::NoSuchTree(2))
    ));
    assert!(matches!(
        store.set_leaf(1, 16, Fr::from(1u64)).await,
        Err(StoreError::IndexOutOfRange {
            index: 16,
            depth: 4
        })
    ));
    assert!(matches!(
        store.path(1, 0, Some(3)).await,
        Err(StoreError::VersionNotKept {
            tree: 1,
            version: 3
        })
    ));
    // A refused change wrote nothing.
    assert_eq!(store.version(1).await.unwrap(), 0);
    // Full: a depth-2 tree takes four leaves.
    store.create_tree(3, 2).await.unwrap();
    for _ in 0..4 {
        store.push_leaf(3, Fr::from(1u64)).await.unwrap();
    }
    assert!(matches!(
        store.push_leaf(3, Fr::from(1u64)).await,
        Err(StoreError::Full(3))
    ));
    assert!(store.db().ping().await);
}

#[tokio::test]
async fn sqlite_trees_equal_the_in_memory_trees() {
    for seed in [1, 2] {
        random_operations_match_the_in_memory_tree(Backend::Sqlite, seed).await;
    }
    refusals(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_trees_equal_the_in_memory_trees() {
    for seed in [3, 4] {
        random_operations_match_the_in_memory_tree(Backend::Postgres, seed).await;
    }
    refusals(Backend::Postgres).await;
}

/// A database file survives its process: reopened (migrations not re-applied), the tree is
/// where it was.
#[tokio::test]
async fn a_reopened_sqlite_database_keeps_its_trees() {
    let url = testing::sqlite_url();
    let store = TreeStore::new(Database::connect(&url, MIGRATIONS).await.unwrap());
    store.create_tree(1, 4).await.unwrap();
    store.push_leaf(1, Fr::from(3u64)).await.unwrap();
    let root = store.root(1, None).await.unwrap();
    store.db().pool().close().await;
    let again = TreeStore::new(Database::connect(&url, MIGRATIONS).await.unwrap());
    assert_eq!(again.root(1, None).await.unwrap(), root);
    assert_eq!(again.version(1).await.unwrap(), 1);
}
