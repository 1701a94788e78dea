//! The demo's registry: the real registry service (SQLite in a temporary directory) on a
//! loopback port, with API keys per role, publishing its roots to the in-process runtime over
//! JSON-RPC; every credential is issued through it and every witness comes from it over HTTP
//! (the wallet signs a challenge). The world's in-memory trees are kept equal to the
//! registry's (same leaves at the same indices), which the demo checks root by root.
use std::path::PathBuf;
use std::time::Duration;

use solana_sdk::signature::Signer;
use zkgate_circuits::encoding::{fr_from_be_bytes, fr_from_u64, fr_to_be_bytes};
use zkgate_client::api::{decode_field, PassRequest, ProofRequest};
use zkgate_client::pda;
use zkgate_db::seal::DataKey;
use zkgate_db::Database;
use zkgate_registry::api::{IssueRequest, NewIssuer, NewList, WalletWitness};
use zkgate_registry::client::RegistryClient;
use zkgate_registry::publish::{Publisher, RpcChain, Step};
use zkgate_registry::registry::{Registry, TreeKind};
use zkgate_registry::{app, AppState, MIGRATIONS};
use zkgate_tests::rpc::RpcShim;
use zkgate_tests::{Wallet, World, ISSUER_ID, SANCTIONS_ID};

/// The running registry and its operators' clients.
pub struct DemoRegistry {
    /// Base URL.
    pub base: String,
    /// The issuer operator (`issuer:1` key).
    pub issuer: RegistryClient,
    /// The list operator (`list:1` key).
    pub list: RegistryClient,
    /// Wallets (no key: they sign challenges).
    pub wallets: RegistryClient,
    registry: Registry,
    publisher: Publisher,
    _shim: RpcShim,
    dir: PathBuf,
    server: tokio::task::JoinHandle<()>,
}

/// A fresh API key secret.
fn secret() -> String {
    DataKey::generate().to_hex()[..40].to_string()
}

