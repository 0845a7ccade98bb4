//! CSV families (admin-center P1 and AuthDetails, Log Analytics L1), streamed row by row
//! with the `csv` crate (issue 19: polars read the whole file, loaded a 2-field row as a
//! sign-in, dropped fields after 8 spare columns, gave wrong lines after quoted newlines and
//! its own messages for bad quotes and invalid UTF-8).
//!
//! The header is the first record (signin-logs.md §4.2): duplicate names (`Incoming token
//! type`), trailing and double spaces are handled by the alias tables in `wire.rs`. Every
//! row is checked here, and a bad one is rejected with its true line (quoted line breaks
//! counted) and why: a different number of fields than the header (trailing empty fields
//! excepted: some writers end rows with a comma), text that is not UTF-8, text after a
//! closing quote, a quote never closed, or a row longer than the record limit. Memory is
//! one row, at most the limit: an over-long row is skipped by [`Guard`] without being held.

use super::format::Format;
use super::normalize::{normalize, AuthStep, Ctx};
use super::reject::{Reject, RejectKind};
use super::val::Val;
use super::values::{self, text_nonempty};
use super::wire::{lookup, Table, WireRecord, F};
use super::Row;
use std::collections::{HashMap, VecDeque};
use std::io::Read;

/// A problem [`Guard`] saw in the raw bytes, at a true line of the file.
#[derive(Debug)]
enum Flaw {
    /// Text after the closing quote of a quoted field (`"a"b`): the csv crate would join it.
    StrayQuote { line: u64 },
    /// The quoted field opened on `line` is still open at the end of the file.
    Unclosed { line: u64 },
    /// The row starting on `line` was longer than the limit; its `lines` line breaks were
    /// dropped (the parser sees the row cut short).
    TooLong { line: u64, lines: u64, limit: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Q {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: an escape (`""`) or the closing quote.
    QuoteInQuoted,
}

/// Reads the raw CSV bytes ahead of the parser, with the same quoting rules (a quote opens
/// a field only at its start, `""` escapes), to find what the csv crate accepts silently,
/// and to bound a row: once a row passes `limit` bytes, the rest of it is skipped (only
/// counted) and the parser is handed the end of a row instead.
struct Guard<R> {
    inner: R,
    limit: usize,
    state: Q,
    /// True line of the next byte (1-based).
    line: u64,
    row_start_line: u64,
    row_bytes: usize,
    /// The line where the open quoted field started.
    quote_line: u64,
    flaws: VecDeque<Flaw>,
    /// The first line of each row the parser will return (it does not count the empty
    /// lines it skips), in order.
    starts: VecDeque<u64>,
    /// Skipping the rest of an over-long row (line breaks dropped so far).
    skipping: Option<u64>,
    /// The parser was inside a quoted field when the row was cut.
    cut_quoted: bool,
    buf: Vec<u8>,
    /// Output that did not fit the caller's buffer.
    spill: VecDeque<u8>,
    eof: bool,
}

impl<R: Read> Guard<R> {
    fn new(inner: R, limit: usize) -> Guard<R> {
        Guard {
            inner,
            limit: limit.max(1),
            state: Q::FieldStart,
            line: 1,
            row_start_line: 1,
            row_bytes: 0,
            quote_line: 1,
            flaws: VecDeque::new(),
            starts: VecDeque::new(),
            skipping: None,
            cut_quoted: false,
            buf: vec![0; 64 * 1024],
            spill: VecDeque::new(),
            eof: false,
        }
    }

    /// Advance the quoting state over one byte; true at the end of a row.
    fn step(&mut self, b: u8) -> bool {
        let mut row_end = false;
        self.state = match (self.state, b) {
            (Q::FieldStart, b'"') => {
                self.quote_line = self.line;
                Q::Quoted
            }
            (Q::Quoted, b'"') => Q::QuoteInQuoted,
            (Q::Quoted, _) => Q::Quoted,
            (Q::QuoteInQuoted, b'"') => Q::Quoted,
            (_, b',') => Q::FieldStart,
            // The csv crate ends a record at `\n`, `\r` or `\r\n` outside quotes, and
            // skips empty ones.
            (_, b'\n' | b'\r') => {
                row_end = true;
                Q::FieldStart
            }
            (Q::QuoteInQuoted, _) => {
                if !matches!(self.flaws.back(), Some(Flaw::StrayQuote { line }) if *line == self.line)
                {
                    self.flaws.push_back(Flaw::StrayQuote { line: self.line });
                }
                Q::Unquoted
            }
            (Q::FieldStart | Q::Unquoted, _) => Q::Unquoted,
        };
        if b == b'\n' {
            self.line += 1;
        }
        row_end
    }
}

impl<R: Read> Guard<R> {
    /// One output byte: into `out` while it has room, then into `spill` (kept in order for
    /// the next read).
    fn put(spill: &mut VecDeque<u8>, out: &mut [u8], w: &mut usize, b: u8) {
        if spill.is_empty() && *w < out.len() {
            out[*w] = b;
            *w += 1;
        } else {
            spill.push_back(b);
        }
    }

    /// The end of a row cut short for the parser (a quoted field is closed first).
    fn cut_end(&mut self, out: &mut [u8], w: &mut usize) {
        let quoted = self.cut_quoted;
        let lines = self.skipping.take().unwrap_or(0);
        self.flaws.push_back(Flaw::TooLong {
            line: self.row_start_line,
            lines,
            limit: self.limit,
        });
        self.row_bytes = 0;
        if quoted {
            Self::put(&mut self.spill, out, w, b'"');
        }
        Self::put(&mut self.spill, out, w, b'\n');
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if !self.spill.is_empty() {
            let k = out.len().min(self.spill.len());
            for (o, b) in out.iter_mut().zip(self.spill.drain(..k)) {
                *o = b;
            }
            return Ok(k);
        }
        loop {
            if self.eof || out.is_empty() {
                return Ok(0);
            }
            let want = out.len().min(self.buf.len());
            let n = self.inner.read(&mut self.buf[..want])?;
            let mut w = 0;
            if n == 0 {
                self.eof = true;
                if self.state == Q::Quoted {
                    self.flaws.push_back(Flaw::Unclosed {
                        line: self.quote_line,
                    });
                }
                if self.skipping.is_some() {
                    self.cut_end(out, &mut w);
                }
                return Ok(w);
            }
            for i in 0..n {
                let b = self.buf[i];
                if self.row_bytes == 0 {
                    self.row_start_line = self.line;
                    if b != b'\n' && b != b'\r' {
                        self.starts.push_back(self.line);
                    }
                }
                let was_quoted = self.state == Q::Quoted;
                let row_end = self.step(b);
                self.row_bytes += 1;
                if let Some(lines) = self.skipping.as_mut() {
                    if row_end {
                        self.cut_end(out, &mut w);
                    } else if b == b'\n' {
                        *lines += 1;
                    }
                    continue;
                }
                if row_end {
                    self.row_bytes = 0;
                } else if self.row_bytes > self.limit {
                    self.skipping = Some(0);
                    // What the parser last saw: inside a quoted field, it needs the
                    // closing quote before the end of the row.
                    self.cut_quoted = was_quoted;
                    continue;
                }
                Self::put(&mut self.spill, out, &mut w, b);
            }
            if w > 0 {
                return Ok(w);
            }
            if !self.spill.is_empty() {
                return self.read(out);
            }
        }
    }
}

impl Flaw {
    fn line(&self) -> u64 {
        match self {
            Flaw::StrayQuote { line } | Flaw::Unclosed { line } | Flaw::TooLong { line, .. } => {
                *line
            }
        }
    }
}

/// One CSV row: its true first line, and its fields or why it cannot be read.
type RawRow = (u64, Result<Vec<String>, Reject>);

/// The rows of a CSV file after its header, read one at a time.
pub(super) struct Rows<R: Read> {
    rdr: csv::Reader<Guard<R>>,
    pub header: Vec<String>,
    rec: csv::ByteRecord,
}

/// Open a CSV file: its header (the first record) and a reader of its rows; `limit` is
/// the longest row in bytes ([`super::LoadOptions::max_record_bytes`]).
pub(super) fn rows<R: Read>(r: R, limit: usize) -> Result<Rows<R>, String> {
    let rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Guard::new(r, limit));
    let mut rows = Rows {
        rdr,
        header: Vec::new(),
        rec: csv::ByteRecord::new(),
    };
    match rows.next_row()? {
        None => {}
        Some((_, Ok(h))) => rows.header = h,
        Some((line, Err(r))) => return Err(format!("line {line}: the header row: {}", r.detail)),
    }
    Ok(rows)
}

impl<R: Read> Rows<R> {
    /// The next row, `None` at the end; `Err` only when the file cannot be read.
    pub(super) fn next_row(&mut self) -> Result<Option<RawRow>, String> {
        if !self
            .rdr
            .read_byte_record(&mut self.rec)
            .map_err(|e| e.to_string())?
        {
            return Ok(None);
        }
        let guard = self.rdr.get_mut();
        let start = match guard.starts.pop_front() {
            Some(l) => l,
            None => self.rec.position().map_or(1, |p| p.line()),
        };
        let breaks: u64 = self
            .rec
            .iter()
            .map(|f| memchr::memchr_iter(b'\n', f).count() as u64)
            .sum();
        let mut end = start + breaks;
        let mut problem: Option<Reject> = None;
        let flaws = &mut self.rdr.get_mut().flaws;
        while flaws.front().is_some_and(|f| f.line() <= end) {
            let Some(flaw) = flaws.pop_front() else { break };
            let r = match flaw {
                Flaw::TooLong { lines, limit, .. } => {
                    end += lines;
                    Reject::new(
                        RejectKind::TooLarge,
                        format!("the row is longer than {limit} bytes (the record limit; raise it with CAREPLAY_MAX_RECORD_BYTES): skipped without reading it"),
                    )
                }
                Flaw::Unclosed { line } => Reject::new(
                    RejectKind::BadCsv,
                    format!("the quoted field opened on line {line} is never closed: the rest of the file (to line {end}) is inside it (a missing `\"`?)"),
                ),
                Flaw::StrayQuote { line } => Reject::new(
                    RejectKind::BadCsv,
                    format!("text after the closing quote of a field on line {line} (a `\"` inside a quoted field must be doubled: `\"\"`)"),
                ),
            };
            // An over-long row is that, whatever else is wrong in its first bytes.
            if problem.is_none() || r.kind == RejectKind::TooLarge {
                problem = Some(r);
            }
        }
        if let Some(r) = problem {
            return Ok(Some((start, Err(r))));
        }
        let mut fields = Vec::with_capacity(self.rec.len());
        for (j, f) in self.rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s.to_string()),
                Err(e) => {
                    let name = self
                        .header
                        .get(j)
                        .map(|h| format!(" (`{h}`)"))
                        .unwrap_or_default();
                    return Ok(Some((
                        start,
                        Err(Reject::new(
                            RejectKind::BadCsv,
                            format!("field {}{name} is not UTF-8 (invalid byte at offset {} of the field): re-save the file as UTF-8", j + 1, e.valid_up_to()),
                        )),
                    )));
                }
            }
        }
        Ok(Some((start, Ok(fields))))
    }

    /// A row as a wire record; `Err` when it has a different number of fields than the
    /// header. Empty fields past the header's are allowed (a trailing comma); any other
    /// field past them rejects the row, however far out it is.
    fn wire<'a>(&self, map: &[Option<F>], fields: &'a [String]) -> Result<WireRecord<'a>, Reject> {
        let want = self.header.len();
        if fields.len() < want {
            return Err(Reject::new(
                RejectKind::ShortRow,
                format!(
                    "expected {want} comma-separated fields as in the header, found {} (a row cut short, or a line break outside quotes?)",
                    fields.len()
                ),
            ));
        }
        if fields.iter().skip(want).any(|c| !c.is_empty()) {
            return Err(Reject::new(
                RejectKind::RaggedRow,
                format!(
                    "expected {want} comma-separated fields as in the header, found more (wrong delimiter or unquoted comma?)"
                ),
            ));
        }
        let mut w = WireRecord::default();
        for (f, cell) in map.iter().zip(fields) {
            if let Some(f) = f {
                w.set(*f, Val::String(std::borrow::Cow::Borrowed(cell.as_str())));
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
pub fn read_signins<R: Read>(
    mut t: Rows<R>,
    format: Format,
    ctx: &Ctx<'_>,
    auth: &HashMap<String, Vec<AuthStep>>,
    emit: &mut dyn FnMut(Row),
) -> Result<(), String> {
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
    while let Some((line, fields)) = t.next_row()? {
        let line = Some(line);
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
        let fields = match fields {
            Ok(f) => f,
            Err(r) => {
                emit(Row::Reject(r, line, None));
                continue;
            }
        };
        let w = match t.wire(&map, &fields) {
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
            max_record_bytes: ctx.max_record_bytes,
        };
        match normalize(&w, &c, steps.map(|s| s.as_slice())) {
            Ok(n) => emit(Row::Record(Box::new(n.record), line, None, n.unreadable)),
            Err(r) => emit(Row::Reject(r, line, None)),
        }
    }
    Ok(())
}

/// One AuthDetails row, or why it was rejected; `(line, request id, step)`.
pub type AuthRow = (u64, Result<(String, AuthStep), Reject>);

/// Read an AuthDetails CSV (signin-logs.md §4.4).
pub fn read_auth_details<R: Read>(mut t: Rows<R>) -> Result<Vec<AuthRow>, String> {
    let map = header_map(&t.header, Table::Portal);
    let id_missing = !map.contains(&Some(F::Id));
    let mut out = Vec::new();
    while let Some((line, fields)) = t.next_row()? {
        if id_missing {
            out.push((
                line,
                Err(Reject::new(
                    RejectKind::MissingRequired,
                    "the header has no `Request ID` column",
                )),
            ));
            continue;
        }
        let res = fields.and_then(|fields| {
            let w = t.wire(&map, &fields)?;
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
        out.push((line, res));
    }
    Ok(out)
}
