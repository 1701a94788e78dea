//! A zkgate transaction as an RPC node returns it (`getTransaction`, `"encoding": "json"`),
//! reduced to what the watcher keeps: its outcome (and refusal code) and the audit events.
//!
//! Events are read from the inner instructions, never from the log: zkgate emits every event
//! as a self-invocation signed by its event authority (Anchor's event CPI), which the program
//! only accepts from itself, so an inner instruction to zkgate whose first account is the
//! event authority and whose data starts with Anchor's event tag is an event zkgate emitted.
//! Only committed transactions have events; a failed one is a refusal with its error code.
use anchor_lang::{AnchorDeserialize, Discriminator};
use serde_json::Value;
use zkgate::events::*;

/// Why a transaction could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// A field the RPC format always has is missing or has another type.
    #[error("transaction {signature}: {field} is missing or malformed")]
    Malformed {
        /// The transaction.
        signature: String,
        /// The field.
        field: &'static str,
    },
    /// An inner instruction carries the event tag but no event zkgate defines.
    #[error("transaction {signature}: event {index} does not decode")]
    Event {
        /// The transaction.
        signature: String,
        /// Its position among the transaction's events.
        index: usize,
    },
}

/// One of zkgate's audit events.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// An approved transfer (`transfer` or `approve`).
    TransferApproved {
        /// Rule-set id.
        rule_set_id: u64,
        /// Sending wallet.
        sender: String,
        /// Receiving wallet.
        recipient: String,
        /// Mint.
        mint: String,
        /// Amount in base units.
        amount: u64,
    },
    /// A recipient pass was issued.
    PassIssued {
        /// The wallet that may now receive.
        wallet: String,
        /// The rule-set account.
        rule_set: String,
    },
    /// An issuer or sanctions list published a root.
    RootPublished {
        /// The `Issuer` or `SanctionsList` account.
        account: String,
        /// Whether it is a sanctions root.
        sanctions: bool,
        /// When (cluster time).
        published_at: i64,
    },
    /// An issuer or sanctions list was created: its first root counts as published.
    RootSourceCreated {
        /// The `Issuer` or `SanctionsList` account.
        account: String,
        /// Whether it is a sanctions list.
        sanctions: bool,
    },
    /// Any other governance action (keys, parameters, status, pause, authorities, hooks).
    Governance {
        /// The event's name.
        name: &'static str,
        /// The account it concerns.
        account: String,
    },
}

impl Event {
    /// The event's name, as the IDL spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::TransferApproved { .. } => "TransferApproved",
            Event::PassIssued { .. } => "PassIssued",
            Event::RootPublished { .. } => "RootPublished",
            Event::RootSourceCreated {
                sanctions: true, ..
            } => "SanctionsListCreated",
            Event::RootSourceCreated { .. } => "IssuerAdded",
            Event::Governance { name, .. } => name,
        }
    }
}

/// A decoded transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// Its signature (base58).
    pub signature: String,
    /// Slot.
    pub slot: u64,
    /// Block time (unix seconds; 0 if the node has none).
    pub block_time: i64,
    /// The fee payer (the first account key).
    pub fee_payer: String,
    /// `None` if it committed; the program's error code if an instruction failed with one
    /// (`Some(0)` for a failure without a custom code).
    pub error_code: Option<u32>,
    /// Its zkgate events with their raw data (discriminator and Borsh body), in order.
    pub events: Vec<(Event, Vec<u8>)>,
}

fn key(k: anchor_lang::prelude::Pubkey) -> String {
    k.to_string()
}

