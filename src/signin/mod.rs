//! The only reader of sign-in logs (design.md): detect the export family from content,
//! read it with one reader per family, normalise every row into the canonical
//! [`SignInRecord`] (schema.rs), account for every row ([`Ledger`]), and de-duplicate to
//! the replay unit (signin-logs.md §6.4).
//!
//! Entry points: [`load`] (everything in memory, global de-duplication) and [`stream`]
//! (batches; memory bounded by the batch and the largest record — de-duplication is done
//! **per batch** in this mode, so duplicates that land in different batches are both
//! kept; `load` is exact).

pub(crate) mod chunks;
mod csv_reader;
pub mod error;
pub mod facts;
pub mod format;
pub mod frame;
mod json_reader;
pub mod ledger;
pub mod normalize;
mod plain;
pub mod reject;
pub mod schema;
pub mod source;
pub mod unreadable;
pub mod val;
pub mod values;
pub mod wire;

pub use error::LoadError;
pub use facts::{to_facts, to_facts_into};
pub use format::Format;
pub use ledger::{FileLedger, Ledger, ReasonStats};
pub use reject::{Reject, RejectKind};
pub use schema::{AcrRef, CaPolicyResult, EventType, SignInRecord};
pub use wire::{Projection, F};

use format::{ReaderKind, Sniff};
use normalize::{AuthStep, Ctx};
use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Files larger than this get a progress bar (when enabled and stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Force a format instead of sniffing.
    pub format: Option<Format>,
    /// Show progress bars for large files (only when stderr is a terminal).
    pub progress: bool,
    /// Fields the JSON readers may skip ([`Projection::ALL`] by default). A skipped field
    /// is neither materialised nor validated, so a record whose only fault is there is
    /// loaded, not rejected ([`LoadOptions::for_replay`]).
    pub projection: Projection,
    /// Read every file through `read(2)`, never mapping it (as ripgrep's `--no-mmap`).
    /// By default an uncompressed JSON file read on more than one thread is mapped chunk
    /// by chunk, which saves copying it (`chunks.rs`); both give the same load.
    pub no_mmap: bool,
    /// The longest JSON record or CSV row, in bytes: a longer one is rejected (counted,
    /// with its line) without being held in memory. [`DEFAULT_MAX_RECORD_BYTES`], or the
    /// environment variable `CAREPLAY_MAX_RECORD_BYTES` ([`max_record_bytes_from_env`]).
    pub max_record_bytes: usize,
}

/// The default record limit: 64 MiB, far above any sign-in record (a few KiB; the largest
/// real ones, with long `authenticationDetails`, under 100 KiB), far below memory.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

/// `CAREPLAY_MAX_RECORD_BYTES` when set to a positive number (to raise the limit for an
/// unusual export, or to lower it in tests), else [`DEFAULT_MAX_RECORD_BYTES`].
pub fn max_record_bytes_from_env() -> usize {
    std::env::var("CAREPLAY_MAX_RECORD_BYTES")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_MAX_RECORD_BYTES)
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            format: None,
            progress: false,
            projection: Projection::default(),
            no_mmap: false,
            max_record_bytes: max_record_bytes_from_env(),
        }
    }
}

/// Fields a replay never reads, so its loads skip them ([`LoadOptions::for_replay`]): the
/// logged Conditional Access results and status, which only `careplay verify` compares
/// with (signin-logs.md §3.4), and ids and details that neither the engine's facts nor the
/// report use. [`SignInRecord::clear_replay_skipped`] clears what they fill.
pub const REPLAY_SKIPS: &[F] = &[
    F::AppliedConditionalAccessPolicies,
    F::ConditionalAccessStatus,
    F::NetworkLocationDetails,
    F::CorrelationId,
    F::SessionId,
    F::ServicePrincipalName,
    F::AuthenticationProtocol,
    F::IncomingTokenType,
];

/// The canonical (Parquet) columns filled only by the [`REPLAY_SKIPS`] fields, by field:
/// what [`SignInRecord::clear_replay_skipped`] clears.
const SKIPPABLE_COLUMNS: &[(F, &[&str])] = &[
    (F::AppliedConditionalAccessPolicies, &["ca_policies"]),
    (F::ConditionalAccessStatus, &["ca_status"]),
    (
        F::NetworkLocationDetails,
        &["network_types", "network_names"],
    ),
    (F::CorrelationId, &["correlation_id"]),
    (F::SessionId, &["session_id"]),
    (F::ServicePrincipalName, &["sp_name"]),
    (F::AuthenticationProtocol, &["auth_protocol"]),
    (F::IncomingTokenType, &["incoming_token_type"]),
];

