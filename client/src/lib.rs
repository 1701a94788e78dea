//! zkgate Rust client: everything a wallet or dApp needs to use zkgate.
//!
//! - [`pda`]: program-derived addresses;
//! - [`ix`]: instruction builders for every instruction;
//! - [`convert`]: conversions between the circuit crate's types (keys, parameters, statement)
//!   and the program's, so the statement a prover proves is the one the program recomputes;
//! - [`api`]: the prover service's request and response types (shared with the server);
//! - [`audit`]: auditor keys and opening a transfer's disclosure from its event.
#![deny(missing_docs)]
pub mod api;
pub mod audit;
pub mod convert;
pub mod ix;
pub mod pda;
