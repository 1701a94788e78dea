//! The prover's tests, one binary: the service over HTTP (`http`) and the shared job queue on
//! both database backends (`queue`) and as real processes killed with SIGKILL (`processes`); the PostgreSQL tests need the server `.ci/run` starts and
//! fail without it).
mod http;
mod processes;
mod queue;
