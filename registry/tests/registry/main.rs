//! The registry's tests, one binary: the database trees and lists against the in-memory ones
//! (`store`, `indexed`) and the service over HTTP (`service`), on both backends. PostgreSQL tests need the server `.ci/run` starts
//! (`scripts/with-postgres.sh`): without it they fail.
mod binary;
mod indexed;
mod service;
mod store;
