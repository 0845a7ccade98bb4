//! Streaming replay (bounded memory): the loader hands batches of canonical records to the
//! rayon pool, which evaluates them and folds the rows into per-thread [`Aggregator`]s
//! merged at the end. One batch exists at a time and neither records nor rows are kept:
//! memory grows with the distinct users/apps/keys of the report (and the capped key
//! cache), never with the number of events (design.md "Stream").
//!
//! All threads share one cache ([`KeyCache`]) from evaluation key ([`key`]: the log's
//! facts, before directory enrichment, with the IP replaced by its network class) to the
//! key-derived part of the report row
//! ([`Verdict`]), for the whole replay (`Replayer::replay_chunk` dedups per chunk and
//! builds every row from scratch, explanation included; the in-memory `run_replay` uses
//! this cache too, over its chunks of loaded records). An event whose
//! key is cached copies the verdict into a reused row and overwrites the fields that come
//! from the record itself. `Dedup::Off` is the slow twin: every event is evaluated and its
//! row built by [`Replayer::event_row`]; tests/bench_agreement.rs checks that both, and the
//! in-memory replay, give the same report.
//!
//! Duplicate sign-ins (same event type and id) are resolved by the loader per batch in
//! streaming mode (`signin::stream`), so duplicates farther apart than one batch are both
//! replayed; `signin::load` resolves them over the whole input.

use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::model::EventFacts;
use crate::report::{Aggregator, EventRow, Outcome, Report};
use crate::signin::{self, Ledger, LoadOptions, SignInRecord};

pub mod cache;
pub mod key;

pub use cache::{KeyCache, Verdict};
pub use key::NetworkClasses;

use super::run::{Dedup, ReplayStats, Replayer};
use super::{ReplayError, ReplayPlan};

/// Knobs of a streaming replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamConfig {
    /// Canonical records per batch handed from the loader to the evaluators.
    pub batch_rows: usize,
    pub dedup: Dedup,
    /// The shared key cache is emptied (shard by shard) past this many keys (bounds
    /// memory when keys hardly repeat; only costs re-evaluations).
    pub max_cached_keys: usize,
    /// Event rows each aggregate keeps for the report (`ReplayPlan::event_sample`).
    pub event_sample: usize,
}

impl Default for StreamConfig {
    fn default() -> StreamConfig {
        StreamConfig {
            batch_rows: 4096,
            dedup: Dedup::On,
            max_cached_keys: 1 << 18,
            event_sample: 0,
        }
    }
}

