//! Every performance path of the replay agrees with the slowest one (issue "Performance"),
//! in one table (tests/common/twins.rs): the in-memory replay (1 and 2 threads, one key
//! cache; dedup off), the streaming replay (one batch, small batches, 1 thread, dedup off,
//! a tiny key cache) and the keyed replayer's rows give the report, and the per-event rows
//! where they have them, of every event loaded in full and evaluated alone (`replay_chunk`
//! without dedup) folded in one pass. Inputs: the seed tenant, the seed with an assumption,
//! the seed with directory user risk (enrichment happens after the key), and 3000 sign-ins
//! of the deterministic perf generator on the contoso tenant.

mod common;

use std::path::PathBuf;

use careplay::model::RiskLevel;
use careplay::replay::stream::{run_replay_streaming, KeyCache, KeyedReplayer, StreamConfig};
use careplay::replay::{self, Assumptions, ChangeSpec, Dedup, Overrides, Prepared};
use careplay::replay::{ReplayPlan, ReplayStats};
use careplay::report::{Aggregator, EventRow, Report};
use careplay::signin::{self, LoadOptions, Loaded};
use common::root;
use common::twins::{assert_agree, ensure, same, same_items, Twin};

/// A replay input, and what the reference's report must show for it to mean something.
struct Case {
    plan: ReplayPlan,
    exercises: Exercise,
    _dir: Option<tempfile::TempDir>,
}

type Exercise = fn(&Report) -> Result<(), String>;

/// One path's output: its report, its per-event rows (the streaming replay keeps none)
/// and its counts.
struct Replayed(Report, Option<Vec<EventRow>>, ReplayStats);

fn case(tenant: PathBuf, logs: PathBuf, user_risk: Option<RiskLevel>) -> ReplayPlan {
    ReplayPlan {
        tenant_dir: Some(tenant),
        overrides: Overrides {
            logs: vec![logs],
            ..Overrides::default()
        },
        changes: ChangeSpec {
            promote: vec!["all-report-only".to_string()],
            ..ChangeSpec::default()
        },
        dedup: Dedup::On,
        progress: false,
        keep_rows: true,
        event_sample: 0,
        assume: Assumptions { user_risk },
        filter: Default::default(),
    }
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    pool.build().expect("pool").install(f)
}

/// The tenant prepared and the logs loaded in full, as the library's slow twins need.
fn prepared(c: &Case) -> (Prepared, Loaded) {
    let prepared = Prepared::new(&c.plan).expect("tenant");
    let loaded = signin::load(&prepared.paths.logs, &LoadOptions::default()).expect("load");
    (prepared, loaded)
}

/// The reference: every event evaluated alone, folded in one pass.
fn per_event(c: &Case) -> Replayed {
    let (prepared, loaded) = prepared(c);
    let replayer = prepared.replayer(&c.plan);
    let (rows, stats) = replayer.replay_chunk(&loaded.records, Dedup::Off);
    folded(c, &prepared, &loaded, rows, stats)
}

/// Rows folded into a report in one pass.
fn folded(c: &Case, p: &Prepared, l: &Loaded, rows: Vec<EventRow>, s: ReplayStats) -> Replayed {
    let mut agg = Aggregator::new();
    rows.iter().for_each(|r| agg.push(r));
    Replayed(agg.finish(p.meta(&c.plan, &l.ledger)), Some(rows), s)
}

fn in_memory(dedup: Dedup, threads: usize) -> impl Fn(&Case) -> Replayed {
    move |c| {
        let plan = ReplayPlan {
            dedup,
            ..c.plan.clone()
        };
        let out = on_threads(threads, || replay::run_replay(&plan)).expect("replay");
        Replayed(out.report, Some(out.rows), out.stats)
    }
}

fn streaming(
    dedup: Dedup,
    batch_rows: usize,
    threads: usize,
    keys: usize,
) -> impl Fn(&Case) -> Replayed {
    move |c| {
        let plan = ReplayPlan {
            dedup,
            keep_rows: false,
            ..c.plan.clone()
        };
        let cfg = StreamConfig {
            batch_rows,
            max_cached_keys: keys,
            ..StreamConfig::default()
        };
        let out = on_threads(threads, || run_replay_streaming(&plan, &cfg)).expect("stream");
        Replayed(out.report, None, out.stats)
    }
}

