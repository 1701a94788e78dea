//! Accounts of the hook and their seeds.
pub mod approval;
pub mod mint_config;
pub mod seeds;

pub use approval::*;
pub use mint_config::*;
pub use seeds::*;
