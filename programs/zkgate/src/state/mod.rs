//! Account types, one per file.
pub mod config;
pub mod issuer;
pub mod pass;
pub mod root_ring;
pub mod rule_set;
pub mod sanctions_list;
pub mod seeds;
pub mod subject_state;

pub use config::*;
pub use issuer::*;
pub use pass::*;
pub use root_ring::*;
pub use rule_set::*;
pub use sanctions_list::*;
pub use seeds::*;
pub use subject_state::*;