/// Decodes one event from its data (discriminator and Borsh body).
pub fn decode_event(data: &[u8]) -> Option<Event> {
    fn body<E: Discriminator>(data: &[u8]) -> Option<&[u8]> {
        data.strip_prefix(E::DISCRIMINATOR)
    }
    macro_rules! parse {
        ($t:ty) => {
            body::<$t>(data).and_then(|mut b| <$t>::deserialize(&mut b).ok())
        };
    }
    if let Some(e) = parse!(TransferApproved) {
        return Some(Event::TransferApproved {
            rule_set_id: e.rule_set_id,
            sender: key(e.sender),
            recipient: key(e.recipient),
            mint: key(e.mint),
            amount: e.amount,
        });
    }
    if let Some(e) = parse!(PassIssued) {
        return Some(Event::PassIssued {
            wallet: key(e.wallet),
            rule_set: key(e.rule_set),
        });
    }
    if let Some(e) = parse!(RootPublished) {
        return Some(Event::RootPublished {
            account: key(e.account),
            sanctions: e.sanctions,
            published_at: e.published_at,
        });
    }
    if let Some(e) = parse!(IssuerAdded) {
        return Some(Event::RootSourceCreated {
            account: key(e.issuer),
            sanctions: false,
        });
    }
    if let Some(e) = parse!(SanctionsListCreated) {
        return Some(Event::RootSourceCreated {
            account: key(e.sanctions_list),
            sanctions: true,
        });
    }
    let governance = |name: &'static str, account| Some(Event::Governance { name, account });
    if let Some(e) = parse!(ConfigInitialized) {
        return governance("ConfigInitialized", key(e.admin));
    }
    if let Some(e) = parse!(PauseChanged) {
        return governance("PauseChanged", key(e.admin));
    }
    if let Some(e) = parse!(AuthorityProposed) {
        return governance("AuthorityProposed", key(e.account));
    }
    if let Some(e) = parse!(AuthorityChanged) {
        return governance("AuthorityChanged", key(e.account));
    }
    if let Some(e) = parse!(RuleSetChanged) {
        return governance("RuleSetChanged", key(e.rule_set));
    }
    if let Some(e) = parse!(VerifyingKeyChanged) {
        return governance("VerifyingKeyChanged", key(e.rule_set));
    }
    if let Some(e) = parse!(RuleSetStatusChanged) {
        return governance("RuleSetStatusChanged", key(e.rule_set));
    }
    if let Some(e) = parse!(IssuerActiveChanged) {
        return governance("IssuerActiveChanged", key(e.issuer));
    }
    if let Some(e) = parse!(SanctionsListActiveChanged) {
        return governance("SanctionsListActiveChanged", key(e.sanctions_list));
    }
    if let Some(e) = parse!(MintHookConfigured) {
        return governance("MintHookConfigured", key(e.mint));
    }
    None
}

/// Decodes `tx` (the `result` of `getTransaction` with `"encoding": "json"`), keeping the
/// events `program` emitted (`event_authority`: its event-authority PDA).
pub fn decode_transaction(
    tx: &Value,
    program: &str,
    event_authority: &str,
) -> Result<Observed, DecodeError> {
    let signature = tx
        .pointer("/transaction/signatures/0")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let malformed = |field| DecodeError::Malformed {
        signature: signature.clone(),
        field,
    };
    if signature.is_empty() {
        return Err(malformed("transaction.signatures"));
    }
    let slot = tx
        .get("slot")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed("slot"))?;
    let block_time = tx.get("blockTime").and_then(Value::as_i64).unwrap_or(0);
    let keys: Vec<&str> = tx
        .pointer("/transaction/message/accountKeys")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("transaction.message.accountKeys"))?
        .iter()
        .map(|k| k.as_str().unwrap_or_default())
        .collect();
    // Loaded addresses (v0 transactions) follow the static keys: writable, then readonly.
    let loaded: Vec<&str> = ["writable", "readonly"]
        .iter()
        .flat_map(|w| {
            tx.pointer(&format!("/meta/loadedAddresses/{w}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|k| k.as_str().unwrap_or_default())
        })
        .collect();
    let all: Vec<&str> = keys.iter().chain(&loaded).copied().collect();
    let fee_payer = keys
        .first()
        .ok_or_else(|| malformed("accountKeys"))?
        .to_string();
    let meta = tx.get("meta").ok_or_else(|| malformed("meta"))?;
    let error_code = match meta.get("err") {
        None | Some(Value::Null) => None,
        Some(err) => Some(
            err.pointer("/InstructionError/1/Custom")
                .and_then(Value::as_u64)
                .map_or(0, |c| c as u32),
        ),
    };
    let mut events = vec![];
    if error_code.is_none() {
        let inner = meta
            .get("innerInstructions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for ix in inner
            .iter()
            .filter_map(|g| g.get("instructions").and_then(Value::as_array))
            .flatten()
        {
            let program_at = ix.get("programIdIndex").and_then(Value::as_u64);
            let first_account = ix
                .get("accounts")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_u64);
            let is_event = matches!((program_at, first_account), (Some(p), Some(a))
                if all.get(p as usize) == Some(&program) && all.get(a as usize) == Some(&event_authority));
            if !is_event {
                continue;
            }
            let data = ix
                .get("data")
                .and_then(Value::as_str)
                .and_then(|d| bs58::decode(d).into_vec().ok())
                .ok_or_else(|| malformed("innerInstructions.data"))?;
            let Some(body) = data.strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE) else {
                continue;
            };
            let event = decode_event(body).ok_or(DecodeError::Event {
                signature: signature.clone(),
                index: events.len(),
            })?;
            events.push((event, body.to_vec()));
        }
    }
    Ok(Observed {
        signature,
        slot,
        block_time,
        fee_payer,
        error_code,
        events,
    })
}
