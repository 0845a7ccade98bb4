//! `--compare-to GOLDEN`: this run's events against the `--events-out` file of an approved
//! run. An event differs when its candidate outcome or the policies that applied to it in
//! the candidate set changed, or when its request id is on one side only.
//!
//! The golden is read by column name and every value is taken as text, so a golden whose
//! column types differ from today's writer (timestamps, categorical outcomes, extra
//! columns) still compares. Only `request_id`, `candidate_outcome` and
//! `candidate_policies_applied` are read: both describe the candidate set alone, so a
//! golden produced with other change flags (another baseline) compares the same way.
//! `changed_by` and `baseline_*` are relative to that run's baseline and are not compared.
//!
//! Memory: the golden is held as one map entry per event (the request id, one byte of
//! outcome, a 4-byte index into the distinct policy lists, a seen flag), about
//! 100 bytes per event with a GUID request id; Parquet is read 65,536 rows at a time.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use polars::prelude::{Column, DataType, ParquetReader, SerReader};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::events::EventsFormat;
use super::row::{EventRow, Outcome};

/// The columns a golden must have.
pub const REQUIRED_COLUMNS: [&str; 3] = [
    "request_id",
    "candidate_outcome",
    "candidate_policies_applied",
];

/// Rows per Parquet slice read from the golden.
const SLICE_ROWS: usize = 65_536;

/// A golden events file that cannot be used. Each names the file; a missing or
/// unreadable column is named too.
#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    #[error(
        "{path}: cannot tell the golden's format from the file name; expected an extension \
         .parquet, .ndjson, .jsonl or .json (an --events-out file)"
    )]
    UnknownExtension { path: PathBuf },
    #[error("{path}: cannot read the golden events file: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error(
        "{path}: the golden events file has no column `{column}` (a golden is the \
         --events-out file of an approved run; it needs request_id, candidate_outcome and \
         candidate_policies_applied)"
    )]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error("{path}: row {row}, column `{column}`: {message}")]
    Value {
        path: PathBuf,
        row: u64,
        column: &'static str,
        message: String,
    },
}

/// One golden event.
#[derive(Debug, Clone, Copy)]
struct Entry {
    outcome: Outcome,
    /// Index into `Golden::policy_sets`.
    policies: u32,
    /// Matched by an event of this run (what is left unseen was removed).
    seen: bool,
}

/// The golden, keyed by request id.
#[derive(Debug)]
pub struct Golden {
    /// As given on the command line (shown in the report).
    name: String,
    entries: FxHashMap<String, Entry>,
    /// Distinct sorted policy lists: few per tenant, so each event keeps an index.
    policy_sets: Vec<Vec<String>>,
    policy_index: FxHashMap<Vec<String>, u32>,
    /// Rows whose request id was already in the golden (the later row is ignored and the
    /// count is stated in the report).
    duplicates: u64,
}

impl Golden {
    /// Read a Parquet or NDJSON events file (by extension).
    pub fn load(path: &Path) -> Result<Golden, GoldenError> {
        let format =
            EventsFormat::from_path(path).ok_or_else(|| GoldenError::UnknownExtension {
                path: path.to_path_buf(),
            })?;
        let mut g = Golden {
            name: path.display().to_string(),
            entries: FxHashMap::default(),
            policy_sets: Vec::new(),
            policy_index: FxHashMap::default(),
            duplicates: 0,
        };
        match format {
            EventsFormat::Ndjson => g.read_ndjson(path)?,
            EventsFormat::Parquet => g.read_parquet(path)?,
        }
        Ok(g)
    }

