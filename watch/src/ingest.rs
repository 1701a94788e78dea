//! Ingestion: the program's transactions from the checkpoint to the tip, oldest first, each
//! stored with its events and the checkpoint in one database transaction, then run through
//! the rules. A restart resumes after the checkpoint; a signature seen twice (a node's
//! duplicate, an overlap after a restart) is stored once; a transaction the node does not
//! serve yet stops the pass there, to be retried on the next one.
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::decode::{decode_transaction, DecodeError};
use crate::metrics::Metrics;
use crate::rpc::{Rpc, RpcError};
use crate::rules::Rules;
use crate::store::{Alert, Store};

/// Why a pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The node failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] zkgate_db::DbError),
    /// A transaction did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Transactions stored.
    pub stored: usize,
    /// Signatures skipped as already stored.
    pub duplicates: usize,
    /// Alerts raised.
    pub alerts: Vec<Alert>,
    /// Whether the pass stopped at a transaction the node does not serve yet.
    pub incomplete: bool,
}

/// The watcher: one program on one node into one store.
#[derive(Clone)]
pub struct Watcher {
    rpc: Rpc,
    store: Store,
    rules: Arc<Rules>,
    program: String,
    event_authority: String,
    metrics: Arc<Metrics>,
    page: usize,
    wake: Arc<tokio::sync::Notify>,
    reports: Option<std::path::PathBuf>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
}

/// Seconds the node's clock must be past a day's end before the day is reported (block times
/// are the validators' stake-weighted clocks, which drift a little).
pub const REPORT_GRACE_SECS: i64 = 60;

