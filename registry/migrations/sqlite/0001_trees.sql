-- Versioned quaternary Poseidon trees: every change writes the leaf, its path's nodes and the
-- new root at the tree's next version; a node's value at version v is its newest row <= v.
CREATE TABLE trees (
    id         INTEGER PRIMARY KEY,
    depth      INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    next_index INTEGER NOT NULL
);
CREATE TABLE nodes (
    tree_id INTEGER NOT NULL REFERENCES trees (id),
    level   INTEGER NOT NULL,
    idx     INTEGER NOT NULL,
    version INTEGER NOT NULL,
    value   BLOB    NOT NULL,
    PRIMARY KEY (tree_id, level, idx, version)
);
CREATE TABLE roots (
    tree_id INTEGER NOT NULL REFERENCES trees (id),
    version INTEGER NOT NULL,
    root    BLOB    NOT NULL,
    PRIMARY KEY (tree_id, version)
);
