//! Sanctions lists on the database equal `IndexedMerkleTree`: roots after random batches of
//! insertions and removals, non-membership witnesses against every kept version, refusals.
use rand::{Rng, SeedableRng};
use zkgate_circuits::indexed::{sentinel, IndexedMerkleTree};
use zkgate_circuits::Fr;
use zkgate_db::{testing, Backend, Database};
use zkgate_registry::indexed::IndexedStore;
use zkgate_registry::store::{StoreError, TreeStore, RING};
use zkgate_registry::MIGRATIONS;

async fn lists(backend: Backend) -> IndexedStore {
    let url = testing::url(backend).await;
    IndexedStore::new(TreeStore::new(
        Database::connect(&url, MIGRATIONS).await.expect("connect"),
    ))
}

async fn random_batches_match_the_in_memory_list(backend: Backend, seed: u64) {
    const DEPTH: usize = 8;
    let lists = lists(backend).await;
    lists.create(3, DEPTH).await.unwrap();
    let mut mem = IndexedMerkleTree::new(DEPTH);
    assert_eq!(lists.trees().root(3, None).await.unwrap(), mem.root());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut listed: Vec<u64> = vec![];
    let mut snapshots = vec![mem.clone()];
    for step in 0..30u64 {
        let remove = !listed.is_empty() && rng.gen_bool(0.3);
        let version = if remove {
            // A batch of 1-3 listed values (neighbours included: consecutive removals relink
            // through each other).
            let n = rng.gen_range(1..=3.min(listed.len()));
            let mut batch = vec![];
            for _ in 0..n {
                let at = rng.gen_range(0..listed.len());
                batch.push(listed.swap_remove(at));
            }
            for v in &batch {
                mem.remove(&Fr::from(*v)).unwrap();
            }
            let values: Vec<Fr> = batch.iter().map(|v| Fr::from(*v)).collect();
            lists.remove(3, &values).await.unwrap()
        } else {
            // Small values so batches interleave with each other and with what is listed.
            let n = rng.gen_range(1..=4);
            let mut batch = vec![];
            while batch.len() < n {
                let v = rng.gen_range(1..200u64);
                if !listed.contains(&v) && !batch.contains(&v) {
                    batch.push(v);
                }
            }
            let mut expected = vec![];
            for v in &batch {
                expected.push(mem.insert(Fr::from(*v)).unwrap());
            }
            listed.extend(&batch);
            let values: Vec<Fr> = batch.iter().map(|v| Fr::from(*v)).collect();
            let (indices, version) = lists.insert(3, &values).await.unwrap();
            assert_eq!(indices, expected, "step {step}");
            version
        };
        assert_eq!(version, step + 1);
        snapshots.push(mem.clone());
        assert_eq!(
            lists.trees().root(3, None).await.unwrap(),
            mem.root(),
            "step {step}"
        );
        assert_eq!(lists.len(3).await.unwrap(), mem.len() as u64);
    }
    // Witnesses against kept versions equal the in-memory ones and verify; listed values get
    // none.
    let current = lists.trees().version(3).await.unwrap();
    for version in [0, current / 2, current - 1, current] {
        let snap = &snapshots[version as usize];
        for x in [1u64, 2, 57, 100, 199, 1 << 40] {
            let x = Fr::from(x);
            let ours = lists.non_membership(3, &x, Some(version)).await;
            match snap.non_membership(&x) {
                Ok(expected) => {
                    let ours = ours.unwrap();
                    assert_eq!(ours, expected);
                    assert!(ours.verifies(&x, &snap.root()).unwrap());
                }
                Err(_) => assert!(matches!(ours, Err(StoreError::Listed))),
            }
            assert_eq!(
                lists.contains(3, &x, Some(version)).await.unwrap(),
                snap.contains(&x)
            );
        }
    }
    // Pruned to the ring: the kept versions still serve the same witnesses.
    assert!(lists.prune(3, RING).await.unwrap() > 0);
    for version in current - RING + 1..=current {
        let snap = &snapshots[version as usize];
        for x in [3u64, 150] {
            let x = Fr::from(x);
            if let Ok(expected) = snap.non_membership(&x) {
                assert_eq!(
                    lists.non_membership(3, &x, Some(version)).await.unwrap(),
                    expected
                );
            }
        }
    }
    // And writes after pruning build on the kept state.
    let v = (1..200u64).find(|v| !listed.contains(v)).unwrap();
    mem.insert(Fr::from(v)).unwrap();
    lists.insert(3, &[Fr::from(v)]).await.unwrap();
    assert_eq!(lists.trees().root(3, None).await.unwrap(), mem.root());
}

async fn refusals(backend: Backend) {
    let lists = lists(backend).await;
    lists.create(1, 2).await.unwrap();
    let one = Fr::from(1u64);
    for bad in [Fr::from(0u64), sentinel(), sentinel() + one] {
        assert!(matches!(
            lists.insert(1, &[bad]).await,
            Err(StoreError::ValueOutOfRange)
        ));
        assert!(matches!(
            lists.non_membership(1, &bad, None).await,
            Err(StoreError::ValueOutOfRange)
        ));
    }
    lists.insert(1, &[Fr::from(5u64)]).await.unwrap();
    // A refused batch writes nothing, even its valid values.
    assert!(matches!(
        lists.insert(1, &[Fr::from(6u64), Fr::from(5u64)]).await,
        Err(StoreError::AlreadyListed)
    ));
    assert!(matches!(
        lists.insert(1, &[Fr::from(6u64), Fr::from(6u64)]).await,
        Err(StoreError::AlreadyListed)
    ));
    assert!(matches!(
        lists.remove(1, &[Fr::from(5u64), Fr::from(9u64)]).await,
        Err(StoreError::NotListed)
    ));
    assert!(matches!(
        lists.remove(1, &[Fr::from(5u64), Fr::from(5u64)]).await,
        Err(StoreError::NotListed)
    ));
    assert_eq!(lists.trees().version(1).await.unwrap(), 1);
    assert!(lists.contains(1, &Fr::from(5u64), None).await.unwrap());
    assert!(!lists.contains(1, &Fr::from(6u64), None).await.unwrap());
    // Depth 2: leaf 0 and three values; removed indices are not reused.
    lists
        .insert(1, &[Fr::from(6u64), Fr::from(7u64)])
        .await
        .unwrap();
    lists.remove(1, &[Fr::from(6u64)]).await.unwrap();
    assert!(matches!(
        lists.insert(1, &[Fr::from(8u64)]).await,
        Err(StoreError::Full(1))
    ));
    assert!(matches!(
        lists.insert(2, &[one]).await,
        Err(StoreError::NoSuchTree(2))
    ));
}

#[tokio::test]
async fn sqlite_lists_equal_the_in_memory_lists() {
    for seed in [5, 6] {
        random_batches_match_the_in_memory_list(Backend::Sqlite, seed).await;
    }
    refusals(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_lists_equal_the_in_memory_lists() {
    for seed in [7, 8] {
        random_batches_match_the_in_memory_list(Backend::Postgres, seed).await;
    }
    refusals(Backend::Postgres).await;
}
