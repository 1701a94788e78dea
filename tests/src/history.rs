//! The runtime's transaction history, recorded as a node serves it: every transaction a
//! [`crate::World`] with history on sends that touches zkgate, in `getTransaction`'s JSON
//! format (account keys in the runtime's order, inner instructions from a simulation on the
//! same state, the error as the RPC serializes it), so the watcher reads the test runtime's
//! real audit trail through [`crate::rpc::RpcShim`].
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use solana_sdk::inner_instruction::InnerInstructions;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::TransactionError;

/// One recorded transaction.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Signature (base58).
    pub signature: String,
    /// Slot.
    pub slot: u64,
    /// Every account key, in the runtime's order.
    pub keys: Vec<Pubkey>,
    /// `getTransaction`'s result.
    pub json: Value,
}

/// The recorded history, oldest first (shared with the RPC shim), and the websocket that
/// notifies `logsSubscribe` subscriptions of each transaction as it is recorded.
#[derive(Clone, Debug, Default)]
pub struct History {
    records: Arc<Mutex<Vec<Recorded>>>,
    pubsub: zkgate_watch::testing::Pubsub,
}

impl History {
    /// Records a processed transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        signature: String,
        slot: u64,
        block_time: i64,
        keys: Vec<Pubkey>,
        inner: &[InnerInstructions],
        result: &Result<(), TransactionError>,
        logs: &[String],
    ) {
        let inner: Vec<Value> = inner
            .iter()
            .enumerate()
            .map(|(index, group)| {
                json!({
                    "index": index,
                    "instructions": group.iter().map(|i| json!({
                        "programIdIndex": i.instruction.program_id_index,
                        "accounts": i.instruction.accounts,
                        "data": bs58::encode(&i.instruction.data).into_string(),
                        "stackHeight": i.stack_height,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let err = match result {
            Ok(()) => Value::Null,
            Err(e) => serde_json::to_value(e).unwrap_or(Value::Null),
        };
        let json = json!({
            "slot": slot,
            "blockTime": block_time,
            "transaction": {
                "signatures": [signature],
                "message": {"accountKeys": keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                            "instructions": []},
            },
            "meta": {"err": err, "innerInstructions": inner, "logMessages": logs},
        });
        // Served first, then announced: a pass a notification wakes finds the transaction.
        let mentions: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let err = json["meta"]["err"].clone();
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Recorded {
                signature: signature.clone(),
                slot,
                keys,
                json,
            });
        self.pubsub.notify(slot, &signature, &err, logs, &mentions);
    }

    /// The recorded transactions, oldest first.
    pub fn transactions(&self) -> Vec<Recorded> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The websocket notifying subscriptions of each transaction recorded (served by
    /// [`crate::rpc::RpcShim::with_history`]).
    pub fn pubsub(&self) -> &zkgate_watch::testing::Pubsub {
        &self.pubsub
    }

    /// `getSignaturesForAddress`: transactions touching `address`, newest first, older than
    /// `before`, newer than `until`, at most `limit`.
    pub fn signatures_for(
        &self,
        address: &Pubkey,
        before: Option<&str>,
        until: Option<&str>,
        limit: usize,
    ) -> Vec<Value> {
        let all = self.transactions();
        let newest_first: Vec<&Recorded> = all
            .iter()
            .rev()
            .filter(|r| r.keys.contains(address))
            .collect();
        let start = before
            .and_then(|b| newest_first.iter().position(|r| r.signature == b))
            .map_or(0, |i| i + 1);
        let end = until
            .and_then(|u| newest_first.iter().position(|r| r.signature == u))
            .unwrap_or(newest_first.len());
        newest_first[start..end.max(start)]
            .iter()
            .take(limit)
            .map(|r| {
                json!({"signature": r.signature, "slot": r.slot, "err": r.json["meta"]["err"],
                       "blockTime": r.json["blockTime"], "confirmationStatus": "confirmed"})
            })
            .collect()
    }

    /// `getTransaction`.
    pub fn transaction(&self, signature: &str) -> Value {
        self.transactions()
            .into_iter()
            .find(|r| r.signature == signature)
            .map_or(Value::Null, |r| r.json)
    }
}
