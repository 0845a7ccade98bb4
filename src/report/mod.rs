//! Mergeable aggregates of replayed events and their renderers.
pub mod row;
pub use row::{EventRow, FileSummary, InputSummary, Outcome};
