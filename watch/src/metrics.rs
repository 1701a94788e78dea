//! The watcher's Prometheus metrics. Labels are bounded: event kinds and rule names from the
//! program and the rules file, error codes from the IDL; never a wallet or a signature.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use zkgate_service::requests::RequestCounter;

use crate::decode::Observed;
use crate::store::Alert;
use crate::subscribe::SubscriptionStats;

/// Counters and gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    /// HTTP requests served.
    pub requests: std::sync::Arc<RequestCounter>,
    /// The live subscription.
    pub subscription: std::sync::Arc<SubscriptionStats>,
    committed: AtomicU64,
    refused: Mutex<BTreeMap<u32, u64>>,
    events: Mutex<BTreeMap<&'static str, u64>>,
    alerts: Mutex<BTreeMap<String, u64>>,
    passes_ok: AtomicU64,
    passes_failed: AtomicU64,
    last_slot: AtomicU64,
    last_block_time: AtomicI64,
    last_pass_ok: AtomicI64,
    /// Sum and count of event-to-alert latency (cluster time of the transaction to the alert).
    latency_sum: AtomicI64,
    latency_count: AtomicU64,
    reports_written: AtomicU64,
    /// Start (unix) of the newest day reported; 0: no report yet (the gauge is then absent).
    last_report_day: AtomicI64,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_default() += 1;
}

impl Metrics {
    /// A stored transaction.
    pub fn record_transaction(&self, tx: &Observed) {
        match tx.error_code {
            None => {
                self.committed.fetch_add(1, Ordering::Relaxed);
            }
            Some(code) => bump(&self.refused, code),
        }
        for (event, _) in &tx.events {
            bump(&self.events, event.kind());
        }
        self.last_slot.fetch_max(tx.slot, Ordering::Relaxed);
        self.last_block_time
            .fetch_max(tx.block_time, Ordering::Relaxed);
    }

    /// A raised alert.
    pub fn record_alert(&self, alert: &Alert) {
        bump(&self.alerts, alert.rule.clone());
        if alert.event_time > 0 && alert.rule != "stale_root" {
            self.latency_sum.fetch_add(
                (alert.created_at - alert.event_time).max(0),
                Ordering::Relaxed,
            );
            self.latency_count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `n` daily reports written; the newest day reported starts at `newest_day_start`.
    pub fn record_reports(&self, n: usize, newest_day_start: i64) {
        self.reports_written.fetch_add(n as u64, Ordering::Relaxed);
        self.last_report_day
            .store(newest_day_start, Ordering::Relaxed);
    }

    /// A finished pass.
    pub fn record_pass(&self, ok: bool) {
        if ok {
            self.passes_ok.fetch_add(1, Ordering::Relaxed);
            self.last_pass_ok
                .store(crate::ingest::now(), Ordering::Relaxed);
        } else {
            self.passes_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Unix time of the last successful pass (0: none yet).
    pub fn last_pass_ok(&self) -> i64 {
        self.last_pass_ok.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, String)>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in rows {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let plain = |v: String| vec![(String::new(), v)];
        let mut tx = vec![(
            "{outcome=\"committed\",error=\"\"}".to_string(),
            self.committed.load(Ordering::Relaxed).to_string(),
        )];
        for (code, n) in self
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            tx.push((
                format!("{{outcome=\"refused\",error=\"{code}\"}}"),
                n.to_string(),
            ));
        }
        family(
            "zkgate_watch_transactions_total",
            "counter",
            "zkgate transactions ingested, by outcome and error code.",
            tx,
        );
        family(
            "zkgate_watch_events_total",
            "counter",
            "Audit events ingested, by kind.",
            self.events
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, n)| (format!("{{kind=\"{k}\"}}"), n.to_string()))
                .collect(),
        );
        family(
            "zkgate_watch_alerts_total",
            "counter",
            "Alerts raised, by rule.",
            self.alerts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, n)| (format!("{{rule=\"{k}\"}}"), n.to_string()))
                .collect(),
        );
        family(
            "zkgate_watch_passes_total",
            "counter",
            "Ingestion passes, by result.",
            vec![
                (
                    "{result=\"ok\"}".into(),
                    self.passes_ok.load(Ordering::Relaxed).to_string(),
                ),
                (
                    "{result=\"failed\"}".into(),
                    self.passes_failed.load(Ordering::Relaxed).to_string(),
                ),
            ],
        );
        family(
            "zkgate_watch_last_slot",
            "gauge",
            "Slot of the newest transaction ingested.",
            plain(self.last_slot.load(Ordering::Relaxed).to_string()),
        );
        family(
            "zkgate_watch_last_block_time_seconds",
            "gauge",
            "Cluster time of the newest transaction ingested.",
            plain(self.last_block_time.load(Ordering::Relaxed).to_string()),
        );
        family(
            "zkgate_watch_last_pass_success_seconds",
            "gauge",
            "Unix time of the last successful ingestion pass.",
            plain(self.last_pass_ok().to_string()),
        );
        family(
            "zkgate_watch_alert_latency_seconds_sum",
            "counter",
            "Sum of seconds from a transaction's cluster time to the alert it raised.",
            plain(self.latency_sum.load(Ordering::Relaxed).to_string()),
        );
        family(
            "zkgate_watch_alert_latency_seconds_count",
            "counter",
            "Alerts counted in the latency sum.",
            plain(self.latency_count.load(Ordering::Relaxed).to_string()),
        );
        let last_report_day = self.last_report_day.load(Ordering::Relaxed);
        if last_report_day > 0 {
            family(
                "zkgate_watch_reports_written_total",
                "counter",
                "Daily reports written (--report-dir).",
                plain(self.reports_written.load(Ordering::Relaxed).to_string()),
            );
            family(
                "zkgate_watch_last_report_day_seconds",
                "gauge",
                "Unix time of 00:00 UTC of the newest day reported.",
                plain(last_report_day.to_string()),
            );
        }
        let sub = &self.subscription;
        if sub.enabled() {
            family(
                "zkgate_watch_subscription_up",
                "gauge",
                "1 while the logsSubscribe subscription to the node is live.",
                plain(u8::from(sub.up()).to_string()),
            );
            family(
                "zkgate_watch_subscription_connects_total",
                "counter",
                "Subscriptions established (the first and every reconnection).",
                plain(sub.connects().to_string()),
            );
            family(
                "zkgate_watch_subscription_failures_total",
                "counter",
                "Subscription attempts that failed and subscriptions that dropped.",
                plain(sub.failures().to_string()),
            );
            family(
                "zkgate_watch_notifications_total",
                "counter",
                "Notifications of the program's transactions received (each wakes a pass).",
                plain(sub.notifications().to_string()),
            );
        }
        self.requests
            .render("zkgate_watch_http_requests_total", &mut out);
        out
    }
}
