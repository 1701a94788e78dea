-- Sanctions lists: the leaves of each indexed tree (a sorted linked list), versioned like the
-- tree's nodes; a removed value keeps a row with removed = 1 at the version it left.
CREATE TABLE indexed_leaves (
    tree_id    BIGINT NOT NULL REFERENCES trees (id),
    idx        BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    value      BYTEA  NOT NULL,
    next_value BYTEA  NOT NULL,
    next_index BIGINT NOT NULL,
    removed    BIGINT NOT NULL,
    PRIMARY KEY (tree_id, idx, version)
);
CREATE INDEX indexed_leaves_by_value ON indexed_leaves (tree_id, value);

-- Issuers and sanctions lists served, each with its tree and its on-chain id.
CREATE TABLE issuers (
    id         BIGINT PRIMARY KEY,
    tree_id    BIGINT NOT NULL UNIQUE REFERENCES trees (id),
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE sanctions_lists (
    id         BIGINT PRIMARY KEY,
    tree_id    BIGINT NOT NULL UNIQUE REFERENCES trees (id),
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- Credentials: the subject's attributes and salt sealed (AES-256-GCM-SIV under the service's
-- data key); subject_tag = HMAC-SHA256(data key, subject id) finds a subject's credentials
-- without storing the id in clear; the wallet is public on chain anyway.
CREATE TABLE credentials (
    issuer_id       BIGINT NOT NULL REFERENCES issuers (id),
    leaf_index      BIGINT NOT NULL,
    subject_tag     BYTEA  NOT NULL,
    wallet          BYTEA  NOT NULL,
    sealed          BYTEA  NOT NULL,
    issued_version  BIGINT NOT NULL,
    revoked_version BIGINT,
    issued_at       BIGINT NOT NULL,
    PRIMARY KEY (issuer_id, leaf_index)
);
CREATE INDEX credentials_by_subject ON credentials (issuer_id, subject_tag);
CREATE INDEX credentials_by_wallet ON credentials (wallet);

-- Root publication, one row per published root: created -> sent -> confirmed (or superseded
-- by a newer root before it was sent). The signature and the blockhash's last valid height
-- are written before the transaction is submitted, so a restart knows what may be in flight.
CREATE TABLE publications (
    tree_id           BIGINT NOT NULL REFERENCES trees (id),
    version           BIGINT NOT NULL,
    root              BYTEA  NOT NULL,
    state             TEXT   NOT NULL,
    signature         TEXT,
    last_valid_height BIGINT,
    attempts          BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (tree_id, version)
);
CREATE INDEX publications_by_state ON publications (state);

-- Wallet challenges: single use, short-lived.
CREATE TABLE challenges (
    nonce      BYTEA  PRIMARY KEY,
    wallet     BYTEA  NOT NULL,
    expires_at BIGINT NOT NULL
);
