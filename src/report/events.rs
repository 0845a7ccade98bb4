//! `--events-out`: one line per replayed event, for notebooks and audits. Parquet
//! (row groups of `PARQUET_BATCH_ROWS`, so memory stays bounded) or streaming NDJSON, with
//! the same columns in the same order ([`COLUMNS`]; README "Events file").
//!
//! The Parquet file is written with polars' Parquet encoder from Arrow arrays built here,
//! in the Arrow types every reader maps without options: `large_string`,
//! `large_list<large_string>`, `dictionary<uint32, large_string>` for the closed
//! vocabularies (pandas `category`, polars `Categorical`), `timestamp[us, UTC]`, `bool`,
//! `int32`. polars' own DataFrame writer (0.55) stores strings as `string_view`, which
//! pandas (through pyarrow) could not convert inside lists (issue 20).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use polars_arrow::array::{
    Array, BooleanArray, DictionaryArray, ListArray, MutableListArray, MutableUtf8Array,
    PrimitiveArray, TryPush, Utf8Array,
};
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field, IntegerType, TimeUnit};
use polars_arrow::record_batch::RecordBatchT;
use polars_parquet::write::{
    CompressionOptions, FileWriter, RowGroupIterator, StatisticsOptions, Version, WriteOptions,
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

/// One NDJSON line: the Parquet file's columns, in its order ([`COLUMNS`]); the time as
/// the row's RFC 3339 text.
struct Line<'a>(&'a EventRow);

impl Serialize for Line<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(COLUMNS.len()))?;
        for (name, _) in COLUMNS {
            match cell(self.0, name) {
                Cell::Time(_) => m.serialize_entry(name, &self.0.created_at)?,
                Cell::Text(t) => m.serialize_entry(name, &t)?,
                Cell::List(l) => m.serialize_entry(name, &l)?,
                Cell::Bool(b) => m.serialize_entry(name, &b)?,
                Cell::Int(i) => m.serialize_entry(name, &i)?,
            }
        }
        m.end()
    }
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
    /// `None` until the first row group is written.
    writer: Option<FileWriter<File>>,
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
                    let line = Line(row);
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
                    w.end(None).map_err(|e| parquet_err(&self.path, e))?;
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
        let schema = schema();
        if self.writer.is_none() {
            let file = self.file.take().ok_or_else(|| ReportError::Parquet {
                path: path.to_path_buf(),
                message: "the Parquet writer was already closed".to_owned(),
            })?;
            let w = FileWriter::try_new(file, schema.clone(), write_options())
                .map_err(|e| parquet_err(path, e))?;
            self.writer = Some(w);
        }
        if let Some(w) = &mut self.writer {
            let columns = arrays(&self.pending).map_err(|e| parquet_err(path, e))?;
            let batch = RecordBatchT::try_new(
                self.pending.len(),
                std::sync::Arc::new(schema.clone()),
                columns,
            )
            .map_err(|e| parquet_err(path, e))?;
            let encodings = polars::io::parquet::write::get_encodings(&schema);
            let groups = RowGroupIterator::try_new(
                std::iter::once(Ok(batch)),
                &schema,
                write_options(),
                encodings,
            )
            .map_err(|e| parquet_err(path, e))?;
            for group in groups {
                let group = group.map_err(|e| parquet_err(path, e))?;
                w.write(self.pending.len() as u64, group)
                    .map_err(|e| parquet_err(path, e))?;
            }
        }
        self.pending.clear();
        Ok(())
    }
}

fn write_options() -> WriteOptions {
    WriteOptions {
        statistics: StatisticsOptions::default(),
        // V1 pages: what polars' own writer uses, read by every Parquet reader.
        version: Version::V1,
        compression: CompressionOptions::Zstd(None),
        data_page_size: None,
    }
}

/// The Arrow type of each column ([`COLUMNS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `large_string`; nullable when the log may lack the fact.
    Text {
        nullable: bool,
    },
    /// `dictionary<uint32, large_string>` over a closed vocabulary.
    Category {
        nullable: bool,
    },
    /// `large_list<large_string>`, never null (empty when none).
    TextList,
    /// `timestamp[us, tz=UTC]`, null when the log had no time.
    Timestamp,
    Bool,
    Int32,
}

use ColumnType::*;