/// The canonical columns a load with `p` leaves unread (a Parquet input's projection).
fn skipped_columns(p: Projection) -> Vec<&'static str> {
    SKIPPABLE_COLUMNS
        .iter()
        .filter(|(f, _)| !p.reads(*f))
        .flat_map(|(_, cols)| cols.iter().copied())
        .collect()
}

impl LoadOptions {
    /// What a replay reads: everything but [`REPLAY_SKIPS`]. Both replay paths (in memory
    /// and streaming) load with it, so they count the same rows.
    pub fn for_replay(format: Option<Format>, progress: bool) -> LoadOptions {
        LoadOptions {
            format,
            progress,
            projection: Projection::without(REPLAY_SKIPS),
            ..LoadOptions::default()
        }
    }
}

/// A complete load.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub records: Vec<SignInRecord>,
    pub ledger: Ledger,
    /// For each record, the index in `ledger.files` of the file it was read from (a
    /// Parquet record keeps its original `source_file`, so this is the only link to the
    /// file actually read).
    pub file_of: Vec<usize>,
}

/// One row event produced by a reader.
#[derive(Debug)]
pub(crate) enum Row {
    /// A loaded record, its line and record index, and its unreadable fields.
    Record(
        Box<SignInRecord>,
        Option<u64>,
        Option<u64>,
        Vec<unreadable::FieldWarning>,
    ),
    Reject(Reject, Option<u64>, Option<u64>),
    Warning(String),
}

/// Error of [`stream`]: the input could not be read, or the sink failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("sign-in batch consumer failed: {0}")]
    Sink(#[source] E),
}

/// Load every input into memory; duplicates are resolved over all files.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut records = Vec::new();
    let mut file_of = Vec::new();
    let res = stream_with_origin(paths, opts, usize::MAX, |batch| {
        // One batch holds every record (global de-duplication). Its records are moved out
        // of their boxes on the pool, into vectors of exactly their length: moved one by
        // one on the calling thread into a vector grown by doubling, this copy was a tenth
        // of an in-memory replay's serial time, and the spare capacity sat beside the
        // boxed batch at the peak.
        use rayon::prelude::*;
        let (f, r): (Vec<usize>, Vec<SignInRecord>) =
            batch.into_par_iter().map(|(f, r)| (f, *r)).unzip();
        if records.is_empty() {
            (file_of, records) = (f, r);
        } else {
            file_of.extend(f);
            records.extend(r);
        }
        Ok::<(), std::convert::Infallible>(())
    });
    match res {
        Ok(ledger) => Ok(Loaded {
            records,
            ledger,
            file_of,
        }),
        Err(StreamError::Load(e)) => Err(e),
        Err(StreamError::Sink(never)) => match never {},
    }
}

