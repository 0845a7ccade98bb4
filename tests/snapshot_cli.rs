//! `careplay replay --compare-to GOLDEN` through the binary: the `--events-out` file of an
//! approved run is the golden; differing events are listed in every format and gated by
//! `--fail-on changed>N`.

mod common;

use common::careplay;
use std::path::{Path, PathBuf};

const SEED: &str = "datasets/seed-registration";

/// Write the seed tenant's baseline events (no change flags) to `dir/name`.
fn golden(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec![
        "--quiet",
        "replay",
        SEED,
        "--events-out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = careplay(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    out
}

fn compare(golden: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec![
        "--quiet",
        "replay",
        SEED,
        "--compare-to",
        golden.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    careplay(&args)
}

fn comparison(r: &common::Run) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", r.stdout, r.stderr));
    v["comparison"].clone()
}

#[test]
fn same_run_has_no_changes_in_parquet_and_ndjson() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["golden.parquet", "golden.ndjson"] {
        let g = golden(tmp.path(), name, &[]);
        let r = compare(&g, &["--format", "json", "--fail-on", "changed>0"]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let c = comparison(&r);
        assert_eq!(c["changed"], 0, "{name}: {c}");
        assert_eq!(c["events"], 380, "{name}: {c}");
        assert_eq!(c["golden_events"], 380, "{name}: {c}");
        assert_eq!(c["changed_events"].as_array().unwrap().len(), 0);
        assert!(r.stderr.contains("0 of 380 events differ"), "{}", r.stderr);
    }
}

#[test]
fn promoting_policies_lists_changed_events_and_fails_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let g = golden(tmp.path(), "approved.parquet", &[]);
    let promote = ["--promote", "all-report-only"];
    let mut args = promote.to_vec();
    args.extend(["--format", "json", "--fail-on", "changed>0"]);
    let r = compare(&g, &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("threshold breached: changed ="),
        "{}",
        r.stderr
    );
    let c = comparison(&r);
    // The 9 events the seed answer moves (4 newly blocked, 5 newly challenged) change
    // outcome; others keep it but gain an applied policy.
    assert_eq!(c["outcome_changed"], 9, "{c}");
    assert_eq!(c["added"], 0);
    assert_eq!(c["removed"], 0);
    let events = c["changed_events"].as_array().unwrap();
    assert_eq!(events.len() as u64, c["changed"].as_u64().unwrap());
    let blocked = events
        .iter()
        .find(|e| e["request_id"] == "50a43ca8-fabc-415f-9925-95b4a79b145e")
        .expect("the guest off trusted networks is listed");
    assert_eq!(blocked["golden_outcome"], "allowed");
    assert_eq!(blocked["outcome"], "blocked");
    assert_eq!(
        blocked["policies"][0],
        "Combined Security Info Registration on Trusted Networks"
    );
    assert!(blocked["explanation"]
        .as_str()
        .unwrap()
        .starts_with("Blocked:"));
    let by: u64 = c["by_outcome"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["events"].as_u64().unwrap())
        .sum();
    assert_eq!(by, c["changed"].as_u64().unwrap());

    // A limit above the count passes; a rate gate works on the same count.
    let n = c["changed"].as_u64().unwrap();
    let mut args = promote.to_vec();
    let limit = format!("changed>{n}");
    args.extend(["--fail-on", &limit, "--fail-on", "changed-rate>50%"]);
    assert_eq!(compare(&g, &args).code, 0);

    // Every report format shows the section.
    for (format, marker) in [
        ("terminal", "Changed since "),
        ("markdown", "## Changed since "),
        ("csv", "changed_since,"),
        ("html", "<section id=\"changed_since\""),
    ] {
        let mut args = promote.to_vec();
        args.extend(["--format", format]);
        let r = compare(&g, &args);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stdout.contains(marker), "{format}: {}", r.stdout);
        assert!(
            r.stdout.contains("50a43ca8-fabc-415f-9925-95b4a79b145e"),
            "{format}"
        );
    }
}

