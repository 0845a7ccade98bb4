//! Every performance path agrees with its slow twin (issue "Performance"): the streaming
//! replay gives the in-memory replay's report; per-key dedup (with IPs grouped into network
//! classes and row templates) gives per-event evaluation's report; 1 thread gives 2
//! threads' report; small batches give one big batch's report. On the bundled seed tenant
//! and on a small file from the deterministic perf generator (datasets/generate.py).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use careplay::replay::stream::{run_replay_streaming, StreamConfig};
use careplay::replay::{self, ChangeSpec, Dedup, Overrides, ReplayPlan};
use careplay::report::Report;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn plan(tenant: &Path, logs: Vec<PathBuf>, dedup: Dedup) -> ReplayPlan {
    ReplayPlan {
        tenant_dir: Some(tenant.to_path_buf()),
        overrides: Overrides {
            logs,
            ..Overrides::default()
        },
        changes: ChangeSpec {
            promote: vec!["all-report-only".to_string()],
            ..ChangeSpec::default()
        },
        dedup,
        progress: false,
        keep_rows: false,
        assume: Default::default(),
    }
}

fn in_memory(p: &ReplayPlan) -> Report {
    replay::run_replay(p).expect("in-memory replay").report
}

fn streaming(p: &ReplayPlan, batch_rows: usize, threads: usize) -> (Report, u64, u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let cfg = StreamConfig {
        batch_rows,
        ..StreamConfig::default()
    };
    let out = pool
        .install(|| run_replay_streaming(p, &cfg))
        .expect("streaming replay");
    (out.report, out.stats.events, out.stats.evaluations)
}

/// A 3000-record Graph NDJSON file from the perf generator (contoso tenant), made once.
fn perf_file() -> Option<&'static Path> {
    static FILE: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("perf-3000.ndjson");
        let status = Command::new("python3")
            .arg(root().join("datasets/generate.py"))
            .args(["perf", "--records", "3000", "--out"])
            .arg(&out)
            .status();
        match status {
            Ok(s) if s.success() => Some((dir, out)),
            other => {
                eprintln!("skipped: python3 datasets/generate.py perf failed: {other:?}");
                None
            }
        }
    })
    .as_ref()
    .map(|(_, p)| p.as_path())
}

fn seed() -> PathBuf {
    root().join("datasets/seed-registration")
}

fn contoso() -> PathBuf {
    root().join("datasets/contoso")
}

#[test]
fn seed_streaming_report_equals_in_memory_report() {
    let logs = vec![seed().join("signins")];
    let p = plan(&seed(), logs, Dedup::On);
    let expected = in_memory(&p);
    assert!(expected.totals.all.events > 0, "the seed replays events");
    // One batch holds the whole seed, so duplicates are resolved exactly as `load` does.
    let (got, events, _) = streaming(&p, 1 << 20, 2);
    assert_eq!(events, expected.totals.all.events);
    assert_eq!(got, expected);
}

#[test]
fn seed_dedup_on_equals_dedup_off() {
    let logs = vec![seed().join("signins")];
    let (on, _, on_evals) = streaming(&plan(&seed(), logs.clone(), Dedup::On), 1 << 20, 2);
    let (off, off_events, off_evals) = streaming(&plan(&seed(), logs, Dedup::Off), 1 << 20, 2);
    assert_eq!(off_evals, off_events, "dedup off evaluates every event");
    assert!(
        on_evals < off_evals,
        "{on_evals} keys vs {off_evals} events"
    );
    assert_eq!(on, off);
}

#[test]
fn perf_streaming_small_batches_equal_in_memory() {
    let Some(file) = perf_file() else { return };
    let p = plan(&contoso(), vec![file.to_path_buf()], Dedup::On);
    let expected = in_memory(&p);
    assert_eq!(expected.totals.all.events, 3000);
    assert_eq!(
        expected.input.duplicates_dropped, 0,
        "generator ids are unique"
    );
    for batch in [97, 1024] {
        let (got, events, _) = streaming(&p, batch, 2);
        assert_eq!(events, 3000);
        assert_eq!(got, expected, "batch_rows {batch}");
    }
}