/// Plan entry: a file and its format.
struct Planned {
    path: PathBuf,
    format: Option<Format>,
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn sniff_file(path: &Path, forced: Option<Format>) -> Result<Option<Format>, LoadError> {
    let opened = source::open(path, |r| r)?;
    // Before a forced format too: read as UTF-8, every row would be rejected as garbage.
    if let Some(byte_order) = source::utf16_without_bom(&opened.prefix) {
        return Err(LoadError::Utf16WithoutBom {
            path: path.to_path_buf(),
            byte_order,
        });
    }
    if let Some(f) = forced {
        return Ok(Some(f));
    }
    match format::sniff(&opened.prefix) {
        Sniff::Known(f) => Ok(Some(f)),
        Sniff::Empty => Ok(None),
        Sniff::PowershellCsv => Err(LoadError::PowershellCsv {
            path: path.to_path_buf(),
        }),
        Sniff::Unknown(detail) => Err(LoadError::UnknownFormat {
            path: path.to_path_buf(),
            detail,
            first_bytes: first_bytes(&opened.prefix),
        }),
    }
}

fn first_bytes(prefix: &[u8]) -> String {
    let n = prefix.len().min(120);
    String::from_utf8_lossy(&prefix[..n])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Stream every input in batches of at most `batch_rows` canonical rows. Memory does not
/// grow with file size for JSON inputs (bounded by the batch and the largest record or
/// Graph page); CSV files (≤100k rows per export) are read whole.
pub fn stream<E, S>(
    paths: &[PathBuf],
    opts: &LoadOptions,
    batch_rows: usize,
    mut sink: S,
) -> Result<Ledger, StreamError<E>>
where
    E: std::error::Error + 'static,
    S: FnMut(Vec<SignInRecord>) -> Result<(), E>,
{
    stream_with_origin(paths, opts, batch_rows, |batch| {
        sink(batch.into_iter().map(|(_, r)| *r).collect())
    })
}

/// [`stream`], with each record (boxed, as the readers made it) paired with the index of
/// its file in the ledger.
pub fn stream_with_origin<E, S>(
    paths: &[PathBuf],
    opts: &LoadOptions,
    batch_rows: usize,
    mut sink: S,
) -> Result<Ledger, StreamError<E>>
where
    E: std::error::Error + 'static,
    S: FnMut(Vec<(usize, Box<SignInRecord>)>) -> Result<(), E>,
{
    let batch_rows = batch_rows.max(1);
    let walked = source::expand(paths)?;
    let mut plan = Vec::with_capacity(walked.files.len());
    for path in walked.files {
        let format = sniff_file(&path, opts.format)?;
        plan.push(Planned { path, format });
    }
    let mut ledger = Ledger {
        skipped: walked.skipped,
        ..Ledger::default()
    };

    // AuthDetails files first: they are joined to portal CSV rows (signin-logs.md §4.4).
    let mut auth: HashMap<String, Vec<AuthStep>> = HashMap::new();
    let mut auth_rows: Vec<(usize, u64, String)> = Vec::new();
    for p in plan
        .iter()
        .filter(|p| p.format == Some(Format::PortalAuthDetails))
    {
        let name = display(&p.path);
        let opened = source::open(&p.path, |r| r)?;
        let mut fl = FileLedger::new(&name, Format::PortalAuthDetails.as_str(), opened.compressed);
        let rows = csv_reader::rows(opened.reader, opts.max_record_bytes)
            .and_then(csv_reader::read_auth_details)
            .map_err(|message| LoadError::Csv {
                path: p.path.clone(),
                message,
            })?;
        let idx = ledger.files.len();
        for (line, row) in rows {
            match row {
                Ok((id, step)) => {
                    auth_rows.push((idx, line, id.clone()));
                    auth.entry(id).or_default().push(step);
                }
                Err(r) => fl.reject(&r, Some(line), None),
            }
        }
        ledger.files.push(fl);
    }
    let mut joined_ids: HashSet<String> = HashSet::new();

    let mut batch: Vec<(usize, Box<SignInRecord>)> = Vec::new();
    // Unreadable fields of the batch's records (few): counted once de-duplication has
    // said which records are loaded.
    let mut batch_warnings: Vec<Pending> = Vec::new();
    let files = plan
        .iter()
        .filter(|p| p.format != Some(Format::PortalAuthDetails))
        .count();
    for (k, p) in plan
        .iter()
        .filter(|p| p.format != Some(Format::PortalAuthDetails))
        .enumerate()
    {
        let name = display(&p.path);
        let Some(format) = p.format else {
            let mut fl = FileLedger::new(&name, "empty", false);
            fl.warn("the file is empty");
            ledger.files.push(fl);
            continue;
        };
        let file_idx = ledger.files.len();
        let mut pending_error: Option<E> = None;
        {
            let pb = progress_bar(&p.path, opts.progress, (k + 1, files));
            let pb2 = pb.clone();
            // Once the sink fails, the file reads as ended: the reader stops at the next
            // read instead of parsing (and, before this, keeping) the rest of the file.
            let stop = Arc::new(AtomicBool::new(false));
            let stop_read = stop.clone();
            let opened = source::open(&p.path, move |r| {
                let r: Box<dyn Read + Send> = match pb2 {
                    Some(pb) => Box::new(pb.wrap_read(r)),
                    None => r,
                };
                Box::new(chunks::StopRead::new(r, stop_read))
            })?;
            ledger
                .files
                .push(FileLedger::new(&name, format.as_str(), opened.compressed));
            let ctx = Ctx {
                projection: opts.projection,
                format: format.as_str(),
                file: &name,
                line: None,
                file_event_type: format::event_type_from_name(&p.path),
                max_record_bytes: opts.max_record_bytes,
            };
            let fl_ptr = file_idx;
            let ledger_ref = &mut ledger;
            let batch_ref = &mut batch;
            let sink_ref = &mut sink;
            let joined_ref = &mut joined_ids;
            let warnings_ref = &mut batch_warnings;
            let mut emit = |row: Row| {
                // After a sink error the load is abandoned: nothing more is kept.
                if pending_error.is_some() {
                    return;
                }
                let fl = &mut ledger_ref.files[fl_ptr];
                match row {
                    Row::Record(rec, line, index, unreadable) => {
                        // Kept in the reader's box: a batch moves pointers, not ~1 KiB
                        // records (unboxing and pushing copied each one twice on the
                        // thread that feeds the pool, and the replay's chunks once more).
                        fl.accept(rec.created_at);
                        if format == Format::PortalCsv && auth.contains_key(&rec.event_id) {
                            joined_ref.insert(rec.event_id.clone());
                        }
                        if !unreadable.is_empty() {
                            warnings_ref.push(Pending {
                                at: batch_ref.len(),
                                line,
                                index,
                                unreadable,
                            });
                        }
                        batch_ref.push((fl_ptr, rec));
                        if batch_ref.len() >= batch_rows && pending_error.is_none() {
                            // The next batch gets its room at once (no regrowth copies
                            // of records while it fills).
                            let next = Vec::with_capacity(batch_rows.min(1 << 16));
                            let full = dedup(
                                std::mem::replace(batch_ref, next),
                                std::mem::take(warnings_ref),
                                ledger_ref,
                            );
                            if let Err(e) = sink_ref(full) {
                                pending_error = Some(e);
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    Row::Reject(r, line, index) => fl.reject(&r, line, index),
                    Row::Warning(w) => fl.warn(w),
                }
            };
            let io_err = |e: std::io::Error| LoadError::Io {
                path: p.path.clone(),
                source: e,
            };
            let read = match format.reader() {
                ReaderKind::Json => match mapped(&p.path, &opened, opts, pb.clone()) {
                    Some(m) => json_reader::read_chunks(
                        chunks::StopChunks::new(m, stop.clone()),
                        &ctx,
                        &mut emit,
                    ),
                    None => json_reader::read(opened.reader, &ctx, &mut emit),
                }
                .map_err(io_err),
                ReaderKind::Csv => csv_reader::rows(opened.reader, opts.max_record_bytes)
                    .and_then(|rows| csv_reader::read_signins(rows, format, &ctx, &auth, &mut emit))
                    .map_err(|message| LoadError::Csv {
                        path: p.path.clone(),
                        message,
                    }),
                ReaderKind::Parquet => {
                    read_parquet(&p.path, opened.reader, opts.projection, &mut emit)
                }
            };
            if let Some(pb) = pb {
                pb.finish_and_clear();
            }
            // The sink's error comes first: what the cut-short read said after it (a
            // compressed stream ending early, say) is a consequence.
            if let Some(e) = pending_error {
                return Err(StreamError::Sink(e));
            }
            read?;
        }
    }
    if !batch.is_empty() {
        let full = dedup(
            std::mem::take(&mut batch),
            std::mem::take(&mut batch_warnings),
            &mut ledger,
        );
        sink(full).map_err(StreamError::Sink)?;
    }

    // Auth-detail accounting: joined rows are loaded, the others rejected with a reason.
    for (idx, line, id) in auth_rows {
        let fl = &mut ledger.files[idx];
        if joined_ids.contains(&id) {
            fl.accept(None);
        } else {
            fl.reject(
                &Reject::new(
                    RejectKind::UnmatchedAuthDetail,
                    format!("Request ID `{id}` is in no admin-center CSV sign-in file of this load (expected the matching InteractiveSignIns/NonInteractiveSignIns file)"),
                ),
                Some(line),
                None,
            );
        }
    }
    Ok(ledger)
}

/// The file mapped for the parallel JSON reader, when that is possible and worth it: not
/// compressed, not turned off, more than one thread, and at least a chunk long. `None`
/// (the file is then read through `opened.reader`) also when the mapping fails, as it does
/// on some network and special file systems.
fn mapped(
    path: &Path,
    opened: &source::Opened,
    opts: &LoadOptions,
    pb: Option<indicatif::ProgressBar>,
) -> Option<chunks::MappedChunks> {
    if opened.compressed
        || opened.transcoded.is_some()
        || opts.no_mmap
        || rayon::current_num_threads() < 2
        || opened.size < json_reader::CHUNK_BYTES as u64
    {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    chunks::MappedChunks::new(file, json_reader::CHUNK_BYTES, pb).ok()
}

/// A canonical Parquet file, reading only the columns `projection` needs: the skipped
/// ones are neither decoded nor checked, as the JSON readers neither materialise nor
/// validate skipped fields.
///
/// polars 0.55 panics on some corrupted files instead of returning an error (a thrift
/// field of the footer, a bitmap or dictionary page whose lengths disagree: issue 19).
/// The footer is checked first ([`check_parquet_footer`]), which turns the common case
/// (a truncated or overwritten file) into a precise message; the pages cannot be checked
/// without decoding them, so the decode runs inside `catch_unwind` as the last resort,
/// and a panic there becomes [`LoadError::Parquet`] naming the file: the load stops with
/// exit 2, as for every other unreadable Parquet file.
fn read_parquet<R: Read>(
    path: &Path,
    mut r: R,
    projection: Projection,
    emit: &mut dyn FnMut(Row),
) -> Result<(), LoadError> {
    let err = |message: String| LoadError::Parquet {
        path: path.to_path_buf(),
        message,
    };
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes).map_err(|e| err(e.to_string()))?;
    check_parquet_footer(&bytes).map_err(err)?;
    let skip = skipped_columns(projection);
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode_parquet(bytes, &skip)
    }));
    let rows = match decoded {
        Ok(rows) => rows.map_err(err)?,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            return Err(err(format!(
                "the file is corrupted: the Parquet decoder failed ({}); re-create it with `careplay logs convert`",
                reject::excerpt(&what)
            )));
        }
    };
    for (i, rec) in rows.into_iter().enumerate() {
        // The canonical columns keep enum values as logged, so the same check applies.
        let mut unreadable = Vec::new();
        unreadable::check_enums(&rec, &mut unreadable);
        emit(Row::Record(
            Box::new(rec),
            None,
            Some(i as u64 + 1),
            unreadable,
        ));
    }
    Ok(())
}

/// polars' part of [`read_parquet`]: metadata, the projected columns, the canonical rows.
fn decode_parquet(bytes: Vec<u8>, skip: &[&str]) -> Result<Vec<SignInRecord>, String> {
    use polars::prelude::{ParquetReader, SerReader};
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    if !skip.is_empty() {
        // Every other column the file has; one it lacks is reported by `from_dataframe`.
        let file = reader.schema().map_err(|e| e.to_string())?;
        let read: Vec<String> = file
            .iter_names()
            .filter(|c| !skip.contains(&c.as_str()))
            .map(|c| c.to_string())
            .collect();
        reader = reader.with_columns(Some(read));
    }
    let df = reader.finish().map_err(|e| e.to_string())?;
    schema::from_dataframe_without(&df, skip).map_err(|e| e.to_string())
}

/// The frame of a Parquet file (format spec, "File Format"): `PAR1`, the pages, the
/// thrift footer, its 4-byte little-endian length, `PAR1`. A file cut short or
/// overwritten at the end fails here, with what is wrong, before any decoding.
fn check_parquet_footer(bytes: &[u8]) -> Result<(), String> {
    const MAGIC: &[u8] = b"PAR1";
    let n = bytes.len();
    if n < 12 || !bytes.starts_with(MAGIC) {
        return Err(format!(
            "{n} bytes: too short for a Parquet file (at least 12 bytes: `PAR1`, footer length, `PAR1`)"
        ));
    }
    if !bytes.ends_with(MAGIC) {
        return Err(format!(
            "the file does not end with `PAR1` (byte {n}): it is truncated or was overwritten at the end"
        ));
    }
    let len_at = n - 8;
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[len_at..len_at + 4]);
    let footer = u32::from_le_bytes(len) as usize;
    if footer == 0 || footer > len_at - 4 {
        return Err(format!(
            "the footer length at byte {len_at} is {footer}, but only {} bytes precede it: the file is corrupted",
            len_at - 4
        ));
    }
    Ok(())
}

