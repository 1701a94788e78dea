//! A JSON-RPC node on loopback replaying a recorded history, with the quirks of real nodes
//! (duplicates and reordering within a page, a transaction not served yet, failing calls),
//! and builders of recorded zkgate transactions: for the watcher's tests and benchmarks.
use std::sync::{Arc, Mutex};

use anchor_lang::prelude::Pubkey;
use anchor_lang::Event as _;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use zkgate::events::TransferApproved;

/// zkgate's event-authority PDA.
pub fn event_authority() -> Pubkey {
    Pubkey::find_program_address(&[b"__event_authority"], &zkgate::ID).0
}

/// A wallet made of `n` bytes.
pub fn wallet(n: u8) -> Pubkey {
    Pubkey::new_from_array([n; 32])
}

/// A `TransferApproved` event's data (discriminator and Borsh body) from wallet `sender` to
/// wallet `recipient`.
pub fn transfer(sender: u8, recipient: u8, amount: u64) -> Vec<u8> {
    TransferApproved {
        program_id: zkgate::ID,
        rule_set: wallet(200),
        rule_set_id: 1,
        rule_set_version: 1,
        params_hash: [1; 32],
        sender: wallet(sender),
        recipient: wallet(recipient),
        mint: wallet(201),
        source: wallet(202),
        destination: wallet(203),
        amount,
        nonce: 0,
        window_volume: 0,
        valid_until: 0,
        subject_tag: [2; 32],
        issuer: wallet(204),
        credential_root: [3; 32],
        sanctions_root: [4; 32],
        statement_hash: [5; 32],
        auditor_key: [6; 64],
        disclosure: zkgate::auditor::AuditDisclosure {
            ephemeral_key: [7; 64],
            ciphertext: [[8; 32]; 4],
        },
        slot: 0,
        unix_timestamp: 0,
        moved: true,
    }
    .data()
}

/// One recorded transaction: `getTransaction`'s result as a node serves it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Signature.
    pub signature: String,
    /// Slot.
    pub slot: u64,
    /// `getTransaction`'s result.
    pub tx: Value,
}

/// A committed zkgate transaction emitting `events` (event-CPI data) at `time`, paid by
/// `payer`; `foreign` adds an inner instruction with the event tag from another program.
pub fn committed(n: u64, time: i64, payer: u8, events: &[Vec<u8>], foreign: bool) -> Recorded {
    let mut raw = [0x11u8; 64];
    raw[..8].copy_from_slice(&n.to_le_bytes());
    let signature = bs58::encode(raw).into_string();
    let keys = vec![
        wallet(payer).to_string(),
        zkgate::ID.to_string(),
        event_authority().to_string(),
        wallet(250).to_string(),
    ];
    let mut inner: Vec<Value> = events
        .iter()
        .map(|data| {
            let mut bytes = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
            bytes.extend_from_slice(data);
            json!({"programIdIndex": 1, "accounts": [2],
                   "data": bs58::encode(bytes).into_string(), "stackHeight": 2})
        })
        .collect();
    if foreign {
        let mut bytes = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
        bytes.extend_from_slice(&transfer(99, 98, 1));
        // Another program (index 3) "emitting" a zkgate event, and zkgate with another signer.
        inner.push(json!({"programIdIndex": 3, "accounts": [2],
                          "data": bs58::encode(&bytes).into_string()}));
        inner.push(json!({"programIdIndex": 1, "accounts": [0],
                          "data": bs58::encode(&bytes).into_string()}));
    }
    Recorded {
        signature: signature.clone(),
        slot: n,
        tx: json!({
            "slot": n, "blockTime": time,
            "transaction": {"signatures": [signature],
                            "message": {"accountKeys": keys, "instructions": []}},
            "meta": {"err": null, "innerInstructions": [{"index": 0, "instructions": inner}],
                     "logMessages": []}
        }),
    }
}

/// A zkgate transaction refused with `code`.
pub fn refused(n: u64, time: i64, payer: u8, code: u32) -> Recorded {
    let mut r = committed(n, time, payer, &[], false);
    r.tx["meta"]["err"] = json!({"InstructionError": [0, {"Custom": code}]});
    r
}

