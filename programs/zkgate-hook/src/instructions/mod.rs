//! One file per instruction: accounts, arguments and handler.
pub mod configure_mint;
pub mod execute;
pub mod record_approval;

pub use configure_mint::*;
pub use execute::*;
pub use record_approval::*;
