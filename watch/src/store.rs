//! The watcher's database (zkgate-db: SQLite by default, PostgreSQL): transactions and events
//! deduplicated by signature, the ingestion checkpoint (moved in the same transaction as the
//! rows it covers, so a crash neither loses nor double-counts), and the alerts.
use serde::Serialize;
use sqlx::Row;
use zkgate_db::{Database, DbError};

use crate::decode::{Event, Observed};

/// The watcher's migrations.
pub const MIGRATIONS: &[zkgate_db::MigrationSql] = &[
    zkgate_db::MigrationSql {
        version: 1,
        description: "audit trail, checkpoint and alerts",
        sqlite: include_str!("../migrations/sqlite/0001_watch.sql"),
        postgres: include_str!("../migrations/postgres/0001_watch.sql"),
    },
    zkgate_db::MigrationSql {
        version: 2,
        description: "daily reports written",
        sqlite: include_str!("../migrations/sqlite/0002_reports.sql"),
        postgres: include_str!("../migrations/postgres/0002_reports.sql"),
    },
];

/// A daily report the watcher wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WrittenReport {
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// Unix time of its 00:00 UTC.
    pub day_start: i64,
    /// Unix time it was written.
    pub written_at: i64,
    /// Approved transfers in it.
    pub transfers: i64,
    /// Alerts in it.
    pub alerts: i64,
}

/// A stored transfer (what the wallet rules look at).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Signature.
    pub signature: String,
    /// Sender.
    pub sender: String,
    /// Recipient.
    pub recipient: String,
    /// Amount.
    pub amount: u64,
    /// Block time.
    pub block_time: i64,
}

/// An alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Alert {
    /// Its id.
    pub id: i64,
    /// The rule that raised it (`velocity`, `structuring`, `fan_out`, `fan_in`, `refusals`,
    /// `governance`, `stale_root`).
    pub rule: String,
    /// What it is about: a wallet, an error code, an account or a transaction.
    pub subject: String,
    /// When the watcher raised it (unix seconds).
    pub created_at: i64,
    /// Cluster time of the newest transaction it covers (unix seconds).
    pub event_time: i64,
    /// The wallets involved (public keys; no personal data exists on chain).
    pub wallets: Vec<String>,
    /// The transactions involved (signatures).
    pub signatures: Vec<String>,
    /// What was seen, against which threshold.
    pub detail: String,
    /// When it was acknowledged, if it was.
    pub acknowledged_at: Option<i64>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
}

/// An alert about to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAlert {
    /// Rule.
    pub rule: &'static str,
    /// Subject.
    pub subject: String,
    /// Newest covered transaction's cluster time.
    pub event_time: i64,
    /// Wallets.
    pub wallets: Vec<String>,
    /// Signatures.
    pub signatures: Vec<String>,
    /// Detail.
    pub detail: String,
}

/// What acknowledging did.
#[derive(Debug, PartialEq, Eq)]
pub enum Acknowledged {
    /// Done.
    Now(Alert),
    /// It already was (by someone, at some time).
    Already(Alert),
    /// No such alert.
    Missing,
}

/// The watcher's tables.
#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
}

fn amount(a: u64) -> i64 {
    i64::try_from(a).unwrap_or(i64::MAX)
}

impl Store {
    /// The store on `db` (migrated with [`MIGRATIONS`]).
    pub fn new(db: Database) -> Self {
        Store { db }
    }

    /// The database.
    pub fn db(&self) -> &Database {
        &self.db
    }

