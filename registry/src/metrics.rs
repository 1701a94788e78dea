//! Prometheus metrics: request and operation counters kept in memory, and the trees' state
//! (versions, publication lag, publications by state) read from the database at scrape time,
//! so every instance on one database reports the same figures. Labels are bounded: routes,
//! statuses, the served issuer and list ids; never a wallet or a subject.
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use zkgate_service::requests::RequestCounter;

use sqlx::Row;

use crate::registry::{Registry, TreeKind};

/// Service metrics.
#[derive(Default)]
pub struct Metrics {
    /// Requests served, by route and status.
    pub requests: Arc<RequestCounter>,
    issued: AtomicU64,
    revoked: AtomicU64,
    listed: AtomicU64,
    unlisted: AtomicU64,
    witnesses_ok: AtomicU64,
    witnesses_refused: AtomicU64,
}

impl Metrics {
    /// Counts issued credentials.
    pub fn issued(&self, n: u64) {
        self.issued.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a revocation.
    pub fn revoked(&self) {
        self.revoked.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts listed ids.
    pub fn listed(&self, n: u64) {
        self.listed.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts unlisted ids.
    pub fn unlisted(&self, n: u64) {
        self.unlisted.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a wallet witness request by outcome.
    pub fn witness(&self, ok: bool) {
        if ok {
            self.witnesses_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.witnesses_refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Prometheus text exposition.
    pub async fn render(&self, registry: &Registry) -> String {
        let mut out = String::new();
        self.requests
            .render("zkgate_registry_http_requests_total", &mut out);
        let counters = [
            (
                "zkgate_registry_credentials_issued_total",
                "Credentials issued by this instance.",
                &self.issued,
            ),
            (
                "zkgate_registry_credentials_revoked_total",
                "Credentials revoked by this instance.",
                &self.revoked,
            ),
            (
                "zkgate_registry_ids_listed_total",
                "Subject ids listed by this instance.",
                &self.listed,
            ),
            (
                "zkgate_registry_ids_unlisted_total",
                "Subject ids unlisted by this instance.",
                &self.unlisted,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            out,
            "# HELP zkgate_registry_wallet_witnesses_total Wallet witness requests by outcome."
        );
        let _ = writeln!(out, "# TYPE zkgate_registry_wallet_witnesses_total counter");
        let _ = writeln!(
            out,
            "zkgate_registry_wallet_witnesses_total{{result=\"ok\"}} {}",
            self.witnesses_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "zkgate_registry_wallet_witnesses_total{{result=\"refused\"}} {}",
            self.witnesses_refused.load(Ordering::Relaxed)
        );
        if let Err(e) = tree_gauges(registry, &mut out).await {
            tracing::warn!("metrics: database gauges unavailable: {e}");
            let _ = writeln!(out, "zkgate_registry_database_up 0");
        } else {
            let _ = writeln!(out, "zkgate_registry_database_up 1");
        }
        out
    }
}

async fn tree_gauges(
    registry: &Registry,
    out: &mut String,
) -> Result<(), crate::registry::RegistryError> {
    let _ = writeln!(
        out,
        "# HELP zkgate_registry_tree_version Current version of each tree (every change adds one)."
    );
    let _ = writeln!(out, "# TYPE zkgate_registry_tree_version gauge");
    let _ = writeln!(
        out,
        "# HELP zkgate_registry_tree_entries Live credentials (issuers) or listed ids (lists)."
    );
    let _ = writeln!(out, "# TYPE zkgate_registry_tree_entries gauge");
    let _ = writeln!(out, "# HELP zkgate_registry_unpublished_versions Versions not yet confirmed on chain (alert when it keeps growing).");
    let _ = writeln!(out, "# TYPE zkgate_registry_unpublished_versions gauge");
    for (kind, label) in [(TreeKind::Issuer, "issuer"), (TreeKind::List, "list")] {
        for s in registry.summaries(kind).await? {
            let confirmed = match &s.published {
                Some(p) if p.state == "confirmed" => p.version,
                _ => 0,
            };
            let _ = writeln!(
                out,
                "zkgate_registry_tree_version{{kind=\"{label}\",id=\"{}\"}} {}",
                s.id, s.version
            );
            let _ = writeln!(
                out,
                "zkgate_registry_tree_entries{{kind=\"{label}\",id=\"{}\"}} {}",
                s.id, s.entries
            );
            let _ = writeln!(
                out,
                "zkgate_registry_unpublished_versions{{kind=\"{label}\",id=\"{}\"}} {}",
                s.id,
                s.version.saturating_sub(confirmed)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP zkgate_registry_publications Root publications by state."
    );
    let _ = writeln!(out, "# TYPE zkgate_registry_publications gauge");
    let rows =
        sqlx::query("SELECT state, COUNT(*) FROM publications GROUP BY state ORDER BY state")
            .fetch_all(registry.db().pool())
            .await?;
    for row in rows {
        let state: String = row.try_get(0)?;
        let n: i64 = row.try_get(1)?;
        let _ = writeln!(out, "zkgate_registry_publications{{state=\"{state}\"}} {n}");
    }
    Ok(())
}