/// Errors of a streaming replay.
#[derive(Debug, thiserror::Error)]
pub enum StreamReplayError {
    #[error("{0}")]
    Replay(#[from] ReplayError),
}

impl From<signin::LoadError> for StreamReplayError {
    fn from(e: signin::LoadError) -> StreamReplayError {
        StreamReplayError::Replay(ReplayError::SignIn(e))
    }
}

/// What [`replay_stream`] folded.
pub struct Streamed {
    pub aggregate: Aggregator,
    pub ledger: Ledger,
    pub stats: ReplayStats,
    /// Events the filters left out (not in `aggregate`).
    pub left_out: super::ExcludedCounts,
    /// Batches received from the loader.
    pub batches: u64,
}

/// What [`run_replay_streaming`] returns: the report and the counters.
pub struct StreamOutcome {
    pub report: Report,
    pub stats: ReplayStats,
    pub batches: u64,
}

/// Stream `paths` through `replayer` on the current rayon pool; memory bounded by
/// `cfg.batch_rows` records (plus the loader's parse block), the key cache
/// (`cfg.max_cached_keys`) and the aggregates.
///
/// The loader frames the input on the calling thread and parses blocks of texts on the
/// pool (`signin` JSON reader); each batch it hands over is split over the pool, every
/// thread folding rows into its own aggregate; all threads share one [`KeyCache`], so each
/// distinct evaluation key is evaluated once per replay. One pool, no extra threads: a
/// 1-thread pool runs everything sequentially.
///
/// `networks` groups IPs into network classes for the evaluation key (build it from the
/// tenant's named locations, [`NetworkClasses::new`]); `NetworkClasses::default()` keys
/// on exact IPs.
pub fn replay_stream(
    replayer: &Replayer<'_>,
    networks: &NetworkClasses,
    paths: &[PathBuf],
    load: &LoadOptions,
    cfg: &StreamConfig,
    filter: &super::EventFilter,
) -> Result<Streamed, StreamReplayError> {
    let threads = rayon::current_num_threads().max(1);
    let cache = KeyCache::new(networks.clone(), cfg.max_cached_keys);
    let workers: Vec<Mutex<Worker>> = (0..threads)
        .map(|_| Mutex::new(Worker::new(replayer, &cache, cfg, filter)))
        .collect();
    let mut batches = 0u64;
    // With each record's file index, which the replay does not need: `signin::stream`
    // would copy every record into a new batch without it, on the thread that feeds the
    // pool.
    let res = signin::stream_with_origin(paths, load, cfg.batch_rows.max(1), |batch| {
        batches += 1;
        let per = batch.len().div_ceil(threads * 4).max(64);
        // Each chunk's records are moved to, and freed by, the worker that replays them:
        // dropping the whole batch on the loader's thread was ~6% of the CPU time, all of
        // it serial (the thread that feeds the pool).
        batch.into_par_iter().chunks(per).for_each(|c| {
            let i = rayon::current_thread_index().unwrap_or(0) % threads;
            // A worker's lock is only ever held by the thread it belongs to (nothing in
            // `Worker::batch` yields to rayon), so it never waits; a poisoned lock only
            // means another chunk panicked, and that panic propagates anyway.
            let mut w = workers[i].lock().unwrap_or_else(|p| p.into_inner());
            w.batch(c.iter().map(|(_, rec)| &**rec));
            drop(w);
            drop(c);
        });
        Ok::<(), std::convert::Infallible>(())
    });
    let ledger = match res {
        Ok(l) => l,
        Err(signin::StreamError::Load(e)) => return Err(e.into()),
        Err(signin::StreamError::Sink(never)) => match never {},
    };
    let partial = workers
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()).finish())
        .fold(Partial::default(), Partial::merge);
    Ok(Streamed {
        aggregate: partial.aggregate,
        ledger,
        stats: partial.stats,
        left_out: partial.left_out,
        batches,
    })
}

/// What one worker folded.
#[derive(Default)]
struct Partial {
    aggregate: Aggregator,
    stats: ReplayStats,
    /// Events the filters left out.
    left_out: super::ExcludedCounts,
}

impl Partial {
    fn merge(mut self, o: Partial) -> Partial {
        self.aggregate.merge(o.aggregate);
        self.left_out.merge(&o.left_out);
        self.stats = ReplayStats {
            events: self.stats.events + o.stats.events,
            evaluations: self.stats.evaluations + o.stats.evaluations,
        };
        self
    }
}

/// Per-thread state: its aggregate and its keyed replayer.
struct Worker<'r, 'a> {
    part: Partial,
    keyed: KeyedReplayer<'r, 'a>,
    filter: &'r super::EventFilter,
}

impl<'r, 'a> Worker<'r, 'a> {
    fn new(
        replayer: &'r Replayer<'a>,
        cache: &'r KeyCache,
        cfg: &StreamConfig,
        filter: &'r super::EventFilter,
    ) -> Worker<'r, 'a> {
        Worker {
            part: Partial {
                aggregate: Aggregator::with_event_sample(cfg.event_sample),
                stats: ReplayStats::default(),
                left_out: super::ExcludedCounts::default(),
            },
            keyed: KeyedReplayer::new(replayer, cache, cfg),
            filter,
        }
    }

    fn batch<'b>(&mut self, batch: impl IntoIterator<Item = &'b SignInRecord>) {
        let agg = &mut self.part.aggregate;
        let left_out = &mut self.part.left_out;
        let filter = self.filter;
        self.keyed.replay(batch, |row| match filter.check(row) {
            Ok(()) => agg.push(row),
            Err(why) => left_out.add(why),
        });
    }

    fn finish(mut self) -> Partial {
        self.part.stats = self.keyed.stats();
        self.part
    }
}

