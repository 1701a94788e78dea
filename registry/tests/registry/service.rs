//! The service over HTTP on loopback, through `RegistryClient`, on both backends: the whole
//! issuer → list → wallet flow (the witness equals the in-memory trees' and verifies), roles,
//! and every refusal with its exact code and nothing written.
use solana_sdk::signature::{Keypair, Signer};
use zkgate_circuits::credential::Credential;
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_to_be_bytes};
use zkgate_circuits::indexed::IndexedMerkleTree;
use zkgate_circuits::merkle::MerkleTree;
use zkgate_circuits::Fr;
use zkgate_db::seal::DataKey;
use zkgate_db::{testing, Backend, Database};
use zkgate_registry::api::{IssueBatch, IssueRequest, NewIssuer, NewList, WitnessRequest};
use zkgate_registry::client::{ClientError, RegistryClient};
use zkgate_registry::config::ApiKey;
use zkgate_registry::registry::Registry;
use zkgate_registry::{app, AppState, MIGRATIONS};

const ADMIN: &str = "admin-secret-0123456789";
const ISSUER: &str = "issuer-secret-0123456789";
const LIST: &str = "list-secret-0123456789";
const READ: &str = "read-secret-0123456789";

pub struct Service {
    pub url: String,
    pub db: Database,
}