impl DemoRegistry {
    /// Starts the service for `w`'s issuer and sanctions list (importing the list's current
    /// entries as its operator would) and publishes its first roots.
    pub async fn start(w: &World, depth: usize, listed: &[u64]) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("zkgate-demo-registry-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("registry.db").display());
        let db = Database::connect(&url, MIGRATIONS)
            .await
            .map_err(|e| e.to_string())?;
        let registry = Registry::new(db, DataKey::generate(), true);
        let (admin_key, issuer_key, list_key) = (secret(), secret(), secret());
        let keys = [
            format!("admin={admin_key}"),
            format!("issuer:{ISSUER_ID}={issuer_key}"),
            format!("list:{SANCTIONS_ID}={list_key}"),
        ]
        .iter()
        .map(|k| k.parse())
        .collect::<Result<Vec<_>, _>>()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let base = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let state = AppState::new(registry.clone(), keys);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app(state)).await;
        });
        let shim = RpcShim::start(w.ctx.banks_client.clone()).await;
        let publisher = Publisher::new(
            registry.clone(),
            RpcChain::new(shim.url.clone()),
            vec![
                w.issuer_authority.insecure_clone(),
                w.sanctions_authority.insecure_clone(),
            ],
            Duration::ZERO,
        );
        let admin = RegistryClient::new(&base).with_api_key(admin_key);
        admin
            .add_issuer(&NewIssuer {
                id: ISSUER_ID,
                name: "Acme KYC".into(),
                depth: Some(depth),
            })
            .await
            .map_err(|e| e.to_string())?;
        admin
            .add_list(&NewList {
                id: SANCTIONS_ID,
                name: "OFAC SDN".into(),
                depth: Some(depth),
            })
            .await
            .map_err(|e| e.to_string())?;
        let list = RegistryClient::new(&base).with_api_key(list_key);
        let csv: String = std::iter::once("subject_id".to_string())
            .chain(
                listed
                    .iter()
                    .map(|v| hex::encode(fr_to_be_bytes(&fr_from_u64(*v)))),
            )
            .map(|l| l + "\n")
            .collect();
        list.import_csv(SANCTIONS_ID, csv)
            .await
            .map_err(|e| e.to_string())?;
        let r = DemoRegistry {
            issuer: RegistryClient::new(&base).with_api_key(issuer_key),
            list,
            wallets: RegistryClient::new(&base),
            base,
            registry,
            publisher,
            _shim: shim,
            dir,
            server,
        };
        r.publish().await?;
        Ok(r)
    }

    /// Runs the publisher until every root is on chain; returns the versions confirmed.
    pub async fn publish(&self) -> Result<Vec<String>, String> {
        let mut confirmed = vec![];
        for _ in 0..8 {
            let steps = self.publisher.tick().await.map_err(|e| e.to_string())?;
            for (kind, id, step) in &steps {
                if let Step::Confirmed(v) = step {
                    let what = match kind {
                        TreeKind::Issuer => "issuer",
                        TreeKind::List => "list",
                    };
                    confirmed.push(format!("{what} {id} v{v}"));
                }
            }
            if steps.iter().all(|(_, _, s)| *s == Step::Idle) {
                return Ok(confirmed);
            }
        }
        Err("root publication did not settle".into())
    }

    /// The registry's current root of a tree.
    pub async fn root(&self, kind: TreeKind, id: u64) -> Result<[u8; 32], String> {
        let tree = self
            .registry
            .tree_id(kind, id)
            .await
            .map_err(|e| e.to_string())?;
        let root = self
            .registry
            .trees()
            .root(tree, None)
            .await
            .map_err(|e| e.to_string())?;
        Ok(fr_to_be_bytes(&root))
    }

    /// A funded wallet whose credential the issuer operator issues through the registry
    /// (the salt drawn there); the world's tree gets the same leaf at the same index.
    pub async fn wallet(
        &self,
        w: &mut World,
        balance: u64,
        (subject, jurisdiction, tier, expiry): (u64, u16, u8, i64),
    ) -> Result<Wallet, String> {
        let mut wallet = w.wallet(balance, None).await;
        let record = self
            .issuer
            .issue(
                ISSUER_ID,
                &IssueRequest {
                    subject_id: hex::encode(fr_to_be_bytes(&fr_from_u64(subject))),
                    wallet: wallet.keypair.pubkey().to_string(),
                    jurisdiction,
                    tier,
                    expiry,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        let c = &record.credential;
        let credential = zkgate_circuits::credential::Credential {
            subject_id: decode_field("subject_id", &c.subject_id).map_err(|e| e.to_string())?,
            wallet: wallet.keypair.pubkey().to_bytes(),
            jurisdiction: c.jurisdiction,
            tier: c.tier,
            expiry: c.expiry,
            salt: decode_field("salt", &c.salt).map_err(|e| e.to_string())?,
        };
        let leaf = credential.leaf().map_err(|e| e.to_string())?;
        w.credentials
            .set(record.leaf_index, leaf)
            .map_err(|e| e.to_string())?;
        wallet.credential = Some(credential);
        wallet.leaf_index = record.leaf_index;
        Ok(wallet)
    }

    /// Lists `subject` (the list operator) and mirrors it in the world's tree.
    pub async fn list_subject(&self, w: &mut World, wallet: &Wallet) -> Result<(), String> {
        let c = wallet
            .credential
            .as_ref()
            .ok_or("wallet has a credential")?;
        self.list
            .list_add(SANCTIONS_ID, vec![hex::encode(c.subject_id)])
            .await
            .map_err(|e| e.to_string())?;
        let subject = fr_from_be_bytes(&c.subject_id).map_err(|e| e.to_string())?;
        w.sanctions.insert(subject).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The wallet's witness over HTTP (challenge signed with its key).
    pub async fn witness(&self, wallet: &Wallet) -> Result<WalletWitness, String> {
        self.wallets
            .wallet_witness(&wallet.keypair, ISSUER_ID, SANCTIONS_ID)
            .await
            .map_err(|e| format!("registry: {e}"))
    }

    /// The prover request for `from` → `to`: the statement from the chain's state, the roots
    /// and the witness from the registry.
    pub async fn proof_request(
        &self,
        w: &mut World,
        from: &Wallet,
        to: &Wallet,
        amount: u64,
    ) -> Result<ProofRequest, String> {
        let ww = self.witness(from).await?;
        let witness = ww.witness.decode().map_err(|e| e.to_string())?;
        let valid_until = w.valid_until().await;
        let mut statement = w.statement(from, to, amount, valid_until).await;
        statement.credential_root =
            decode_field("credential_root", &ww.credential_root).map_err(|e| e.to_string())?;
        statement.sanctions_root =
            decode_field("sanctions_root", &ww.sanctions_root).map_err(|e| e.to_string())?;
        Ok(ProofRequest::from_parts(
            &statement,
            &witness,
            &pda::issuer(ISSUER_ID).to_bytes(),
        ))
    }

    /// The pass request for `wallet`, its witness from the registry.
    pub async fn pass_request(
        &self,
        w: &World,
        wallet: &Wallet,
        valid_until: i64,
    ) -> Result<PassRequest, String> {
        let ww = self.witness(wallet).await?;
        let witness = ww.witness.decode().map_err(|e| e.to_string())?;
        let mut statement = w.pass_statement(wallet, valid_until);
        statement.credential_root =
            decode_field("credential_root", &ww.credential_root).map_err(|e| e.to_string())?;
        statement.sanctions_root =
            decode_field("sanctions_root", &ww.sanctions_root).map_err(|e| e.to_string())?;
        Ok(PassRequest::from_parts(&statement, &witness))
    }

    /// Whether the world's trees still equal the registry's.
    pub async fn in_step(&self, w: &World) -> Result<bool, String> {
        Ok(
            self.root(TreeKind::Issuer, ISSUER_ID).await? == fr_to_be_bytes(&w.credentials.root())
                && self.root(TreeKind::List, SANCTIONS_ID).await?
                    == fr_to_be_bytes(&w.sanctions.root()),
        )
    }

    /// Stops the service and deletes its database.
    pub fn stop(self) {
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