    /// The newest transaction ingested in order (signature, slot).
    pub async fn checkpoint(&self) -> Result<Option<(String, u64)>, DbError> {
        let row = sqlx::query("SELECT signature, slot FROM watch_checkpoint WHERE id = 1")
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) as u64)))
    }

    /// Whether `signature` is stored.
    pub async fn has_transaction(&self, signature: &str) -> Result<bool, DbError> {
        Ok(
            sqlx::query("SELECT 1 FROM watch_transactions WHERE signature = $1")
                .bind(signature)
                .fetch_optional(self.db.pool())
                .await?
                .is_some(),
        )
    }

    /// Stores `tx` and its events and moves the checkpoint to it, atomically; `false` (and
    /// nothing written but the checkpoint) if it was already stored.
    pub async fn record(&self, tx: &Observed) -> Result<bool, DbError> {
        let mut w = self.db.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO watch_transactions (signature, slot, block_time, ok, error_code, \
             fee_payer) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (signature) DO NOTHING",
        )
        .bind(&tx.signature)
        .bind(tx.slot as i64)
        .bind(tx.block_time)
        .bind(i64::from(tx.error_code.is_none()))
        .bind(tx.error_code.map(i64::from))
        .bind(&tx.fee_payer)
        .execute(&mut *w)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            for (idx, (event, data)) in tx.events.iter().enumerate() {
                let (rule_set_id, sender, recipient, mint, value, account) = match event {
                    Event::TransferApproved {
                        rule_set_id,
                        sender,
                        recipient,
                        mint,
                        amount: a,
                    } => (
                        Some(*rule_set_id as i64),
                        Some(sender.clone()),
                        Some(recipient.clone()),
                        Some(mint.clone()),
                        Some(amount(*a)),
                        None,
                    ),
                    Event::PassIssued { wallet, rule_set } => (
                        None,
                        None,
                        Some(wallet.clone()),
                        None,
                        None,
                        Some(rule_set.clone()),
                    ),
                    Event::RootPublished { account, .. }
                    | Event::RootSourceCreated { account, .. }
                    | Event::Governance { account, .. } => {
                        (None, None, None, None, None, Some(account.clone()))
                    }
                };
                sqlx::query(
                    "INSERT INTO watch_events (signature, idx, kind, slot, block_time, \
                     rule_set_id, sender, recipient, mint, amount, account, data) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&tx.signature)
                .bind(idx as i64)
                .bind(event.kind())
                .bind(tx.slot as i64)
                .bind(tx.block_time)
                .bind(rule_set_id)
                .bind(sender)
                .bind(recipient)
                .bind(mint)
                .bind(value)
                .bind(account)
                .bind(data.clone())
                .execute(&mut *w)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO watch_checkpoint (id, signature, slot) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET signature = excluded.signature, slot = excluded.slot",
        )
        .bind(&tx.signature)
        .bind(tx.slot as i64)
        .execute(&mut *w)
        .await?;
        w.commit().await?;
        Ok(inserted)
    }

    async fn transfers(
        &self,
        column: &str,
        wallet: &str,
        since: i64,
    ) -> Result<Vec<Transfer>, DbError> {
        let sql = format!(
            "SELECT signature, sender, recipient, amount, block_time FROM watch_events \
             WHERE kind = 'TransferApproved' AND {column} = $1 AND block_time >= $2 \
             ORDER BY block_time, slot, signature, idx"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(wallet)
            .bind(since)
            .fetch_all(self.db.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Transfer {
                signature: r.get(0),
                sender: r.get(1),
                recipient: r.get(2),
                amount: r.get::<i64, _>(3).max(0) as u64,
                block_time: r.get(4),
            })
            .collect())
    }

    /// Transfers sent by `wallet` at or after `since`.
    pub async fn transfers_from(&self, wallet: &str, since: i64) -> Result<Vec<Transfer>, DbError> {
        self.transfers("sender", wallet, since).await
    }

    /// Transfers received by `wallet` at or after `since`.
    pub async fn transfers_to(&self, wallet: &str, since: i64) -> Result<Vec<Transfer>, DbError> {
        self.transfers("recipient", wallet, since).await
    }

    /// Refused transactions with error `code` at or after `since`: (signature, fee payer).
    pub async fn refusals(&self, code: u32, since: i64) -> Result<Vec<(String, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT signature, fee_payer FROM watch_transactions WHERE ok = 0 AND \
             error_code = $1 AND block_time >= $2 ORDER BY block_time, signature",
        )
        .bind(i64::from(code))
        .bind(since)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Every issuer and sanctions list seen, with the time of its last root (its creation's
    /// block time until it publishes one) and whether it is a sanctions list.
    pub async fn root_sources(&self) -> Result<Vec<(String, i64, bool)>, DbError> {
        let rows = sqlx::query(
            "SELECT account, kind, MAX(block_time) FROM watch_events WHERE kind IN ('RootPublished', \
             'IssuerAdded', 'SanctionsListCreated') GROUP BY account, kind",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut out: std::collections::BTreeMap<String, (i64, Option<bool>)> = Default::default();
        for r in &rows {
            let account: String = r.get(0);
            let kind: String = r.get(1);
            let at: i64 = r.get(2);
            let e = out.entry(account).or_insert((i64::MIN, None));
            e.0 = e.0.max(at);
            match kind.as_str() {
                "SanctionsListCreated" => e.1 = Some(true),
                "IssuerAdded" => e.1 = Some(false),
                _ => {}
            }
        }
        Ok(out
            .into_iter()
            .filter_map(|(a, (at, s))| s.map(|s| (a, at, s)))
            .collect())
    }

    /// Whether `rule` already alerted on `subject` for a transaction at or after `since`.
    pub async fn alerted_since(
        &self,
        rule: &str,
        subject: &str,
        since: i64,
    ) -> Result<bool, DbError> {
        Ok(sqlx::query(
            "SELECT 1 FROM watch_alerts WHERE rule = $1 AND subject = $2 AND event_time >= $3",
        )
        .bind(rule)
        .bind(subject)
        .bind(since)
        .fetch_optional(self.db.pool())
        .await?
        .is_some())
    }

    /// Stores an alert raised at `now`.
    pub async fn insert_alert(&self, alert: &NewAlert, now: i64) -> Result<Alert, DbError> {
        let json = |v: &Vec<String>| serde_json::to_string(v).expect("strings serialize");
        let row = sqlx::query(
            "INSERT INTO watch_alerts (rule, subject, created_at, event_time, wallets, \
             signatures, detail) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(alert.rule)
        .bind(&alert.subject)
        .bind(now)
        .bind(alert.event_time)
        .bind(json(&alert.wallets))
        .bind(json(&alert.signatures))
        .bind(&alert.detail)
        .fetch_one(self.db.pool())
        .await?;
        Ok(Alert {
            id: row.get(0),
            rule: alert.rule.to_string(),
            subject: alert.subject.clone(),
            created_at: now,
            event_time: alert.event_time,
            wallets: alert.wallets.clone(),
            signatures: alert.signatures.clone(),
            detail: alert.detail.clone(),
            acknowledged_at: None,
            acknowledged_by: None,
        })
    }

    fn alert(r: &sqlx::any::AnyRow) -> Alert {
        let list = |s: String| serde_json::from_str(&s).unwrap_or_default();
        Alert {
            id: r.get(0),
            rule: r.get(1),
            subject: r.get(2),
            created_at: r.get(3),
            event_time: r.get(4),
            wallets: list(r.get(5)),
            signatures: list(r.get(6)),
            detail: r.get(7),
            acknowledged_at: r.get(8),
            acknowledged_by: r.get(9),
        }
    }

    const ALERT_COLUMNS: &'static str = "id, rule, subject, created_at, event_time, wallets, \
         signatures, detail, acknowledged_at, acknowledged_by";

    /// Alerts, newest first (only those not acknowledged if `open_only`), at most `limit`.
    pub async fn alerts(&self, open_only: bool, limit: i64) -> Result<Vec<Alert>, DbError> {
        let sql = format!(
            "SELECT {} FROM watch_alerts {} ORDER BY id DESC LIMIT $1",
            Self::ALERT_COLUMNS,
            if open_only {
                "WHERE acknowledged_at IS NULL"
            } else {
                ""
            }
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(self.db.pool())
            .await?;
        Ok(rows.iter().map(Self::alert).collect())
    }

    /// Acknowledges alert `id` by `by` at `now` (once).
    pub async fn acknowledge(&self, id: i64, by: &str, now: i64) -> Result<Acknowledged, DbError> {
        let done = sqlx::query(
            "UPDATE watch_alerts SET acknowledged_at = $1, acknowledged_by = $2 \
             WHERE id = $3 AND acknowledged_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(self.db.pool())
        .await?
        .rows_affected()
            == 1;
        let sql = format!(
            "SELECT {} FROM watch_alerts WHERE id = $1",
            Self::ALERT_COLUMNS
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(match (row, done) {
            (None, _) => Acknowledged::Missing,
            (Some(r), true) => Acknowledged::Now(Self::alert(&r)),
            (Some(r), false) => Acknowledged::Already(Self::alert(&r)),
        })
    }

    /// Cluster time of the oldest transaction stored.
    pub async fn first_block_time(&self) -> Result<Option<i64>, DbError> {
        let row = sqlx::query("SELECT MIN(block_time) FROM watch_transactions")
            .fetch_one(self.db.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// Records that the report of `report.day` was written (again, if it was before).
    pub async fn record_report(&self, report: &WrittenReport) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO watch_reports (day, day_start, written_at, transfers, alerts) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO UPDATE SET \
             written_at = excluded.written_at, transfers = excluded.transfers, \
             alerts = excluded.alerts",
        )
        .bind(&report.day)
        .bind(report.day_start)
        .bind(report.written_at)
        .bind(report.transfers)
        .bind(report.alerts)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// The reports written, newest day first, at most `limit`.
    pub async fn reports(&self, limit: i64) -> Result<Vec<WrittenReport>, DbError> {
        let rows = sqlx::query(
            "SELECT day, day_start, written_at, transfers, alerts FROM watch_reports \
             ORDER BY day_start DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| WrittenReport {
                day: r.get(0),
                day_start: r.get(1),
                written_at: r.get(2),
                transfers: r.get(3),
                alerts: r.get(4),
            })
            .collect())
    }
}