pub async fn start(backend: Backend, body_limit: Option<usize>) -> Service {
    let url = testing::url(backend).await;
    let db = Database::connect(&url, MIGRATIONS).await.expect("connect");
    let registry = Registry::new(db.clone(), DataKey::generate(), false);
    let keys: Vec<ApiKey> = [
        format!("admin={ADMIN}"),
        format!("issuer:1={ISSUER}"),
        format!("list:1={LIST}"),
        format!("read={READ}"),
    ]
    .iter()
    .map(|k| k.parse().unwrap())
    .collect();
    let mut state = AppState::new(registry, keys);
    if let Some(limit) = body_limit {
        state.body_limit = limit;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    Service {
        url: format!("http://{addr}"),
        db,
    }
}

fn subject(n: u64) -> String {
    hex::encode(fr_to_be_bytes(&Fr::from(n)))
}

fn request(subject_id: u64, wallet: &Keypair) -> IssueRequest {
    IssueRequest {
        subject_id: subject(subject_id),
        wallet: wallet.pubkey().to_string(),
        jurisdiction: 276,
        tier: 2,
        expiry: 4_102_444_800,
    }
}

fn credential(r: &zkgate_registry::api::CredentialRecord) -> Credential {
    let c = &r.credential;
    Credential {
        subject_id: zkgate_client::api::decode_field("subject_id", &c.subject_id).unwrap(),
        wallet: zkgate_client::api::decode_key("wallet", &c.wallet).unwrap(),
        jurisdiction: c.jurisdiction,
        tier: c.tier,
        expiry: c.expiry,
        salt: zkgate_client::api::decode_field("salt", &c.salt).unwrap(),
    }
}

fn code(e: ClientError) -> (u16, String, Option<String>) {
    match e {
        ClientError::Api { status, body } => (status, body.error.code, body.error.field),
        other => panic!("expected an API error, got {other}"),
    }
}

async fn flow(backend: Backend) {
    let s = start(backend, None).await;
    let admin = RegistryClient::new(&s.url).with_api_key(ADMIN);
    let issuer = RegistryClient::new(&s.url).with_api_key(ISSUER);
    let list = RegistryClient::new(&s.url).with_api_key(LIST);
    let public = RegistryClient::new(&s.url);
    admin
        .add_issuer(&NewIssuer {
            id: 1,
            name: "Acme KYC".into(),
            depth: Some(8),
        })
        .await
        .unwrap();
    admin
        .add_list(&NewList {
            id: 1,
            name: "OFAC".into(),
            depth: Some(8),
        })
        .await
        .unwrap();
    let alice = Keypair::new();
    let bob = Keypair::new();
    let mut tree = MerkleTree::new(8);
    let a = issuer.issue(1, &request(1000, &alice)).await.unwrap();
    assert_eq!((a.leaf_index, a.issued_version), (0, 1));
    let batch = issuer
        .issue_batch(
            1,
            &IssueBatch {
                credentials: vec![request(1001, &bob), request(1002, &Keypair::new())],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        batch.iter().map(|r| r.leaf_index).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(batch.iter().all(|r| r.issued_version == 2));
    for r in std::iter::once(&a).chain(&batch) {
        let c = credential(r);
        tree.push(c.leaf().unwrap()).unwrap();
    }
    // Salts are drawn by the service, fresh each time.
    assert_ne!(a.credential.salt, batch[0].credential.salt);
    let issuers = public.issuers().await.unwrap();
    assert_eq!(issuers[0].root, hex::encode(fr_to_be_bytes(&tree.root())));
    assert_eq!((issuers[0].version, issuers[0].entries), (2, 3));

    // The list: two entries and a CSV import that repeats one.
    let mut mem = IndexedMerkleTree::new(8);
    list.list_add(1, vec![subject(500), subject(2000)])
        .await
        .unwrap();
    let csv = format!(
        "subject_id\n{}\n# comment\n\n{}\n",
        subject(700),
        subject(500)
    );
    let imported = list.import_csv(1, csv).await.unwrap();
    assert_eq!((imported.listed, imported.already_listed), (1, 1));
    for v in [500u64, 2000, 700] {
        mem.insert(Fr::from(v)).unwrap();
    }
    assert_eq!(imported.root, hex::encode(fr_to_be_bytes(&mem.root())));

    // A chunked import reports its progress and skips what is listed.
    let ids: Vec<String> = [800u64, 801, 500, 802, 803]
        .iter()
        .map(|v| subject(*v))
        .collect();
    let mut seen = vec![];
    let done = list
        .import_ids(1, &ids, 2, |p| {
            seen.push((p.sent, p.listed, p.already_listed))
        })
        .await
        .unwrap();
    assert_eq!(seen, [(2, 2, 0), (4, 3, 1), (5, 4, 1)]);
    assert_eq!((done.total, done.listed, done.already_listed), (5, 4, 1));
    for v in [800u64, 801, 802, 803] {
        mem.insert(Fr::from(v)).unwrap();
    }
    assert_eq!(done.root, hex::encode(fr_to_be_bytes(&mem.root())));

    // The wallet flow: challenge, signature, witness; the pieces verify against the roots.
    let w = public.wallet_witness(&alice, 1, 1).await.unwrap();
    assert_eq!(w.credential_root, hex::encode(fr_to_be_bytes(&tree.root())));
    assert_eq!(w.sanctions_root, hex::encode(fr_to_be_bytes(&mem.root())));
    let witness = w.witness.decode().unwrap();
    assert_eq!(witness.credential_path, tree.path(0).unwrap());
    let subject_fr = Fr::from(1000u64);
    assert_eq!(witness.sanctions, mem.non_membership(&subject_fr).unwrap());
    assert!(witness
        .sanctions
        .verifies(&subject_fr, &mem.root())
        .unwrap());
    let credential: &Credential = &witness.credential;
    assert_eq!(credential.wallet, alice.pubkey().to_bytes());
    assert_eq!(
        witness
            .credential_path
            .root_from(credential.leaf().unwrap())
            .unwrap(),
        tree.root()
    );
    // A dApp reader gets the same non-membership witness by subject id.
    let reader = RegistryClient::new(&s.url).with_api_key(READ);
    let nm = reader.non_membership(1, &subject(1000)).await.unwrap();
    assert_eq!(nm.root, w.sanctions_root);
    assert_eq!(
        code(reader.non_membership(1, &subject(700)).await.unwrap_err()),
        (409, "listed".into(), None)
    );
    // The issuer finds a subject's credentials (the subject id is not stored in clear).
    let found = issuer
        .credentials_of_subject(1, &subject(1001))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].credential.salt, batch[0].credential.salt);

    // Revocation: the leaf is zeroed, the wallet has no credential any more.
    let change = issuer.revoke(1, 0).await.unwrap();
    tree.set(0, Fr::from(0u64)).unwrap();
    assert_eq!(change.root, hex::encode(fr_to_be_bytes(&tree.root())));
    assert_eq!(
        code(public.wallet_witness(&alice, 1, 1).await.unwrap_err()),
        (404, "no_credential".into(), None)
    );
    assert_eq!(
        code(issuer.revoke(1, 0).await.unwrap_err()),
        (409, "already_revoked".into(), None)
    );
    assert_eq!(
        code(issuer.revoke(1, 77).await.unwrap_err()),
        (404, "unknown_credential".into(), None)
    );
    // A listed subject's wallet gets no non-membership witness.
    let mallory = Keypair::new();
    issuer.issue(1, &request(2000, &mallory)).await.unwrap();
    assert_eq!(
        code(public.wallet_witness(&mallory, 1, 1).await.unwrap_err()),
        (409, "listed".into(), None)
    );
    // Unlisting mallory's subject makes the witness available again.
    list.list_remove(1, vec![subject(2000)]).await.unwrap();
    public.wallet_witness(&mallory, 1, 1).await.unwrap();

    // Metrics and readiness.
    let text = reqwest::get(format!("{}/metrics", s.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("zkgate_registry_credentials_issued_total 4"),
        "{text}"
    );
    assert!(
        text.contains("zkgate_registry_tree_entries{kind=\"list\",id=\"1\"} 6"),
        "{text}"
    );
    assert!(text.contains("zkgate_registry_wallet_witnesses_total{result=\"ok\"} 2"));
    let ready = reqwest::get(format!("{}/readyz", s.url)).await.unwrap();
    assert_eq!(ready.status(), 200);
    let doc: serde_json::Value = reqwest::get(format!("{}/openapi.json", s.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/v1/wallets/{wallet}/witness"]["post"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["IssueRequest"]["properties"]["tier"]["maximum"],
        4
    );
    // The database gone: unready, and requests fail with a 503 (retry) that leaks nothing.
    s.db.pool().close().await;
    let ready = reqwest::get(format!("{}/readyz", s.url)).await.unwrap();
    assert_eq!(ready.status(), 503);
    let (status, code, _) = code(
        issuer
            .issue(1, &request(3000, &Keypair::new()))
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code.as_str()), (503, "unavailable"));
    let r = reqwest::Client::new()
        .delete(format!("{}/v1/issuers/1/credentials/1", s.url))
        .bearer_auth(ISSUER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "temporarily unavailable: retry later"
    );
}

async fn refusals(backend: Backend) {
    let s = start(backend, Some(4096)).await;
    let admin = RegistryClient::new(&s.url).with_api_key(ADMIN);
    let issuer = RegistryClient::new(&s.url).with_api_key(ISSUER);
    let list = RegistryClient::new(&s.url).with_api_key(LIST);
    let public = RegistryClient::new(&s.url);
    let new_issuer = |id| NewIssuer {
        id,
        name: "Acme".into(),
        depth: Some(4),
    };
    // Roles: no key 401, another role's key 403, admin-only creation.
    assert_eq!(
        code(public.add_issuer(&new_issuer(1)).await.unwrap_err()),
        (401, "unauthorized".into(), None)
    );
    assert_eq!(
        code(
            RegistryClient::new(&s.url)
                .with_api_key("not-a-key-0123456789")
                .add_issuer(&new_issuer(1))
                .await
                .unwrap_err()
        ),
        (401, "unauthorized".into(), None)
    );
    assert_eq!(
        code(issuer.add_issuer(&new_issuer(1)).await.unwrap_err()),
        (403, "forbidden".into(), None)
    );
    admin.add_issuer(&new_issuer(1)).await.unwrap();
    admin.add_issuer(&new_issuer(2)).await.unwrap();
    assert_eq!(
        code(admin.add_issuer(&new_issuer(1)).await.unwrap_err()),
        (409, "exists".into(), Some("id".into()))
    );
    assert_eq!(
        code(
            admin
                .add_issuer(&NewIssuer {
                    id: 3,
                    name: "x".into(),
                    depth: Some(40)
                })
                .await
                .unwrap_err()
        ),
        (422, "invalid_field".into(), Some("depth".into()))
    );
    admin
        .add_list(&NewList {
            id: 1,
            name: "OFAC".into(),
            depth: Some(4),
        })
        .await
        .unwrap();
    let wallet = Keypair::new();
    // The issuer-1 key may not issue at issuer 2, nor edit the list.
    assert_eq!(
        code(issuer.issue(2, &request(5, &wallet)).await.unwrap_err()),
        (403, "forbidden".into(), None)
    );
    assert_eq!(
        code(issuer.list_add(1, vec![subject(5)]).await.unwrap_err()),
        (403, "forbidden".into(), None)
    );
    assert_eq!(
        code(list.issue(1, &request(5, &wallet)).await.unwrap_err()),
        (403, "forbidden".into(), None)
    );
    // Malformed attributes, each named.
    let bad = |f: fn(&mut IssueRequest)| {
        let mut r = request(5, &wallet);
        f(&mut r);
        r
    };
    for (r, field) in [
        (bad(|r| r.subject_id = "zz".into()), "subject_id"),
        (bad(|r| r.subject_id = subject(0)), "subject_id"),
        (
            bad(|r| r.subject_id = hex::encode([0xff; 32])),
            "subject_id",
        ),
        (bad(|r| r.wallet = "not-base58!".into()), "wallet"),
        (bad(|r| r.jurisdiction = 0), "jurisdiction"),
        (bad(|r| r.tier = 5), "tier"),
        (bad(|r| r.tier = 0), "tier"),
        (bad(|r| r.expiry = 1), "expiry"),
    ] {
        assert_eq!(
            code(issuer.issue(1, &r).await.unwrap_err()),
            (422, "invalid_field".into(), Some(field.into())),
            "{field}"
        );
    }
    // Unknown JSON fields and wrong types are 400 with the path.
    let raw = reqwest::Client::new()
        .post(format!("{}/v1/issuers/1/credentials", s.url))
        .bearer_auth(ISSUER)
        .json(
            &serde_json::json!({"subject_id": subject(5), "wallet": wallet.pubkey().to_string(),
            "jurisdiction": 276, "tier": "two", "expiry": 4_102_444_800i64}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(body["error"]["field"], "tier");
    // A batch with one bad entry writes nothing and names the entry.
    let mut batch = vec![request(6, &wallet), request(7, &wallet)];
    batch[1].tier = 9;
    assert_eq!(
        code(
            issuer
                .issue_batch(1, &IssueBatch { credentials: batch })
                .await
                .unwrap_err()
        ),
        (
            422,
            "invalid_field".into(),
            Some("credentials[1].tier".into())
        )
    );
    // Duplicates: the same subject and wallet twice (live), in one batch or across calls.
    issuer.issue(1, &request(5, &wallet)).await.unwrap();
    assert_eq!(
        code(issuer.issue(1, &request(5, &wallet)).await.unwrap_err()),
        (409, "duplicate_credential".into(), None)
    );
    assert_eq!(
        code(
            issuer
                .issue_batch(
                    1,
                    &IssueBatch {
                        credentials: vec![request(8, &wallet), request(8, &wallet)]
                    }
                )
                .await
                .unwrap_err()
        ),
        (409, "duplicate_credential".into(), None)
    );
    assert_eq!(
        code(issuer.issue(9, &request(5, &wallet)).await.unwrap_err()),
        (403, "forbidden".into(), None)
    );
    assert_eq!(
        code(admin.issue(9, &request(5, &wallet)).await.unwrap_err()),
        (404, "unknown_issuer".into(), None)
    );
    // Nothing of the refusals was written: one credential, one version.
    let summary = &public.issuers().await.unwrap()[0];
    assert_eq!((summary.version, summary.entries), (1, 1));

    // Lists: malformed ids, listed twice, unlisting what is not listed, bad CSV lines,
    // oversized CSV (the 4 KiB limit of this instance).
    assert_eq!(
        code(
            list.list_add(1, vec![subject(1), "xyz".into()])
                .await
                .unwrap_err()
        ),
        (422, "invalid_field".into(), Some("subject_ids[1]".into()))
    );
    list.list_add(1, vec![subject(1)]).await.unwrap();
    assert_eq!(
        code(
            list.list_add(1, vec![subject(2), subject(1)])
                .await
                .unwrap_err()
        ),
        (409, "already_listed".into(), None)
    );
    assert_eq!(
        code(list.list_remove(1, vec![subject(3)]).await.unwrap_err()),
        (404, "not_listed".into(), None)
    );
    assert_eq!(
        code(
            list.import_csv(1, format!("{}\n{}\nnot-an-id\n", subject(2), subject(3)))
                .await
                .unwrap_err()
        ),
        (400, "malformed_request".into(), Some("line 3".into()))
    );
    let big: String = (10..200u64).map(|i| format!("{}\n", subject(i))).collect();
    assert_eq!(
        code(list.import_csv(1, big).await.unwrap_err()),
        (413, "payload_too_large".into(), None)
    );
    let lists = public.lists().await.unwrap();
    assert_eq!((lists[0].version, lists[0].entries), (1, 1));
    // A full list (depth 4: 15 values besides leaf 0) refuses the import whole.
    let fill: String = (10..30u64).map(|i| format!("{}\n", subject(i))).collect();
    assert_eq!(
        code(list.import_csv(1, fill).await.unwrap_err()),
        (409, "tree_full".into(), None)
    );
    assert_eq!(public.lists().await.unwrap()[0].version, 1);

    // Wallet challenges: another wallet's signature, replay, another wallet's challenge,
    // malformed signature; each challenge is single use.
    let c = public
        .challenge(&wallet.pubkey().to_string())
        .await
        .unwrap();
    let forged = Keypair::new().sign_message(c.message.as_bytes());
    let req = |nonce: &str, signature: String| WitnessRequest {
        nonce: nonce.to_string(),
        signature,
        issuer_id: 1,
        list_id: 1,
    };
    let address = wallet.pubkey().to_string();
    assert_eq!(
        code(
            public
                .witness_signed(&address, &req(&c.nonce, forged.to_string()))
                .await
                .unwrap_err()
        ),
        (401, "bad_signature".into(), Some("signature".into()))
    );
    let good = wallet.sign_message(c.message.as_bytes()).to_string();
    assert_eq!(
        code(
            public
                .witness_signed(&address, &req(&c.nonce, good))
                .await
                .unwrap_err()
        ),
        (401, "bad_challenge".into(), Some("nonce".into())),
        "a challenge is used once, even by a failed attempt"
    );
    let c = public.challenge(&address).await.unwrap();
    let other = Keypair::new();
    let theirs = other.sign_message(c.message.as_bytes()).to_string();
    assert_eq!(
        code(
            public
                .witness_signed(&other.pubkey().to_string(), &req(&c.nonce, theirs))
                .await
                .unwrap_err()
        ),
        (401, "bad_challenge".into(), Some("nonce".into()))
    );
    let c = public.challenge(&address).await.unwrap();
    assert_eq!(
        code(
            public
                .witness_signed(&address, &req(&c.nonce, "abc".into()))
                .await
                .unwrap_err()
        ),
        (422, "invalid_field".into(), Some("signature".into()))
    );
    assert_eq!(
        code(public.challenge("nope").await.unwrap_err()),
        (422, "invalid_field".into(), Some("wallet".into()))
    );
    for _ in 0..7 {
        public.challenge(&address).await.unwrap();
    }
    assert_eq!(
        code(public.challenge(&address).await.unwrap_err()),
        (429, "too_many_challenges".into(), None)
    );
    // And the signed flow still works for a wallet with a credential.
    let fresh = Keypair::new();
    issuer.issue(1, &request(40, &fresh)).await.unwrap();
    let w = public.wallet_witness(&fresh, 1, 1).await.unwrap();
    assert_eq!(
        fr_from_be_bytes(&w.witness.decode().unwrap().credential.subject_id).unwrap(),
        Fr::from(40u64)
    );
    assert_eq!(
        code(
            public
                .wallet_witness(&Keypair::new(), 1, 1)
                .await
                .unwrap_err()
        ),
        (404, "no_credential".into(), None)
    );
    assert_eq!(
        code(public.wallet_witness(&fresh, 1, 9).await.unwrap_err()),
        (404, "unknown_list".into(), None)
    );
    // Unknown routes and malformed path ids.
    let r = reqwest::get(format!("{}/v1/nothing", s.url)).await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        code(issuer.revoke(0, 1).await.unwrap_err()),
        (400, "malformed_request".into(), Some("id".into()))
    );
}

#[tokio::test]
async fn sqlite_service_serves_the_whole_flow() {
    flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_service_serves_the_whole_flow() {
    flow(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_service_refuses_bad_input_and_writes_nothing() {
    refusals(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_service_refuses_bad_input_and_writes_nothing() {
    refusals(Backend::Postgres).await;
}

/// Concurrent single issue requests over HTTP are committed in groups: every valid one is
/// issued at its own leaf, a duplicate and an invalid one among them get their own refusals,
/// and the root is that of all issued leaves.
async fn concurrent_single_issues(backend: Backend) {
    let s = start(backend, None).await;
    let admin = RegistryClient::new(&s.url).with_api_key(ADMIN);
    admin
        .add_issuer(&NewIssuer {
            id: 1,
            name: "Acme".into(),
            depth: Some(8),
        })
        .await
        .unwrap();
    let issuer = RegistryClient::new(&s.url).with_api_key(ISSUER);
    let twin = Keypair::new();
    let mut tasks = vec![];
    for i in 0..40u64 {
        let issuer = issuer.clone();
        let mut r = match i {
            // Two requests for the same subject and wallet: one wins, one is a duplicate.
            0 | 1 => request(7, &twin),
            _ => request(100 + i, &Keypair::new()),
        };
        if i == 2 {
            r.tier = 9;
        }
        tasks.push(tokio::spawn(async move { issuer.issue(1, &r).await }));
    }
    let mut issued = vec![];
    let mut refused = vec![];
    for t in tasks {
        match t.await.unwrap() {
            Ok(record) => issued.push(record),
            Err(e) => refused.push(code(e)),
        }
    }
    refused.sort();
    assert_eq!(
        refused,
        [
            (409, "duplicate_credential".to_string(), None),
            (422, "invalid_field".to_string(), Some("tier".to_string())),
        ]
    );
    assert_eq!(issued.len(), 38);
    issued.sort_by_key(|r| r.leaf_index);
    assert_eq!(
        issued.iter().map(|r| r.leaf_index).collect::<Vec<_>>(),
        (0..38).collect::<Vec<_>>()
    );
    let mut tree = MerkleTree::new(8);
    for r in &issued {
        tree.push(credential(r).leaf().unwrap()).unwrap();
    }
    let summary = &RegistryClient::new(&s.url).issuers().await.unwrap()[0];
    assert_eq!(summary.root, hex::encode(fr_to_be_bytes(&tree.root())));
    assert_eq!(summary.entries, 38);
    assert!(summary.version <= 38);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_single_issues_are_committed_in_groups() {
    concurrent_single_issues(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_concurrent_single_issues_are_committed_in_groups() {
    concurrent_single_issues(Backend::Postgres).await;
}

/// Two writers at once on PostgreSQL (two pools, as two instances would have): no lost
/// update, versions sequential, the root that of all leaves.
#[tokio::test]
async fn postgres_concurrent_writers_lose_nothing() {
    let url = testing::url(Backend::Postgres).await;
    let key = DataKey::generate();
    let a = Registry::new(
        Database::connect(&url, MIGRATIONS).await.unwrap(),
        key.clone(),
        false,
    );
    let b = Registry::new(
        Database::connect(&url, MIGRATIONS).await.unwrap(),
        key,
        false,
    );
    a.add_issuer(1, "Acme", Some(8)).await.unwrap();
    let mut tasks = vec![];
    for i in 0..24u64 {
        let registry = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let wallet = Keypair::new();
            registry
                .issue(1, &[request(100 + i, &wallet)])
                .await
                .unwrap()
        }));
    }
    let mut results = vec![];
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let mut versions: Vec<u64> = results.iter().map(|(c, _)| c.version).collect();
    versions.sort();
    assert_eq!(versions, (1..=24).collect::<Vec<_>>());
    let mut indices: Vec<u64> = results.iter().map(|(c, _)| c.indices[0]).collect();
    indices.sort();
    assert_eq!(indices, (0..24).collect::<Vec<_>>());
    let mut tree = MerkleTree::new(8);
    let mut by_index: Vec<_> = results.iter().map(|(_, r)| r[0].clone()).collect();
    by_index.sort_by_key(|r| r.leaf_index);
    for r in &by_index {
        let c = credential(r);
        tree.push(c.leaf().unwrap()).unwrap();
    }
    let summary = b
        .summary(zkgate_registry::registry::TreeKind::Issuer, 1)
        .await
        .unwrap();
    assert_eq!(summary.root, hex::encode(fr_to_be_bytes(&tree.root())));
    assert_eq!((summary.version, summary.entries), (24, 24));
}
