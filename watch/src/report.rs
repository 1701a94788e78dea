//! The daily report a compliance officer reads: one self-contained HTML page (inline CSS and
//! SVG charts, nothing fetched, so it opens offline and can be archived) with the day's volume
//! per rule-set and per hour, refusals by error, alerts by rule and in full, and governance
//! actions; and the same data as CSV files for a spreadsheet or a regulator's import.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use sqlx::Row;
use zkgate_db::DbError;

use crate::rules::error_name;
use crate::store::{Alert, Store, WrittenReport};

/// Why a report was not written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The day is not `YYYY-MM-DD`.
    #[error("day must be a date YYYY-MM-DD (UTC), got {0:?}")]
    Day(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Unix seconds of `YYYY-MM-DD` 00:00 UTC.
pub fn day_start(day: &str) -> Result<i64, ReportError> {
    let bad = || ReportError::Day(day.to_string());
    let parts: Vec<&str> = day.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in[m as usize - 1]
    {
        return Err(bad());
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * 86_400)
}

/// The UTC day (`YYYY-MM-DD`) of unix time `t`.
pub fn day_of(t: i64) -> String {
    // Civil date from days (Howard Hinnant's algorithm).
    let z = t.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A transfer row of the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRow {
    /// Signature.
    pub signature: String,
    /// Slot.
    pub slot: i64,
    /// Cluster time.
    pub block_time: i64,
    /// Rule-set id.
    pub rule_set_id: i64,
    /// Sender.
    pub sender: String,
    /// Recipient.
    pub recipient: String,
    /// Mint.
    pub mint: String,
    /// Amount.
    pub amount: i64,
}

/// A refused transaction of the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusalRow {
    /// Signature.
    pub signature: String,
    /// Cluster time.
    pub block_time: i64,
    /// Fee payer.
    pub fee_payer: String,
    /// Error code (0: none).
    pub error_code: i64,
}

/// A governance action of the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GovernanceRow {
    /// Signature.
    pub signature: String,
    /// Cluster time.
    pub block_time: i64,
    /// Event name.
    pub kind: String,
    /// The account it concerns.
    pub account: String,
}

/// One day of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Transfers.
    pub transfers: Vec<TransferRow>,
    /// Refusals.
    pub refusals: Vec<RefusalRow>,
    /// Governance actions.
    pub governance: Vec<GovernanceRow>,
    /// Alerts raised for transactions of the day (or, for stale roots, at its time).
    pub alerts: Vec<Alert>,
}

const GOVERNANCE_KINDS: &str = "'ConfigInitialized', 'PauseChanged', 'AuthorityProposed', \
     'AuthorityChanged', 'RuleSetChanged', 'VerifyingKeyChanged', 'RuleSetStatusChanged', \
     'IssuerActiveChanged', 'SanctionsListActiveChanged', 'MintHookConfigured', 'IssuerAdded', \
     'SanctionsListCreated'";

