-- Every zkgate transaction seen (deduplicated by signature), its outcome and refusal code.
CREATE TABLE watch_transactions (
    signature TEXT PRIMARY KEY,
    slot BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    error_code BIGINT,
    fee_payer TEXT NOT NULL
);
CREATE INDEX watch_transactions_refusals ON watch_transactions (ok, error_code, block_time);
-- The audit events of committed transactions, in emission order.
CREATE TABLE watch_events (
    signature TEXT NOT NULL,
    idx BIGINT NOT NULL,
    kind TEXT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    rule_set_id BIGINT,
    sender TEXT,
    recipient TEXT,
    mint TEXT,
    amount BIGINT,
    account TEXT,
    data BYTEA NOT NULL,
    PRIMARY KEY (signature, idx)
);
CREATE INDEX watch_events_sender ON watch_events (sender, block_time);
CREATE INDEX watch_events_recipient ON watch_events (recipient, block_time);
CREATE INDEX watch_events_kind ON watch_events (kind, block_time);
-- The newest transaction ingested in order: backfill resumes after it.
CREATE TABLE watch_checkpoint (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    slot BIGINT NOT NULL
);
CREATE TABLE watch_alerts (
    id BIGSERIAL PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    event_time BIGINT NOT NULL,
    wallets TEXT NOT NULL,
    signatures TEXT NOT NULL,
    detail TEXT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT
);
CREATE INDEX watch_alerts_subject ON watch_alerts (rule, subject, event_time);
