//! Performance measurement (issue "Performance"; `careplay bench`, benches/run.sh).
//!
//! Every figure is measured in this process, phase after phase, on the caller's data:
//! load only (streaming loader, records discarded), full streaming replay (load + baseline
//! and candidate evaluation + report), the same replay on 1 and on 2 rayon threads, and
//! pure evaluation throughput from canonical Parquet (raw engine vs once per distinct
//! evaluation key). Peak RSS is reset between phases (`rss::reset_peak`). Nothing here
//! asserts an absolute target: the binary prints figures and ratios, tests compare ratios.

pub mod eval;
pub mod floor;
pub mod render;
pub mod rss;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::replay::stream::{run_replay_streaming, StreamConfig, StreamOutcome, StreamReplayError};
use crate::replay::{ChangeSpec, Dedup, Overrides, ReplayPlan};
use crate::signin::{self, LoadOptions};

pub use eval::{EvalFigures, ParquetFigures};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Tenant folder (policies, locations, strengths, directory).
    pub tenant_dir: PathBuf,
    /// Sign-in exports to replay (replaces TENANT_DIR/signins).
    pub logs: Vec<PathBuf>,
    /// Candidate changes (`careplay replay --promote`).
    pub promote: Vec<String>,
    /// Threads of the main runs (rayon pool size; the loader runs on one more thread).
    pub threads: usize,
    pub stream: StreamConfig,
    /// Measure the replay on 1 thread too and print the 1 -> `threads` ratio.
    pub scaling: bool,
    /// Canonical Parquet phase: at most this many records (0 = skip the phase).
    pub parquet_records: usize,
    /// Where the canonical Parquet file is written (a temporary file if `None`).
    pub parquet_path: Option<PathBuf>,
    /// Raw-engine throughput is measured on at most this many events.
    pub raw_engine_events: usize,
}

impl BenchConfig {
    pub fn new(tenant_dir: PathBuf, logs: Vec<PathBuf>) -> BenchConfig {
        BenchConfig {
            tenant_dir,
            logs,
            promote: vec!["all-report-only".to_string()],
            threads: 2,
            stream: StreamConfig::default(),
            scaling: true,
            parquet_records: 200_000,
            parquet_path: None,
            raw_engine_events: 100_000,
        }
    }
}

/// Errors of a bench run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Replay(#[from] StreamReplayError),
    #[error("{0}")]
    Load(#[from] signin::LoadError),
    #[error("cannot start a rayon pool of {threads} thread(s): {message}")]
    Pool { threads: usize, message: String },
    #[error("{path}: cannot write canonical Parquet: {message}")]
    Parquet { path: String, message: String },
    #[error("{0}")]
    Tenant(#[from] crate::replay::ReplayError),
    #[error("{path}: cannot read for the syntax-check figure: {message}")]
    Floor { path: String, message: String },
}

/// One timed phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    pub wall: Duration,
    /// CPU time of the whole process during the phase (all threads), when readable.
    pub cpu_secs: Option<f64>,
    /// Peak RSS of the phase in KiB (`None` when /proc is not readable).
    pub peak_rss_kib: Option<u64>,
}

impl Phase {
    pub fn secs(&self) -> f64 {
        self.wall.as_secs_f64()
    }
    /// CPU seconds per wall second: how many cores the phase kept busy.
    pub fn parallelism(&self) -> Option<f64> {
        self.cpu_secs.map(|c| c / self.secs().max(1e-9))
    }
}

/// Time `f`, resetting the peak RSS first.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Phase) {
    let reset = rss::reset_peak();
    let cpu0 = rss::cpu_seconds();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    let cpu_secs = cpu0.zip(rss::cpu_seconds()).map(|(a, b)| b - a);
    let peak_rss_kib = if reset { rss::peak_rss_kib() } else { None };
    (
        out,
        Phase {
            wall,
            cpu_secs,
            peak_rss_kib,
        },
    )
}

/// All figures of one `careplay bench` run.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub logs: Vec<String>,
    pub input_bytes: u64,
    pub threads: usize,
    pub batch_rows: usize,
    pub records: u64,
    pub load: Phase,
    /// The JSON syntax check alone ([`floor::syntax_floor`]): a reference, not careplay.
    pub syntax_floor: Option<(floor::Floor, Phase)>,
    pub replay: Phase,
    pub replay_events: u64,
    /// Keys evaluated by the streaming replay (shared key cache).
    pub replay_evaluations: u64,
    pub policies_baseline: usize,
    pub policies_candidate: usize,
    /// The same replay on 1 thread (when `scaling`).
    pub replay_1_thread: Option<Phase>,
    pub parquet: Option<ParquetFigures>,
    pub peak_reset_supported: bool,
}