/// Every column of the events file, in order, with its type: the contract the README
/// documents and the reader tests (tests/python/test_events_file.py) check.
pub const COLUMNS: &[(&str, ColumnType)] = &[
    ("request_id", Text { nullable: false }),
    ("created_at", Timestamp),
    ("event_type", Category { nullable: false }),
    ("user_id", Text { nullable: true }),
    ("user_principal_name", Text { nullable: true }),
    ("user_display_name", Text { nullable: true }),
    ("app_id", Text { nullable: true }),
    ("app_display_name", Text { nullable: true }),
    ("resource_id", Text { nullable: true }),
    ("resource_display_name", Text { nullable: true }),
    ("ip", Text { nullable: true }),
    ("country", Text { nullable: true }),
    ("location", Text { nullable: false }),
    ("client_app_type", Category { nullable: false }),
    ("device_id", Text { nullable: true }),
    ("device_os", Text { nullable: true }),
    ("device_registered", Bool),
    ("device_compliant", Bool),
    ("device_managed", Bool),
    ("device_trust_type", Category { nullable: true }),
    ("error_code", Int32),
    ("baseline_outcome", Category { nullable: false }),
    ("candidate_outcome", Category { nullable: false }),
    ("change", Category { nullable: false }),
    ("baseline_policies_applied", TextList),
    ("candidate_policies_applied", TextList),
    ("baseline_policy_ids_applied", TextList),
    ("candidate_policy_ids_applied", TextList),
    ("candidate_demand", Text { nullable: false }),
    ("changed_by", TextList),
    ("changed_by_ids", TextList),
    ("explanation", Text { nullable: false }),
    ("unknown_causes", TextList),
    ("unknown_reasons", TextList),
];

/// Known values of the category columns, first in every dictionary (so pandas and polars
/// see the same categories in every file); a value outside them (a newer log) is
/// appended, never dropped.
fn vocabulary(column: &str) -> &'static [&'static str] {
    match column {
        "event_type" => &[
            "interactiveUser",
            "nonInteractiveUser",
            "servicePrincipal",
            "managedIdentity",
            "unknown",
        ],
        "client_app_type" => &[
            "browser",
            "mobileAppsAndDesktopClients",
            "exchangeActiveSync",
            "other",
            "unknown",
        ],
        "device_trust_type" => &["AzureAD", "ServerAD", "Workplace"],
        "baseline_outcome" | "candidate_outcome" => {
            &["allowed", "challenged", "blocked", "unknown"]
        }
        "change" => &[
            "unchanged",
            "newly_blocked",
            "newly_challenged",
            "newly_unknown",
            "relieved",
        ],
        _ => &[],
    }
}

fn arrow_type(t: ColumnType) -> ArrowDataType {
    match t {
        Text { .. } => ArrowDataType::LargeUtf8,
        Category { .. } => ArrowDataType::Dictionary(
            IntegerType::UInt32,
            Box::new(ArrowDataType::LargeUtf8),
            false,
        ),
        TextList => ArrowDataType::LargeList(Box::new(Field::new(
            "item".into(),
            ArrowDataType::LargeUtf8,
            true,
        ))),
        Timestamp => ArrowDataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Bool => ArrowDataType::Boolean,
        Int32 => ArrowDataType::Int32,
    }
}

/// The Arrow schema of the Parquet file.
pub fn schema() -> ArrowSchema {
    COLUMNS
        .iter()
        .map(|(name, t)| {
            let nullable = match *t {
                Text { nullable } | Category { nullable } => nullable,
                TextList => false,
                Timestamp | Bool | Int32 => true,
            };
            let name: polars::prelude::PlSmallStr = (*name).into();
            (name.clone(), Field::new(name, arrow_type(*t), nullable))
        })
        .collect()
}

