-- Proving jobs shared by every prover instance on this database. The request (with its
-- witness) is sealed under the provers' data key and erased when the job ends; a running job
-- belongs to the instance holding its lease until lease_until (unix ms).
CREATE TABLE jobs (
    id              TEXT   PRIMARY KEY,
    state           TEXT   NOT NULL,
    request         BLOB,
    idempotency_key TEXT   UNIQUE,
    request_digest  BLOB,
    result          TEXT,
    error           TEXT,
    attempts        INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX jobs_by_state ON jobs (state, created_at);
