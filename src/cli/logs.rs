//! `careplay logs inspect|convert`: what the loader sees in sign-in exports, and the
//! canonical form (Parquet / NDJSON) for notebooks and faster re-runs.

use careplay::signin::{self, schema, FileLedger, Format, LoadOptions, SignInRecord};
use std::io::Write;
use std::path::PathBuf;

mod anonymize;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Per file: format detected, rows read/loaded/rejected (by reason, with examples),
    /// duplicates, time span, and the null rate of every canonical column.
    Inspect(InspectArgs),
    /// Write the canonical rows of all inputs to one Parquet or NDJSON file.
    Convert(ConvertArgs),
    /// Canonical rows with consistent pseudonyms for users, devices, sessions and IPs
    /// (and the tenant's directory and policies rewritten to match), keeping every fact
    /// the evaluator reads.
    Anonymize(Box<anonymize::AnonymizeArgs>),
}

#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// Files, folders (read recursively) or glob patterns. Gzip is detected by content.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Force the input format instead of detecting it from content.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Parquet,
    Ndjson,
}

#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// Files, folders (read recursively) or glob patterns.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "parquet")]
    pub to: OutFormat,
    /// Output file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Force the input format instead of detecting it from content.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Rows per batch. Duplicates (same event type and id) are resolved within a batch;
    /// use a batch larger than the input for exact de-duplication.
    #[arg(long, default_value_t = 500_000)]
    pub batch_rows: usize,
    /// Rows per Parquet row group (the columns of a batch are built one row group at a
    /// time, so memory follows this, not `--batch-rows`).
    #[arg(long, default_value_t = 65_536, value_parser = clap::value_parser!(u64).range(1..))]
    pub row_group_rows: u64,
}

pub fn run(args: &Args, quiet: bool, out: &mut dyn Write) -> super::CmdResult {
    match &args.action {
        Action::Inspect(a) => inspect(a, quiet, out),
        Action::Convert(a) => convert(a, quiet, out),
        Action::Anonymize(a) => anonymize::run(a, quiet, out),
    }
}

fn inspect(a: &InspectArgs, quiet: bool, out: &mut dyn Write) -> super::CmdResult {
    let opts = LoadOptions {
        format: a.format,
        progress: !quiet,
        ..LoadOptions::default()
    };
    let loaded = signin::load(&a.paths, &opts)?;
    let mut per_file: Vec<Vec<&SignInRecord>> = vec![Vec::new(); loaded.ledger.files.len()];
    for (r, f) in loaded.records.iter().zip(&loaded.file_of) {
        if let Some(v) = per_file.get_mut(*f) {
            v.push(r);
        }
    }
    for (fl, rows) in loaded.ledger.files.iter().zip(&per_file) {
        write_file(out, fl, rows)?;
    }
    let l = &loaded.ledger;
    warn_skipped(out, l)?;
    writeln!(
        out,
        "total: {} file(s), rows read {}, loaded {}, rejected {}, duplicates dropped {}{}{}",
        l.files.len(),
        l.rows_read(),
        l.rows_loaded(),
        l.rows_rejected(),
        l.duplicates(),
        unreadable_total(l),
        skipped_total(l),
    )?;
    Ok(super::EXIT_OK)
}

/// `; N unreadable field(s) on loaded rows` when there are some.
fn unreadable_total(l: &signin::Ledger) -> String {
    let n: u64 = l.unreadable_by_reason().iter().map(|(_, n)| n).sum();
    if n == 0 {
        String::new()
    } else {
        format!("; {n} unreadable field(s) on loaded rows (facts Unknown)")
    }
}

/// `; N input(s) skipped` when there are some.
fn skipped_total(l: &signin::Ledger) -> String {
    if l.skipped.is_empty() {
        String::new()
    } else {
        format!("; {} input(s) skipped (not regular files)", l.skipped.len())
    }
}

/// Inputs never opened: on the output and on stderr (a warning a pipeline must not miss).
fn warn_skipped(out: &mut dyn Write, l: &signin::Ledger) -> std::io::Result<()> {
    for s in &l.skipped {
        writeln!(out, "warning: {s}")?;
        eprintln!("careplay: warning: {s}");
    }
    Ok(())
}

fn write_file(out: &mut dyn Write, fl: &FileLedger, rows: &[&SignInRecord]) -> std::io::Result<()> {
    writeln!(out, "{}", fl.path)?;
    writeln!(
        out,
        "  format: {}{}",
        fl.format,
        if fl.compressed { " (gzip)" } else { "" }
    )?;
    writeln!(
        out,
        "  rows: read {}, loaded {}, rejected {}, duplicates {}",
        fl.rows_read, fl.rows_loaded, fl.rows_rejected, fl.duplicates
    )?;
    for (kind, stats) in &fl.rejected {
        writeln!(out, "  rejected ({kind}): {}", stats.count)?;
        for e in &stats.examples {
            writeln!(out, "    e.g. {e}")?;
        }
    }
    for (field, stats) in &fl.unreadable {
        writeln!(
            out,
            "  warning ({field}): {} loaded row(s), that fact Unknown",
            stats.count
        )?;
        for e in &stats.examples {
            writeln!(out, "    e.g. {e}")?;
        }
    }
    for w in &fl.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    match (fl.first_event, fl.last_event) {
        (Some(a), Some(b)) => writeln!(
            out,
            "  time span: {} .. {}",
            a.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            b.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )?,
        _ => writeln!(out, "  time span: unknown (no event times)")?,
    }
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "  null rate per canonical column ({} rows):",
        rows.len()
    )?;
    let n = rows.len() as f64;
    let mut nulls = vec![0u64; schema::COLUMNS.len()];
    for r in rows {
        let obj = schema::to_json(r);
        for (i, col) in schema::COLUMNS.iter().enumerate() {
            if obj.get(*col).is_none_or(|v| v.is_null()) {
                nulls[i] += 1;
            }
        }
    }
    for (col, k) in schema::COLUMNS.iter().zip(nulls) {
        writeln!(out, "    {col:<26} {:>6.1}%", 100.0 * k as f64 / n)?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error("{path}: {message}")]
    Write { path: String, message: String },
}