/// The replayed node: the history (oldest first) and its quirks.
#[derive(Debug, Default)]
pub struct Node {
    /// The history, oldest first.
    pub history: Vec<Recorded>,
    /// Signatures `getTransaction` answers `null` for, this many more times.
    pub not_yet: Vec<(String, usize)>,
    /// Every page repeats its first entry and swaps its first two.
    pub quirky: bool,
    /// Calls to fail with HTTP 500.
    pub failing: usize,
    /// `getSignaturesForAddress` ignores `before` (a broken node whose paging loops).
    pub loops: bool,
    /// Calls answered.
    pub calls: usize,
    /// The node's websocket.
    pub pubsub: Pubsub,
    /// The block time of its newest finalized slot (`None`: the wall clock), for
    /// `getSlot` / `getBlockTime`.
    pub tip_time: Option<i64>,
}

/// Appends `tx` to the node's history and notifies the subscriptions that mention zkgate (as a
/// node does when the transaction is confirmed).
pub fn publish(node: &Shared, tx: Recorded) {
    let mut node = node.lock().unwrap();
    let logs = [format!("Program {} invoke [1]", zkgate::ID)];
    node.pubsub.notify(
        tx.slot,
        &tx.signature,
        &tx.tx["meta"]["err"],
        &logs,
        &[zkgate::ID.to_string()],
    );
    node.history.push(tx);
}

/// Closes every websocket connection of `node` (as a node restarting does).
pub fn drop_subscribers(node: &Shared) {
    node.lock().unwrap().pubsub.drop_connections();
}

/// A node's websocket endpoint for `logsSubscribe` (`{"mentions": [address]}` filters, or
/// `"all"`): [`Pubsub::notify`] sends a transaction's notification to every subscription whose
/// filter it matches.
#[derive(Clone, Debug, Default)]
pub struct Pubsub(Arc<Mutex<PubsubState>>);

#[derive(Debug, Default)]
struct PubsubState {
    /// The params of every `logsSubscribe` received.
    subscriptions: Vec<Value>,
    /// The live subscriptions: the addresses they mention (`None`: all), their channel.
    live: Vec<(
        Option<Vec<String>>,
        tokio::sync::mpsc::UnboundedSender<Value>,
    )>,
}

impl Pubsub {
    /// The params of every `logsSubscribe` received so far.
    pub fn subscriptions(&self) -> Vec<Value> {
        self.0.lock().unwrap().subscriptions.clone()
    }

    /// Notifies the subscriptions mentioning one of `keys` (base58) of a transaction.
    pub fn notify(
        &self,
        slot: u64,
        signature: &str,
        err: &Value,
        logs: &[String],
        keys: &[String],
    ) {
        let value = json!({"context": {"slot": slot},
                           "value": {"signature": signature, "err": err, "logs": logs}});
        self.0.lock().unwrap().live.retain(|(mentions, tx)| {
            let wanted = mentions
                .as_ref()
                .is_none_or(|m| m.iter().any(|a| keys.contains(a)));
            !wanted || tx.send(value.clone()).is_ok()
        });
    }

    /// Closes every connection.
    pub fn drop_connections(&self) {
        self.0.lock().unwrap().live.clear();
    }