#[test]
fn perf_dedup_on_equals_dedup_off_and_evaluates_fewer_keys() {
    let Some(file) = perf_file() else { return };
    let logs = vec![file.to_path_buf()];
    let (on, _, keys) = streaming(&plan(&contoso(), logs.clone(), Dedup::On), 512, 2);
    let (off, events, evals) = streaming(&plan(&contoso(), logs, Dedup::Off), 512, 2);
    assert_eq!(evals, events);
    assert!(keys < events, "{keys} keys for {events} events");
    assert_eq!(on, off);
}

#[test]
fn perf_one_thread_equals_two_threads() {
    let Some(file) = perf_file() else { return };
    let p = plan(&contoso(), vec![file.to_path_buf()], Dedup::On);
    let (one, _, _) = streaming(&p, 256, 1);
    let (two, _, _) = streaming(&p, 256, 2);
    assert_eq!(one, two);
}

#[test]
fn perf_in_memory_dedup_off_equals_streaming_dedup_on() {
    // The slowest twin (whole input in memory, every event evaluated) against the fastest
    // path (streaming, per-key templates, network classes).
    let Some(file) = perf_file() else { return };
    let logs = vec![file.to_path_buf()];
    let slow = in_memory(&plan(&contoso(), logs.clone(), Dedup::Off));
    let (fast, _, _) = streaming(&plan(&contoso(), logs, Dedup::On), 1000, 2);
    assert_eq!(fast, slow);
}

#[test]
fn perf_keyed_rows_equal_replay_chunk_rows_field_for_field() {
    use careplay::replay::stream::{KeyCache, KeyedReplayer};
    let Some(file) = perf_file() else { return };
    with_contoso_replayer(|replayer, tenant| {
        let loaded =
            careplay::signin::load(&[file.to_path_buf()], &Default::default()).expect("load");
        let (expected, _) = replayer.replay_chunk(&loaded.records, Dedup::Off);
        let cache = KeyCache::new(tenant.network_classes(), 1 << 20);
        let mut keyed = KeyedReplayer::new(replayer, &cache, &StreamConfig::default());
        let mut got = Vec::new();
        for chunk in loaded.records.chunks(333) {
            keyed.replay(chunk, |row| got.push(row.clone()));
        }
        assert_eq!(got.len(), expected.len());
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "row {i}");
        }
        let stats = keyed.stats();
        assert_eq!(stats.events, 3000);
        assert_eq!(stats.evaluations, cache.evaluations());
        assert!(cache.verdicts() as u64 <= stats.evaluations);
        assert!(
            stats.evaluations < stats.events,
            "keys repeat across chunks: {} evaluations",
            stats.evaluations
        );
    });
}

