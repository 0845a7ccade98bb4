//! `--events-out`: one line per replayed event, for notebooks and audits. Parquet via
//! polars (row groups of `PARQUET_BATCH_ROWS`, so memory stays bounded) or streaming NDJSON.
//!
//! Columns, in order: request_id, created_at, event_type, user_id, user_principal_name,
//! user_display_name, app_id, app_display_name, resource_id, resource_display_name, ip,
//! location, client_app_type, baseline_outcome, candidate_outcome (allowed | challenged |
//! blocked | unknown), change (unchanged | newly_blocked | newly_challenged | newly_unknown
//! | relieved), baseline_policies_applied, candidate_policies_applied (lists of strings),
//! candidate_demand (`;`-joined string), changed_by (list of strings), explanation.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::{
    Column, DataFrame, IntoColumn, IntoSeries, ListBuilderTrait, ListStringChunkedBuilder,
    NamedFrom, ParquetWriter, Series,
};
use serde::Serialize;

use super::error::ReportError;
use super::model::Move;
use super::row::EventRow;

/// Rows per Parquet row group.
pub const PARQUET_BATCH_ROWS: usize = 65_536;

/// Which file format `EventsWriter::create` picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsFormat {
    Parquet,
    Ndjson,
}

impl EventsFormat {
    /// From the file extension (case-insensitive): `.parquet`, or `.ndjson`/`.jsonl`/`.json`.
    pub fn from_path(path: &Path) -> Option<EventsFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" | "pq" => Some(EventsFormat::Parquet),
            "ndjson" | "jsonl" | "json" => Some(EventsFormat::Ndjson),
            _ => None,
        }
    }
}

/// One NDJSON line: the row plus the derived `change` column.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    row: &'a EventRow,
    change: Move,
}

/// Writes per-event rows to a Parquet or NDJSON file.
pub struct EventsWriter {
    path: PathBuf,
    sink: Sink,
    rows: u64,
}

enum Sink {
    Ndjson(BufWriter<File>),
    Parquet(Box<ParquetSink>),
}

struct ParquetSink {
    /// `None` until the first row group is written (the schema comes from that frame).
    writer: Option<polars::io::parquet::write::BatchedWriter<File>>,
    file: Option<File>,
    pending: Vec<EventRow>,
}

impl EventsWriter {
    /// Create (truncate) `path`; the format follows the extension.
    pub fn create(path: &Path) -> Result<EventsWriter, ReportError> {
        let format =
            EventsFormat::from_path(path).ok_or_else(|| ReportError::UnknownExtension {
                path: path.to_path_buf(),
            })?;
        let file = File::create(path).map_err(|e| ReportError::io(path, "cannot create", e))?;
        let sink = match format {
            EventsFormat::Ndjson => Sink::Ndjson(BufWriter::new(file)),
            EventsFormat::Parquet => Sink::Parquet(Box::new(ParquetSink {
                writer: None,
                file: Some(file),
                pending: Vec::new(),
            })),
        };
        Ok(EventsWriter {
            path: path.to_path_buf(),
            sink,
            rows: 0,
        })
    }

    pub fn format(&self) -> EventsFormat {
        match self.sink {
            Sink::Ndjson(_) => EventsFormat::Ndjson,
            Sink::Parquet(_) => EventsFormat::Parquet,
        }
    }

