//! Every performance path of the replay agrees with the slowest one (issue "Performance"),
//! through one table (tests/common/twins.rs): the in-memory replay on 1 and 2 threads with
//! its one key cache, with dedup off; the streaming replay in one batch and in small
//! batches, on 1 and 2 threads, with a tiny key cache and with dedup off; the keyed
//! replayer's rows. Each gives the report (and, where it has them, the per-event rows) of
//! the reference: every event loaded in full and evaluated alone (`replay_chunk`, dedup
//! off), folded in one pass. Inputs: the seed tenant, the seed with an assumption, the seed
//! with directory user risk (enrichment happens after the key), and a 3000-record file of
//! the deterministic perf generator on the contoso tenant.

mod common;

use std::path::PathBuf;

use careplay::replay::stream::{run_replay_streaming, KeyCache, KeyedReplayer, StreamConfig};
use careplay::replay::{self, Assumptions, ChangeSpec, Dedup, Overrides, Prepared, ReplayPlan};
use careplay::report::{Aggregator, EventRow, Report};
use careplay::signin::{self, LoadOptions};
use common::root;
use common::twins::{assert_agree, same, same_items, Twin};

/// One replay input: a tenant, its logs, an assumption, and what the reference's report
/// must show for the input to exercise what it is here for.
struct Case {
    tenant: PathBuf,
    logs: Vec<PathBuf>,
    assume: Assumptions,
    exercises: fn(&Report) -> Result<(), String>,
    _dir: Option<tempfile::TempDir>,
}

/// What one implementation gives; `None` where it has no such output (the streaming
/// replay keeps no rows, the keyed replayer builds no report).
struct Replayed {
    report: Option<Report>,
    rows: Option<Vec<EventRow>>,
    events: u64,
    evaluations: u64,
}

fn plan(c: &Case, dedup: Dedup, keep_rows: bool) -> ReplayPlan {
    ReplayPlan {
        tenant_dir: Some(c.tenant.clone()),
        overrides: Overrides {
            logs: c.logs.clone(),
            ..Overrides::default()
        },
        changes: ChangeSpec {
            promote: vec!["all-report-only".to_string()],
            ..ChangeSpec::default()
        },
        dedup,
        progress: false,
        keep_rows,
        assume: c.assume,
    }
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
        .install(f)
}

/// The reference: the full load (nothing projected away), every event evaluated alone
/// (`replay_chunk` without dedup, one chunk), rows folded in one pass.
fn per_event(c: &Case) -> Replayed {
    let p = plan(c, Dedup::Off, true);
    let prepared = Prepared::new(&p).expect("tenant");
    let loaded = signin::load(&prepared.paths.logs, &LoadOptions::default()).expect("load");
    let (rows, stats) = prepared
        .replayer(&p)
        .replay_chunk(&loaded.records, Dedup::Off);
    let mut agg = Aggregator::new();
    rows.iter().for_each(|r| agg.push(r));
    Replayed {
        report: Some(agg.finish(prepared.meta(&p, &loaded.ledger))),
        rows: Some(rows),
        events: stats.events,
        evaluations: stats.evaluations,
    }
}

fn in_memory(c: &Case, dedup: Dedup, threads: usize) -> Replayed {
    let out = on_threads(threads, || replay::run_replay(&plan(c, dedup, true))).expect("replay");
    Replayed {
        report: Some(out.report),
        rows: Some(out.rows),
        events: out.stats.events,
        evaluations: out.stats.evaluations,
    }
}

fn streaming(c: &Case, dedup: Dedup, batch_rows: usize, threads: usize, keys: usize) -> Replayed {
    let cfg = StreamConfig {
        batch_rows,
        max_cached_keys: keys,
        ..StreamConfig::default()
    };
    let out = on_threads(threads, || {
        run_replay_streaming(&plan(c, dedup, false), &cfg)
    })
    .expect("streaming replay");
    Replayed {
        report: Some(out.report),
        rows: None,
        events: out.stats.events,
        evaluations: out.stats.evaluations,
    }
}

/// The keyed replayer alone over chunks of 333 events sharing one cache: rows only.
fn keyed_rows(c: &Case) -> Replayed {
    let p = plan(c, Dedup::On, true);
    let prepared = Prepared::new(&p).expect("tenant");
    let loaded = signin::load(&prepared.paths.logs, &LoadOptions::default()).expect("load");
    let replayer = prepared.replayer(&p);
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
    Replayed {
        report: None,
        rows: Some(rows),
        events: stats.events,
        evaluations: stats.evaluations,
    }
}