/// The keyed replayer alone over chunks of 333 events sharing one cache.
fn keyed_rows(c: &Case) -> Replayed {
    let (prepared, loaded) = prepared(c);
    let replayer = prepared.replayer(&c.plan);
    let cache = KeyCache::new(prepared.tenant.network_classes(), 1 << 20);
    let mut keyed = KeyedReplayer::new(&replayer, &cache, &StreamConfig::default());
    let mut rows = Vec::new();
    for chunk in loaded.records.chunks(333) {
        keyed.replay(chunk, |row| rows.push(row.clone()));
    }
    let stats = keyed.stats();
    assert_eq!(stats.evaluations, cache.evaluations(), "keyed stats");
    assert!(
        cache.verdicts() as u64 <= stats.evaluations,
        "cached verdicts"
    );
    folded(c, &prepared, &loaded, rows, stats)
}

fn compare(Replayed(e, e_rows, e_stats): &Replayed, got: &Replayed) -> Result<(), String> {
    let Replayed(g, g_rows, g_stats) = got;
    same("event count", &e_stats.events, &g_stats.events)?;
    same("report", e, g)?;
    match (e_rows, g_rows) {
        (Some(e), Some(g)) => same_items("row", e, g),
        _ => Ok(()),
    }
}

fn every_event_evaluated(_: &Case, _: &Replayed, got: &Replayed) -> Result<(), String> {
    let (keys, events) = (got.2.evaluations, got.2.events);
    ensure(keys == events, format!("{keys} keys for {events} events"))
}

fn fewer_keys_than_events(_: &Case, _: &Replayed, got: &Replayed) -> Result<(), String> {
    let (keys, events) = (got.2.evaluations, got.2.events);
    ensure(keys < events, format!("{keys} keys for {events} events"))
}

/// The in-memory replay's one cache evaluates no more keys than a cache per chunk of 2048
/// events (its former scheme), and fewer over more than one chunk.
fn fewer_keys_than_a_cache_per_chunk(c: &Case, r: &Replayed, got: &Replayed) -> Result<(), String> {
    fewer_keys_than_events(c, r, got)?;
    let (prepared, loaded) = prepared(c);
    let replayer = prepared.replayer(&c.plan);
    let keys = |ch| replayer.replay_chunk(ch, Dedup::On).1.evaluations;
    let per_chunk: u64 = loaded.records.chunks(2048).map(keys).sum();
    let (one, events) = (got.2.evaluations, got.2.events);
    let msg = format!("{one} keys with one cache, {per_chunk} with one per chunk");
    ensure(one < per_chunk || one == per_chunk && events <= 2048, msg)
}

/// A cache emptied every 70 keys re-evaluates more (when there are more keys than that).
fn re_evaluates_more(c: &Case, _: &Replayed, got: &Replayed) -> Result<(), String> {
    let (roomy, tiny) = (
        streaming(Dedup::On, 1000, 2, ROOMY)(c).2.evaluations,
        got.2.evaluations,
    );
    let msg = format!("{tiny} evaluations with 70 cached keys, {roomy} with room");
    ensure(tiny > roomy || roomy <= 70 && tiny == roomy, msg)
}

fn moves(r: &Report) -> Result<(), String> {
    let moved = r.totals.moved.events;
    ensure(moved > 0, "no event moves: empty reports would agree")
}

fn notes_the_assumption(r: &Report) -> Result<(), String> {
    let noted = r.notes.iter().any(|n| n.contains("assumed"));
    ensure(noted, format!("{:?}", r.notes))
}

fn blocks_risky_users(r: &Report) -> Result<(), String> {
    let p = r
        .by_policy
        .iter()
        .find(|p| p.name == "Block high user risk");
    let blocked = p.map_or(0, |p| p.newly_blocked);
    ensure(blocked > 0, "the user-risk policy blocks nobody")
}

fn all_3000_generated_events(r: &Report) -> Result<(), String> {
    let (events, dups) = (r.totals.all.events, r.input.duplicates_dropped);
    moves(r)?;
    ensure(
        (events, dups) == (3000, 0),
        format!("{events} events, {dups} dups"),
    )
}

fn seed() -> PathBuf {
    root().join("datasets/seed-registration")
}

fn input(name: &str, plan: ReplayPlan, exercises: Exercise) -> (String, Case) {
    let _dir = None;
    (
        name.to_string(),
        Case {
            plan,
            exercises,
            _dir,
        },
    )
}