impl BenchReport {
    pub fn events_per_sec(&self) -> f64 {
        self.replay_events as f64 / self.replay.secs().max(1e-9)
    }
    /// Events per CPU-second of the replay (robust to other load on the machine).
    pub fn events_per_cpu_sec(&self) -> Option<f64> {
        self.replay
            .cpu_secs
            .map(|c| self.replay_events as f64 / c.max(1e-9))
    }
    pub fn load_records_per_sec(&self) -> f64 {
        self.records as f64 / self.load.secs().max(1e-9)
    }
    /// Events per key evaluated in the streaming replay.
    pub fn replay_dedup_ratio(&self) -> f64 {
        self.replay_events as f64 / (self.replay_evaluations.max(1)) as f64
    }
    /// Wall time on 1 thread / wall time on `threads` threads.
    pub fn thread_speedup(&self) -> Option<f64> {
        self.replay_1_thread
            .map(|one| one.secs() / self.replay.secs().max(1e-9))
    }
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, BenchError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| BenchError::Pool {
            threads,
            message: e.to_string(),
        })
}

fn plan(cfg: &BenchConfig, dedup: Dedup) -> ReplayPlan {
    ReplayPlan {
        tenant_dir: Some(cfg.tenant_dir.clone()),
        overrides: Overrides {
            logs: cfg.logs.clone(),
            ..Overrides::default()
        },
        changes: ChangeSpec {
            promote: cfg.promote.clone(),
            ..ChangeSpec::default()
        },
        dedup,
        progress: false,
        keep_rows: false,
        event_sample: 0,
        assume: Default::default(),
        filter: Default::default(),
    }
}

/// Full streaming replay of `cfg` on a pool of `threads`.
pub fn replay_on(
    cfg: &BenchConfig,
    threads: usize,
    dedup: Dedup,
) -> Result<(StreamOutcome, Phase), BenchError> {
    let p = pool(threads)?;
    let plan = plan(cfg, dedup);
    let (res, phase) = timed(|| p.install(|| run_replay_streaming(&plan, &cfg.stream)));
    Ok((res?, phase))
}

/// Load only: stream every record through the loader (on a pool of `cfg.threads`) and
/// drop it.
pub fn load_only(cfg: &BenchConfig) -> Result<(u64, Phase), BenchError> {
    // What the replay phases load (logged CA results skipped).
    let opts = LoadOptions::for_replay(None, false);
    let p = pool(cfg.threads)?;
    let mut n = 0u64;
    let (res, phase) = timed(|| {
        p.install(|| {
            signin::stream(&cfg.logs, &opts, cfg.stream.batch_rows, |batch| {
                n += batch.len() as u64;
                Ok::<(), std::convert::Infallible>(())
            })
        })
    });
    match res {
        Ok(_) => Ok((n, phase)),
        Err(signin::StreamError::Load(e)) => Err(e.into()),
        Err(signin::StreamError::Sink(never)) => match never {},
    }
}

/// Run every phase.
pub fn run(cfg: &BenchConfig) -> Result<BenchReport, BenchError> {
    let files = signin::source::expand(&cfg.logs)?.files;
    let input_bytes = files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let peak_reset_supported = rss::reset_peak();
    let (records, load) = load_only(cfg)?;
    let syntax_floor = floor::syntax_floor(&files, cfg.threads)?;
    let (outcome, replay) = replay_on(cfg, cfg.threads, cfg.stream.dedup)?;
    let replay_1_thread = if cfg.scaling && cfg.threads > 1 {
        Some(replay_on(cfg, 1, cfg.stream.dedup)?.1)
    } else {
        None
    };
    let parquet = if cfg.parquet_records > 0 {
        Some(eval::parquet_figures(cfg)?)
    } else {
        None
    };
    let (policies_baseline, policies_candidate) = eval::policy_counts(cfg)?;
    Ok(BenchReport {
        logs: cfg.logs.iter().map(|p| p.display().to_string()).collect(),
        input_bytes,
        threads: cfg.threads,
        batch_rows: cfg.stream.batch_rows,
        records,
        load,
        syntax_floor,
        replay,
        replay_events: outcome.stats.events,
        replay_evaluations: outcome.stats.evaluations,
        policies_baseline,
        policies_candidate,
        replay_1_thread,
        parquet,
        peak_reset_supported,
    })
}
