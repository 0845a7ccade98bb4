//! `careplay bench TENANT_DIR --logs FILE`: performance figures of a streaming replay
//! (load-only and full replay wall time, events/s, peak RSS per phase, dedup ratio, thread
//! scaling, evaluation throughput from canonical Parquet). benches/run.sh drives it and
//! compares with DuckDB on the same file.

use std::io::Write;
use std::path::PathBuf;

use careplay::bench::{self, BenchConfig};
use careplay::replay::Dedup;

use super::replay::expand;
use super::{CmdResult, EXIT_OK};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example: careplay bench datasets/contoso --logs /tmp/perf-200k.ndjson\n\
Generate a large input with: python3 datasets/generate.py perf --records 200000 --out FILE"
)]
pub struct Args {
    /// Tenant folder (policies/, namedLocations.json, authenticationStrengths.json,
    /// directory.json).
    pub tenant_dir: PathBuf,
    /// Sign-in exports to replay (files, folders or globs). Repeatable.
    #[arg(long = "logs", value_name = "PATH", required = true)]
    pub logs: Vec<PathBuf>,
    /// Candidate change, as `careplay replay --promote`. Repeatable.
    #[arg(
        long,
        value_name = "ID|NAME|all-report-only",
        default_value = "all-report-only"
    )]
    pub promote: Vec<String>,
    /// Rayon threads of the main runs.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Records per streamed batch.
    #[arg(long, default_value_t = 4096)]
    pub batch_rows: usize,
    /// Records converted to canonical Parquet for the evaluation-throughput phase
    /// (0 skips the phase).
    #[arg(long, default_value_t = 200_000)]
    pub parquet_records: usize,
    /// Where to write the canonical Parquet file (default: a temporary directory).
    #[arg(long, value_name = "FILE")]
    pub parquet_out: Option<PathBuf>,
    /// Events evaluated one by one for the raw-engine figure (enough for half a second of
    /// CPU time: the CPU clock ticks in 10 ms steps).
    #[arg(long, default_value_t = 100_000)]
    pub raw_events: usize,
    /// Skip the 1-thread replay (no scaling ratio).
    #[arg(long)]
    pub no_scaling: bool,
    /// Evaluate every event (the slow twin of per-key dedup).
    #[arg(long)]
    pub no_dedup: bool,
    /// Print `key=value` lines after the table (for scripts).
    #[arg(long)]
    pub kv: bool,
}

pub fn run(args: &Args, out: &mut dyn Write) -> CmdResult {
    let mut cfg = BenchConfig::new(args.tenant_dir.clone(), expand(&args.logs));
    cfg.promote = args.promote.clone();
    cfg.threads = args.threads.max(1);
    cfg.stream.batch_rows = args.batch_rows.max(1);
    cfg.stream.dedup = if args.no_dedup { Dedup::Off } else { Dedup::On };
    cfg.scaling = !args.no_scaling;
    cfg.parquet_records = args.parquet_records;
    cfg.parquet_path = args.parquet_out.clone();
    cfg.raw_engine_events = args.raw_events.max(1);
    let report = bench::run(&cfg)?;
    bench::render::text(&report, out)?;
    if args.kv {
        writeln!(out)?;
        bench::render::kv(&report, out)?;
    }
    Ok(EXIT_OK)
}