/// A byte bar for one input file, `file k of N` (`of`) in its message; none when stderr
/// is not a terminal, progress is off (`--quiet`) or the file is small.
fn progress_bar(path: &Path, enabled: bool, of: (usize, usize)) -> Option<indicatif::ProgressBar> {
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let size = std::fs::metadata(path).map(|m| m.len()).ok()?;
    if size < PROGRESS_MIN_BYTES {
        return None;
    }
    let pb = indicatif::ProgressBar::new(size);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(format!(
        "file {} of {}: {}",
        of.0,
        of.1,
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    Some(pb)
}

/// Replay unit (signin-logs.md §6.4): the last record per (event type, id) by record time
/// — the Microsoft first-party service-principal log counts as its own type here, since it
/// is a separate log whose ids can repeat those of the tenant's SP log (real sample
/// `elastic_azure_signinlogs_diag_all_categories_raw.jsonl`) —
/// (`time`/`TimeGenerated`, else `createdDateTime`); ties go to the later input row.
/// Keeps input order of the survivors and counts each dropped row against the ledger
/// file (index into `ledger.files`) it was read from.
fn dedup(
    records: Vec<(usize, Box<SignInRecord>)>,
    warnings: Vec<Pending>,
    ledger: &mut Ledger,
) -> Vec<(usize, Box<SignInRecord>)> {
    use std::collections::hash_map::Entry;
    // Fx hashing: one lookup per record of every batch of a streamed replay.
    let mut winner: rustc_hash::FxHashMap<(EventType, bool, &str), usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(records.len(), Default::default());
    let mut drop = vec![false; records.len()];
    for (i, (_, r)) in records.iter().enumerate() {
        let key = (
            r.event_type,
            r.is_microsoft_first_party(),
            r.event_id.as_str(),
        );
        match winner.entry(key) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(mut e) => {
                let j = *e.get();
                let ti = r.record_time.or(r.created_at);
                let tj = records[j].1.record_time.or(records[j].1.created_at);
                if ti >= tj {
                    drop[j] = true;
                    e.insert(i);
                } else {
                    drop[i] = true;
                }
            }
        }
    }
    // Warnings count on loaded rows only: a dropped duplicate's are not counted.
    for w in warnings {
        if drop.get(w.at) == Some(&false) {
            if let Some(fl) = records
                .get(w.at)
                .and_then(|(f, _)| ledger.files.get_mut(*f))
            {
                for u in &w.unreadable {
                    fl.unreadable(u, w.line, w.index);
                }
            }
        }
    }
    drop_(records, drop, ledger)
}

/// The unreadable fields of the record at `at` in the batch being filled.
struct Pending {
    at: usize,
    line: Option<u64>,
    index: Option<u64>,
    unreadable: Vec<unreadable::FieldWarning>,
}

fn drop_(
    mut records: Vec<(usize, Box<SignInRecord>)>,
    drop: Vec<bool>,
    ledger: &mut Ledger,
) -> Vec<(usize, Box<SignInRecord>)> {
    // In place (order kept): a streamed batch is not copied into a fresh vector.
    let mut drop = drop.into_iter();
    records.retain(|(file, _)| {
        let d = drop.next().unwrap_or(false);
        if d {
            if let Some(fl) = ledger.files.get_mut(*file) {
                fl.duplicate();
            }
        }
        !d
    });
    records
}

#[cfg(test)]
mod tests {
    use super::{schema, skipped_columns, Projection, REPLAY_SKIPS, SKIPPABLE_COLUMNS};

    /// The Parquet reader's skip table names exactly the fields a replay skips, and only
    /// canonical columns: a field added to `REPLAY_SKIPS` without its columns would still
    /// be decoded from Parquet.
    #[test]
    fn parquet_skips_follow_the_replay_projection() {
        let fields: Vec<_> = SKIPPABLE_COLUMNS.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, REPLAY_SKIPS);
        let cols = skipped_columns(Projection::without(REPLAY_SKIPS));
        assert!(cols.iter().all(|c| schema::COLUMNS.contains(c)), "{cols:?}");
        assert!(skipped_columns(Projection::ALL).is_empty());
    }
}