/// Sequential replay of record batches against a [`KeyCache`] (which may be shared with
/// other threads): evaluation key -> [`Verdict`]. Rows are lent to `each` one at a time
/// (one reusable buffer, no per-event row allocation on a cache hit); they are equal, field
/// for field, to [`Replayer::replay_chunk`]'s rows.
pub struct KeyedReplayer<'r, 'a> {
    replayer: &'r Replayer<'a>,
    cache: &'r KeyCache,
    dedup: Dedup,
    scratch: Option<EventRow>,
    /// The current event's log facts, then its key (`Dedup::On`): rewritten in place for
    /// each event (`signin::to_facts_into`), so a cache hit allocates nothing for its key.
    facts: EventFacts,
    /// This thread's copy of the network class representatives.
    reps: cache::Reps,
    stats: ReplayStats,
}

impl<'r, 'a> KeyedReplayer<'r, 'a> {
    pub fn new(
        replayer: &'r Replayer<'a>,
        cache: &'r KeyCache,
        cfg: &StreamConfig,
    ) -> KeyedReplayer<'r, 'a> {
        KeyedReplayer {
            replayer,
            cache,
            dedup: cfg.dedup,
            scratch: None,
            facts: EventFacts::default(),
            reps: cache::Reps::default(),
            stats: ReplayStats::default(),
        }
    }

    /// Events seen and keys this replayer evaluated.
    pub fn stats(&self) -> ReplayStats {
        self.stats
    }

    /// Replay `batch` in order, handing each event's row to `each`.
    pub fn replay<'b>(
        &mut self,
        batch: impl IntoIterator<Item = &'b SignInRecord>,
        mut each: impl FnMut(&EventRow),
    ) {
        let r = self.replayer;
        for rec in batch {
            self.stats.events += 1;
            match self.dedup {
                Dedup::Off => {
                    // The slow twin: fresh facts (`to_facts`), every event evaluated. The
                    // same facts as `Replayer::replay_chunk` (log row + directory +
                    // assumptions).
                    let facts = super::enrich(signin::to_facts(rec), r.directory, r.assume);
                    self.stats.evaluations += 1;
                    each(&evaluate_row(r, rec, &facts, false));
                }
                Dedup::On => {
                    // The key is the log's facts, *before* `enrich`: enrichment is a
                    // function of those facts alone (the user's risk, from `user_id`, the
                    // directory and the assumptions, fixed for the replay) and changes no
                    // field a key is told apart by, so keys before and after it match one
                    // for one, and an event whose key is cached skips the directory
                    // lookup (~2% of a replay's samples). A missing key is enriched before
                    // it is evaluated.
                    let key = &mut self.facts;
                    signin::to_facts_into(rec, key);
                    self.cache.key(key, &mut self.reps);
                    let key = &*key;
                    let mut evaluated = false;
                    let row = match &mut self.scratch {
                        Some(s) => s,
                        None => self.scratch.insert(blank_row()),
                    };
                    self.cache.get_or_eval(
                        key,
                        |k| {
                            evaluated = true;
                            // Copied only when enrichment adds a fact.
                            let risk = super::enrich::enriched_user_risk(k, r.directory, r.assume);
                            if risk == k.user_risk {
                                evaluate_row(r, rec, k, true)
                            } else {
                                let facts = EventFacts {
                                    user_risk: risk,
                                    ..k.clone()
                                };
                                evaluate_row(r, rec, &facts, true)
                            }
                        },
                        |v| v.write_to(row),
                    );
                    if evaluated {
                        self.stats.evaluations += 1;
                    }
                    fill_from_record(row, rec);
                    each(row);
                }
            }
        }
    }
}

