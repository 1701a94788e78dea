//! The registry service against the real program: its publisher signs and sends the roots over
//! JSON-RPC (a loopback endpoint in front of the runtime), a wallet fetches its witness over
//! HTTP and lands a transfer with it; a crash at every publication step recovers with exactly
//! one root on chain; batching publishes one root for many changes.
use std::time::Duration;

use solana_sdk::signature::{Keypair, Signer};
use zkgate_circuits::encoding::fr_to_be_bytes;
use zkgate_circuits::Fr;
use zkgate_client::api::{decode_field, ProofRequest};
use zkgate_client::ix::transfer_from_proof;
use zkgate_client::pda;
use zkgate_db::seal::DataKey;
use zkgate_db::{testing, Database};
use zkgate_registry::api::IssueRequest;
use zkgate_registry::client::RegistryClient;
use zkgate_registry::publish::{FailPoint, PublishError, Publisher, RpcChain, Step};
use zkgate_registry::registry::{Registry, TreeKind};
use zkgate_registry::{app, AppState, MIGRATIONS};
use zkgate_tests::local_prover::{rule_set_entry, LocalProver};
use zkgate_tests::rpc::RpcShim;
use zkgate_tests::*;

const FAR: i64 = 4_000_000_000;

struct Setup {
    w: World,
    shim: RpcShim,
    registry: Registry,
    client: RegistryClient,
}

async fn setup() -> Setup {
    let w = World::new(TokenKind::Spl).await;
    let shim = RpcShim::start(w.ctx.banks_client.clone()).await;
    let db = Database::connect(&testing::sqlite_url(), MIGRATIONS)
        .await
        .expect("database");
    // Wallets are served published roots only: what the program accepts.
    let registry = Registry::new(db, DataKey::generate(), true);
    registry
        .add_issuer(ISSUER_ID, "Acme KYC", Some(DEPTH))
        .await
        .unwrap();
    registry
        .add_list(SANCTIONS_ID, "OFAC SDN", Some(DEPTH))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(registry.clone(), vec![]);
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    Setup {
        w,
        shim,
        registry,
        client: RegistryClient::new(url),
    }
}

impl Setup {
    fn publisher(&self, interval: Duration) -> Publisher {
        Publisher::new(
            self.registry.clone(),
            RpcChain::new(self.shim.url.clone()),
            vec![
                self.w.issuer_authority.insecure_clone(),
                self.w.sanctions_authority.insecure_clone(),
            ],
            interval,
        )
    }

    /// Ticks until nothing is pending (at most `max` ticks); returns every step taken.
    async fn settle(&self, p: &Publisher, max: usize) -> Vec<(TreeKind, u64, Step)> {
        let mut all = vec![];
        for _ in 0..max {
            let steps = p.tick().await.expect("tick");
            let idle = steps.iter().all(|(_, _, s)| *s == Step::Idle);
            all.extend(steps);
            if idle {
                break;
            }
        }
        all
    }

    async fn ring(&mut self) -> zkgate::state::RootRing {
        let issuer: zkgate::state::Issuer = self.w.account(&pda::issuer(ISSUER_ID)).await;
        issuer.roots
    }

    async fn registry_root(&self, kind: TreeKind, id: u64) -> [u8; 32] {
        let tree = self.registry.tree_id(kind, id).await.unwrap();
        fr_to_be_bytes(&self.registry.trees().root(tree, None).await.unwrap())
    }
}

fn request(subject: u64, wallet: &Keypair) -> IssueRequest {
    IssueRequest {
        subject_id: hex::encode(fr_to_be_bytes(&Fr::from(subject))),
        wallet: wallet.pubkey().to_string(),
        jurisdiction: 840,
        tier: 2,
        expiry: FAR,
    }
}