/// Reads day `day` (UTC) from `store`.
pub async fn load_day(store: &Store, day: &str) -> Result<Day, ReportError> {
    let from = day_start(day)?;
    let to = from + 86_400;
    let pool = store.db().pool();
    let transfers = sqlx::query(
        "SELECT signature, slot, block_time, rule_set_id, sender, recipient, mint, amount \
         FROM watch_events WHERE kind = 'TransferApproved' AND block_time >= $1 AND \
         block_time < $2 ORDER BY block_time, signature, idx",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(DbError::from)?
    .iter()
    .map(|r| TransferRow {
        signature: r.get(0),
        slot: r.get(1),
        block_time: r.get(2),
        rule_set_id: r.get(3),
        sender: r.get(4),
        recipient: r.get(5),
        mint: r.get(6),
        amount: r.get(7),
    })
    .collect();
    let refusals = sqlx::query(
        "SELECT signature, block_time, fee_payer, error_code FROM watch_transactions \
         WHERE ok = 0 AND block_time >= $1 AND block_time < $2 ORDER BY block_time, signature",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(DbError::from)?
    .iter()
    .map(|r| RefusalRow {
        signature: r.get(0),
        block_time: r.get(1),
        fee_payer: r.get(2),
        error_code: r.get::<Option<i64>, _>(3).unwrap_or(0),
    })
    .collect();
    let governance = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT signature, block_time, kind, account FROM watch_events WHERE kind IN \
         ({GOVERNANCE_KINDS}) AND block_time >= $1 AND block_time < $2 \
         ORDER BY block_time, signature, idx"
    )))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(DbError::from)?
    .iter()
    .map(|r| GovernanceRow {
        signature: r.get(0),
        block_time: r.get(1),
        kind: r.get(2),
        account: r.get::<Option<String>, _>(3).unwrap_or_default(),
    })
    .collect();
    let alerts = store
        .alerts(false, i64::MAX)
        .await?
        .into_iter()
        .filter(|a| (from..to).contains(&a.event_time))
        .rev()
        .collect();
    Ok(Day {
        day: day.to_string(),
        transfers,
        refusals,
        governance,
        alerts,
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// `HH:MM:SS` of a unix time.
fn clock(t: i64) -> String {
    let s = t.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

/// A horizontal bar chart as inline SVG (`role="img"`, titled).
fn bar_chart(title: &str, bars: &[(String, u128)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let row = 22;
    let height = row * bars.len().max(1) + 10;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" width=\"640\" height=\"{height}\" \
         viewBox=\"0 0 640 {height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    if bars.is_empty() {
        let _ = write!(svg, "<text x=\"4\" y=\"16\">none</text>");
    }
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = i * row + 4;
        let w = (value * 400 / max) as usize;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{ty}\" class=\"label\">{l}</text>\
             <rect x=\"180\" y=\"{y}\" width=\"{w}\" height=\"16\" class=\"bar\"/>\
             <text x=\"{vx}\" y=\"{ty}\" class=\"value\">{value}</text>",
            ty = y + 13,
            l = esc(label),
            vx = 186 + w,
        );
    }
    svg.push_str("</svg>");
    svg
}

impl Day {
    /// Transfers and volume per rule-set.
    pub fn per_rule_set(&self) -> BTreeMap<i64, (usize, u128)> {
        let mut out: BTreeMap<i64, (usize, u128)> = BTreeMap::new();
        for t in &self.transfers {
            let e = out.entry(t.rule_set_id).or_default();
            e.0 += 1;
            e.1 += t.amount.max(0) as u128;
        }
        out
    }

    /// The HTML page.
    pub fn html(&self) -> String {
        let mut h = String::new();
        let volume: u128 = self.transfers.iter().map(|t| t.amount.max(0) as u128).sum();
        let open = self
            .alerts
            .iter()
            .filter(|a| a.acknowledged_at.is_none())
            .count();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>zkgate compliance report {day}</title><style>\
             body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}\
             table{{border-collapse:collapse;margin:1em 0;max-width:100%}}\
             td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px;\
             vertical-align:top}}code{{overflow-wrap:anywhere}}\
             svg.chart{{max-width:100%;height:auto}}\
             .bar{{fill:#3b6ea5}}.label,.value{{font-size:12px}}\
             .open{{color:#a00;font-weight:bold}} code{{font-size:12px}}\
             </style></head><body>\n<h1>zkgate compliance report — {day} (UTC)</h1>\n\
             <p id=\"summary\">{n} approved transfers, volume {volume} (base units); \
             {r} refused transactions; {a} alerts ({open} open); {g} governance actions.</p>\n",
            day = esc(&self.day),
            n = self.transfers.len(),
            r = self.refusals.len(),
            a = self.alerts.len(),
            g = self.governance.len(),
        );
        h.push_str("<h2>Volume per rule-set</h2>\n<table id=\"rule-sets\"><tr><th>rule-set</th><th>transfers</th><th>volume</th></tr>");
        for (id, (n, v)) in self.per_rule_set() {
            let _ = write!(h, "<tr><td>{id}</td><td>{n}</td><td>{v}</td></tr>");
        }
        h.push_str("</table>\n");
        let mut hours = vec![0u128; 24];
        for t in &self.transfers {
            hours[(t.block_time.rem_euclid(86_400) / 3600) as usize] += t.amount.max(0) as u128;
        }
        let hour_bars: Vec<(String, u128)> = hours
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{i:02}:00"), *v))
            .collect();
        h.push_str("<h2>Volume per hour (UTC)</h2>\n");
        h.push_str(&bar_chart("Volume per hour (UTC)", &hour_bars));
        h.push_str("\n<h2>Refusals by error</h2>\n");
        let mut by_code: BTreeMap<i64, u128> = BTreeMap::new();
        for r in &self.refusals {
            *by_code.entry(r.error_code).or_default() += 1;
        }
        let code_bars: Vec<(String, u128)> = by_code
            .iter()
            .map(|(c, n)| (error_name(*c as u32), *n))
            .collect();
        h.push_str(&bar_chart("Refusals by error", &code_bars));
        h.push_str("\n<h2>Alerts by rule</h2>\n");
        let mut by_rule: BTreeMap<&str, u128> = BTreeMap::new();
        for a in &self.alerts {
            *by_rule.entry(&a.rule).or_default() += 1;
        }
        let rule_bars: Vec<(String, u128)> =
            by_rule.iter().map(|(r, n)| (r.to_string(), *n)).collect();
        h.push_str(&bar_chart("Alerts by rule", &rule_bars));
        h.push_str("\n<h2>Alerts</h2>\n<table id=\"alerts\"><tr><th>id</th><th>rule</th><th>subject</th><th>time</th><th>detail</th><th>transactions</th><th>state</th></tr>");
        for a in &self.alerts {
            let state = match (&a.acknowledged_by, a.acknowledged_at) {
                (Some(by), Some(at)) => format!("acknowledged by {} at {}", esc(by), clock(at)),
                _ => "<span class=\"open\">open</span>".to_string(),
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td></tr>",
                a.id,
                esc(&a.rule),
                esc(&a.subject),
                clock(a.event_time),
                esc(&a.detail),
                a.signatures.len(),
                state
            );
        }
        h.push_str("</table>\n<h2>Governance actions</h2>\n<table id=\"governance\"><tr><th>time</th><th>action</th><th>account</th><th>transaction</th></tr>");
        for g in &self.governance {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                clock(g.block_time),
                esc(&g.kind),
                esc(&g.account),
                esc(&g.signature)
            );
        }
        h.push_str(
            "</table>\n<p>No personal data appears here: the chain holds none (identities are \
             encrypted to the auditor). Wallets and transactions are public keys and \
             signatures.</p>\n</body></html>\n",
        );
        h
    }

    /// The CSV files: (name, contents).
    pub fn csv_files(&self) -> Vec<(String, String)> {
        let d = &self.day;
        vec![
            (
                format!("transfers-{d}.csv"),
                csv(
                    &[
                        "signature",
                        "slot",
                        "block_time",
                        "rule_set_id",
                        "sender",
                        "recipient",
                        "mint",
                        "amount",
                    ],
                    self.transfers.iter().map(|t| {
                        vec![
                            t.signature.clone(),
                            t.slot.to_string(),
                            t.block_time.to_string(),
                            t.rule_set_id.to_string(),
                            t.sender.clone(),
                            t.recipient.clone(),
                            t.mint.clone(),
                            t.amount.to_string(),
                        ]
                    }),
                ),
            ),
            (
                format!("refusals-{d}.csv"),
                csv(
                    &[
                        "signature",
                        "block_time",
                        "fee_payer",
                        "error_code",
                        "error",
                    ],
                    self.refusals.iter().map(|r| {
                        vec![
                            r.signature.clone(),
                            r.block_time.to_string(),
                            r.fee_payer.clone(),
                            r.error_code.to_string(),
                            error_name(r.error_code as u32),
                        ]
                    }),
                ),
            ),
            (
                format!("alerts-{d}.csv"),
                csv(
                    &[
                        "id",
                        "rule",
                        "subject",
                        "created_at",
                        "event_time",
                        "wallets",
                        "signatures",
                        "detail",
                        "acknowledged_at",
                        "acknowledged_by",
                    ],
                    self.alerts.iter().map(|a| {
                        vec![
                            a.id.to_string(),
                            a.rule.clone(),
                            a.subject.clone(),
                            a.created_at.to_string(),
                            a.event_time.to_string(),
                            a.wallets.join(" "),
                            a.signatures.join(" "),
                            a.detail.clone(),
                            a.acknowledged_at.map(|t| t.to_string()).unwrap_or_default(),
                            a.acknowledged_by.clone().unwrap_or_default(),
                        ]
                    }),
                ),
            ),
        ]
    }

    /// Writes `report-DAY.html` and the CSV files into `dir`; the paths written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ReportError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut files = vec![(format!("report-{}.html", self.day), self.html())];
        files.extend(self.csv_files());
        let mut written = vec![];
        for (name, contents) in files {
            // Written beside, then renamed over: a reader (or a crash) never sees half a file.
            let path = dir.join(&name);
            let partial = dir.join(format!(".{name}.partial"));
            std::fs::write(&partial, contents).map_err(io(&partial))?;
            std::fs::rename(&partial, &path).map_err(io(&path))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Days [`write_due`] writes at once (a first run over a long history goes on at the next
/// pass, so live ingestion is not held up).
pub const MAX_DAYS_AT_ONCE: usize = 31;

/// Writes into `dir` the report of every day that ended by `complete_at` (the start of an
/// ingestion pass that finished: everything confirmed before it is stored) and is not written
/// yet: the days after the newest report written, or, on the first run, from the day of the
/// oldest transaction stored (yesterday, with none), at most [`MAX_DAYS_AT_ONCE`]. Each day is recorded in the database
/// after its files are in place, so a crash in between writes it again, never skips it.
pub async fn write_due(
    store: &Store,
    dir: &Path,
    complete_at: i64,
) -> Result<Vec<WrittenReport>, ReportError> {
    let last_complete = complete_at.div_euclid(86_400) * 86_400 - 86_400;
    let first = match store.reports(1).await?.first() {
        Some(newest) => newest.day_start + 86_400,
        None => match store.first_block_time().await? {
            Some(t) => t.div_euclid(86_400) * 86_400,
            None => last_complete,
        },
    };
    let mut written = vec![];
    let mut start = first;
    while start <= last_complete && written.len() < MAX_DAYS_AT_ONCE {
        let day = load_day(store, &day_of(start)).await?;
        day.write(dir)?;
        let report = WrittenReport {
            day: day.day.clone(),
            day_start: start,
            written_at: crate::ingest::now(),
            transfers: day.transfers.len() as i64,
            alerts: day.alerts.len() as i64,
        };
        store.record_report(&report).await?;
        tracing::info!(
            day = %report.day,
            transfers = report.transfers,
            alerts = report.alerts,
            "daily report written to {}",
            dir.display()
        );
        written.push(report);
        start += 86_400;
    }
    Ok(written)
}
