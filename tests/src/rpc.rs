//! A Solana JSON-RPC endpoint on loopback in front of the test runtime (`BanksClient`): the
//! methods the registry's publisher calls (`getLatestBlockhash`, `getBlockHeight`,
//! `sendTransaction`, `getSignatureStatuses`, `getAccountInfo`) and, over a recorded
//! [`History`], the ones the watcher reads (`getSignaturesForAddress`, `getTransaction`), with
//! the wire format of a real node, so these clients are tested as they run in production.
//!
//! [`RpcShim::advance_block_height`] adds to the block height reported (and to blockhashes'
//! last valid height consistently) — how a test lets a blockhash expire without producing
//! 150 blocks.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use solana_commitment_config::CommitmentLevel;
use solana_program_test::BanksClient;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::Transaction;

use crate::history::History;

#[derive(Clone)]
struct Shim {
    banks: BanksClient,
    history: Option<History>,
    height_offset: Arc<AtomicU64>,
    sent: Arc<AtomicU64>,
}

/// A running JSON-RPC endpoint.
pub struct RpcShim {
    /// Its URL.
    pub url: String,
    /// Its websocket's URL (`logsSubscribe`), with a history.
    pub ws_url: Option<String>,
    height_offset: Arc<AtomicU64>,
    sent: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RpcShim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RpcShim {
    /// Serves `banks` on `127.0.0.1:0`.
    pub async fn start(banks: BanksClient) -> Self {
        Self::serve(banks, None).await
    }

    /// Serves `banks` and the transaction `history` (a [`crate::World::record_history`]), and
    /// notifies `logsSubscribe` subscriptions on [`RpcShim::ws_url`] as transactions land.
    pub async fn with_history(banks: BanksClient, history: History) -> Self {
        Self::serve(banks, Some(history)).await
    }

    async fn serve(banks: BanksClient, history: Option<History>) -> Self {
        let height_offset = Arc::new(AtomicU64::new(0));
        let sent = Arc::new(AtomicU64::new(0));
        let shim = Shim {
            banks,
            history,
            height_offset: height_offset.clone(),
            sent: sent.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let ws_url = match &shim.history {
            Some(h) => Some(h.pubsub().serve().await),
            None => None,
        };
        let app = Router::new().route("/", post(handle)).with_state(shim);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        RpcShim {
            url,
            ws_url,
            height_offset,
            sent,
            task,
        }
    }

    /// Reports block heights `blocks` higher from now on.
    pub fn advance_block_height(&self, blocks: u64) {
        self.height_offset.fetch_add(blocks, Ordering::SeqCst);
    }

    /// Transactions received by `sendTransaction` so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

fn error(message: String) -> Json<Value> {
    Json(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32002, "message": message}}))
}

async fn handle(State(shim): State<Shim>, Json(request): Json<Value>) -> Json<Value> {
    let params = &request["params"];
    let offset = shim.height_offset.load(Ordering::SeqCst);
    let result = match request["method"].as_str().unwrap_or("") {
        "getLatestBlockhash" => {
            match shim
                .banks
                .get_latest_blockhash_with_commitment(CommitmentLevel::Confirmed)
                .await
            {
                Ok(Some((hash, last_valid))) => json!({"context": {"slot": 0}, "value": {
                    "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid + offset}}),
                other => return error(format!("getLatestBlockhash: {other:?}")),
            }
        }
        "getBlockHeight" => match shim.banks.get_root_block_height().await {
            Ok(h) => json!(h + offset),
            Err(e) => return error(format!("getBlockHeight: {e}")),
        },
        "sendTransaction" => {
            let tx: Option<Transaction> = params[0]
                .as_str()
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                .and_then(|b| bincode::deserialize(&b).ok());
            let Some(tx) = tx else {
                return error("sendTransaction: undecodable transaction".into());
            };
            shim.sent.fetch_add(1, Ordering::SeqCst);
            let signature = tx.signatures[0];
            match shim
                .banks
                .process_transaction_with_commitment(tx, CommitmentLevel::Confirmed)
                .await
            {
                Ok(()) => json!(signature.to_string()),
                Err(e) => return error(format!("Transaction simulation failed: {e}")),
            }
        }
        "getSignatureStatuses" => {
            let signature: Option<Signature> = params[0][0].as_str().and_then(|s| s.parse().ok());
            let Some(signature) = signature else {
                return error("getSignatureStatuses: bad signature".into());
            };
            match shim.banks.get_transaction_status(signature).await {
                Ok(None) => json!({"context": {"slot": 0}, "value": [null]}),
                Ok(Some(status)) => json!({"context": {"slot": 0}, "value": [{
                    "slot": status.slot,
                    "confirmations": status.confirmations,
                    "err": status.err.map(|e| json!(format!("{e:?}"))),
                    "confirmationStatus": "confirmed",
                }]}),
                Err(e) => return error(format!("getSignatureStatuses: {e}")),
            }
        }
        "getAccountInfo" => {
            let address: Option<Pubkey> = params[0].as_str().and_then(|s| s.parse().ok());
            let Some(address) = address else {
                return error("getAccountInfo: bad address".into());
            };
            match shim.banks.get_account(address).await {
                Ok(None) => json!({"context": {"slot": 0}, "value": null}),
                Ok(Some(account)) => json!({"context": {"slot": 0}, "value": {
                    "data": [base64::engine::general_purpose::STANDARD.encode(&account.data), "base64"],
                    "owner": account.owner.to_string(),
                    "lamports": account.lamports,
                    "executable": account.executable,
                }}),
                Err(e) => return error(format!("getAccountInfo: {e}")),
            }
        }
        "getSignaturesForAddress" if shim.history.is_some() => {
            let history = shim.history.as_ref().expect("checked");
            let Some(address) = params[0].as_str().and_then(|a| a.parse::<Pubkey>().ok()) else {
                return error("getSignaturesForAddress: bad address".into());
            };
            let config = &params[1];
            json!(history.signatures_for(
                &address,
                config["before"].as_str(),
                config["until"].as_str(),
                config["limit"].as_u64().unwrap_or(1000).min(1000) as usize,
            ))
        }
        "getTransaction" if shim.history.is_some() => {
            let history = shim.history.as_ref().expect("checked");
            history.transaction(params[0].as_str().unwrap_or_default())
        }
        other => return error(format!("method {other} not served by the test shim")),
    };
    Json(json!({"jsonrpc": "2.0", "id": request["id"], "result": result}))
}
