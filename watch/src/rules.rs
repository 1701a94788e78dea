//! Monitoring rules, configured in a JSON file (`--rules`), evaluated as transactions arrive
//! (and, for stale roots, on a timer). Each rule alerts once per subject and window; an alert
//! names the rule, the wallets and the transactions, never anything personal (there is none on
//! chain: the identity is encrypted to the auditor).
use std::collections::BTreeSet;

use serde::Deserialize;
use zkgate_db::DbError;

use crate::decode::{Event, Observed};
use crate::store::{NewAlert, Store, Transfer};

/// Count and amount a sender may move within a window.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Velocity {
    /// Window (seconds, cluster time).
    pub window_secs: i64,
    /// Alert above this many transfers in the window.
    pub max_count: usize,
    /// Alert above this total (base units) in the window, if set.
    #[serde(default)]
    pub max_amount: Option<u64>,
}

/// Transfers just under a limit, repeated.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Structuring {
    /// Window (seconds).
    pub window_secs: i64,
    /// An amount at or above this counts (set it to 90% of the tier's per-transfer limit).
    pub threshold_amount: u64,
    /// Alert at this many such transfers in the window.
    pub min_count: usize,
}

/// One wallet with many counterparties.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Fan {
    /// Window (seconds).
    pub window_secs: i64,
    /// Alert above this many distinct counterparties in the window.
    pub max_counterparties: usize,
}

/// Refused transactions with one error code.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Refusals {
    /// Window (seconds).
    pub window_secs: i64,
    /// Alert at this many refusals with the same code in the window.
    pub min_count: usize,
}

/// Roots not republished in time.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StaleRoots {
    /// Alert when an issuer's credential root is older than this (seconds).
    pub credential_max_age_secs: i64,
    /// Alert when a sanctions list's root is older than this (seconds).
    pub sanctions_max_age_secs: i64,
}

/// The rules file. A rule left out is off, except `governance` (on unless `false`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Velocity per sender.
    #[serde(default)]
    pub velocity: Option<Velocity>,
    /// Structuring per sender.
    #[serde(default)]
    pub structuring: Option<Structuring>,
    /// Distinct recipients per sender.
    #[serde(default)]
    pub fan_out: Option<Fan>,
    /// Distinct senders per recipient.
    #[serde(default)]
    pub fan_in: Option<Fan>,
    /// Refusal spikes per error code.
    #[serde(default)]
    pub refusals: Option<Refusals>,
    /// Every governance action (keys, parameters, status, pause, authorities, hooks, issuers,
    /// lists).
    #[serde(default = "yes")]
    pub governance: bool,
    /// Stale credential or sanctions roots.
    #[serde(default)]
    pub stale_roots: Option<StaleRoots>,
}

fn yes() -> bool {
    true
}

impl Default for Rules {
    /// What the binary runs without a rules file: every rule on, with thresholds for a
    /// retail deployment (documented in the README).
    fn default() -> Self {
        Rules {
            velocity: Some(Velocity {
                window_secs: 3600,
                max_count: 20,
                max_amount: None,
            }),
            structuring: None,
            fan_out: Some(Fan {
                window_secs: 86_400,
                max_counterparties: 25,
            }),
            fan_in: Some(Fan {
                window_secs: 86_400,
                max_counterparties: 50,
            }),
            refusals: Some(Refusals {
                window_secs: 3600,
                min_count: 5,
            }),
            governance: true,
            stale_roots: Some(StaleRoots {
                credential_max_age_secs: 7 * 86_400,
                sanctions_max_age_secs: 86_400,
            }),
        }
    }
}

/// Why a rules file was refused.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// Unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not the format (the message names the field).
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// serde's message (field and position).
        message: String,
    },
    /// A value out of range.
    #[error("{path}: {field} must be {must}")]
    Range {
        /// The file.
        path: String,
        /// The field.
        field: &'static str,
        /// The valid range.
        must: &'static str,
    },
}

impl Rules {
    /// Reads and checks a rules file.
    pub fn load(path: &std::path::Path) -> Result<Self, RulesError> {
        let p = path.display().to_string();
        let raw = std::fs::read(path).map_err(|source| RulesError::Io {
            path: p.clone(),
            source,
        })?;
        Self::parse(&raw, &p)
    }