fn convert(a: &ConvertArgs, quiet: bool, out: &mut dyn Write) -> super::CmdResult {
    // Checked and created before any input is read: `logs convert X -o X` used to empty X
    // first and then report "wrote 0 rows".
    let target = super::output::OutputFile::prepare(&a.output, &a.paths)?;
    let canonical = Canonical {
        paths: &a.paths,
        format: a.format,
        to: a.to,
        batch_rows: a.batch_rows,
        row_group_rows: a.row_group_rows,
        quiet,
    };
    let (written, ledger) = canonical.write(&target, &a.output, &mut |_| {})?;
    target.commit()?;
    summary(out, written, &a.output, &ledger)?;
    Ok(super::EXIT_OK)
}

/// What `logs convert` and `logs anonymize` read and how they write it: the one writer of
/// canonical rows.
struct Canonical<'a> {
    paths: &'a [PathBuf],
    format: Option<Format>,
    to: OutFormat,
    batch_rows: usize,
    row_group_rows: u64,
    quiet: bool,
}

impl Canonical<'_> {
    /// Stream every input row through `edit` into `target` (not committed). Returns the
    /// rows written and the loader's ledger.
    fn write(
        &self,
        target: &super::output::OutputFile,
        output: &std::path::Path,
        edit: &mut dyn FnMut(&mut SignInRecord),
    ) -> Result<(u64, signin::Ledger), Box<dyn std::error::Error>> {
        use polars::prelude::ParquetWriter;
        let opts = LoadOptions {
            format: self.format,
            progress: !self.quiet,
            ..LoadOptions::default()
        };
        let path = output.display().to_string();
        let werr = |e: &dyn std::fmt::Display| WriteError::Write {
            path: path.clone(),
            message: e.to_string(),
        };
        let file = target.file()?;
        let mut written: u64 = 0;
        let ledger = match self.to {
            OutFormat::Parquet => {
                let mut writer = ParquetWriter::new(file)
                    .batched(&schema::polars_schema())
                    .map_err(|e| werr(&e))?;
                let ledger = signin::stream(self.paths, &opts, self.batch_rows, |mut batch| {
                    batch.iter_mut().for_each(&mut *edit);
                    // A batch is as large as de-duplication needs; its columns are built
                    // and written a row group at a time, so the columnar copy of a
                    // 500,000-row batch is never held whole (that copy more than doubled
                    // the peak).
                    for group in batch.chunks(self.row_group_rows as usize) {
                        let df = schema::to_dataframe(group).map_err(|e| werr(&e))?;
                        writer.write_batch(&df).map_err(|e| werr(&e))?;
                    }
                    written += batch.len() as u64;
                    Ok::<(), WriteError>(())
                })?;
                writer.finish().map_err(|e| werr(&e))?;
                ledger
            }
            OutFormat::Ndjson => {
                let mut w = std::io::BufWriter::new(file);
                let ledger = signin::stream(self.paths, &opts, self.batch_rows, |mut batch| {
                    for r in &mut batch {
                        edit(r);
                        serde_json::to_writer(&mut w, &schema::to_json(r)).map_err(|e| werr(&e))?;
                        w.write_all(b"\n").map_err(|e| werr(&e))?;
                    }
                    written += batch.len() as u64;
                    Ok::<(), WriteError>(())
                })?;
                w.flush().map_err(|e| werr(&e))?;
                ledger
            }
        };
        Ok((written, ledger))
    }
}

/// The line after a conversion, and what the loader rejected or could not read.
fn summary(
    out: &mut dyn Write,
    written: u64,
    output: &std::path::Path,
    ledger: &signin::Ledger,
) -> std::io::Result<()> {
    let path = output.display();
    writeln!(
        out,
        "wrote {written} canonical row(s) to {path}; read {}, rejected {}, duplicates dropped {}{}{}",
        ledger.rows_read(),
        ledger.rows_rejected(),
        ledger.duplicates(),
        unreadable_total(ledger),
        skipped_total(ledger),
    )?;
    for fl in &ledger.files {
        for (kind, stats) in &fl.rejected {
            writeln!(out, "  {}: rejected ({kind}): {}", fl.path, stats.count)?;
            for e in &stats.examples {
                writeln!(out, "    e.g. {e}")?;
            }
        }
        for (field, stats) in &fl.unreadable {
            writeln!(out, "  {}: warning ({field}): {}", fl.path, stats.count)?;
            for e in &stats.examples {
                writeln!(out, "    e.g. {e}")?;
            }
        }
    }
    warn_skipped(out, ledger)
}
