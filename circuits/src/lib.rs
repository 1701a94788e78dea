//! zkgate compliance circuits (arkworks R1CS over BN254), their native twins, Groth16 key setup
//! and the proof encoding the on-chain verifier consumes.
//!
//! Layout: each building block has its native computation and its gadget side by side
//! (`poseidon::{native, gadget}`, `merkle::{mod, gadget}`, `indexed` with the comparisons in
//! `cmp`), and `compliance` composes them into the transfer circuit with `check_native` as its
//! twin; `pass` reuses the credential gadgets for the recipient-pass circuit. The hash layouts
//! are in `docs/STATEMENT.md`.
#![deny(missing_docs)]

pub mod babyjub;
pub mod cipher;
pub mod cmp;
pub mod compliance;
pub mod credential;
pub mod disclosure;
pub mod encoding;
pub mod engine;
pub mod indexed;
pub mod keys;
pub mod merkle;
pub mod params;
pub mod pass;
pub mod poseidon;
pub mod proof;
pub mod qap;
pub mod statement;
pub mod testing;

pub use ark_bn254::Fr;
pub use ark_ff::UniformRand;
