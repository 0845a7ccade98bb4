//! CSV families (admin-center P1 and AuthDetails, Log Analytics L1) read with polars.
//!
//! The header is parsed here, not by polars (signin-logs.md §4.2): duplicate names
//! (`Incoming token type`), trailing and double spaces are handled by the alias tables in
//! `wire.rs`. Rows are read with `has_header(false)`, positional column names and an
//! all-`String` schema, plus spare columns that catch rows with more fields than the
//! header (rejected, never silently truncated).

use super::format::{parse_csv_header, Format};
use super::normalize::{normalize, AuthStep, Ctx};
use super::reject::{Reject, RejectKind};
use super::val::Val;
use super::values::{self, text_nonempty};
use super::wire::{lookup, Table, WireRecord, F};
use super::Row;
use polars::prelude::*;
use std::collections::HashMap;
use std::io::Read;

const SPARE_COLUMNS: usize = 8;

/// A CSV file as header names and string columns.
pub struct CsvTable {
    pub header: Vec<String>,
    columns: Vec<StringChunked>,
    pub rows: usize,
}

/// Read the whole file (CSV exports are bounded: ≤100,000 rows per portal file).
pub fn read_table<R: Read>(mut r: R) -> Result<CsvTable, String> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    let (header_line, body) = match memchr::memchr(b'\n', &bytes) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (&bytes[..], &[][..]),
    };
    let header = parse_csv_header(&String::from_utf8_lossy(header_line), ',');
    let width = header.len() + SPARE_COLUMNS;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(CsvTable {
            header,
            columns: Vec::new(),
            rows: 0,
        });
    }
    let mut schema = Schema::default();
    for i in 0..width {
        schema.with_column(format!("c{i}").into(), DataType::String);
    }
    let df = CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .with_raise_if_empty(false)
        .map_parse_options(|o| {
            o.with_truncate_ragged_lines(true)
                .with_missing_is_null(true)
        })
        .into_reader_with_file_handle(std::io::Cursor::new(body.to_vec()))
        .finish()
        .map_err(|e| e.to_string())?;
    let rows = df.height();
    let mut columns = Vec::with_capacity(width);
    for c in df.columns() {
        columns.push(c.str().map_err(|e| e.to_string())?.rechunk().into_owned());
    }
    Ok(CsvTable {
        header,
        columns,
        rows,
    })
}

impl CsvTable {
    fn cell(&self, col: usize, row: usize) -> Option<&str> {
        self.columns.get(col).and_then(|c| c.get(row))
    }
    /// Row `i` as a wire record; `Err` when it has more fields than the header.
    fn wire(&self, map: &[Option<F>], row: usize) -> Result<WireRecord<'_>, Reject> {
        for extra in self.header.len()..self.header.len() + SPARE_COLUMNS {
            if self.cell(extra, row).is_some_and(|c| !c.is_empty()) {
                return Err(Reject::new(
                    RejectKind::RaggedRow,
                    format!(
                        "expected {} comma-separated fields as in the header, found more (wrong delimiter or unquoted comma?)",
                        self.header.len()
                    ),
                ));
            }
        }
        let mut w = WireRecord::default();
        for (j, f) in map.iter().enumerate() {
            if let Some(f) = f {
                let cell = self.cell(j, row).unwrap_or("");
                w.set(*f, Val::String(std::borrow::Cow::Borrowed(cell)));
            }
        }
        Ok(w)
    }
}

fn header_map(header: &[String], table: Table) -> Vec<Option<F>> {
    let mut buf = String::new();
    header.iter().map(|h| lookup(table, h, &mut buf)).collect()
}

/// Read sign-in rows from a P1 or L1 CSV.
pub fn read_signins(
    t: &CsvTable,
    format: Format,
    ctx: &Ctx<'_>,
    auth: &HashMap<String, Vec<AuthStep>>,
    emit: &mut dyn FnMut(Row),
) {
    let table = if format == Format::PortalCsv {
        Table::Portal
    } else {
        Table::Json
    };
    let map = header_map(&t.header, table);
    let has = |f: F| map.contains(&Some(f));
    if !has(F::CreatedDateTime) {
        emit(Row::Warning(
            "no event-time column (`Date (UTC)` / `CreatedDateTime`): created_at is unknown for every row".into(),
        ));
    }
    let id_missing = !has(F::Id);
    for row in 0..t.rows {
        let line = Some(row as u64 + 2);
        if id_missing {
            emit(Row::Reject(
                Reject::new(
                    RejectKind::MissingRequired,
                    "the header has no request-id column (expected `Request ID` or `Id`)",
                ),
                line,
                None,
            ));
            continue;
        }
        let w = match t.wire(&map, row) {
            Ok(w) => w,
            Err(r) => {
                emit(Row::Reject(r, line, None));
                continue;
            }
        };
        let steps = text_nonempty(w.get(F::Id)).and_then(|id| auth.get(&id));
        let c = Ctx {
            projection: ctx.projection,
            line,
            format: ctx.format,
            file: ctx.file,
            file_event_type: ctx.file_event_type,
        };
        match normalize(&w, &c, steps.map(|s| s.as_slice())) {
            Ok(n) => emit(Row::Record(Box::new(n.record), line, None, n.unreadable)),
            Err(r) => emit(Row::Reject(r, line, None)),
        }
    }
}

/// One AuthDetails row, or why it was rejected; `(line, request id, step)`.
pub type AuthRow = (u64, Result<(String, AuthStep), Reject>);

/// Read an AuthDetails CSV (signin-logs.md §4.4).
pub fn read_auth_details(t: &CsvTable) -> Vec<AuthRow> {
    let map = header_map(&t.header, Table::Portal);
    let id_missing = !map.contains(&Some(F::Id));
    (0..t.rows)
        .map(|row| {
            let line = row as u64 + 2;
            if id_missing {
                return (
                    line,
                    Err(Reject::new(
                        RejectKind::MissingRequired,
                        "the header has no `Request ID` column",
                    )),
                );
            }
            let res = t.wire(&map, row).and_then(|w| {
                let id = text_nonempty(w.get(F::Id)).ok_or_else(|| {
                    Reject::new(
                        RejectKind::MissingRequired,
                        "empty `Request ID`: expected the sign-in's request id",
                    )
                })?;
                Ok((
                    id,
                    AuthStep {
                        method: text_nonempty(w.get(F::AuthMethod)),
                        succeeded: values::flag(w.get(F::Succeeded), "Succeeded")?,
                        requirement: text_nonempty(w.get(F::Requirement)),
                        result_detail: text_nonempty(w.get(F::ResultDetail)),
                    },
                ))
            });
            (line, res)
        })
        .collect()
}