    /// Parses and checks rules (`origin` names them in errors).
    pub fn parse(raw: &[u8], origin: &str) -> Result<Self, RulesError> {
        let rules: Rules = serde_json::from_slice(raw).map_err(|e| RulesError::Format {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let range = |field, must| RulesError::Range {
            path: origin.to_string(),
            field,
            must,
        };
        let windows = [
            (
                "velocity.window_secs",
                rules.velocity.as_ref().map(|r| r.window_secs),
            ),
            (
                "structuring.window_secs",
                rules.structuring.as_ref().map(|r| r.window_secs),
            ),
            (
                "fan_out.window_secs",
                rules.fan_out.as_ref().map(|r| r.window_secs),
            ),
            (
                "fan_in.window_secs",
                rules.fan_in.as_ref().map(|r| r.window_secs),
            ),
            (
                "refusals.window_secs",
                rules.refusals.as_ref().map(|r| r.window_secs),
            ),
            (
                "stale_roots.credential_max_age_secs",
                rules
                    .stale_roots
                    .as_ref()
                    .map(|r| r.credential_max_age_secs),
            ),
            (
                "stale_roots.sanctions_max_age_secs",
                rules.stale_roots.as_ref().map(|r| r.sanctions_max_age_secs),
            ),
        ];
        for (field, w) in windows {
            if w.is_some_and(|w| !(1..=366 * 86_400).contains(&w)) {
                return Err(range(field, "between 1 and 31622400 seconds"));
            }
        }
        if rules.structuring.as_ref().is_some_and(|s| s.min_count < 2) {
            return Err(range("structuring.min_count", "at least 2"));
        }
        if rules.refusals.as_ref().is_some_and(|s| s.min_count < 1) {
            return Err(range("refusals.min_count", "at least 1"));
        }
        Ok(rules)
    }

    /// The alerts transaction `tx` (just stored) raises.
    pub async fn evaluate(&self, store: &Store, tx: &Observed) -> Result<Vec<NewAlert>, DbError> {
        let mut out = vec![];
        let t = tx.block_time;
        if let (Some(code), Some(rule)) = (tx.error_code, &self.refusals) {
            let subject = code.to_string();
            let since = t - rule.window_secs;
            let seen = store.refusals(code, since).await?;
            if seen.len() >= rule.min_count
                && !store.alerted_since("refusals", &subject, since).await?
            {
                out.push(NewAlert {
                    rule: "refusals",
                    subject,
                    event_time: t,
                    wallets: distinct(seen.iter().map(|(_, payer)| payer.clone())),
                    signatures: seen.iter().map(|(s, _)| s.clone()).collect(),
                    detail: format!(
                        "{} transactions refused with error {} within {} s (threshold {})",
                        seen.len(),
                        error_name(code),
                        rule.window_secs,
                        rule.min_count
                    ),
                });
            }
        }
        for (index, (event, _)) in tx.events.iter().enumerate() {
            match event {
                Event::TransferApproved {
                    sender, recipient, ..
                } => {
                    self.wallet_rules(store, t, sender, recipient, &mut out)
                        .await?;
                }
                Event::Governance { name, account } if self.governance => out.push(NewAlert {
                    rule: "governance",
                    subject: format!("{}:{index}", tx.signature),
                    event_time: t,
                    wallets: vec![tx.fee_payer.clone()],
                    signatures: vec![tx.signature.clone()],
                    detail: format!("{name} on {account}"),
                }),
                _ => {}
            }
        }
        Ok(out)
    }

    async fn wallet_rules(
        &self,
        store: &Store,
        t: i64,
        sender: &str,
        recipient: &str,
        out: &mut Vec<NewAlert>,
    ) -> Result<(), DbError> {
        let signatures = |v: &[&Transfer]| v.iter().map(|x| x.signature.clone()).collect();
        if let Some(rule) = &self.velocity {
            let since = t - rule.window_secs;
            let sent = store.transfers_from(sender, since).await?;
            let total: u128 = sent.iter().map(|x| u128::from(x.amount)).sum();
            let over_count = sent.len() > rule.max_count;
            let over_amount = rule.max_amount.is_some_and(|m| total > u128::from(m));
            if (over_count || over_amount)
                && !store.alerted_since("velocity", sender, since).await?
            {
                out.push(NewAlert {
                    rule: "velocity",
                    subject: sender.to_string(),
                    event_time: t,
                    wallets: vec![sender.to_string()],
                    signatures: signatures(&sent.iter().collect::<Vec<_>>()),
                    detail: format!(
                        "{} transfers totalling {total} within {} s (thresholds: {} transfers{})",
                        sent.len(),
                        rule.window_secs,
                        rule.max_count,
                        rule.max_amount
                            .map(|m| format!(", {m} in amount"))
                            .unwrap_or_default()
                    ),
                });
            }
        }
        if let Some(rule) = &self.structuring {
            let since = t - rule.window_secs;
            let sent = store.transfers_from(sender, since).await?;
            let near: Vec<&Transfer> = sent
                .iter()
                .filter(|x| x.amount >= rule.threshold_amount)
                .collect();
            if near.len() >= rule.min_count
                && !store.alerted_since("structuring", sender, since).await?
            {
                out.push(NewAlert {
                    rule: "structuring",
                    subject: sender.to_string(),
                    event_time: t,
                    wallets: vec![sender.to_string()],
                    signatures: signatures(&near),
                    detail: format!(
                        "{} transfers of at least {} within {} s (threshold {})",
                        near.len(),
                        rule.threshold_amount,
                        rule.window_secs,
                        rule.min_count
                    ),
                });
            }
        }
        for (rule, name, wallet, outgoing) in [
            (&self.fan_out, "fan_out", sender, true),
            (&self.fan_in, "fan_in", recipient, false),
        ] {
            let Some(rule) = rule else { continue };
            let since = t - rule.window_secs;
            let moves = if outgoing {
                store.transfers_from(wallet, since).await?
            } else {
                store.transfers_to(wallet, since).await?
            };
            let others = distinct(moves.iter().map(|x| {
                if outgoing {
                    x.recipient.clone()
                } else {
                    x.sender.clone()
                }
            }));
            if others.len() > rule.max_counterparties
                && !store.alerted_since(name, wallet, since).await?
            {
                let mut wallets = vec![wallet.to_string()];
                wallets.extend(others.iter().cloned());
                out.push(NewAlert {
                    rule: name,
                    subject: wallet.to_string(),
                    event_time: t,
                    wallets,
                    signatures: signatures(&moves.iter().collect::<Vec<_>>()),
                    detail: format!(
                        "{} distinct {} within {} s (threshold {})",
                        others.len(),
                        if outgoing { "recipients" } else { "senders" },
                        rule.window_secs,
                        rule.max_counterparties
                    ),
                });
            }
        }
        Ok(())
    }

    /// The stale-root alerts at cluster time `now`: an issuer or list whose last root (or
    /// creation) is older than its period, once per root.
    pub async fn evaluate_periodic(
        &self,
        store: &Store,
        now: i64,
    ) -> Result<Vec<NewAlert>, DbError> {
        let Some(rule) = &self.stale_roots else {
            return Ok(vec![]);
        };
        let mut out = vec![];
        for (account, last, sanctions) in store.root_sources().await? {
            let max_age = if sanctions {
                rule.sanctions_max_age_secs
            } else {
                rule.credential_max_age_secs
            };
            if now - last > max_age && !store.alerted_since("stale_root", &account, last).await? {
                out.push(NewAlert {
                    rule: "stale_root",
                    subject: account.clone(),
                    event_time: last,
                    wallets: vec![],
                    signatures: vec![],
                    detail: format!(
                        "{} {account}: last root published {} s ago (period {max_age} s)",
                        if sanctions {
                            "sanctions list"
                        } else {
                            "issuer"
                        },
                        now - last
                    ),
                });
            }
        }
        Ok(out)
    }
}

fn distinct(v: impl Iterator<Item = String>) -> Vec<String> {
    v.collect::<BTreeSet<_>>().into_iter().collect()
}

/// `Name (code)` for zkgate's error codes (from the IDL), the bare code otherwise.
pub fn error_name(code: u32) -> String {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<u64, String>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let idl: serde_json::Value =
            serde_json::from_str(include_str!("../../idl/zkgate.json")).unwrap_or_default();
        idl.get("errors")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
            .filter_map(|e| {
                Some((
                    e.get("code")?.as_u64()?,
                    e.get("name")?.as_str()?.to_string(),
                ))
            })
            .collect()
    });
    match names.get(&u64::from(code)) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    }
}