    /// Events in the golden.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, id: String, outcome: Outcome, mut policies: Vec<String>) {
        policies.sort();
        policies.dedup();
        let next = self.policy_sets.len() as u32;
        let idx = match self.policy_index.get(&policies) {
            Some(i) => *i,
            None => {
                self.policy_sets.push(policies.clone());
                self.policy_index.insert(policies, next);
                next
            }
        };
        if self.entries.contains_key(&id) {
            self.duplicates += 1;
            return;
        }
        self.entries.insert(
            id,
            Entry {
                outcome,
                policies: idx,
                seen: false,
            },
        );
    }

    fn read_ndjson(&mut self, path: &Path) -> Result<(), GoldenError> {
        let unreadable = |message: String| GoldenError::Unreadable {
            path: path.to_path_buf(),
            message,
        };
        let file = File::open(path).map_err(|e| unreadable(e.to_string()))?;
        let mut row = 0u64;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| unreadable(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            row += 1;
            let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
                .map_err(|e| unreadable(format!("line {row}: not a JSON object: {e}")))?;
            let get = |column: &'static str| {
                obj.get(column).ok_or_else(|| {
                    if row == 1 {
                        GoldenError::MissingColumn {
                            path: path.to_path_buf(),
                            column,
                        }
                    } else {
                        value_err(path, row, column, "absent from this row")
                    }
                })
            };
            let [id_col, outcome_col, policies_col] = REQUIRED_COLUMNS;
            let id = json_text(get(id_col)?)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| value_err(path, row, id_col, "empty or not text"))?;
            let outcome = json_text(get(outcome_col)?)
                .as_deref()
                .and_then(parse_outcome)
                .ok_or_else(|| value_err(path, row, outcome_col, OUTCOME_EXPECTED))?;
            let policies = json_list(get(policies_col)?)
                .ok_or_else(|| value_err(path, row, policies_col, LIST_EXPECTED))?;
            self.insert(id, outcome, policies);
        }
        Ok(())
    }

    fn read_parquet(&mut self, path: &Path) -> Result<(), GoldenError> {
        let unreadable = |e: &dyn std::fmt::Display| GoldenError::Unreadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let open = || File::open(path).map_err(|e| unreadable(&e));
        let mut reader = ParquetReader::new(open()?);
        let schema = reader.schema().map_err(|e| unreadable(&e))?;
        for column in REQUIRED_COLUMNS {
            if !schema.iter_names().any(|n| n.as_str() == column) {
                return Err(GoldenError::MissingColumn {
                    path: path.to_path_buf(),
                    column,
                });
            }
        }
        let rows = reader.num_rows().map_err(|e| unreadable(&e))?;
        let mut offset = 0usize;
        while offset < rows {
            let df = ParquetReader::new(open()?)
                .with_columns(Some(
                    REQUIRED_COLUMNS.iter().map(|c| c.to_string()).collect(),
                ))
                .with_slice(Some((offset, SLICE_ROWS)))
                .finish()
                .map_err(|e| unreadable(&e))?;
            let height = df.height();
            if height == 0 {
                break;
            }
            let [id_col, outcome_col, policies_col] = REQUIRED_COLUMNS;
            let col = |c: &'static str| {
                df.column(c)
                    .map_err(|e| value_err(path, offset as u64 + 1, c, &e.to_string()))
            };
            let ids = text_values(col(id_col)?, path, offset, id_col)?;
            let outcomes = text_values(col(outcome_col)?, path, offset, outcome_col)?;
            let policies = list_values(col(policies_col)?, path, offset, policies_col)?;
            for (i, ((id, outcome), policies)) in
                ids.into_iter().zip(outcomes).zip(policies).enumerate()
            {
                let row = (offset + i) as u64 + 1;
                let id = id
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| value_err(path, row, id_col, "empty or null"))?;
                let outcome = outcome
                    .as_deref()
                    .and_then(parse_outcome)
                    .ok_or_else(|| value_err(path, row, outcome_col, OUTCOME_EXPECTED))?;
                let policies =
                    policies.ok_or_else(|| value_err(path, row, policies_col, LIST_EXPECTED))?;
                self.insert(id, outcome, policies);
            }
            offset += height;
        }
        Ok(())
    }
}

const OUTCOME_EXPECTED: &str = "expected allowed, challenged, blocked or unknown";
const LIST_EXPECTED: &str = "expected a list of policy names";

fn value_err(path: &Path, row: u64, column: &'static str, message: &str) -> GoldenError {
    GoldenError::Value {
        path: path.to_path_buf(),
        row,
        column,
        message: message.to_owned(),
    }
}

fn parse_outcome(s: &str) -> Option<Outcome> {
    Outcome::ALL
        .into_iter()
        .find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
}