/// One value of a row for a column of [`COLUMNS`].
enum Cell<'a> {
    Text(Option<&'a str>),
    List(Vec<&'a str>),
    Time(Option<i64>),
    Bool(Option<bool>),
    Int(Option<i32>),
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Microseconds since the epoch of an RFC 3339 time (the rows' `created_at`); digits
/// finer than a microsecond are dropped.
fn micros(t: Option<&str>) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(t?).ok()?;
    Some(t.timestamp_micros())
}

fn cell<'a>(r: &'a EventRow, column: &str) -> Cell<'a> {
    use Cell::{Bool as B, Int as I, List as L, Text as T, Time};
    match column {
        "request_id" => T(Some(&r.request_id)),
        "created_at" => Time(micros(r.created_at.as_deref())),
        "event_type" => T(Some(&r.event_type)),
        "user_id" => T(r.user_id.as_deref()),
        "user_principal_name" => T(r.user_principal_name.as_deref()),
        "user_display_name" => T(r.user_display_name.as_deref()),
        "app_id" => T(r.app_id.as_deref()),
        "app_display_name" => T(r.app_display_name.as_deref()),
        "resource_id" => T(r.resource_id.as_deref()),
        "resource_display_name" => T(r.resource_display_name.as_deref()),
        "ip" => T(r.ip.as_deref()),
        "country" => T(r.country.as_deref()),
        "location" => T(Some(&r.location)),
        "client_app_type" => T(Some(&r.client_app_type)),
        "device_id" => T(r.device_id.as_deref()),
        "device_os" => T(r.device_os.as_deref()),
        "device_registered" => B(r.device.device_registered),
        "device_compliant" => B(r.device.device_compliant),
        "device_managed" => B(r.device.device_managed),
        "device_trust_type" => T(r.device.device_trust_type),
        "error_code" => I(r.error_code),
        "baseline_outcome" => T(Some(r.baseline_outcome.as_str())),
        "candidate_outcome" => T(Some(r.candidate_outcome.as_str())),
        "change" => T(Some(
            Move::of(r.baseline_outcome, r.candidate_outcome).as_str(),
        )),
        "baseline_policies_applied" => L(strs(&r.baseline_policies_applied)),
        "candidate_policies_applied" => L(strs(&r.candidate_policies_applied)),
        "baseline_policy_ids_applied" => L(strs(&r.baseline_policy_ids_applied)),
        "candidate_policy_ids_applied" => L(strs(&r.candidate_policy_ids_applied)),
        "candidate_demand" => T(Some(&r.candidate_demand)),
        "changed_by" => L(strs(&r.changed_by)),
        "changed_by_ids" => L(strs(&r.changed_by_ids)),
        "explanation" => T(Some(&r.explanation)),
        "unknown_causes" => L(r.unknown_causes.iter().map(|c| c.cause).collect()),
        "unknown_reasons" => L(r.unknown_causes.iter().map(|c| c.reason.as_ref()).collect()),
        other => unreachable!("column {other} has no cell"),
    }
}

fn text<'a>(rows: &'a [EventRow], column: &str) -> impl Iterator<Item = Option<&'a str>> + 'a {
    let column = column.to_owned();
    rows.iter().map(move |r| match cell(r, &column) {
        Cell::Text(t) => t,
        _ => None,
    })
}

/// The columns of `rows` as Arrow arrays, in [`COLUMNS`] order.
fn arrays(rows: &[EventRow]) -> polars::prelude::PolarsResult<Vec<Box<dyn Array>>> {
    COLUMNS
        .iter()
        .map(
            |&(name, t)| -> polars::prelude::PolarsResult<Box<dyn Array>> {
                Ok(match t {
                    Text { .. } => Box::new(text(rows, name).collect::<Utf8Array<i64>>()),
                    Category { .. } => Box::new(category(name, rows)?),
                    TextList => {
                        let mut b: MutableListArray<i64, MutableUtf8Array<i64>> =
                            MutableListArray::with_capacity(rows.len());
                        for r in rows {
                            let Cell::List(items) = cell(r, name) else {
                                unreachable!("{name} is a list column")
                            };
                            b.try_push(Some(items.into_iter().map(Some)))?;
                        }
                        let a: ListArray<i64> = b.into();
                        Box::new(a)
                    }
                    Timestamp => Box::new(
                        rows.iter()
                            .map(|r| match cell(r, name) {
                                Cell::Time(t) => t,
                                _ => None,
                            })
                            .collect::<PrimitiveArray<i64>>()
                            .to(arrow_type(t)),
                    ),
                    Bool => Box::new(
                        rows.iter()
                            .map(|r| match cell(r, name) {
                                Cell::Bool(b) => b,
                                _ => None,
                            })
                            .collect::<BooleanArray>(),
                    ),
                    Int32 => Box::new(
                        rows.iter()
                            .map(|r| match cell(r, name) {
                                Cell::Int(i) => i,
                                _ => None,
                            })
                            .collect::<PrimitiveArray<i32>>(),
                    ),
                })
            },
        )
        .collect()
}

/// A dictionary column: the known vocabulary first, then values outside it in order of
/// appearance.
fn category(name: &str, rows: &[EventRow]) -> polars::prelude::PolarsResult<DictionaryArray<u32>> {
    let mut values: Vec<&str> = vocabulary(name).to_vec();
    let keys: PrimitiveArray<u32> = text(rows, name)
        .map(|v| {
            v.map(|v| match values.iter().position(|k| *k == v) {
                Some(i) => i as u32,
                None => {
                    values.push(v);
                    (values.len() - 1) as u32
                }
            })
        })
        .collect();
    let values = Utf8Array::<i64>::from_slice(&values);
    DictionaryArray::try_new(
        arrow_type(ColumnType::Category { nullable: true }),
        keys,
        Box::new(values),
    )
}
