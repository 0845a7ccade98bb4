//! Issue "Never a confident answer from broken or partial input", the run-level half: a
//! replay over no events is an error, the undecided share is in every headline and can be
//! gated on, rejected rows can be gated on, outputs never overwrite inputs or leave half
//! files, and a closed stdout pipe ends a run quietly. Every test runs the real binary on a
//! copy of the seed tenant.

mod common;

use common::{careplay, root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn replay(dir: &Path, extra: &[&str]) -> common::Run {
    let d = s(dir);
    let mut args = vec![
        "--quiet",
        "replay",
        d.as_str(),
        "--promote",
        "all-report-only",
    ];
    args.extend_from_slice(extra);
    careplay(&args)
}

fn replay_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let r = replay(dir, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

fn signins(dir: &Path) -> PathBuf {
    dir.join("signins")
}

fn first_log(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(signins(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    files
        .into_iter()
        .next()
        .expect("the seed tenant has NDJSON logs")
}

#[test]
fn an_empty_signins_folder_is_an_error_not_zero_events() {
    let (_tmp, t) = common::seed_copy();
    for e in std::fs::read_dir(signins(t.as_path())).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    // The gate must not pass on nothing.
    let r = replay(t.as_path(), &["--fail-on", "newly-blocked>0"]);
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("no sign-in events to replay"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("no sign-in export file was found"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no report over nothing: {}", r.stdout);
}

#[test]
fn logs_whose_every_row_is_rejected_are_an_error() {
    let (_tmp, t) = common::seed_copy();
    for e in std::fs::read_dir(signins(t.as_path())).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    std::fs::write(
        signins(t.as_path()).join("broken.ndjson"),
        "{\"id\": \"a\", \"createdDateTime\": \n{not json\n[1, 2]\n",
    )
    .unwrap();
    let r = replay(t.as_path(), &[]);
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("no sign-in events to replay"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rejected"), "{}", r.stderr);
    // verify reads the same logs and refuses the same way.
    let v = careplay(&["--quiet", "verify", &s(t.as_path())]);
    assert_eq!(v.code, 2, "{}", v.stderr);
    assert!(
        v.stderr.contains("no sign-in events to replay"),
        "{}",
        v.stderr
    );
}

#[test]
fn rejected_rows_can_be_gated_by_count_and_rate() {
    let (_tmp, t) = common::seed_copy();
    let log = first_log(t.as_path());
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{this line is not JSON\n");
    std::fs::write(&log, text).unwrap();

    let report = replay_json(t.as_path(), &[]);
    let read = report["input"]["rows_read"].as_u64().unwrap();
    assert_eq!(report["input"]["rows_rejected"], 1);

    let r = replay(t.as_path(), &["--fail-on", "rejected>0"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("rejected = 1 > 0"), "{}", r.stderr);
    assert_eq!(replay(t.as_path(), &["--fail-on", "rejected>1"]).code, 0);

    // 1 of `read` rows: above 0.1%, below 1% for the seed's ~380 rows.
    let rate = 100.0 / read as f64;
    assert!(rate > 0.1 && rate < 1.0, "{rate}");
    let r = replay(t.as_path(), &["--fail-on", "rejected-rate>0.1%"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("(1 of {read}) > 0.1%")),
        "{}",
        r.stderr
    );
    assert_eq!(
        replay(t.as_path(), &["--fail-on", "rejected-rate>1%"]).code,
        0
    );

    // The headline says what its numbers leave out.
    let r = replay(t.as_path(), &[]);
    let head: Vec<&str> = r.stdout.lines().take(6).collect();
    let left_out = format!("1 of {read} log rows could not be read and are left out");
    assert!(head.iter().any(|l| l.contains(&left_out)), "{head:?}");
}

#[test]
fn the_undecided_share_is_in_every_headline_with_its_cause_and_fix() {
    // Without a directory snapshot, group and role conditions cannot be decided.
    let (_tmp, t) = common::seed_copy();
    std::fs::remove_file(t.as_path().join("directory.json")).unwrap();
    let report = replay_json(t.as_path(), &[]);
    let all = report["totals"]["all"]["events"].as_u64().unwrap();
    let undecided = report["totals"]["undecided"]["events"].as_u64().unwrap();
    assert!(undecided > 0 && undecided < all, "{undecided} of {all}");
    // Every undecided event is Unknown on one side at least, and the matrix agrees.
    let unknown_cells: u64 = report["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["baseline"] == "unknown" || c["candidate"] == "unknown")
        .map(|c| c["events"].as_u64().unwrap())
        .sum();
    assert_eq!(unknown_cells, undecided);
    let top = &report["undecided_by_cause"][0];
    assert_eq!(top["cause"], "users", "{top}");
    assert_eq!(top["events"].as_u64(), Some(undecided));
    assert!(
        top["fix"].as_str().unwrap().contains("directory.json"),
        "{top}"
    );

    let share = format!("of events ({undecided} of {all}) could not be decided");
    for format in ["terminal", "markdown", "html", "csv"] {
        let r = replay(t.as_path(), &["--format", format]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains(&share), "{format}: {}", r.stdout);
        assert!(r.stdout.contains("directory.json"), "{format}");
    }
    let r = replay(t.as_path(), &[]);
    // The first lines carry it, not a table at the end.
    let head: Vec<&str> = r.stdout.lines().take(6).collect();
    assert!(head.iter().any(|l| l.contains(&share)), "{head:?}");
    // ... and stderr, for a report written to a file.
    assert!(r.stderr.contains(&share), "{}", r.stderr);

    // The intact seed tenant decides everything and says nothing of the kind.
    let r = careplay(&[
        "--quiet",
        "replay",
        "datasets/seed-registration",
        "--promote",
        "all-report-only",
    ]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("could not be decided"), "{}", r.stdout);
}

#[test]
fn undecided_events_can_be_gated_by_count_and_rate() {
    let (_tmp, t) = common::seed_copy();
    std::fs::remove_file(t.as_path().join("directory.json")).unwrap();
    let report = replay_json(t.as_path(), &[]);
    let all = report["totals"]["all"]["events"].as_u64().unwrap();
    let undecided = report["totals"]["undecided"]["events"].as_u64().unwrap();
    let rate = 100.0 * undecided as f64 / all as f64;

    let r = replay(t.as_path(), &["--fail-on", "unknown>0"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("unknown = {undecided} > 0")),
        "{}",
        r.stderr
    );
    assert_eq!(
        replay(t.as_path(), &["--fail-on", &format!("unknown>{undecided}")]).code,
        0
    );

    // Just under the real rate: a breach, printed above the limit however close it is.
    let limit = (rate * 100.0).floor() / 100.0 - 0.001;
    let r = replay(
        t.as_path(),
        &["--fail-on", &format!("unknown-rate>{limit}%")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("unknown-rate = "))
        .unwrap_or_else(|| panic!("{}", r.stderr));
    let shown: f64 = line
        .split("unknown-rate = ")
        .nth(1)
        .and_then(|x| x.split('%').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(shown > limit, "{line}");
    let above = (rate + 0.01).min(100.0);
    assert_eq!(
        replay(
            t.as_path(),
            &["--fail-on", &format!("unknown-rate>{above}%")]
        )
        .code,
        0
    );
    // A rate is for the two metrics that have a whole to take it of.
    let r = replay(t.as_path(), &["--fail-on", "newly-blocked-rate>1%"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn outputs_never_overwrite_an_input() {
    let (_tmp, t) = common::seed_copy();
    let log = first_log(t.as_path());
    let before = std::fs::read(&log).unwrap();
    for flag in ["-o", "--events-out"] {
        let r = replay(t.as_path(), &[flag, &s(&log)]);
        assert_eq!(r.code, 2, "{flag}: {}", r.stderr);
        assert!(
            r.stderr.contains("refusing to write over an input"),
            "{}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(&log).unwrap(),
            before,
            "{flag} wrote over the log"
        );
    }
    // A policy file, named through another spelling of its path.
    let policy = std::fs::read_dir(t.as_path().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let policy_before = std::fs::read(&policy).unwrap();
    let roundabout = t
        .join("signins/../policies")
        .join(policy.file_name().unwrap());
    let r = replay(t.as_path(), &["-o", &s(&roundabout), "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(&policy).unwrap(), policy_before);

    // `logs convert X -o X` used to empty X and report "wrote 0 rows".
    let r = careplay(&[
        "--quiet",
        "logs",
        "convert",
        &s(&log),
        "--to",
        "ndjson",
        "-o",
        &s(&log),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(&log).unwrap(), before);
    let folder = s(&signins(t.as_path()));
    let r = careplay(&[
        "--quiet",
        "logs",
        "convert",
        &folder,
        "--to",
        "ndjson",
        "-o",
        &s(&log),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(&log).unwrap(), before);

    // Two outputs of one run on one path.
    let out = t.as_path().join("out.ndjson");
    let r = replay(t.as_path(), &["-o", &s(&out), "--events-out", &s(&out)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn an_unwritable_output_fails_before_the_replay() {
    let (_tmp, t) = common::seed_copy();
    let missing = t.as_path().join("no-such-folder/report.md");
    // With logs that would fail the replay, the output error comes first: it is checked
    // before anything is read.
    for e in std::fs::read_dir(signins(t.as_path())).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for flag in ["-o", "--events-out"] {
        let r = replay(t.as_path(), &[flag, &s(&missing)]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("does not exist"), "{flag}: {}", r.stderr);
        assert!(!r.stderr.contains("no sign-in events"), "{}", r.stderr);
    }
}

#[test]
fn a_failed_run_leaves_no_file_and_keeps_the_old_one() {
    let (_tmp, t) = common::seed_copy();
    for e in std::fs::read_dir(signins(t.as_path())).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let outdir = tempfile::tempdir().unwrap();
    let fresh = outdir.path().join("fresh.json");
    let old = outdir.path().join("old.json");
    std::fs::write(&old, "the approved report\n").unwrap();
    for target in [&fresh, &old] {
        let r = replay(t.as_path(), &["-o", &s(target), "--format", "json"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
    }
    assert!(!fresh.exists());
    assert_eq!(
        std::fs::read_to_string(&old).unwrap(),
        "the approved report\n"
    );
    let left: Vec<String> = std::fs::read_dir(outdir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        vec!["old.json".to_string()],
        "temporary files left behind"
    );

    // A run that succeeds replaces the file whole.
    let r = careplay(&[
        "--quiet",
        "replay",
        "datasets/seed-registration",
        "--format",
        "json",
        "-o",
        &s(&old),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    assert_eq!(v["totals"]["all"]["events"], 380);
}

/// Run with stdout a pipe whose reader is gone before the first write.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_careplay"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_pipe_ends_the_run_quietly() {
    for args in [
        &[
            "--quiet",
            "verify",
            "datasets/seed-registration",
            "--format",
            "json",
        ][..],
        &[
            "--quiet",
            "replay",
            "datasets/seed-registration",
            "--format",
            "json",
        ][..],
        &[
            "--quiet",
            "replay",
            "datasets/seed-registration",
            "--format",
            "csv",
        ][..],
        &["--quiet", "replay", "datasets/seed-registration"][..],
    ] {
        let (code, stderr) = with_closed_stdout(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.to_lowercase().contains("broken pipe"),
            "{args:?}: {stderr}"
        );
    }
    // ... but it still reaches its gates: the seed tenant's promotion blocks 4 events.
    for format in ["terminal", "json", "csv"] {
        let (code, stderr) = with_closed_stdout(&[
            "--quiet",
            "replay",
            "datasets/seed-registration",
            "--promote",
            "all-report-only",
            "--format",
            format,
            "--fail-on",
            "newly-blocked>0",
        ]);
        assert_eq!(code, Some(1), "{format}: {stderr}");
        assert!(stderr.contains("threshold breached"), "{stderr}");
    }
}