/// Transactions fetched from the node at once.
const FETCH_AHEAD: usize = 16;

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Watcher {
    /// Watches `program` (whose event authority is `event_authority`) on `rpc` into `store`.
    pub fn new(
        rpc: Rpc,
        store: Store,
        rules: Rules,
        program: String,
        event_authority: String,
        metrics: Arc<Metrics>,
    ) -> Self {
        Watcher {
            rpc,
            store,
            rules: Arc::new(rules),
            program,
            event_authority,
            metrics,
            page: 1000,
            wake: Arc::default(),
            reports: None,
            stopping: Arc::default(),
        }
    }

    /// Pages of this many signatures (the node's maximum is 1000).
    pub fn with_page(mut self, page: usize) -> Self {
        self.page = page.clamp(1, 1000);
        self
    }

    /// Writes each UTC day's report into `dir` once the day is over and ingested
    /// ([`crate::report::write_due`], checked by [`Watcher::run`] after passes).
    pub fn with_reports(mut self, dir: std::path::PathBuf) -> Self {
        self.reports = Some(dir);
        self
    }

    /// The reports due by `complete_at` (see [`crate::report::write_due`]), written; none
    /// without [`Watcher::with_reports`].
    pub async fn write_due_reports(
        &self,
        complete_at: i64,
    ) -> Result<Vec<crate::store::WrittenReport>, crate::report::ReportError> {
        let Some(dir) = &self.reports else {
            return Ok(vec![]);
        };
        let written = crate::report::write_due(&self.store, dir, complete_at).await?;
        if let Some(newest) = self.store.reports(1).await?.first() {
            self.metrics.record_reports(written.len(), newest.day_start);
        }
        Ok(written)
    }

    /// What wakes [`Watcher::run`] for a pass before its poll interval is up (the live
    /// subscription's notifications; a wake during a pass brings one more pass right after).
    pub fn waker(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// One pass from the checkpoint to the tip.
    pub async fn sync(&self) -> Result<Pass, WatchError> {
        let result = self.sync_inner().await;
        self.metrics.record_pass(result.is_ok());
        result
    }

    async fn sync_inner(&self) -> Result<Pass, WatchError> {
        let checkpoint = self.store.checkpoint().await?.map(|c| c.0);
        let mut newest_first = vec![];
        let mut listed = std::collections::HashSet::new();
        let mut repeated = 0;
        let mut before: Option<String> = None;
        loop {
            let page = self
                .rpc
                .signatures_for_address(
                    &self.program,
                    before.as_deref(),
                    checkpoint.as_deref(),
                    self.page,
                )
                .await?;
            let full = page.len() >= self.page;
            before = page.last().map(|s| s.signature.clone());
            let fresh = page.len();
            let mut new = 0;
            for info in page {
                if listed.insert(info.signature.clone()) {
                    new += 1;
                    newest_first.push(info);
                } else {
                    repeated += 1;
                }
            }
            // A node that pages back to signatures it already listed (a loop) ends the
            // listing rather than growing it without end; the next pass resumes from the
            // checkpoint.
            if !full || before.is_none() || (fresh > 0 && new == 0) {
                break;
            }
        }
        // Oldest first, by slot (a node may order one slot's signatures either way).
        newest_first.reverse();
        newest_first.sort_by_key(|s| s.slot);
        let mut pass = Pass {
            duplicates: repeated,
            ..Pass::default()
        };
        // Transactions are fetched FETCH_AHEAD at a time, concurrently (the node's round trips
        // overlap), and stored and evaluated one by one in order.
        'chunks: for chunk in newest_first.chunks(FETCH_AHEAD) {
            // Stopping: end between transactions (each stored with its alerts), not inside one.
            if self.stopping.load(std::sync::atomic::Ordering::Relaxed) {
                pass.incomplete = true;
                break;
            }
            let mut wanted = vec![];
            for info in chunk {
                if self.store.has_transaction(&info.signature).await? {
                    pass.duplicates += 1;
                } else {
                    wanted.push(info.signature.clone());
                }
            }
            let mut fetches = tokio::task::JoinSet::new();
            for (i, signature) in wanted.iter().enumerate() {
                let (rpc, signature) = (self.rpc.clone(), signature.clone());
                fetches.spawn(async move { (i, rpc.transaction(&signature).await) });
            }
            let mut fetched: Vec<Option<Result<Option<serde_json::Value>, RpcError>>> =
                (0..wanted.len()).map(|_| None).collect();
            while let Some(done) = fetches.join_next().await {
                let (i, result) = done.map_err(|e| RpcError::Transport(e.to_string()))?;
                fetched[i] = Some(result);
            }
            for result in fetched.into_iter().flatten() {
                let Some(raw) = result? else {
                    pass.incomplete = true;
                    break 'chunks;
                };
                let tx = decode_transaction(&raw, &self.program, &self.event_authority)?;
                if !self.store.record(&tx).await? {
                    pass.duplicates += 1;
                    continue;
                }
                pass.stored += 1;
                self.metrics.record_transaction(&tx);
                for alert in self.rules.evaluate(&self.store, &tx).await? {
                    let alert = self.store.insert_alert(&alert, now()).await?;
                    self.metrics.record_alert(&alert);
                    tracing::warn!(
                        rule = %alert.rule,
                        subject = %alert.subject,
                        signatures = alert.signatures.len(),
                        "{}",
                        alert.detail
                    );
                    pass.alerts.push(alert);
                }
            }
        }
        Ok(pass)
    }

    /// The periodic rules at cluster time `at`.
    pub async fn periodic(&self, at: i64) -> Result<Vec<Alert>, WatchError> {
        let mut out = vec![];
        for alert in self.rules.evaluate_periodic(&self.store, at).await? {
            let alert = self.store.insert_alert(&alert, now()).await?;
            self.metrics.record_alert(&alert);
            tracing::warn!(rule = %alert.rule, subject = %alert.subject, "{}", alert.detail);
            out.push(alert);
        }
        Ok(out)
    }

    /// Passes every `poll`, and whenever [`Watcher::waker`] is notified, until `stop`
    /// resolves (an error is logged and retried). A pass that stopped at a transaction the
    /// node does not serve yet is retried after 200 ms (or `poll`, if shorter); the periodic
    /// rules run at most once per `poll`. With [`Watcher::with_reports`], after a complete pass
    /// the reports due are written: a day once both this machine's clock and the node's (the
    /// block time of its newest finalized slot, read before the pass) are
    /// [`REPORT_GRACE_SECS`] past its end; checked after every pass until yesterday is
    /// written, then again after the next midnight.
    pub async fn run(self, poll: Duration, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut periodic_at: Option<tokio::time::Instant> = None;
        let mut reports_checked_until = i64::MIN;
        if self.reports.is_some() {
            self.init_report_gauge().await;
        }
        loop {
            let started = now();
            let reporting = self.reports.is_some() && started >= reports_checked_until;
            let node_time = if reporting {
                match self.rpc.node_time().await {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::warn!("the node's clock (for the daily report): {e}");
                        None
                    }
                }
            } else {
                None
            };
            let retry_soon = match self.sync().await {
                Ok(pass) => {
                    if let (false, Some(node_time)) = (pass.incomplete, node_time) {
                        let cutoff = started.min(node_time) - REPORT_GRACE_SECS;
                        match self.write_due_reports(cutoff).await {
                            Ok(_) => {
                                let today = started.div_euclid(86_400) * 86_400;
                                let newest = self
                                    .store
                                    .reports(1)
                                    .await
                                    .ok()
                                    .and_then(|r| r.first().map(|r| r.day_start));
                                if newest.is_some_and(|d| d >= today - 86_400) {
                                    // Yesterday is written: next, after the coming midnight.
                                    reports_checked_until = today + 86_400 + REPORT_GRACE_SECS;
                                }
                            }
                            Err(e) => tracing::warn!("daily report failed (retrying): {e}"),
                        }
                    }
                    pass.incomplete
                }
                Err(e) => {
                    tracing::warn!("watch pass failed (retrying): {e}");
                    false
                }
            };
            if self.stopping.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            if periodic_at.is_none_or(|t| t.elapsed() >= poll) {
                periodic_at = Some(tokio::time::Instant::now());
                if let Err(e) = self.periodic(now()).await {
                    tracing::warn!("periodic rules failed (retrying): {e}");
                }
            }
            let wait = if retry_soon {
                poll.min(Duration::from_millis(200))
            } else {
                poll
            };
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// The newest-report gauge from the database at start; with no report yet, as if the day
    /// before yesterday were the newest (so a missing report for yesterday shows).
    async fn init_report_gauge(&self) {
        match self.store.reports(1).await {
            Ok(r) => {
                let day_before_yesterday = now().div_euclid(86_400) * 86_400 - 2 * 86_400;
                let newest = r.first().map_or(day_before_yesterday, |r| r.day_start);
                self.metrics.record_reports(0, newest);
            }
            Err(e) => tracing::warn!("reading the reports written: {e}"),
        }
    }

    /// Runs in the background: [`Watcher::run`] every `poll`, woken by a `logsSubscribe`
    /// subscription at `ws_url` if given (its state in the metrics), until [`Running::stop`].
    pub fn spawn(self, poll: Duration, ws_url: Option<String>) -> Running {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let until = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.changed().await;
        };
        let mut tasks = vec![];
        if let Some(url) = ws_url {
            tasks.push(tokio::spawn(crate::subscribe::run(
                url,
                self.program.clone(),
                self.waker(),
                self.metrics.subscription.clone(),
                until(stopped.clone()),
            )));
        }
        let stopping = self.stopping.clone();
        tasks.push(tokio::spawn(self.run(poll, until(stopped))));
        Running {
            stop,
            stopping,
            tasks,
        }
    }
}

/// A watcher running in the background ([`Watcher::spawn`]).
#[derive(Debug)]
pub struct Running {
    stop: tokio::sync::watch::Sender<bool>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Asks the watcher and its subscription to stop: a pass in progress ends after the
    /// transaction it is storing (with its alerts); the next starts from the checkpoint.
    pub fn signal(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.stop.send(true);
    }

    /// Stops the watcher and its subscription ([`Running::signal`]) and waits for them.
    pub async fn stop(self) {
        self.signal();
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!("watcher task: {e}");
            }
        }
    }
}