    /// Serves the endpoint on `127.0.0.1:0`; its URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let pubsub = self.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(pubsub.clone().connection(stream));
            }
        });
        url
    }

    async fn connection(self, stream: tokio::net::TcpStream) {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
            return;
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tx = Some(tx);
        let mut subscription = 0;
        loop {
            tokio::select! {
                message = ws.next() => {
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                        Some(Ok(_)) => continue,
                    };
                    let request: Value = serde_json::from_str(&text).unwrap_or_default();
                    let id = &request["id"];
                    let answer = match request["method"].as_str().unwrap_or_default() {
                        "logsSubscribe" => {
                            let filter = &request["params"][0];
                            let mentions = filter["mentions"].as_array().map(|m| {
                                m.iter().filter_map(|a| a.as_str().map(String::from)).collect()
                            });
                            let mut state = self.0.lock().unwrap();
                            state.subscriptions.push(request["params"].clone());
                            subscription = 100 + state.subscriptions.len();
                            match (tx.take(), mentions.is_some() || filter == "all") {
                                (Some(tx), true) => {
                                    state.live.push((mentions, tx));
                                    json!({"jsonrpc": "2.0", "id": id, "result": subscription})
                                }
                                _ => json!({"jsonrpc": "2.0", "id": id,
                                            "error": {"code": -32602, "message": "Invalid params"}}),
                            }
                        }
                        "logsUnsubscribe" => json!({"jsonrpc": "2.0", "id": id, "result": true}),
                        _ => json!({"jsonrpc": "2.0", "id": id,
                                    "error": {"code": -32601, "message": "Method not found"}}),
                    };
                    if ws.send(Message::Text(answer.to_string().into())).await.is_err() {
                        return;
                    }
                }
                notification = rx.recv() => {
                    let Some(result) = notification else {
                        let _ = ws.close(None).await;
                        return;
                    };
                    let message = json!({"jsonrpc": "2.0", "method": "logsNotification",
                                         "params": {"result": result, "subscription": subscription}});
                    if ws.send(Message::Text(message.to_string().into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// The node, shared with its server.
pub type Shared = Arc<Mutex<Node>>;

async fn handle(State(node): State<Shared>, Json(req): Json<Value>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut node = node.lock().unwrap();
    node.calls += 1;
    if node.failing > 0 {
        node.failing -= 1;
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let params = &req["params"];
    let result = match req["method"].as_str().unwrap_or_default() {
        "getSignaturesForAddress" => {
            assert_eq!(params[0], zkgate::ID.to_string());
            let config = &params[1];
            let limit = config["limit"].as_u64().unwrap() as usize;
            let newest_first: Vec<&Recorded> = node.history.iter().rev().collect();
            let start = match config["before"].as_str().filter(|_| !node.loops) {
                Some(b) => newest_first
                    .iter()
                    .position(|r| r.signature == b)
                    .map_or(0, |i| i + 1),
                None => 0,
            };
            let end = match config["until"].as_str() {
                Some(u) => newest_first
                    .iter()
                    .position(|r| r.signature == u)
                    .unwrap_or(newest_first.len()),
                None => newest_first.len(),
            };
            let mut page: Vec<Value> = newest_first[start..end.max(start)]
                .iter()
                .take(limit)
                .map(|r| {
                    json!({"signature": r.signature, "slot": r.slot,
                                "err": r.tx["meta"]["err"], "blockTime": r.tx["blockTime"]})
                })
                .collect();
            if node.quirky && page.len() >= 2 {
                page.swap(0, 1);
                let first = page[0].clone();
                page.insert(1, first);
                page.truncate(limit);
            }
            json!(page)
        }
        "getTransaction" => {
            let sig = params[0].as_str().unwrap().to_string();
            if let Some(entry) = node.not_yet.iter_mut().find(|(s, n)| *s == sig && *n > 0) {
                entry.1 -= 1;
                Value::Null
            } else {
                node.history
                    .iter()
                    .find(|r| r.signature == sig)
                    .map(|r| r.tx.clone())
                    .unwrap_or(Value::Null)
            }
        }
        "getSlot" => json!(node.history.last().map_or(0, |r| r.slot) + 1),
        "getBlockTime" => json!(node.tip_time.unwrap_or_else(crate::ingest::now)),
        other => panic!("unexpected method {other}"),
    };
    Json(json!({"jsonrpc": "2.0", "id": req["id"], "result": result})).into_response()
}

/// Serves `node`'s websocket ([`Node::pubsub`]) on `127.0.0.1:0`; its URL.
pub async fn serve_pubsub(node: Shared) -> String {
    let pubsub = node.lock().unwrap().pubsub.clone();
    pubsub.serve().await
}

/// Serves `node` on `127.0.0.1:0`; its URL.
pub async fn serve_node(node: Shared) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().route("/", post(handle)).with_state(node);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}