/// A JSON value as text (numbers and booleans as written); `None` for null, lists, objects.
fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of names: a JSON array of text, null (= none), or text (see `text_list`).
fn json_list(v: &serde_json::Value) -> Option<Vec<String>> {
    match v {
        serde_json::Value::Null => Some(Vec::new()),
        serde_json::Value::Array(items) => items.iter().map(json_text).collect(),
        serde_json::Value::String(s) => text_list(s),
        _ => None,
    }
}

/// A list stored as text: a JSON array, or `;`-joined names (as `candidate_demand` is).
fn text_list(s: &str) -> Option<Vec<String>> {
    let t = s.trim();
    if t.starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(t).ok()?;
        return json_list(&v);
    }
    Some(
        t.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// A column's values as text, whatever its type (categorical, enum, numbers...).
fn text_values(
    col: &Column,
    path: &Path,
    offset: usize,
    name: &'static str,
) -> Result<Vec<Option<String>>, GoldenError> {
    let cast = col
        .cast(&DataType::String)
        .map_err(|e| value_err(path, offset as u64 + 1, name, &e.to_string()))?;
    let ca = cast
        .str()
        .map_err(|e| value_err(path, offset as u64 + 1, name, &e.to_string()))?;
    Ok(ca.iter().map(|v| v.map(str::to_owned)).collect())
}

/// A list column's values as lists of text (`None` = a value that is not a list); a text
/// column is read as `text_list`.
fn list_values(
    col: &Column,
    path: &Path,
    offset: usize,
    name: &'static str,
) -> Result<Vec<Option<Vec<String>>>, GoldenError> {
    let err = |e: &dyn std::fmt::Display| value_err(path, offset as u64 + 1, name, &e.to_string());
    match col.dtype() {
        DataType::List(_) => {
            let cast = col
                .cast(&DataType::List(Box::new(DataType::String)))
                .map_err(|e| err(&e))?;
            let ca = cast.list().map_err(|e| err(&e))?;
            let mut out = Vec::with_capacity(ca.len());
            for item in ca.amortized_iter() {
                out.push(match item {
                    None => Some(Vec::new()),
                    Some(s) => {
                        let strs = s.as_ref().str().map_err(|e| err(&e))?;
                        strs.iter()
                            .map(|v| v.map(str::to_owned))
                            .collect::<Option<Vec<String>>>()
                    }
                });
            }
            Ok(out)
        }
        DataType::Null => Ok(vec![Some(Vec::new()); col.len()]),
        _ => Ok(text_values(col, path, offset, name)?
            .into_iter()
            .map(|v| match v {
                None => Some(Vec::new()),
                Some(s) => text_list(&s),
            })
            .collect()),
    }
}

/// How one event differs from the golden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The candidate outcome changed (the policies may have changed too).
    Outcome,
    /// Same outcome, other policies applied.
    Policies,
    /// In this run only.
    Added,
    /// In the golden only.
    Removed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Outcome => "outcome",
            ChangeKind::Policies => "policies",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
        }
    }
}

/// One event that differs from the golden. `None` outcome = absent on that side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedEvent {
    pub request_id: String,
    pub change: ChangeKind,
    pub golden_outcome: Option<Outcome>,
    pub outcome: Option<Outcome>,
    pub golden_policies: Vec<String>,
    pub policies: Vec<String>,
    /// UPN, else display name, else user id (this run's row; empty for removed events).
    pub user: String,
    /// This run's explanation of the candidate outcome (removed events: why it is listed).
    pub explanation: String,
}

/// Events per (golden outcome, outcome) among the differing ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeCount {
    pub golden_outcome: Option<Outcome>,
    pub outcome: Option<Outcome>,
    pub events: u64,
}

/// This run compared with a golden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The golden file as given.
    pub golden: String,
    pub golden_events: u64,
    /// Events of this run.
    pub events: u64,
    /// Events that differ in any way: `outcome + policies + added + removed`.
    pub changed: u64,
    pub outcome_changed: u64,
    pub policies_changed: u64,
    pub added: u64,
    pub removed: u64,
    /// Golden rows whose request id was already in the golden (ignored).
    #[serde(skip_serializing_if = "is_zero")]
    pub golden_duplicates: u64,
    /// Most events first, then by outcomes.
    pub by_outcome: Vec<ChangeCount>,
    /// Every differing event: outcome changes, then policy changes, added, removed; each
    /// by request id. Text formats show the first `--top`.
    pub changed_events: Vec<ChangedEvent>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Comparison {
    /// The whole a `changed-rate` is taken of: events on either side.
    pub fn union(&self) -> u64 {
        self.events + self.removed
    }
}

