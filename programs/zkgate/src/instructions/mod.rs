//! One file per instruction family; each has its accounts, arguments, `validate` and handler.
pub mod admin;
pub mod hook;
pub mod initialize;
pub mod issuer;
pub mod pass;
pub mod rule_set;
pub mod sanctions;
pub mod transfer;

pub use admin::*;
pub use hook::*;
pub use initialize::*;
pub use issuer::*;
pub use pass::*;
pub use rule_set::*;
pub use sanctions::*;
pub use transfer::*;