/// Distinct keys evaluated by `replay_chunk` with a cache per chunk of 2048 events, the
/// in-memory replay's former scheme (its one cache must not evaluate more).
fn per_chunk_keys(c: &Case) -> u64 {
    let p = plan(c, Dedup::On, false);
    let prepared = Prepared::new(&p).expect("tenant");
    let loaded = signin::load(&prepared.paths.logs, &LoadOptions::default()).expect("load");
    let replayer = prepared.replayer(&p);
    loaded
        .records
        .chunks(2048)
        .map(|chunk| replayer.replay_chunk(chunk, Dedup::On).1.evaluations)
        .sum()
}

fn compare(expected: &Replayed, got: &Replayed) -> Result<(), String> {
    same("event count", &expected.events, &got.events)?;
    let mut compared = false;
    if let (Some(e), Some(g)) = (&expected.report, &got.report) {
        same("report", e, g)?;
        compared = true;
    }
    if let (Some(e), Some(g)) = (&expected.rows, &got.rows) {
        same_items("row", e, g)?;
        compared = true;
    }
    if compared {
        Ok(())
    } else {
        Err("neither a report nor rows to compare".into())
    }
}

fn every_event_evaluated(_: &Case, _: &Replayed, got: &Replayed) -> Result<(), String> {
    if got.evaluations == got.events {
        Ok(())
    } else {
        Err(format!(
            "dedup off evaluated {} keys for {} events",
            got.evaluations, got.events
        ))
    }
}

fn fewer_keys_than_events(_: &Case, _: &Replayed, got: &Replayed) -> Result<(), String> {
    if got.evaluations < got.events {
        Ok(())
    } else {
        Err(format!(
            "dedup on evaluated {} keys for {} events",
            got.evaluations, got.events
        ))
    }
}

fn seed() -> PathBuf {
    root().join("datasets/seed-registration")
}

fn moves(r: &Report) -> Result<(), String> {
    if r.totals.moved.events > 0 {
        Ok(())
    } else {
        Err("no event moves: the comparison would be of empty reports".into())
    }
}

fn inputs() -> Vec<(String, Case)> {
    let seed_case = |assume, exercises| Case {
        tenant: seed(),
        logs: vec![seed().join("signins")],
        assume,
        exercises,
        _dir: None,
    };
    let (dir, risky) = seed_with_user_risk();
    vec![
        (
            "the seed tenant".into(),
            seed_case(Assumptions::default(), moves),
        ),
        (
            "the seed with --assume-user-risk high".into(),
            seed_case(
                Assumptions {
                    user_risk: Some(careplay::model::RiskLevel::High),
                },
                |r| {
                    if r.notes.iter().any(|n| n.contains("assumed")) {
                        Ok(())
                    } else {
                        Err(format!("the assumption is not in the notes: {:?}", r.notes))
                    }
                },
            ),
        ),
        (
            "the seed with directory user risk".into(),
            Case {
                tenant: risky,
                logs: vec![seed().join("signins")],
                assume: Assumptions::default(),
                exercises: |r| {
                    let blocked = r
                        .by_policy
                        .iter()
                        .find(|p| p.name == "Block high user risk")
                        .map_or(0, |p| p.newly_blocked);
                    if blocked > 0 {
                        Ok(())
                    } else {
                        Err(
                            "the user-risk policy blocks nobody: enrichment is not exercised"
                                .into(),
                        )
                    }
                },
                _dir: Some(dir),
            },
        ),
        (
            "3000 generated sign-ins on contoso".into(),
            Case {
                tenant: root().join("datasets/contoso"),
                logs: vec![common::perf_file(3000)],
                assume: Assumptions::default(),
                exercises: |r| {
                    moves(r)?;
                    if (r.totals.all.events, r.input.duplicates_dropped) == (3000, 0) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{} events, {} duplicates (generator ids are unique)",
                            r.totals.all.events, r.input.duplicates_dropped
                        ))
                    }
                },
                _dir: None,
            },
        ),
    ]
}

