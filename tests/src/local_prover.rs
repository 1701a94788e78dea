//! The real prover service on an ephemeral loopback port, serving the world's rule-set.
use std::sync::Arc;
use std::time::Duration;

use zkgate_circuits::keys::KeySet;
use zkgate_circuits::params::RuleSetParams;
use zkgate_prover::client::ProverClient;
use zkgate_prover::{serve, AppState, RuleSetEntry, Settings};

use crate::RULE_SET_ID;

/// A running prover.
pub struct LocalProver {
    /// Base URL (`http://127.0.0.1:PORT`).
    pub base: String,
    /// A client of it.
    pub client: ProverClient,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// The rule-set entry of the world's rule-set (version 1, bound to the zkgate program id).
pub fn rule_set_entry(keys: &KeySet, params: &RuleSetParams) -> RuleSetEntry {
    RuleSetEntry {
        rule_set_id: RULE_SET_ID,
        version: 1,
        params: params.clone(),
        program_id: zkgate::ID.to_bytes(),
        keys: Arc::new(keys.clone()),
        pass_keys: None,
    }
}

/// The entry of the world's rule-set at `version`, also proving recipient passes with
/// `pass_keys` (a two-sided rule-set).
pub fn two_sided_entry(
    keys: &KeySet,
    pass_keys: &KeySet,
    params: &RuleSetParams,
    version: u32,
) -> RuleSetEntry {
    RuleSetEntry {
        version,
        pass_keys: Some(Arc::new(pass_keys.clone())),
        ..rule_set_entry(keys, params)
    }
}

impl LocalProver {
    /// Starts the service on `127.0.0.1:0`.
    pub async fn start(entries: Vec<RuleSetEntry>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = AppState::new(entries, Settings::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = serve(listener, state, shutdown, Duration::from_secs(30)).await {
                eprintln!("prover stopped: {e}");
            }
        });
        Ok(Self {
            client: ProverClient::new(&base),
            base,
            stop: Some(tx),
            task: Some(task),
        })
    }

    /// Stops the service gracefully (proofs in flight finish).
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