fn occurrences(ring: &zkgate::state::RootRing, root: &[u8; 32]) -> usize {
    ring.roots[..ring.len as usize]
        .iter()
        .filter(|r| *r == root)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_proves_with_what_the_registry_published_and_transfers() {
    let mut s = setup().await;
    let alice_wallet = s.w.wallet(100_000, None).await;
    let bob = s.w.wallet(0, None).await;
    let issued = s
        .client
        .issue(ISSUER_ID, &request(77, &alice_wallet.keypair))
        .await
        .unwrap();
    // A listed subject, so the list's root differs from the empty list's.
    s.registry
        .list_add(
            SANCTIONS_ID,
            &[hex::encode(fr_to_be_bytes(&Fr::from(5u64)))],
        )
        .await
        .unwrap();
    // Nothing published yet: the wallet is told to come back.
    let early = s
        .client
        .wallet_witness(&alice_wallet.keypair, ISSUER_ID, SANCTIONS_ID)
        .await
        .unwrap_err();
    assert_eq!(early.code(), Some("not_published"));

    let publisher = s.publisher(Duration::ZERO);
    let steps = s.settle(&publisher, 6).await;
    for kind in [TreeKind::Issuer, TreeKind::List] {
        assert!(
            steps
                .iter()
                .any(|(k, _, st)| *k == kind && matches!(st, Step::Confirmed(_))),
            "{kind:?}: {steps:?}"
        );
    }
    assert_eq!(s.shim.sent(), 2, "one transaction per tree");
    let issuer_root = s.registry_root(TreeKind::Issuer, ISSUER_ID).await;
    let list_root = s.registry_root(TreeKind::List, SANCTIONS_ID).await;
    assert_eq!(s.ring().await.latest(), Some(issuer_root));
    let list: zkgate::state::SanctionsList = s.w.account(&pda::sanctions_list(SANCTIONS_ID)).await;
    assert_eq!(list.roots.latest(), Some(list_root));
    // Nothing changed: nothing more is sent.
    s.settle(&publisher, 2).await;
    assert_eq!(s.shim.sent(), 2);

    // The wallet flow over HTTP, then the prover, then the program.
    let ww = s
        .client
        .wallet_witness(&alice_wallet.keypair, ISSUER_ID, SANCTIONS_ID)
        .await
        .unwrap();
    assert_eq!(ww.credential_root, hex::encode(issuer_root));
    assert_eq!(ww.sanctions_root, hex::encode(list_root));
    assert_eq!(ww.witness.credential.salt, issued.credential.salt);
    let witness = ww.witness.decode().unwrap();
    let mut alice = alice_wallet;
    alice.credential = Some(witness.credential.clone());
    let valid_until = s.w.valid_until().await;
    let mut statement = s.w.statement(&alice, &bob, 2_500, valid_until).await;
    statement.credential_root = decode_field("credential_root", &ww.credential_root).unwrap();
    statement.sanctions_root = decode_field("sanctions_root", &ww.sanctions_root).unwrap();
    let req = ProofRequest::from_parts(&statement, &witness, &pda::issuer(ISSUER_ID).to_bytes());
    let prover = LocalProver::start(vec![rule_set_entry(keys(), &s.w.params)])
        .await
        .expect("prover");
    let resp = prover.client.prove(&req).await.expect("proof");
    let ix = transfer_from_proof(&s.w.transfer_accounts(&alice, &bob), &req, &resp).unwrap();
    let signer = alice.keypair.insecure_clone();
    s.w.send_with_logs(&[ix], &[&signer])
        .await
        .expect("transfer approved");
    assert_eq!(s.w.balance(&alice.token_account).await, 97_500);
    assert_eq!(s.w.balance(&bob.token_account).await, 2_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_every_publication_step_recovers_with_one_root() {
    let mut s = setup().await;
    // The first roots.
    s.settle(&s.publisher(Duration::ZERO), 6).await;
    for (n, point) in [
        FailPoint::AfterCreated,
        FailPoint::AfterMarkedSent,
        FailPoint::AfterSubmitted,
    ]
    .into_iter()
    .enumerate()
    {
        s.client
            .issue(ISSUER_ID, &request(100 + n as u64, &Keypair::new()))
            .await
            .unwrap();
        let root = s.registry_root(TreeKind::Issuer, ISSUER_ID).await;
        let before = s.ring().await;
        let sent_before = s.shim.sent();
        // The crash: the publisher stops at the point; its memory is gone.
        let crashing = s.publisher(Duration::ZERO).fail_at(Some(point));
        match crashing.tick().await {
            Err(PublishError::FailPoint(p)) => assert_eq!(p, point),
            other => panic!("{point:?}: expected the fail point, got {other:?}"),
        }
        drop(crashing);
        // The restart.
        let restarted = s.publisher(Duration::ZERO);
        let mut steps = s.settle(&restarted, 4).await;
        if point == FailPoint::AfterMarkedSent {
            // The signed transaction never left: the row waits for its blockhash to expire
            // (it could still land until then), then the root is signed again.
            assert!(
                !steps
                    .iter()
                    .any(|(_, _, st)| matches!(st, Step::Confirmed(_))),
                "{steps:?}"
            );
            assert_eq!(s.shim.sent(), sent_before);
            s.shim.advance_block_height(200);
            steps = s.settle(&restarted, 6).await;
            assert!(
                steps.iter().any(|(_, _, st)| matches!(st, Step::Retry(_))),
                "{steps:?}"
            );
        }
        let after = s.ring().await;
        assert_eq!(after.latest(), Some(root), "{point:?}");
        assert_eq!(
            occurrences(&after, &root),
            1,
            "{point:?}: root published once"
        );
        assert_eq!(after.len, before.len + 1, "{point:?}: one root per change");
        assert_eq!(s.shim.sent(), sent_before + 1, "{point:?}: one transaction");
        let published = s
            .registry
            .summary(TreeKind::Issuer, ISSUER_ID)
            .await
            .unwrap()
            .published
            .unwrap();
        assert_eq!(published.state, "confirmed");
        assert_eq!(published.root, hex::encode(root));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_within_the_interval_are_batched_into_one_root() {
    let mut s = setup().await;
    let slow = s.publisher(Duration::from_secs(3600));
    s.settle(&slow, 6).await;
    let before = s.ring().await;
    let sent = s.shim.sent();
    for n in 0..5u64 {
        s.client
            .issue(ISSUER_ID, &request(200 + n, &Keypair::new()))
            .await
            .unwrap();
    }
    // Within the interval: nothing is sent.
    let steps = s.settle(&slow, 2).await;
    assert!(
        steps.iter().all(|(_, _, st)| *st == Step::Idle),
        "{steps:?}"
    );
    assert_eq!(s.shim.sent(), sent);
    // Once it has passed (a publisher with no interval here): one root for five changes.
    s.settle(&s.publisher(Duration::ZERO), 6).await;
    let after = s.ring().await;
    assert_eq!(after.len, before.len + 1);
    assert_eq!(
        after.latest(),
        Some(s.registry_root(TreeKind::Issuer, ISSUER_ID).await)
    );
    assert_eq!(s.shim.sent(), sent + 1);
    let published = s
        .registry
        .summary(TreeKind::Issuer, ISSUER_ID)
        .await
        .unwrap()
        .published
        .unwrap();
    assert_eq!(published.version, 5);
}