#[test]
fn every_replay_path_agrees_with_per_event_evaluation_on_every_input() {
    let reference = Twin::new("full load, every event evaluated alone", per_event).also(
        |c: &Case, r: &Replayed, _: &Replayed| {
            every_event_evaluated(c, r, r)?;
            (c.exercises)(r.report.as_ref().expect("reference report"))
        },
    );
    let twins = [
        Twin::new("in-memory, 1 thread, one key cache", |c: &Case| {
            in_memory(c, Dedup::On, 1)
        })
        .also(|c, r, got| {
            fewer_keys_than_events(c, r, got)?;
            let per_chunk = per_chunk_keys(c);
            // Over more than one chunk the one cache must evaluate strictly fewer keys.
            let ok = if got.events > 2048 {
                got.evaluations < per_chunk
            } else {
                got.evaluations <= per_chunk
            };
            ok.then_some(()).ok_or(format!(
                "{} keys with one cache, {per_chunk} with a cache per chunk",
                got.evaluations
            ))
        }),
        Twin::new("in-memory, 2 threads", |c: &Case| {
            in_memory(c, Dedup::On, 2)
        })
        .also(fewer_keys_than_events),
        Twin::new("in-memory, dedup off", |c: &Case| {
            in_memory(c, Dedup::Off, 2)
        })
        .also(every_event_evaluated),
        Twin::new("streaming, one batch", |c: &Case| {
            streaming(c, Dedup::On, 1 << 20, 2, 1 << 20)
        })
        .also(fewer_keys_than_events),
        Twin::new("streaming, 97-row batches", |c: &Case| {
            streaming(c, Dedup::On, 97, 2, 1 << 20)
        }),
        Twin::new("streaming, 1024-row batches", |c: &Case| {
            streaming(c, Dedup::On, 1024, 2, 1 << 20)
        }),
        Twin::new("streaming, 64-row batches, 1 thread", |c: &Case| {
            streaming(c, Dedup::On, 64, 1, 1 << 20)
        }),
        Twin::new("streaming, 64-row batches, dedup off", |c: &Case| {
            streaming(c, Dedup::Off, 64, 2, 1 << 20)
        })
        .also(every_event_evaluated),
        // A cache emptied every few keys re-evaluates more but must not change the report.
        Twin::new("streaming, 1000-row batches, 70-key cache", |c: &Case| {
            streaming(c, Dedup::On, 1000, 2, 70)
        })
        .also(|c, _, got| {
            let roomy = streaming(c, Dedup::On, 1000, 2, 1 << 20).evaluations;
            let ok = if roomy > 70 {
                got.evaluations > roomy
            } else {
                got.evaluations == roomy
            };
            ok.then_some(()).ok_or(format!(
                "{} evaluations with 70 cached keys, {roomy} with room",
                got.evaluations
            ))
        }),
        Twin::new("keyed replayer rows, 333-event chunks", keyed_rows).also(fewer_keys_than_events),
    ];
    assert_agree(&inputs(), &reference, &twins, compare);
}

#[test]
fn the_harness_reports_a_twin_that_disagrees() {
    // The table above can fail: a twin that drops one event's row is caught.
    let inputs = vec![("the seed tenant".to_string(), 0u8)];
    let seed_case = Case {
        tenant: seed(),
        logs: vec![seed().join("signins")],
        assume: Assumptions::default(),
        exercises: moves,
        _dir: None,
    };
    let reference = Twin::new("per event", |_: &u8| per_event(&seed_case));
    let twins = [Twin::new("drops a row", |_: &u8| {
        let mut r = in_memory(&seed_case, Dedup::On, 2);
        r.report = None;
        r.rows.as_mut().expect("rows").pop();
        r
    })];
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_agree(&inputs, &reference, &twins, compare)
    }));
    let msg = caught.expect_err("the harness missed a dropped row");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("`drops a row` on the seed tenant"), "{msg}");
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
    let mut d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(seed().join("directory.json")).unwrap())
            .expect("directory");
    for (i, u) in d["users"].as_array_mut().unwrap().iter_mut().enumerate() {
        u["riskLevel"] = serde_json::json!(if i % 2 == 0 { "high" } else { "none" });
    }
    std::fs::write(t.join("directory.json"), d.to_string()).unwrap();
    let mut policy: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(seed().join("policies/01-block-legacy-authentication.json"))
            .unwrap(),
    )
    .unwrap();
    policy["id"] = serde_json::json!("7a3e0c11-0000-4000-8000-0000000000f9");
    policy["displayName"] = serde_json::json!("Block high user risk");
    policy["state"] = serde_json::json!("enabledForReportingButNotEnforced");
    policy["conditions"]["userRiskLevels"] = serde_json::json!(["high"]);
    policy["conditions"]["clientAppTypes"] = serde_json::json!(["all"]);
    std::fs::write(
        t.join("policies/90-block-high-user-risk.json"),
        policy.to_string(),
    )
    .unwrap();
    (dir, t)
}
