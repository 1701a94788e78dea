//! The two Solana JSON-RPC methods the watcher reads with: `getSignaturesForAddress` (the
//! program's transactions, newest first, paged with `before` / `until`) and `getTransaction`.
use serde_json::{json, Value};

/// Why an RPC call failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The node could not be reached or answered with an HTTP error.
    #[error("rpc transport: {0}")]
    Transport(String),
    /// The node answered with a JSON-RPC error.
    #[error("rpc error {code}: {message}")]
    Node {
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// The answer is not the method's format.
    #[error("rpc answer to {0} is malformed")]
    Malformed(&'static str),
}

/// One entry of `getSignaturesForAddress`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The transaction's signature.
    pub signature: String,
    /// Its slot.
    pub slot: u64,
    /// Whether it failed.
    pub failed: bool,
}

/// A JSON-RPC client for one node.
#[derive(Clone, Debug)]
pub struct Rpc {
    url: String,
    http: reqwest::Client,
}

impl Rpc {
    /// A client of the node at `url`.
    pub fn new(url: &str) -> Self {
        Rpc {
            url: url.to_string(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("a reqwest client with a timeout builds"),
        }
    }

    async fn call(&self, method: &'static str, params: Value) -> Result<Value, RpcError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| RpcError::Transport(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(RpcError::Transport(format!("HTTP {}", response.status())));
        }
        let mut answer: Value = response
            .json()
            .await
            .map_err(|_| RpcError::Malformed(method))?;
        if let Some(error) = answer.get("error") {
            return Err(RpcError::Node {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        answer
            .get_mut("result")
            .map(Value::take)
            .ok_or(RpcError::Malformed(method))
    }

    /// Up to `limit` signatures of transactions that touched `address`, newest first, older
    /// than `before` and newer than `until` (both exclusive), at `confirmed` commitment.
    pub async fn signatures_for_address(
        &self,
        address: &str,
        before: Option<&str>,
        until: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, RpcError> {
        let mut config = json!({"limit": limit, "commitment": "confirmed"});
        if let Some(b) = before {
            config["before"] = json!(b);
        }
        if let Some(u) = until {
            config["until"] = json!(u);
        }
        let result = self
            .call("getSignaturesForAddress", json!([address, config]))
            .await?;
        let malformed = || RpcError::Malformed("getSignaturesForAddress");
        result
            .as_array()
            .ok_or_else(malformed)?
            .iter()
            .map(|e| {
                Ok(SignatureInfo {
                    signature: e
                        .get("signature")
                        .and_then(Value::as_str)
                        .ok_or_else(malformed)?
                        .to_string(),
                    slot: e
                        .get("slot")
                        .and_then(Value::as_u64)
                        .ok_or_else(malformed)?,
                    failed: !e.get("err").is_none_or(Value::is_null),
                })
            })
            .collect()
    }

    /// The transaction `signature` (`None` while the node does not have it at `confirmed`).
    pub async fn transaction(&self, signature: &str) -> Result<Option<Value>, RpcError> {
        let result = self
            .call(
                "getTransaction",
                json!([signature, {"encoding": "json", "commitment": "confirmed",
                                   "maxSupportedTransactionVersion": 0}]),
            )
            .await?;
        Ok((!result.is_null()).then_some(result))
    }

    /// The node's clock: the block time of its newest finalized slot (`getSlot`, then
    /// `getBlockTime`); `None` while the node has no time for that block.
    pub async fn node_time(&self) -> Result<Option<i64>, RpcError> {
        let slot = self
            .call("getSlot", json!([{"commitment": "finalized"}]))
            .await?
            .as_u64()
            .ok_or(RpcError::Malformed("getSlot"))?;
        let time = self.call("getBlockTime", json!([slot])).await?;
        if time.is_null() {
            return Ok(None);
        }
        time.as_i64()
            .map(Some)
            .ok_or(RpcError::Malformed("getBlockTime"))
    }
}
