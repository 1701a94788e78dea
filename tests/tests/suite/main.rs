//! zkgate's end-to-end suite in the real Solana runtime: one test binary (the agave runtime is
//! linked once, and the Groth16 keys are generated once for every module).
mod audit;
mod e2e;
mod fuzz;
mod governance;
mod hook;
mod idl;
mod packet;
mod pass;
mod registry;
mod registry_service;
mod statement;
mod token2022;
mod transfer;
mod watch;
