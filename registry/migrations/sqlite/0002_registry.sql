-- Sanctions lists: the leaves of each indexed tree (a sorted linked list), versioned like the
-- tree's nodes; a removed value keeps a row with removed = 1 at the version it left.
CREATE TABLE indexed_leaves (
    tree_id    INTEGER NOT NULL REFERENCES trees (id),
    idx        INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    value      BLOB   NOT NULL,
    next_value BLOB   NOT NULL,
    next_index INTEGER NOT NULL,
    removed    INTEGER NOT NULL,
    PRIMARY KEY (tree_id, idx, version)
);
CREATE INDEX indexed_leaves_by_value ON indexed_leaves (tree_id, value);

-- Issuers and sanctions lists served, each with its tree and its on-chain id.
CREATE TABLE issuers (
    id         INTEGER PRIMARY KEY,
    tree_id    INTEGER NOT NULL UNIQUE REFERENCES trees (id),
    name       TEXT   NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE sanctions_lists (
    id         INTEGER PRIMARY KEY,
    tree_id    INTEGER NOT NULL UNIQUE REFERENCES trees (id),
    name       TEXT   NOT NULL,
    created_at INTEGER NOT NULL
);

-- Credentials: the subject's attributes and salt sealed (AES-256-GCM-SIV under the service's
-- data key); subject_tag = HMAC-SHA256(data key, subject id) finds a subject's credentials
-- without storing the id in clear; the wallet is public on chain anyway.
CREATE TABLE credentials (
    issuer_id       INTEGER NOT NULL REFERENCES issuers (id),
    leaf_index      INTEGER NOT NULL,
    subject_tag     BLOB   NOT NULL,
    wallet          BLOB   NOT NULL,
    sealed          BLOB   NOT NULL,
    issued_version  INTEGER NOT NULL,
    revoked_version INTEGER,
    issued_at       INTEGER NOT NULL,
    PRIMARY KEY (issuer_id, leaf_index)
);
CREATE INDEX credentials_by_subject ON credentials (issuer_id, subject_tag);
CREATE INDEX credentials_by_wallet ON credentials (wallet);

-- Root publication, one row per published root: created -> sent -> confirmed (or superseded
-- by a newer root before it was sent). The signature and the blockhash's last valid height
-- are written before the transaction is submitted, so a restart knows what may be in flight.
CREATE TABLE publications (
    tree_id           INTEGER NOT NULL REFERENCES trees (id),
    version           INTEGER NOT NULL,
    root              BLOB   NOT NULL,
    state             TEXT   NOT NULL,
    signature         TEXT,
    last_valid_height INTEGER,
    attempts          INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (tree_id, version)
);
CREATE INDEX publications_by_state ON publications (state);

-- Wallet challenges: single use, short-lived.
CREATE TABLE challenges (
    nonce      BLOB   PRIMARY KEY,
    wallet     BLOB   NOT NULL,
    expires_at INTEGER NOT NULL
);