/// A row whose every field is overwritten by `Verdict::write_to` + `fill_from_record`.
fn blank_row() -> EventRow {
    EventRow {
        request_id: String::new(),
        created_at: None,
        event_type: String::new(),
        user_id: None,
        user_principal_name: None,
        user_display_name: None,
        app_id: None,
        app_display_name: None,
        resource_id: None,
        resource_display_name: None,
        ip: None,
        country: None,
        location: String::new(),
        client_app_type: String::new(),
        device_id: None,
        device_os: None,
        device: crate::report::DeviceCols::default(),
        error_code: None,
        baseline_outcome: Outcome::Unknown,
        candidate_outcome: Outcome::Unknown,
        baseline_policies_applied: Vec::new(),
        candidate_policies_applied: Vec::new(),
        baseline_policy_ids_applied: Vec::new(),
        candidate_policy_ids_applied: Vec::new(),
        candidate_demand: String::new(),
        changed_by: Vec::new(),
        changed_by_ids: Vec::new(),
        explanation: String::new(),
        unknown_causes: Vec::new(),
    }
}

/// One event's row; `paired`: baseline and candidate share applicability
/// (`Replayer::evaluate`), else each set is evaluated alone (the slow twin).
fn evaluate_row(
    r: &Replayer<'_>,
    rec: &SignInRecord,
    facts: &EventFacts,
    paired: bool,
) -> EventRow {
    let (b, c) = if paired {
        r.evaluate(facts)
    } else {
        (r.baseline.evaluate(facts), r.candidate.evaluate(facts))
    };
    r.event_row(rec, facts, &b, &c)
}

/// Overwrite the row fields that come from the record rather than from its evaluation
/// key (the same fields and values as `Replayer::event_row`; the time is written by
/// `report::row::write_time`, whose twin, chrono's writer, `event_row` keeps, so the
/// streaming-vs-in-memory agreement tests compare both).
fn fill_from_record(row: &mut EventRow, rec: &SignInRecord) {
    row.request_id.clone_from(&rec.event_id);
    crate::report::row::set_time(&mut row.created_at, rec.created_at.as_ref());
    let et = rec.event_type.as_str();
    if row.event_type != et {
        et.clone_into(&mut row.event_type);
    }
    row.user_id.clone_from(&rec.user_id);
    row.user_principal_name.clone_from(&rec.user_upn);
    row.user_display_name.clone_from(&rec.user_display_name);
    row.app_id.clone_from(&rec.app_id);
    row.app_display_name.clone_from(&rec.app_display_name);
    row.resource_id.clone_from(&rec.resource_id);
    row.resource_display_name
        .clone_from(&rec.resource_display_name);
    row.ip.clone_from(&rec.ip);
    row.country.clone_from(&rec.country);
    // As `signin::facts` reads it: a blank id is no device.
    match rec.device_id.as_deref() {
        Some(d) if !d.trim().is_empty() => row.device_id.clone_from(&rec.device_id),
        _ => row.device_id = None,
    }
    row.device_os.clone_from(&rec.os_raw);
    row.error_code = rec.error_code;
}

/// `careplay replay` end to end in streaming mode: same inputs and report as
/// [`super::run_replay`] (without `keep_rows`), bounded memory.
pub fn run_replay_streaming(
    plan: &ReplayPlan,
    cfg: &StreamConfig,
) -> Result<StreamOutcome, StreamReplayError> {
    let prepared = super::Prepared::new(plan)?;
    let replayer = prepared.replayer(plan);
    let load = LoadOptions::for_replay(None, plan.progress);
    let cfg = StreamConfig {
        dedup: plan.dedup,
        event_sample: plan.event_sample,
        ..*cfg
    };
    let networks = prepared.tenant.network_classes();
    let streamed = replay_stream(
        &replayer,
        &networks,
        &prepared.paths.logs,
        &load,
        &cfg,
        &prepared.filter,
    )?;
    super::require_events(&streamed.ledger)?;
    super::require_kept(&prepared.filter, streamed.stats.events, &streamed.left_out)?;
    let meta = prepared.meta_filtered(plan, &streamed.ledger, &streamed.left_out);
    Ok(StreamOutcome {
        report: streamed.aggregate.finish(meta),
        stats: streamed.stats,
        batches: streamed.batches,
    })
}
