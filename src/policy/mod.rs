//! Graph JSON side: policies, named locations, strengths, directory snapshot.
pub mod directory;
pub mod model;
pub mod strengths;

pub use directory::Directory;
pub use model::*;
pub use strengths::builtin_strengths;