    /// Rows accepted so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn write(&mut self, rows: &[EventRow]) -> Result<(), ReportError> {
        match &mut self.sink {
            Sink::Ndjson(w) => {
                for row in rows {
                    let line = Line {
                        row,
                        change: Move::of(row.baseline_outcome, row.candidate_outcome),
                    };
                    serde_json::to_writer(&mut *w, &line)
                        .map_err(|e| ReportError::io(&self.path, "cannot write", e.into()))?;
                    w.write_all(b"\n")
                        .map_err(|e| ReportError::io(&self.path, "cannot write", e))?;
                }
            }
            Sink::Parquet(p) => {
                for chunk in rows.chunks(PARQUET_BATCH_ROWS) {
                    p.pending.extend_from_slice(chunk);
                    if p.pending.len() >= PARQUET_BATCH_ROWS {
                        p.flush(&self.path)?;
                    }
                }
            }
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Flush buffered rows and close the file (Parquet footer). Returns the row count.
    pub fn finish(self) -> Result<u64, ReportError> {
        match self.sink {
            Sink::Ndjson(w) => {
                let file = w
                    .into_inner()
                    .map_err(|e| ReportError::io(&self.path, "cannot write", e.into_error()))?;
                file.sync_all()
                    .map_err(|e| ReportError::io(&self.path, "cannot write", e))?;
            }
            Sink::Parquet(mut p) => {
                // Always write once so an empty run still yields a file with the schema.
                if !p.pending.is_empty() || p.writer.is_none() {
                    p.flush(&self.path)?;
                }
                if let Some(w) = &mut p.writer {
                    w.finish().map_err(|e| parquet_err(&self.path, e))?;
                }
            }
        }
        Ok(self.rows)
    }
}

fn parquet_err(path: &Path, e: polars::prelude::PolarsError) -> ReportError {
    ReportError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl ParquetSink {
    fn flush(&mut self, path: &Path) -> Result<(), ReportError> {
        let df = frame(&self.pending).map_err(|e| parquet_err(path, e))?;
        if self.writer.is_none() {
            let file = self.file.take().ok_or_else(|| ReportError::Parquet {
                path: path.to_path_buf(),
                message: "the Parquet writer was already closed".to_owned(),
            })?;
            let w = ParquetWriter::new(file)
                .batched(df.schema())
                .map_err(|e| parquet_err(path, e))?;
            self.writer = Some(w);
        }
        if let Some(w) = &mut self.writer {
            w.write_batch(&df).map_err(|e| parquet_err(path, e))?;
        }
        self.pending.clear();
        Ok(())
    }
}

fn opt_col(name: &str, rows: &[EventRow], get: impl Fn(&EventRow) -> Option<&str>) -> Column {
    let v: Vec<Option<&str>> = rows.iter().map(get).collect();
    Series::new(name.into(), v).into_column()
}

fn str_col(name: &str, rows: &[EventRow], get: impl Fn(&EventRow) -> &str) -> Column {
    let v: Vec<&str> = rows.iter().map(get).collect();
    Series::new(name.into(), v).into_column()
}

fn list_col(name: &str, rows: &[EventRow], get: impl Fn(&EventRow) -> &[String]) -> Column {
    let values: usize = rows.iter().map(|r| get(r).len()).sum();
    let mut b = ListStringChunkedBuilder::new(name.into(), rows.len(), values);
    for r in rows {
        b.append_values_iter(get(r).iter().map(String::as_str));
    }
    b.finish().into_series().into_column()
}

/// The per-event columns of `rows` as one DataFrame (one chunk per column).
pub fn frame(rows: &[EventRow]) -> polars::prelude::PolarsResult<DataFrame> {
    let cols = vec![
        str_col("request_id", rows, |r| &r.request_id),
        opt_col("created_at", rows, |r| r.created_at.as_deref()),
        str_col("event_type", rows, |r| &r.event_type),
        opt_col("user_id", rows, |r| r.user_id.as_deref()),
        opt_col("user_principal_name", rows, |r| {
            r.user_principal_name.as_deref()
        }),
        opt_col("user_display_name", rows, |r| {
            r.user_display_name.as_deref()
        }),
        opt_col("app_id", rows, |r| r.app_id.as_deref()),
        opt_col("app_display_name", rows, |r| r.app_display_name.as_deref()),
        opt_col("resource_id", rows, |r| r.resource_id.as_deref()),
        opt_col("resource_display_name", rows, |r| {
            r.resource_display_name.as_deref()
        }),
        opt_col("ip", rows, |r| r.ip.as_deref()),
        str_col("location", rows, |r| &r.location),
        str_col("client_app_type", rows, |r| &r.client_app_type),
        str_col("baseline_outcome", rows, |r| r.baseline_outcome.as_str()),
        str_col("candidate_outcome", rows, |r| r.candidate_outcome.as_str()),
        str_col("change", rows, |r| {
            Move::of(r.baseline_outcome, r.candidate_outcome).as_str()
        }),
        list_col("baseline_policies_applied", rows, |r| {
            &r.baseline_policies_applied
        }),
        list_col("candidate_policies_applied", rows, |r| {
            &r.candidate_policies_applied
        }),
        str_col("candidate_demand", rows, |r| &r.candidate_demand),
        list_col("changed_by", rows, |r| &r.changed_by),
        str_col("explanation", rows, |r| &r.explanation),
    ];
    DataFrame::new(rows.len(), cols)
}
