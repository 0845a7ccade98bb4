//! `careplay bench` through the binary on the seed tenant, and the Parquet phase's two
//! evaluation paths (every event vs once per key) against each other. Figures are checked
//! for consistency and as ratios, never against absolute time targets.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

mod common;

use careplay::bench::eval::{convert_to_parquet, evaluate_dedup, evaluate_raw};
use careplay::replay::{enrich, ChangeSpec, Overrides, Tenant, TenantPaths};
use careplay::signin::{self, LoadOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed() -> PathBuf {
    root().join("datasets/seed-registration")
}

#[test]
fn bench_command_prints_consistent_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let parquet = dir.path().join("seed.parquet");
    let out = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .arg("bench")
        .arg(seed())
        .arg("--logs")
        .arg(seed().join("signins"))
        .args(["--parquet-records", "100000", "--raw-events", "200", "--kv"])
        .arg("--parquet-out")
        .arg(&parquet)
        .output()
        .expect("run careplay bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("full replay (streaming)"), "{stdout}");
    let kv: HashMap<&str, &str> = stdout.lines().filter_map(|l| l.split_once('=')).collect();
    let num = |k: &str| -> f64 {
        kv.get(k)
            .unwrap_or_else(|| panic!("{k} missing in\n{stdout}"))
            .parse()
            .unwrap_or_else(|_| panic!("{k} not a number"))
    };
    let records = num("records");
    assert!(records > 100.0);
    assert_eq!(num("parquet_records"), records, "every record converted");
    let keys = num("distinct_keys");
    assert!(keys >= 1.0 && keys <= records);
    assert!(
        num("distinct_facts_exact_ip") >= keys,
        "network classes only merge keys"
    );
    assert!((num("dedup_ratio") - records / keys).abs() < 0.01);
    let evaluations = num("replay_evaluations");
    assert!(evaluations >= keys && evaluations <= records);
    assert!(num("replay_seconds") > 0.0 && num("load_seconds") > 0.0);
    assert!(num("replay_thread_speedup") > 0.0);
    // The syntax-check reference reads the same files: one JSON Lines record per line
    // (the diagnostic file is JSON Lines too), all well-formed.
    assert_eq!(num("syntax_floor_lines"), records);
    assert_eq!(num("syntax_floor_invalid_lines"), 0.0);
    // "na" where the kernel refuses to reset the peak (/proc/self/clear_refs); CI runs on
    // Linux where it does, so there the figure must be measured.
    match kv.get("replay_peak_rss_mib").copied() {
        Some("na") if !common::in_ci() => {}
        Some(rss) => {
            let rss: f64 = rss
                .parse()
                .unwrap_or_else(|_| panic!("replay_peak_rss_mib = {rss}"));
            assert!(rss > 1.0 && rss < 4096.0, "{rss} MiB");
        }
        None => panic!("replay_peak_rss_mib missing in\n{stdout}"),
    }
    assert!(
        parquet.exists(),
        "the canonical Parquet file is kept where asked"
    );
}

#[test]
fn bench_command_names_a_missing_log_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .arg("bench")
        .arg(seed())
        .args(["--logs", "/nonexistent/careplay-bench.ndjson"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/careplay-bench.ndjson"), "{err}");
}

#[test]
fn once_per_key_gives_the_per_event_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let parquet = dir.path().join("seed.parquet");
    let n =
        convert_to_parquet(&[seed().join("signins")], &parquet, 1_000_000, 64).expect("convert");
    let loaded = signin::load(&[parquet], &LoadOptions::default()).expect("read back");
    assert_eq!(loaded.records.len() as u64, n);
    let tenant = Tenant::load(
        "seed",
        &TenantPaths::resolve(Some(&seed()), &Overrides::default()),
    )
    .expect("tenant");
    let (cand, _) = ChangeSpec {
        promote: vec!["all-report-only".into()],
        ..ChangeSpec::default()
    }
    .resolve()
    .expect("changes")
    .apply(&tenant.policies)
    .expect("apply");
    let b = tenant.compile(&tenant.policies);
    let c = tenant.compile(&cand);
    let facts: Vec<_> = loaded
        .records
        .iter()
        .map(|r| {
            enrich(
                signin::to_facts(r),
                tenant.directory.as_ref(),
                &Default::default(),
            )
        })
        .collect();
    let mut nets = tenant.network_classes();
    let keys: Vec<_> = facts.iter().map(|f| nets.key(f.clone())).collect();
    let raw = evaluate_raw(&b, &c, &facts);
    let (dedup, evaluated) = evaluate_dedup(&b, &c, &keys);
    assert_eq!(dedup, raw);
    // Each distinct key once (a plain set of the keys is the twin of the bench's table).
    let distinct: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(evaluated, distinct.len() as u64);
    assert!(
        evaluated < facts.len() as u64,
        "{evaluated} of {}",
        facts.len()
    );
}
