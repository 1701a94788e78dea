-- Proving jobs shared by every prover instance on this database. The request (with its
-- witness) is sealed under the provers' data key and erased when the job ends; a running job
-- belongs to the instance holding its lease until lease_until (unix ms).
CREATE TABLE jobs (
    id              TEXT   PRIMARY KEY,
    state           TEXT   NOT NULL,
    request         BYTEA,
    idempotency_key TEXT   UNIQUE,
    request_digest  BYTEA,
    result          TEXT,
    error           TEXT,
    attempts        BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX jobs_by_state ON jobs (state, created_at);