#[test]
fn golden_from_other_change_flags_still_compares() {
    // The golden was approved with the policies promoted; comparing the same candidate
    // set reached another way (promoting by name) finds nothing, although every
    // `changed_by` and baseline column differs.
    let tmp = tempfile::tempdir().unwrap();
    let g = golden(
        tmp.path(),
        "promoted.ndjson",
        &["--promote", "all-report-only"],
    );
    let r = compare(
        &g,
        &[
            "--promote",
            "Combined Security Info Registration with TAP",
            "--promote",
            "Combined Security Info Registration on Trusted Networks",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(comparison(&r)["changed"], 0);
    // And the plain baseline differs from it by the 9 moved events at least.
    let r = compare(&g, &["--format", "json"]);
    assert!(comparison(&r)["outcome_changed"].as_u64().unwrap() >= 9);
}

/// The golden's NDJSON lines as objects.
fn lines(path: &Path) -> Vec<serde_json::Map<String, serde_json::Value>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_lines(path: &Path, rows: &[serde_json::Map<String, serde_json::Value>]) {
    let text: Vec<String> = rows
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    std::fs::write(path, text.join("\n") + "\n").unwrap();
}

#[test]
fn added_and_removed_events_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let g = golden(tmp.path(), "golden.ndjson", &[]);
    let mut rows = lines(&g);
    let dropped = rows.remove(0);
    let dropped_id = dropped["request_id"].as_str().unwrap().to_owned();
    let mut ghost = rows[0].clone();
    ghost.insert("request_id".into(), "ghost-0000".into());
    rows.push(ghost);
    write_lines(&g, &rows);

    let r = compare(&g, &["--format", "json", "--fail-on", "changed>1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let c = comparison(&r);
    assert_eq!(c["added"], 1, "{c}");
    assert_eq!(c["removed"], 1, "{c}");
    assert_eq!(c["changed"], 2, "{c}");
    let events = c["changed_events"].as_array().unwrap();
    let added = events.iter().find(|e| e["change"] == "added").unwrap();
    assert_eq!(added["request_id"], dropped_id.as_str());
    assert!(added["golden_outcome"].is_null());
    let removed = events.iter().find(|e| e["change"] == "removed").unwrap();
    assert_eq!(removed["request_id"], "ghost-0000");
    assert!(removed["outcome"].is_null());
    // Rates are taken of the events on either side: 2 of 381.
    assert_eq!(
        compare(&g, &["--fail-on", "changed-rate>1%"]).code,
        0,
        "2 of 381 is under 1%"
    );
    let r = compare(&g, &[]);
    assert!(r.stdout.contains("(absent)"), "{}", r.stdout);
}

#[test]
fn golden_types_from_another_writer_still_compare() {
    // A golden whose columns have other types than today's writer gives them (an extra
    // timestamp column, lists stored as JSON text, outcomes in upper case) compares by
    // column name, values as text.
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    let g = golden(tmp.path(), "golden.parquet", &[]);
    let df = ParquetReader::new(std::fs::File::open(&g).unwrap())
        .finish()
        .unwrap();
    let ids: Vec<String> = df
        .column("request_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_owned())
        .collect();
    let outcomes: Vec<String> = df
        .column("candidate_outcome")
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_uppercase())
        .collect();
    let lists: Vec<String> = df
        .column("candidate_policies_applied")
        .unwrap()
        .list()
        .unwrap()
        .amortized_iter()
        .map(|s| {
            let s = s.unwrap();
            let names: Vec<&str> = s.as_ref().str().unwrap().iter().flatten().collect();
            serde_json::to_string(&names).unwrap()
        })
        .collect();
    let n = ids.len();
    let times: Vec<i64> = (0..n as i64).map(|i| 1_700_000_000_000_000 + i).collect();
    let mut other = DataFrame::new(
        n,
        vec![
            Column::new("created_at".into(), times)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
            Column::new("candidate_policies_applied".into(), lists),
            Column::new("request_id".into(), ids),
            Column::new("candidate_outcome".into(), outcomes),
        ],
    )
    .unwrap();
    let typed = tmp.path().join("typed.parquet");
    ParquetWriter::new(std::fs::File::create(&typed).unwrap())
        .finish(&mut other)
        .unwrap();
    let r = compare(&typed, &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(comparison(&r)["changed"], 0, "{}", r.stdout);
}

#[test]
fn golden_missing_a_column_or_unreadable_exits_2_naming_file_and_column() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    // NDJSON without candidate_outcome.
    let g = golden(tmp.path(), "golden.ndjson", &[]);
    let mut rows = lines(&g);
    for r in &mut rows {
        r.remove("candidate_outcome");
    }
    write_lines(&g, &rows);
    let r = compare(&g, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("golden.ndjson"), "{}", r.stderr);
    assert!(
        r.stderr.contains("no column `candidate_outcome`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no report on a bad golden");

    // Parquet without candidate_policies_applied.
    let p = golden(tmp.path(), "golden.parquet", &[]);
    let mut df = ParquetReader::new(std::fs::File::open(&p).unwrap())
        .finish()
        .unwrap()
        .drop("candidate_policies_applied")
        .unwrap();
    let cut = tmp.path().join("cut.parquet");
    ParquetWriter::new(std::fs::File::create(&cut).unwrap())
        .finish(&mut df)
        .unwrap();
    let r = compare(&cut, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cut.parquet"), "{}", r.stderr);
    assert!(
        r.stderr.contains("no column `candidate_policies_applied`"),
        "{}",
        r.stderr
    );

    // A value that is not an outcome names its row and column.
    let mut rows = lines(&golden(tmp.path(), "bad.ndjson", &[]));
    rows[2].insert("candidate_outcome".into(), "maybe".into());
    let bad = tmp.path().join("bad.ndjson");
    write_lines(&bad, &rows);
    let r = compare(&bad, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("row 3, column `candidate_outcome`"),
        "{}",
        r.stderr
    );

    // Not Parquet at all, a missing file, an unknown extension.
    let junk = tmp.path().join("junk.parquet");
    std::fs::write(&junk, b"not parquet").unwrap();
    for path in [
        junk,
        tmp.path().join("absent.ndjson"),
        tmp.path().join("golden.txt"),
    ] {
        let r = compare(&path, &[]);
        assert_eq!(r.code, 2, "{}: {}", path.display(), r.stderr);
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(r.stderr.contains(name), "{}", r.stderr);
    }
}

#[test]
fn changed_gate_needs_a_golden_and_the_in_memory_replay() {
    let r = careplay(&["--quiet", "replay", SEED, "--fail-on", "changed>0"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs --compare-to"), "{}", r.stderr);
    let r = careplay(&[
        "--quiet",
        "replay",
        SEED,
        "--stream",
        "--compare-to",
        "x.parquet",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
