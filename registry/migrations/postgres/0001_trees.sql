-- Versioned quaternary Poseidon trees: every change writes the leaf, its path's nodes and the
-- new root at the tree's next version; a node's value at version v is its newest row <= v.
CREATE TABLE trees (
    id         BIGINT PRIMARY KEY,
    depth      BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    next_index BIGINT NOT NULL
);
CREATE TABLE nodes (
    tree_id BIGINT NOT NULL REFERENCES trees (id),
    level   BIGINT NOT NULL,
    idx     BIGINT NOT NULL,
    version BIGINT NOT NULL,
    value   BYTEA  NOT NULL,
    PRIMARY KEY (tree_id, level, idx, version)
);
CREATE TABLE roots (
    tree_id BIGINT NOT NULL REFERENCES trees (id),
    version BIGINT NOT NULL,
    root    BYTEA  NOT NULL,
    PRIMARY KEY (tree_id, version)
);
