//! `careplay logs inspect|convert` through the real binary.

use std::path::PathBuf;
use std::process::Command;

fn fx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signin")
        .join(name)
}

fn careplay(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .args(args)
        .output()
        .expect("run careplay");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn inspect_reports_format_counts_span_and_null_rates() {
    let ndjson = fx("graph_ndjson.jsonl");
    let bad = fx("malformed/bad_values.jsonl");
    let (code, out, err) = careplay(&[
        "logs".as_ref(),
        "inspect".as_ref(),
        ndjson.as_os_str(),
        bad.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("  format: graph-json\n  rows: read 3, loaded 2, rejected 0, duplicates 1\n"),
        "{out}"
    );
    assert!(
        out.contains("  time span: 2026-01-07T09:00:00Z .. 2026-01-07T09:01:00Z\n"),
        "{out}"
    );
    assert!(
        out.contains("  null rate per canonical column (2 rows):\n"),
        "{out}"
    );
    assert!(
        out.contains("    event_id                      0.0%\n"),
        "{out}"
    );
    assert!(
        out.contains("    user_upn                    100.0%\n"),
        "{out}"
    );
    // A non-IP `ipAddress` and a non-boolean `isCompliant` load the row with that fact
    // Unknown and a counted warning (issue 17), instead of rejecting it.
    assert!(
        out.contains("  warning (ipAddress not an IP address): 1 loaded row(s), that fact Unknown\n    e.g. "),
        "{out}"
    );
    assert!(
        out.contains("total: 2 file(s), rows read 8, loaded 5, rejected 2, duplicates dropped 1; 2 unreadable field(s) on loaded rows (facts Unknown)\n"),
        "{out}"
    );
}

#[test]
fn inspect_forced_format_and_unknown_format_exit_code() {
    let bad = fx("malformed/semicolon.csv");
    let (code, _, err) = careplay(&["logs".as_ref(), "inspect".as_ref(), bad.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown sign-in log format: CSV header is ';'-delimited"),
        "{err}"
    );
    let missing = fx("malformed/missing_id.csv");
    let (code, out, _) = careplay(&[
        "logs".as_ref(),
        "inspect".as_ref(),
        "--format".as_ref(),
        "portal-csv".as_ref(),
        missing.as_os_str(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("rows: read 2, loaded 0, rejected 2"), "{out}");
}

#[test]
fn convert_to_parquet_and_ndjson_then_inspect_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("out.parquet");
    let nd = dir.path().join("out.ndjson");
    let input = fx("graph_beta_array.json");
    let diag = fx("diag_tree");
    let (code, out, err) = careplay(&[
        "--quiet".as_ref(),
        "logs".as_ref(),
        "convert".as_ref(),
        input.as_os_str(),
        diag.as_os_str(),
        "--to".as_ref(),
        "parquet".as_ref(),
        "-o".as_ref(),
        pq.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("wrote 4 canonical row(s) to "), "{out}");
    assert!(
        out.contains("read 5, rejected 0, duplicates dropped 1"),
        "{out}"
    );

    let (code, out, err) = careplay(&["logs".as_ref(), "inspect".as_ref(), pq.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("  format: parquet\n  rows: read 4, loaded 4, rejected 0, duplicates 0\n"),
        "{out}"
    );

    let (code, _, err) = careplay(&[
        "logs".as_ref(),
        "convert".as_ref(),
        input.as_os_str(),
        "--to".as_ref(),
        "ndjson".as_ref(),
        "-o".as_ref(),
        nd.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&nd).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["event_id"], "c0c0c0c0-0000-4000-8000-000000000001");
    assert_eq!(rows[0]["created_at"], "2026-01-06T08:00:00Z");
    assert_eq!(rows[0]["ca_policies"][0]["result"], "reportOnlySuccess");
    assert_eq!(rows[1]["user_id"], serde_json::Value::Null);
}

/// `logs convert` builds and writes a batch's columns one row group at a time: the
/// seed tenant's sign-ins written in row groups of 7 read back to the rows a direct
/// NDJSON conversion writes (the twin: no row groups at all), in the same order.
#[test]
fn convert_in_small_row_groups_reads_back_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/seed-registration/signins");
    let pq = dir.path().join("groups.parquet");
    let direct = dir.path().join("direct.ndjson");
    let back = dir.path().join("back.ndjson");
    let convert = |input: &std::path::Path, to: &str, out: &std::path::Path, extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "--quiet".as_ref(),
            "logs".as_ref(),
            "convert".as_ref(),
            input.as_os_str(),
            "--to".as_ref(),
            to.as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(|s| s.as_ref() as &std::ffi::OsStr));
        let (code, out, err) = careplay(&args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let said = convert(&seed, "parquet", &pq, &["--row-group-rows", "7"]);
    convert(&seed, "ndjson", &direct, &[]);
    convert(&pq, "ndjson", &back, &[]);
    let (direct, back) = (
        std::fs::read_to_string(&direct).unwrap(),
        std::fs::read_to_string(&back).unwrap(),
    );
    assert!(direct.lines().count() > 7 * 10, "{said}");
    assert_eq!(back, direct);

    let (code, _, err) = careplay(&[
        "logs".as_ref(),
        "convert".as_ref(),
        seed.as_os_str(),
        "-o".as_ref(),
        pq.as_os_str(),
        "--row-group-rows".as_ref(),
        "0".as_ref(),
    ]);
    assert_eq!(code, 2, "a row group of no rows is a usage error");
    assert!(err.contains("--row-group-rows"), "{err}");
}