/// Feeds this run's rows past the golden.
pub struct Comparer {
    golden: Golden,
    events: u64,
    changed: Vec<ChangedEvent>,
}

impl Comparer {
    pub fn new(golden: Golden) -> Comparer {
        Comparer {
            golden,
            events: 0,
            changed: Vec::new(),
        }
    }

    pub fn push(&mut self, row: &EventRow) {
        self.events += 1;
        let user = row
            .user_principal_name
            .as_deref()
            .or(row.user_display_name.as_deref())
            .or(row.user_id.as_deref())
            .unwrap_or_default()
            .to_owned();
        let mut policies = row.candidate_policies_applied.clone();
        policies.sort();
        policies.dedup();
        let Some(entry) = self.golden.entries.get_mut(&row.request_id) else {
            self.changed.push(ChangedEvent {
                request_id: row.request_id.clone(),
                change: ChangeKind::Added,
                golden_outcome: None,
                outcome: Some(row.candidate_outcome),
                golden_policies: Vec::new(),
                policies,
                user,
                explanation: row.explanation.clone(),
            });
            return;
        };
        entry.seen = true;
        let golden_policies = self
            .golden
            .policy_sets
            .get(entry.policies as usize)
            .cloned()
            .unwrap_or_default();
        let change = if entry.outcome != row.candidate_outcome {
            ChangeKind::Outcome
        } else if golden_policies != policies {
            ChangeKind::Policies
        } else {
            return;
        };
        self.changed.push(ChangedEvent {
            request_id: row.request_id.clone(),
            change,
            golden_outcome: Some(entry.outcome),
            outcome: Some(row.candidate_outcome),
            golden_policies,
            policies,
            user,
            explanation: row.explanation.clone(),
        });
    }

    pub fn finish(self) -> Comparison {
        let Comparer {
            golden,
            events,
            mut changed,
        } = self;
        for (id, e) in &golden.entries {
            if e.seen {
                continue;
            }
            changed.push(ChangedEvent {
                request_id: id.clone(),
                change: ChangeKind::Removed,
                golden_outcome: Some(e.outcome),
                outcome: None,
                golden_policies: golden
                    .policy_sets
                    .get(e.policies as usize)
                    .cloned()
                    .unwrap_or_default(),
                policies: Vec::new(),
                user: String::new(),
                explanation: "in the golden only: this run's logs have no event with this \
                              request id"
                    .to_owned(),
            });
        }
        changed.sort_by(|a, b| {
            a.change
                .cmp(&b.change)
                .then_with(|| a.request_id.cmp(&b.request_id))
        });
        let count = |k: ChangeKind| changed.iter().filter(|c| c.change == k).count() as u64;
        let mut cells: BTreeMap<(Option<Outcome>, Option<Outcome>), u64> = BTreeMap::new();
        for c in &changed {
            *cells.entry((c.golden_outcome, c.outcome)).or_default() += 1;
        }
        let mut by_outcome: Vec<ChangeCount> = cells
            .into_iter()
            .map(|((golden_outcome, outcome), events)| ChangeCount {
                golden_outcome,
                outcome,
                events,
            })
            .collect();
        // Stable sort: ties keep the outcome order of the map.
        by_outcome.sort_by_key(|c| std::cmp::Reverse(c.events));
        Comparison {
            golden: golden.name,
            golden_events: golden.entries.len() as u64,
            events,
            changed: changed.len() as u64,
            outcome_changed: count(ChangeKind::Outcome),
            policies_changed: count(ChangeKind::Policies),
            added: count(ChangeKind::Added),
            removed: count(ChangeKind::Removed),
            golden_duplicates: golden.duplicates,
            by_outcome,
            changed_events: changed,
        }
    }
}
