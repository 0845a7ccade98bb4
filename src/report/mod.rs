//! Mergeable aggregates of replayed events and their renderers.
//!
//! `Aggregator` folds `EventRow`s (push per worker, merge across workers) into a `Report`;
//! `render` writes it as terminal text, JSON, CSV, Markdown or HTML; `EventsWriter` writes
//! the per-event rows to Parquet or NDJSON.
pub mod aggregate;
pub mod compare;
pub mod error;
pub mod events;
pub mod model;
pub mod pct;
pub mod render;
pub mod row;
pub mod sample;
pub mod undecided;

pub use aggregate::{user_key, Aggregator};
pub use compare::{ChangeKind, ChangedEvent, Comparer, Comparison, Golden, GoldenError};
pub use error::ReportError;
pub use events::{EventsFormat, EventsWriter};
pub use model::{
    CauseRow, Count, DemandRow, ExplanationRow, FilterSummary, Move, MoveRow, OutcomeCount,
    PolicyInfo, Report, ReportMeta, Totals, Transition, DEFAULT_TOP,
};
pub use render::{
    csv_tables, render, render_doc, render_html, Doc, DocList, Format, Section, UnknownFormat,
    HTML_EVENTS,
};
pub use row::{DeviceCols, EventRow, FileSummary, InputSummary, Outcome, UnknownCause};
