//! Row accounting (design.md "Row accounting"): per file, every row read is loaded,
//! rejected with a reason, or dropped as a duplicate — and the numbers add up.

use super::reject::{Reject, RejectKind};
use super::unreadable::{FieldWarning, Unreadable};
use crate::report::row::{FileSummary, InputSummary};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Examples kept per rejection reason and file.
pub const EXAMPLES_PER_REASON: usize = 3;

/// Rejections of one kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReasonStats {
    pub count: u64,
    /// Full messages (`file:line: reason: detail`), at most [`EXAMPLES_PER_REASON`].
    pub examples: Vec<String>,
}

/// Accounting for one input file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileLedger {
    pub path: String,
    /// [`super::Format::as_str`], or `empty` for an empty file.
    pub format: String,
    pub compressed: bool,
    pub rows_read: u64,
    /// Rows kept after rejections and de-duplication.
    pub rows_loaded: u64,
    pub rows_rejected: u64,
    /// Rows dropped because a later record with the same (event type, id) was kept.
    pub duplicates: u64,
    pub rejected: BTreeMap<RejectKind, ReasonStats>,
    /// Loaded rows with a field that could not be read, by field: that fact is Unknown
    /// (unreadable.rs). A row can count under several fields.
    pub unreadable: BTreeMap<Unreadable, ReasonStats>,
    /// File-level notes (missing timestamp column, unclosed array, lost nested data…).
    pub warnings: Vec<String>,
    /// Earliest / latest `created_at` among accepted rows.
    pub first_event: Option<DateTime<Utc>>,
    pub last_event: Option<DateTime<Utc>>,
    /// Rows accepted before de-duplication (internal bookkeeping).
    pub(crate) accepted: u64,
}

impl FileLedger {
    pub fn new(path: &str, format: &str, compressed: bool) -> FileLedger {
        FileLedger {
            path: path.to_string(),
            format: format.to_string(),
            compressed,
            ..FileLedger::default()
        }
    }

    /// Where a row was: `file:line` or `file: record #n`.
    pub fn place(&self, line: Option<u64>, index: Option<u64>) -> String {
        match (line, index) {
            (Some(l), Some(i)) => format!("{}:{l} (record #{i})", self.path),
            (Some(l), None) => format!("{}:{l}", self.path),
            (None, Some(i)) => format!("{}: record #{i}", self.path),
            (None, None) => self.path.clone(),
        }
    }

    pub fn reject(&mut self, r: &Reject, line: Option<u64>, index: Option<u64>) {
        self.rows_read += 1;
        self.rows_rejected += 1;
        let msg = format!("{}: {r}", self.place(line, index));
        let e = self.rejected.entry(r.kind).or_default();
        e.count += 1;
        if e.examples.len() < EXAMPLES_PER_REASON {
            e.examples.push(msg);
        }
    }

    /// A loaded row's unreadable field.
    pub fn unreadable(&mut self, w: &FieldWarning, line: Option<u64>, index: Option<u64>) {
        let msg = format!("{}: {w}", self.place(line, index));
        let e = self.unreadable.entry(w.kind).or_default();
        e.count += 1;
        if e.examples.len() < EXAMPLES_PER_REASON {
            e.examples.push(msg);
        }
    }

    pub fn accept(&mut self, created_at: Option<DateTime<Utc>>) {
        self.rows_read += 1;
        self.accepted += 1;
        self.rows_loaded = self.accepted - self.duplicates;
        if let Some(t) = created_at {
            self.first_event = Some(self.first_event.map_or(t, |f| f.min(t)));
            self.last_event = Some(self.last_event.map_or(t, |l| l.max(t)));
        }
    }

    pub fn duplicate(&mut self) {
        self.duplicates += 1;
        self.rows_loaded = self.accepted.saturating_sub(self.duplicates);
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }
}

/// Accounting for a whole load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub files: Vec<FileLedger>,
    /// Inputs that are not regular files (named pipes, sockets, devices): never opened.
    pub skipped: Vec<crate::walk::Skipped>,
}

impl Ledger {
    pub fn rows_read(&self) -> u64 {
        self.files.iter().map(|f| f.rows_read).sum()
    }
    pub fn rows_loaded(&self) -> u64 {
        self.files.iter().map(|f| f.rows_loaded).sum()
    }
    pub fn rows_rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rows_rejected).sum()
    }
    pub fn duplicates(&self) -> u64 {
        self.files.iter().map(|f| f.duplicates).sum()
    }
    /// (reason, count) over all files, most frequent first.
    pub fn rejected_by_reason(&self) -> Vec<(RejectKind, u64)> {
        let mut m: BTreeMap<RejectKind, u64> = BTreeMap::new();
        for f in &self.files {
            for (k, s) in &f.rejected {
                *m.entry(*k).or_default() += s.count;
            }
        }
        let mut v: Vec<(RejectKind, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
    /// (field, loaded rows where it was unreadable) over all files, most frequent first.
    pub fn unreadable_by_reason(&self) -> Vec<(Unreadable, u64)> {
        let mut m: BTreeMap<Unreadable, u64> = BTreeMap::new();
        for f in &self.files {
            for (k, s) in &f.unreadable {
                *m.entry(*k).or_default() += s.count;
            }
        }
        let mut v: Vec<(Unreadable, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
    pub fn file_mut(&mut self, path: &str) -> Option<&mut FileLedger> {
        self.files.iter_mut().find(|f| f.path == path)
    }

    /// The reporter's input contract (report/row.rs). Policy counts are filled by the
    /// caller that loads policies.
    pub fn to_input_summary(&self) -> InputSummary {
        InputSummary {
            files: self
                .files
                .iter()
                .map(|f| FileSummary {
                    path: f.path.clone(),
                    format: f.format.clone(),
                    rows_read: f.rows_read,
                    rows_loaded: f.rows_loaded,
                    rows_rejected: f.rows_rejected,
                })
                .collect(),
            rows_read: self.rows_read(),
            rows_loaded: self.rows_loaded(),
            rows_rejected: self.rows_rejected(),
            duplicates_dropped: self.duplicates(),
            rejected_by_reason: self
                .rejected_by_reason()
                .into_iter()
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            unreadable_by_reason: self
                .unreadable_by_reason()
                .into_iter()
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            inputs_skipped: self.skipped.iter().map(|s| s.to_string()).collect(),
            policies_loaded: 0,
            policies_rejected: 0,
        }
    }
}
