//! Shared vocabulary, no logic beyond small helpers.
pub mod facts;
pub mod text;
pub mod tri;
pub use facts::*;
pub use tri::{Reason, Tri};