fn inputs() -> Vec<(String, Case)> {
    let (dir, risky) = seed_with_user_risk();
    let (logs, high) = (seed().join("signins"), Some(RiskLevel::High));
    let contoso = case(
        root().join("datasets/contoso"),
        common::perf_file(3000),
        None,
    );
    let mut risky = input(
        "the seed, directory user risk",
        case(risky, logs.clone(), None),
        blocks_risky_users,
    );
    risky.1._dir = Some(dir);
    vec![
        input("the seed", case(seed(), logs.clone(), None), moves),
        input(
            "the seed, --assume-user-risk high",
            case(seed(), logs, high),
            notes_the_assumption,
        ),
        risky,
        input(
            "3000 generated sign-ins on contoso",
            contoso,
            all_3000_generated_events,
        ),
    ]
}

const ROOMY: usize = 1 << 20;

#[test]
fn every_replay_path_agrees_with_per_event_evaluation_on_every_input() {
    let reference = Twin::new("full load, every event alone", per_event).also(|c, r, _| {
        every_event_evaluated(c, r, r)?;
        (c.exercises)(&r.0)
    });
    let (on, off) = (Dedup::On, Dedup::Off);
    let twins = [
        Twin::new("in-memory, 1 thread", in_memory(on, 1)).also(fewer_keys_than_a_cache_per_chunk),
        Twin::new("in-memory, 2 threads", in_memory(on, 2)).also(fewer_keys_than_events),
        Twin::new("in-memory, dedup off", in_memory(off, 2)).also(every_event_evaluated),
        Twin::new("streaming", streaming(on, ROOMY, 2, ROOMY)).also(fewer_keys_than_events),
        Twin::new("streaming, 97 rows", streaming(on, 97, 2, ROOMY)),
        Twin::new("streaming, 1024 rows", streaming(on, 1024, 2, ROOMY)),
        Twin::new("streaming, 64 rows, 1 thread", streaming(on, 64, 1, ROOMY)),
        Twin::new("streaming, dedup off", streaming(off, 64, 2, ROOMY)).also(every_event_evaluated),
        Twin::new("streaming, 70-key cache", streaming(on, 1000, 2, 70)).also(re_evaluates_more),
        Twin::new("keyed replayer, 333 rows", keyed_rows).also(fewer_keys_than_events),
    ];
    assert_agree(&inputs(), &reference, &twins, compare);
}

#[test]
fn the_harness_reports_a_twin_that_disagrees() {
    let plan = case(seed(), seed().join("signins"), None);
    let inputs = [(
        "the seed".to_string(),
        Case {
            plan,
            exercises: moves,
            _dir: None,
        },
    )];
    let drops_a_row = Twin::new("drops a row", |c: &Case| {
        let mut r = in_memory(Dedup::On, 2)(c);
        r.1.as_mut().expect("rows").pop();
        r
    });
    let reference = Twin::new("per event", per_event);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_agree(&inputs, &reference, &[drops_a_row], compare)
    }));
    let msg = caught.expect_err("the harness missed a dropped row");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("`drops a row` on the seed: "), "{msg}");
}

/// The seed tenant with half its directory users at high user risk and a report-only
/// policy that blocks high user risk: the outcome of those users' sign-ins depends on
/// directory enrichment, which the keyed replay does only for keys it has not cached (its
/// keys are the log's facts before enrichment).
fn seed_with_user_risk() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = dir.path().join("tenant");
    std::fs::create_dir_all(t.join("policies")).expect("mkdir");
    let locations = "namedLocations.json";
    std::fs::copy(seed().join(locations), t.join(locations)).expect("copy");
    for e in std::fs::read_dir(seed().join("policies")).expect("policies") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, t.join("policies").join(p.file_name().unwrap())).expect("copy");
    }
    let read = |rel: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(seed().join(rel)).expect(rel)).expect(rel)
    };
    let mut d = read("directory.json");
    for (i, u) in d["users"].as_array_mut().unwrap().iter_mut().enumerate() {
        u["riskLevel"] = serde_json::json!(if i % 2 == 0 { "high" } else { "none" });
    }
    std::fs::write(t.join("directory.json"), d.to_string()).unwrap();
    let mut policy = read("policies/01-block-legacy-authentication.json");
    policy["id"] = serde_json::json!("7a3e0c11-0000-4000-8000-0000000000f9");
    policy["displayName"] = serde_json::json!("Block high user risk");
    policy["state"] = serde_json::json!("enabledForReportingButNotEnforced");
    policy["conditions"]["userRiskLevels"] = serde_json::json!(["high"]);
    policy["conditions"]["clientAppTypes"] = serde_json::json!(["all"]);
    let path = t.join("policies/90-block-high-user-risk.json");
    std::fs::write(path, policy.to_string()).unwrap();
    (dir, t)
}