/// The contoso tenant with its baseline and every-report-only-promoted candidate as a
/// `Replayer`, lent to `f`.
fn with_contoso_replayer<T>(
    f: impl FnOnce(&careplay::replay::Replayer<'_>, &careplay::replay::Tenant) -> T,
) -> T {
    use careplay::replay::{LocationLabeler, Replayer, Tenant, TenantPaths};
    let paths = TenantPaths::resolve(Some(&contoso()), &Overrides::default());
    let tenant = Tenant::load("contoso", &paths).expect("tenant");
    let changes = ChangeSpec {
        promote: vec!["all-report-only".to_string()],
        ..ChangeSpec::default()
    }
    .resolve()
    .expect("changes");
    let (cand, _) = changes.apply(&tenant.policies).expect("apply");
    let baseline = tenant.compile(&tenant.policies);
    let candidate = tenant.compile(&cand);
    let labels = LocationLabeler::new(&tenant.locations);
    let assume = Default::default();
    let replayer = Replayer::new(
        &baseline,
        &candidate,
        &labels,
        tenant.directory.as_ref(),
        &assume,
    );
    f(&replayer, &tenant)
}

/// The in-memory replay (`careplay replay` without `--stream`) evaluates through one key
/// cache for all its chunks: its per-event rows (what `--events-out` writes) equal the
/// rows of every event evaluated alone (`replay_chunk`, dedup off), and on one thread it
/// evaluates fewer keys than a cache per chunk of 2048 events did.
#[test]
fn perf_in_memory_rows_equal_per_event_rows_with_one_key_cache() {
    let Some(file) = perf_file() else { return };
    let mut p = plan(&contoso(), vec![file.to_path_buf()], Dedup::On);
    p.keep_rows = true;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let out = pool.install(|| replay::run_replay(&p)).expect("replay");

    with_contoso_replayer(|replayer, _| {
        let loaded =
            careplay::signin::load(&[file.to_path_buf()], &Default::default()).expect("load");
        let (expected, _) = replayer.replay_chunk(&loaded.records, Dedup::Off);
        assert_eq!(out.rows.len(), expected.len());
        for (i, (g, e)) in out.rows.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "row {i}");
        }
        let per_chunk: u64 = loaded
            .records
            .chunks(2048)
            .map(|c| replayer.replay_chunk(c, Dedup::On).1.evaluations)
            .sum();
        assert!(
            out.stats.evaluations < per_chunk,
            "{} evaluations with one cache, {per_chunk} with a cache per chunk",
            out.stats.evaluations
        );
    });
}

#[test]
fn perf_tiny_key_cache_still_agrees() {
    // A cache emptied every few keys re-evaluates more but must not change the report.
    let Some(file) = perf_file() else { return };
    let p = plan(&contoso(), vec![file.to_path_buf()], Dedup::On);
    let (expected, _, roomy) = streaming(&p, 1000, 2);
    let cfg = StreamConfig {
        batch_rows: 1000,
        max_cached_keys: 70,
        ..StreamConfig::default()
    };
    let out = run_replay_streaming(&p, &cfg).expect("replay");
    assert!(
        out.stats.evaluations > roomy,
        "{} vs {roomy}",
        out.stats.evaluations
    );
    assert_eq!(out.report, expected);
}

#[test]
fn seed_streaming_equals_in_memory_with_an_assumption() {
    // `--assume-user-risk high`: enriched facts and the report's notes must match too.
    let logs = vec![seed().join("signins")];
    let mut p = plan(&seed(), logs, Dedup::On);
    p.assume.user_risk = Some(careplay::model::RiskLevel::High);
    let expected = in_memory(&p);
    assert!(
        expected.notes.iter().any(|n| n.contains("assumed")),
        "{:?}",
        expected.notes
    );
    let (got, _, _) = streaming(&p, 1 << 20, 2);
    assert_eq!(got, expected);
}

/// The seed tenant with half its directory users at high user risk and a report-only
/// policy that blocks high user risk: the outcome of those users' sign-ins depends on
/// directory enrichment, which the keyed streaming replay does only for keys it has not
/// cached (its keys are the log's facts before enrichment).
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

#[test]
fn directory_user_risk_agrees_between_keyed_streaming_per_event_and_in_memory() {
    let (_dir, tenant) = seed_with_user_risk();
    let logs = vec![seed().join("signins")];
    let p = plan(&tenant, logs.clone(), Dedup::On);
    let expected = in_memory(&p);
    let risky = expected
        .by_policy
        .iter()
        .find(|r| r.name == "Block high user risk")
        .map_or(0, |r| r.newly_blocked);
    assert!(
        risky > 0,
        "the user-risk policy blocks nobody: enrichment is not exercised ({:?})",
        expected.by_policy
    );
    for threads in [1, 2] {
        let (keyed, _, evaluations) = streaming(&p, 64, threads);
        assert_eq!(keyed, expected, "keyed streaming, {threads} thread(s)");
        let (per_event, events, every) =
            streaming(&plan(&tenant, logs.clone(), Dedup::Off), 64, threads);
        assert_eq!(
            per_event, expected,
            "per-event streaming, {threads} thread(s)"
        );
        assert_eq!(every, events);
        assert!(evaluations < every, "{evaluations} keys vs {every} events");
    }
}
